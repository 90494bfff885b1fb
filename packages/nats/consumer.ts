/**
 * The consumer: follows chosen markets in the feed's stream from any machine and rebuilds their
 * exact books ({@linkcode FeedBooks}): for each market it starts at the newest collector
 * snapshot (or the stream's start when there is none) and reads everything about the market in
 * stream order through an ordered JetStream consumer, reporting gaps.
 *
 * @module
 */

import type { BookStore } from "@kalshi-ws/client";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  type ConsumerMessages,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
} from "@nats-io/jetstream";
import { FeedBooks, type FeedGap } from "./feed_books.ts";
import { DEFAULT_STREAM, ensureFeedStream } from "./stream.ts";
import { DEFAULT_PREFIX, marketFilter, snapshotSubject } from "./subjects.ts";

/** Options of {@linkcode startBookConsumer}. */
export interface BookConsumerOptions {
  /** An open NATS connection (the consumer does not close it). */
  readonly nats: NatsConnection;
  /** Markets to follow. */
  readonly markets: readonly string[];
  /** Stream name (default `KALSHI`). */
  readonly stream?: string;
  /** Subject prefix (default `kalshi`). */
  readonly prefix?: string;
  /** Hears each loss of exactness (a snapshot later makes the book exact again). */
  readonly onGap?: (gap: FeedGap) => void;
  /** Hears each market whose book became exact. */
  readonly onValid?: (market: string) => void;
  /**
   * Hears every message about the followed markets after it was applied (trades, tickers,
   * lifecycle and book messages alike): subject, body, stream sequence.
   */
  readonly onMessage?: (subject: string, body: string, streamSeq: number) => void;
  /** Hears a market's reader failing for good (its book is invalid from then on). */
  readonly onError?: (market: string, error: Error) => void;
}

/**
 * Starts following `markets` (creating the stream if no collector did yet); resolves once every
 * market's reader is started.
 */
export async function startBookConsumer(options: BookConsumerOptions): Promise<BookConsumer> {
  const consumer = new BookConsumer(options);
  try {
    await consumer._start();
  } catch (error) {
    await consumer.close();
    throw error;
  }
  return consumer;
}

/** A running consumer (create it with {@linkcode startBookConsumer}). */
export class BookConsumer implements AsyncDisposable {
  readonly #options: BookConsumerOptions;
  readonly #feed: FeedBooks;
  readonly #readers: ConsumerMessages[] = [];
  readonly #loops: Promise<void>[] = [];
  /** Per market: stream sequence of the last message read, and messages still pending. */
  readonly #position = new Map<string, { seq: number; pending: number }>();
  #waiters: (() => void)[] = [];
  #closed = false;
  #messages = 0;

  /** @internal Use {@linkcode startBookConsumer}. */
  constructor(options: BookConsumerOptions) {
    this.#options = options;
    this.#feed = new FeedBooks({ onGap: options.onGap, onValid: options.onValid });
  }

  /** The rebuilt books (check `valid(market)` before trusting one). */
  get books(): BookStore {
    return this.#feed.books;
  }

  /** Losses of exactness reported so far. */
  get gaps(): number {
    return this.#feed.gaps;
  }

  /** Messages read so far (all kinds). */
  get messages(): number {
    return this.#messages;
  }

  /** Whether `market`'s book is exact now. */
  valid(market: string): boolean {
    return this.#feed.valid(market);
  }

  /** Stream sequence of the last message read for `market` (0 before the first). */
  position(market: string): number {
    return this.#position.get(market)?.seq ?? 0;
  }

  /**
   * Resolves once every followed market has read up to the stream's current last message about
   * it (rejects when `signal` aborts first).
   */
  async caughtUp(signal?: AbortSignal): Promise<void> {
    const jsm = await jetstreamManager(this.#options.nats);
    const stream = this.#options.stream ?? DEFAULT_STREAM;
    const prefix = this.#options.prefix ?? DEFAULT_PREFIX;
    const targets = new Map<string, number>();
    for (const market of this.#options.markets) {
      const info = await jsm.streams.info(stream, {
        subjects_filter: marketFilter(prefix, market),
      });
      let last = 0;
      for (const subject of Object.keys(info.state.subjects ?? {})) {
        const m = await lastMessage(jsm, stream, subject);
        if (m !== undefined && m > last) last = m;
      }
      targets.set(market, last);
    }
    while (true) {
      signal?.throwIfAborted();
      if (this.#closed) throw new Error("Cannot wait for the consumer to catch up: it is closed");
      let behind = false;
      for (const [market, target] of targets) if (this.position(market) < target) behind = true;
      if (!behind) return;
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => reject(signal!.reason);
        signal?.addEventListener("abort", onAbort, { once: true });
        this.#waiters.push(() => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        });
      });
    }
  }

  /** @internal Starts one ordered consumer per market (called by {@linkcode startBookConsumer}). */
  async _start(): Promise<void> {
    const { nats, markets } = this.#options;
    const stream = this.#options.stream ?? DEFAULT_STREAM;
    const prefix = this.#options.prefix ?? DEFAULT_PREFIX;
    // A consumer may start before any collector: the stream is then created empty.
    await ensureFeedStream(nats, { stream, prefix });
    const js = jetstream(nats);
    const jsm = await jetstreamManager(nats);
    for (const market of new Set(markets)) {
      const start = await lastMessage(jsm, stream, snapshotSubject(prefix, market));
      const consumer = await js.consumers.get(stream, {
        filter_subjects: marketFilter(prefix, market),
        ...(start === undefined
          ? { deliver_policy: DeliverPolicy.All }
          : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: start }),
      });
      const messages = await consumer.consume();
      this.#readers.push(messages);
      this.#position.set(market, { seq: 0, pending: Infinity });
      this.#loops.push(
        this.#read(market, messages).catch((error: unknown) => {
          this.#feed.books.invalidate(market);
          if (!this.#closed) {
            this.#options.onError?.(
              market,
              error instanceof Error ? error : new Error(String(error)),
            );
          }
        }),
      );
    }
  }

  async #read(market: string, messages: ConsumerMessages): Promise<void> {
    const position = this.#position.get(market)!;
    const onMessage = this.#options.onMessage;
    for await (const m of messages) {
      if (this.#closed) break;
      const body = m.string();
      this.#feed.apply(m.subject, m.headers, body, m.seq);
      this.#messages++;
      position.seq = m.seq;
      position.pending = m.info.pending;
      onMessage?.(m.subject, body, m.seq);
      if (this.#waiters.length > 0) {
        const waiters = this.#waiters;
        this.#waiters = [];
        for (const wake of waiters) wake();
      }
    }
  }

  /** Stops reading (the ordered consumers are ephemeral and go away on their own). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#readers.map((r) => r.close()));
    await Promise.all(this.#loops);
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /** Same as `close()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Stream sequence of the last message on `subject`, or undefined when there is none. */
async function lastMessage(
  jsm: Awaited<ReturnType<typeof jetstreamManager>>,
  stream: string,
  subject: string,
): Promise<number | undefined> {
  try {
    const m = await jsm.streams.getMessage(stream, { last_by_subj: subject });
    return m?.seq ?? undefined;
  } catch (error) {
    if (/no message found/i.test(String((error as Error)?.message))) return undefined;
    throw error;
  }
}
