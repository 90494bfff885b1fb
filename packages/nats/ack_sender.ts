/**
 * JetStream publishing with acknowledgements, pipelined: each message is a plain NATS publish
 * whose reply subject is one of ours (`<inbox>.<n>`); one wildcard subscription receives every
 * `PubAck` and settles the matching promise, and one timer fails the ones unanswered for too
 * long. This is JetStream's "async publish" — what `js.publish()` does per message with a
 * request, a muxed inbox and a timer each, at several times the cost.
 *
 * @module
 */

import {
  createInbox,
  headers as natsHeaders,
  type Msg,
  type NatsConnection,
  type Subscription,
} from "@nats-io/transport-node";
import { Header } from "./envelope.ts";
import type { OutboundMessage } from "./publisher.ts";

interface Pending {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly sentAt: number;
}

/** Publishes to JetStream and resolves on its ack (see the module doc). */
export class AckSender {
  readonly #nc: NatsConnection;
  readonly #inbox: string;
  readonly #timeoutMs: number;
  readonly #pending = new Map<number, Pending>();
  readonly #subscription: Subscription;
  #timer: ReturnType<typeof setInterval> | undefined;
  #next = 0;
  #closed = false;

  /** Subscribes to its reply inbox on `nc`; `timeoutMs` bounds the wait for each ack. */
  constructor(nc: NatsConnection, timeoutMs: number) {
    this.#nc = nc;
    this.#timeoutMs = timeoutMs;
    this.#inbox = createInbox();
    this.#subscription = nc.subscribe(`${this.#inbox}.*`, {
      callback: (error, msg) => {
        if (error === null) this.#answer(msg);
      },
    });
  }

  /** Publishes `message`; resolves when JetStream stored it (or knew its id), rejects otherwise. */
  send(message: OutboundMessage): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("Cannot publish: the sender is closed"));
    const n = ++this.#next;
    const h = natsHeaders();
    h.set(Header.MsgId, message.msgId);
    const extra = message.headers;
    for (const name in extra) h.set(name, extra[name]!);
    return new Promise<void>((resolve, reject) => {
      this.#pending.set(n, { resolve, reject, sentAt: Date.now() });
      this.#armTimer();
      try {
        this.#nc.publish(message.subject, message.data, {
          headers: h,
          reply: `${this.#inbox}.${n}`,
        });
      } catch (error) {
        this.#pending.delete(n);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Fails every pending publish and stops listening. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    try {
      this.#subscription.unsubscribe();
    } catch {
      // the connection is closed already
    }
    const error = new Error("Cannot publish: the sender is closed");
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }

  #answer(msg: Msg): void {
    const n = Number(msg.subject.slice(this.#inbox.length + 1));
    const pending = this.#pending.get(n);
    if (pending === undefined) return; // timed out already
    this.#pending.delete(n);
    const status = msg.headers?.code ?? 0;
    if (status >= 300) {
      pending.reject(new Error(`JetStream did not store the message: status ${status}`));
      return;
    }
    let ack: { stream?: string; error?: { description?: string; code?: number } };
    try {
      ack = msg.json();
    } catch {
      pending.reject(new Error("JetStream sent an unreadable ack"));
      return;
    }
    if (ack.error !== undefined || typeof ack.stream !== "string") {
      pending.reject(
        new Error(`JetStream refused the message: ${ack.error?.description ?? "no stream"}`),
      );
    } else pending.resolve();
  }

  #armTimer(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      const oldest = Date.now() - this.#timeoutMs;
      for (const [n, pending] of this.#pending) {
        if (pending.sentAt > oldest) break; // in send order: the rest are younger
        this.#pending.delete(n);
        pending.reject(new Error(`JetStream did not acknowledge within ${this.#timeoutMs} ms`));
      }
      if (this.#pending.size === 0) {
        clearInterval(this.#timer);
        this.#timer = undefined;
      }
    }, Math.max(50, Math.floor(this.#timeoutMs / 4)));
  }
}
