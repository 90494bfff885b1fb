/**
 * An in-memory {@linkcode Transport}: the test plays the server. Each `open` creates a
 * {@linkcode MemorySocket} the test accepts or rejects, feeds frames and pings into, drops, and
 * inspects (`sent`, `headers`). Events are delivered asynchronously (as microtasks), like a real
 * socket's, so re-entrancy bugs surface here rather than in production.
 *
 * @module
 */

import type { SocketConnection, SocketEvents, Transport } from "../transport.ts";

/** One socket opened through a {@linkcode MemoryTransport}, driven by the test. */
export class MemorySocket implements SocketConnection {
  /** The URL the client opened. */
  readonly url: string;
  /** The upgrade headers the client sent. */
  readonly headers: Readonly<Record<string, string>>;
  /** Every frame the client sent, parsed as JSON, in order. */
  readonly sent: Record<string, unknown>[] = [];
  /** `"connecting"`, `"open"` or `"closed"`. */
  state: "connecting" | "open" | "closed" = "connecting";
  /** The code and reason the client closed with, if it closed the socket. */
  closedByClient: { code: number; reason: string } | undefined;
  /** Called with each frame the client sends (lets a test play an answering server). */
  onSend: ((frame: Record<string, unknown>) => void) | undefined;
  /**
   * Whether the server answers the client's close (default true). When false, a close of the
   * open socket is recorded but its `close` event never comes (a peer that went silent).
   */
  answersClose = true;
  readonly #events: SocketEvents;

  /** Created by {@linkcode MemoryTransport.open}. */
  constructor(url: string, headers: Readonly<Record<string, string>>, events: SocketEvents) {
    this.url = url;
    this.headers = headers;
    this.#events = events;
  }

  send(text: string): void {
    if (this.state !== "open") throw new Error(`Cannot send on a ${this.state} memory socket`);
    const frame = JSON.parse(text);
    this.sent.push(frame);
    this.onSend?.(frame);
  }

  close(code = 1000, reason = ""): void {
    if (this.state === "closed") return;
    const wasOpen = this.state === "open";
    this.state = "closed";
    this.closedByClient = { code, reason };
    if (wasOpen && !this.answersClose) return;
    queueMicrotask(() => {
      if (wasOpen) this.#events.close(code, reason);
      else this.#events.handshakeFailed(undefined, "Closed before the handshake completed");
    });
  }

  /** Completes the upgrade. */
  accept(): void {
    this.#expect("connecting");
    this.state = "open";
    queueMicrotask(() => this.#events.open());
  }

  /** Refuses the upgrade with an HTTP status (or a network failure when `status` is omitted). */
  reject(status?: number): void {
    this.#expect("connecting");
    this.state = "closed";
    queueMicrotask(() =>
      this.#events.handshakeFailed(
        status,
        status === undefined ? "Connection refused" : `Unexpected server response: ${status}`,
      )
    );
  }

  /** Delivers a server frame (objects are JSON-encoded). */
  receive(frame: string | Record<string, unknown>): void {
    this.#expect("open");
    const text = typeof frame === "string" ? frame : JSON.stringify(frame);
    queueMicrotask(() => this.#events.text(text));
  }

  /** Delivers a ping control frame (the client sees it only if the transport `seesPings`). */
  ping(): void {
    this.#expect("open");
    queueMicrotask(() => this.#events.ping());
  }

  /** Ends the connection from the server side (1006 = the link just died). */
  drop(code = 1006, reason = ""): void {
    this.#expect("open");
    this.state = "closed";
    queueMicrotask(() => this.#events.close(code, reason));
  }

  /** The commands the client sent with the given `cmd`. */
  commands(cmd: string): Record<string, unknown>[] {
    return this.sent.filter((frame) => frame.cmd === cmd);
  }

  #expect(state: MemorySocket["state"]): void {
    if (this.state !== state) {
      throw new Error(`Cannot drive memory socket: it is ${this.state}, expected ${state}`);
    }
  }
}

/** A {@linkcode Transport} whose sockets live in memory; `sockets` lists them in open order. */
export class MemoryTransport implements Transport {
  readonly name = "memory";
  readonly seesPings: boolean;
  /** Every socket opened so far, oldest first. */
  readonly sockets: MemorySocket[] = [];

  /** Creates a transport; `seesPings` mimics Node's `ws` (true) or Deno (false). */
  constructor(options: { seesPings?: boolean } = {}) {
    this.seesPings = options.seesPings ?? true;
  }

  open(
    url: string,
    headers: Readonly<Record<string, string>>,
    events: SocketEvents,
  ): SocketConnection {
    const socket = new MemorySocket(url, headers, events);
    this.sockets.push(socket);
    return socket;
  }

  /** The most recently opened socket. */
  get last(): MemorySocket {
    const socket = this.sockets.at(-1);
    if (socket === undefined) throw new Error("Cannot get the last memory socket: none opened");
    return socket;
  }
}
