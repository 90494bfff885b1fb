/**
 * Test helpers: a bare Deno `WebSocket` client that signs the handshake with WebCrypto (so the
 * simulator's node:crypto verification is checked against an independent implementation) and
 * waits on frames by predicate — never on sleeps.
 *
 * @module
 */

import { createPrivateKey } from "node:crypto";
import { WS_PATH } from "./auth.ts";

/** A parsed server frame. */
// deno-lint-ignore no-explicit-any
export type Frame = Record<string, any>;

/** Signs the handshake headers with WebCrypto RSA-PSS (salt 32) from a PKCS#1 or PKCS#8 PEM. */
export async function webCryptoHeaders(
  keyId: string,
  privateKeyPem: string,
  timestampMs: number = Date.now(),
): Promise<Record<string, string>> {
  const pkcs8 = createPrivateKey(privateKeyPem).export({ type: "pkcs8", format: "der" });
  const key = await crypto.subtle.importKey(
    "pkcs8",
    new Uint8Array(pkcs8),
    { name: "RSA-PSS", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const timestamp = String(timestampMs);
  const signature = await crypto.subtle.sign(
    { name: "RSA-PSS", saltLength: 32 },
    key,
    new TextEncoder().encode(`${timestamp}GET${WS_PATH}`),
  );
  let binary = "";
  for (const byte of new Uint8Array(signature)) binary += String.fromCharCode(byte);
  return {
    "KALSHI-ACCESS-KEY": keyId,
    "KALSHI-ACCESS-TIMESTAMP": timestamp,
    "KALSHI-ACCESS-SIGNATURE": btoa(binary),
  };
}

/** A connected test client that records every text frame and lets tests await frames. */
export class TestClient {
  /** Every raw text frame received, in order. */
  readonly raw: string[] = [];
  /** Every frame that parsed as JSON, in order. */
  readonly frames: Frame[] = [];
  readonly #ws: WebSocket;
  #waiters: { test: () => boolean; resolve: () => void; reject: (e: Error) => void }[] = [];
  #closed: Promise<CloseEvent>;
  #nextId = 1;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    this.#closed = new Promise((resolve) => ws.addEventListener("close", resolve));
    ws.addEventListener("message", (event) => {
      const text = String(event.data);
      this.raw.push(text);
      try {
        this.frames.push(JSON.parse(text));
      } catch {
        // malformed frames stay in `raw`
      }
      this.#check();
    });
    this.#closed.then(() => this.#check());
  }

  /** Connects with signed headers (or with `headers` as given, e.g. none). */
  static async connect(url: string, headers: Record<string, string>): Promise<TestClient> {
    // Deno's WebSocket accepts `{ headers }` as its second argument.
    const ws = new WebSocket(url, { headers } as unknown as string[]);
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener("open", () => resolve(), { once: true });
      ws.addEventListener(
        "error",
        (e) => reject(new Error(`Cannot connect to ${url}: ${(e as ErrorEvent).message}`)),
        {
          once: true,
        },
      );
    });
    return client;
  }

  /** True once the socket has closed. */
  get isClosed(): boolean {
    return this.#ws.readyState === WebSocket.CLOSED;
  }

  /** Sends a command; assigns `id` when absent; returns the id. */
  send(command: Record<string, unknown>): number {
    const id = (command.id as number | undefined) ?? this.#nextId++;
    this.#ws.send(JSON.stringify({ id, ...command }));
    return id;
  }

  /** Sends raw text. */
  sendRaw(text: string): void {
    this.#ws.send(text);
  }

  /** Resolves once `test()` holds (checked after every frame); rejects after `timeoutMs`. */
  until(test: () => boolean, what = "condition", timeoutMs = 5_000): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w.resolve !== done);
        reject(
          new Error(`Timed out waiting for ${what}; last frames: ${this.raw.slice(-5).join("\n")}`),
        );
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const fail = (error: Error): void => {
        clearTimeout(timer);
        reject(error);
      };
      this.#waiters.push({ test, resolve: done, reject: fail });
    });
  }

  /** Waits for `count` frames matching `match` (counted from frame index `from`); returns them. */
  async waitFor(match: (f: Frame) => boolean, count = 1, from = 0): Promise<Frame[]> {
    const found = (): Frame[] => this.frames.slice(from).filter(match);
    await this.until(() => found().length >= count, `${count} matching frame(s)`);
    return found().slice(0, count);
  }

  /** Sends a command and waits for `count` frames answering its id. */
  async request(command: Record<string, unknown>, count = 1): Promise<Frame[]> {
    const from = this.frames.length;
    const id = this.send(command);
    return await this.waitFor((f) => f.id === id, count, from);
  }

  /** Waits for the socket to close. */
  async closed(): Promise<CloseEvent> {
    return await this.#closed;
  }

  /** Closes the socket and waits until it is closed. */
  async close(): Promise<void> {
    if (this.#ws.readyState === WebSocket.OPEN || this.#ws.readyState === WebSocket.CONNECTING) {
      this.#ws.close();
    }
    await this.#closed;
  }

  #check(): void {
    for (const waiter of [...this.#waiters]) {
      if (waiter.test()) {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        waiter.resolve();
      } else if (this.isClosed) {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        waiter.reject(
          new Error(`Socket closed while waiting; last frames: ${this.raw.slice(-5).join("\n")}`),
        );
      }
    }
  }
}
