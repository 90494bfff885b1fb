/**
 * The consumer: follows chosen markets in the feed's stream from any machine and rebuilds their
 * exact books ({@linkcode FeedBooks}): each market starts at its newest collector snapshot (or
 * the stream's start when there is none) and reads everything about the market in stream
 * order, reporting gaps. Every stream message is decoded once (a batch's lines each once).
 *
 * Two ways to read, measured in `bench/README.md`:
 * - `"wide"`: one ordered JetStream consumer over the whole feed from the moment of starting,
 *   routed per market by subject (other markets' messages are skipped undecoded), after a short
 *   per-market catch-up from each snapshot to that moment. Several times the throughput of one
 *   consumer per market when following many markets, but it receives the whole feed;
 * - `"per-market"`: one ordered consumer per market, filtered by the server: only the followed
 *   markets' messages cross the network.
 *
 * `"auto"` (the default) reads wide when the followed markets are at least a quarter of the
 * markets the stream has snapshots of, else per market.
 *
 * @module
 */

import type { BookStore } from "@kalshi-ws/client";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  jetstream,
  type JetStreamClient,
  type JetStreamManager,
  jetstreamManager,
  type JsMsg,
} from "@nats-io/jetstream";
import { framesOf } from "./envelope.ts";
import { FeedBooks, type FeedGap } from "./feed_books.ts";
import { anyMessage, lastMessage, openOrderedReader, type OrderedReader } from "./stream_reader.ts";
import { DEFAULT_STREAM, ensureFeedStream } from "./stream.ts";
import {
  DEFAULT_PREFIX,
  encodeToken,
  EVENTS_TOKEN,
  marketFilter,
  SNAPSHOT_TOKEN,
  snapshotSubject,
} from "./subjects.ts";

/** How a consumer reads the stream (see the module doc). */
export type ConsumerReader = "auto" | "wide" | "per-market";

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
  /** One consumer over the feed, one per market, or chosen by share (default `"auto"`). */
  readonly reader?: ConsumerReader;
  /** Hears each loss of exactness (a snapshot later makes the book exact again). */
  readonly onGap?: (gap: FeedGap) => void;
  /** Hears each market whose book became exact. */
  readonly onValid?: (market: string) => void;
  /**
   * Hears every Kalshi message about the followed markets after it was applied (trades,
   * tickers, lifecycle and book messages alike; each of a batch in turn): subject, message
   * (JSON), stream sequence of the stream message that carried it.
   */
  readonly onMessage?: (subject: string, body: string, streamSeq: number) => void;
  /** Hears a market's reader failing for good (its book is invalid from then on). */
  readonly onError?: (market: string, error: Error) => void;
}

/**
 * Starts following `markets` (creating the stream if no collector did yet); resolves once every
 * market's reading is started (the wide reader's catch-ups finish in the background).
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

/** Catch-ups of the wide reader run this many markets at a time. */
const CATCH_UP_CONCURRENCY = 8;

/** A running consumer (create it with {@linkcode startBookConsumer}). */
export class BookConsumer implements AsyncDisposable {
  readonly #options: BookConsumerOptions;
  readonly #stream: string;
  readonly #prefix: string;
  readonly #markets: readonly string[];
  readonly #feed: FeedBooks;
  readonly #readers = new Set<OrderedReader>();
  readonly #loops: Promise<void>[] = [];
  /** Per market: stream sequence of the last message applied. */
  readonly #position = new Map<string, number>();
  /** Wide reader: followed markets by subject token; queued live messages while catching up. */
  readonly #byToken = new Map<string, string>();
  readonly #catchingUp = new Map<string, JsMsg[]>();
  /** JetStream requests (the API was checked once, at start). */
  #jsm!: JetStreamManager;
  #wide = false;
  /** Wide reader: stream sequence of the last message read (any subject). */
  #widePosition = 0;
  #waiters: (() => void)[] = [];
  #closed = false;
  #messages = 0;

  /** @internal Use {@linkcode startBookConsumer}. */
  constructor(options: BookConsumerOptions) {
    this.#options = options;
    this.#stream = options.stream ?? DEFAULT_STREAM;
    this.#prefix = options.prefix ?? DEFAULT_PREFIX;
    this.#markets = [...new Set(options.markets)];
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

  /** Kalshi messages read so far (all kinds; a batch counts what it carries). */
  get messages(): number {
    return this.#messages;
  }

  /** How this consumer reads: `"wide"` or `"per-market"`. */
  get reader(): "wide" | "per-market" {
    return this.#wide ? "wide" : "per-market";
  }

  /** Whether `market`'s book is exact now. */
  valid(market: string): boolean {
    return this.#feed.valid(market);
  }

  /** Stream sequence of the last message applied for `market` (0 before the first). */
  position(market: string): number {
    return this.#position.get(market) ?? 0;
  }

  /**
   * Resolves once every followed market has read up to the stream's current last message about
   * it (rejects when `signal` aborts first).
   */
  async caughtUp(signal?: AbortSignal): Promise<void> {
    const jsm = this.#jsm;
    let done: () => boolean;
    if (this.#wide) {
      // Everything up to the stream's last message read, and every catch-up over.
      const last = (await jsm.streams.info(this.#stream)).state.last_seq;
      done = () => this.#catchingUp.size === 0 && this.#widePosition >= last;
    } else {
      const targets = new Map<string, number>();
      for (const market of this.#markets) {
        const info = await jsm.streams.info(this.#stream, {
          subjects_filter: marketFilter(this.#prefix, market),
        });
        let last = 0;
        for (const subject of Object.keys(info.state.subjects ?? {})) {
          last = Math.max(last, await lastMessage(jsm, this.#stream, subject) ?? 0);
        }
        targets.set(market, last);
      }
      done = () => [...targets].every(([market, target]) => this.position(market) >= target);
    }
    while (!done()) {
      signal?.throwIfAborted();
      if (this.#closed) throw new Error("Cannot wait for the consumer to catch up: it is closed");
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

  /** @internal Starts reading (called by {@linkcode startBookConsumer}). */
  async _start(): Promise<void> {
    const nats = this.#options.nats;
    // A consumer may start before any collector: the stream is then created empty.
    await ensureFeedStream(nats, { stream: this.#stream, prefix: this.#prefix });
    this.#jsm = await jetstreamManager(nats, { checkAPI: false });
    const js = jetstream(nats);
    this.#wide = await this.#chooseWide();
    if (this.#wide) await this.#startWide(js);
    else {
      for (const market of this.#markets) {
        const reader = await this.#open(js, market, await this.#startOf(market));
        this.#run([market], reader, async (messages) => {
          for await (const m of messages) {
            if (this.#closed) break;
            this.#apply(market, m);
          }
        });
      }
    }
  }

  /** Stops reading (the ordered consumers are removed). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#readers].map((r) => r.close()));
    await Promise.all(this.#loops);
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /** Same as `close()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #chooseWide(): Promise<boolean> {
    const reader = this.#options.reader ?? "auto";
    if (reader !== "auto") return reader === "wide";
    if (this.#markets.length < 2) return false;
    const jsm = this.#jsm;
    const info = await jsm.streams.info(this.#stream, {
      subjects_filter: `${this.#prefix}.${SNAPSHOT_TOKEN}.*`,
    });
    return this.#markets.length * 4 >= Object.keys(info.state.subjects ?? {}).length;
  }

  /** Live: one reader over the feed from now. Before: each market from its snapshot to now. */
  async #startWide(js: JetStreamClient): Promise<void> {
    const jsm = this.#jsm;
    const liveStart = (await jsm.streams.info(this.#stream)).state.last_seq + 1;
    for (const market of this.#markets) {
      this.#byToken.set(encodeToken(market), market);
      this.#catchingUp.set(market, []);
    }
    this.#widePosition = liveStart - 1;
    const live = await openOrderedReader(js, this.#stream, `${this.#prefix}.*.*`, liveStart);
    this.#readers.add(live);
    this.#run(this.#markets, live, async (messages) => {
      for await (const m of messages) {
        if (this.#closed) break;
        this.#widePosition = m.seq;
        this.#route(m);
        this.#wake();
      }
    });
    const queue = [...this.#markets];
    const catchUps = Array.from({ length: CATCH_UP_CONCURRENCY }, async () => {
      for (let market = queue.shift(); market !== undefined; market = queue.shift()) {
        await this.#catchUp(js, market, liveStart);
      }
    });
    this.#loops.push(Promise.all(catchUps).then(() => {}));
  }

  /** Live message: to its market, or queued while the market catches up. */
  #route(m: JsMsg): void {
    const subject = m.subject;
    const last = subject.lastIndexOf(".");
    const market = this.#byToken.get(subject.slice(last + 1));
    if (market === undefined) return; // another market's: never decoded
    if (subject.slice(subject.lastIndexOf(".", last - 1) + 1, last) === EVENTS_TOKEN) return;
    const queued = this.#catchingUp.get(market);
    if (queued !== undefined) queued.push(m);
    else this.#apply(market, m);
  }

  /** Reads `market` from its snapshot up to `liveStart`, then applies what the live reader queued. */
  async #catchUp(js: JetStreamClient, market: string, liveStart: number): Promise<void> {
    try {
      const start = await this.#startOf(market);
      const jsm = this.#jsm;
      const any = start !== undefined ||
        await anyMessage(jsm, this.#stream, marketFilter(this.#prefix, market));
      if (any && !this.#closed && (start ?? 0) < liveStart) {
        const reader = await this.#open(js, market, start);
        try {
          if (reader.pendingAtStart > 0) {
            for await (const m of reader.messages) {
              if (this.#closed || m.seq >= liveStart) break;
              this.#apply(market, m);
              if (m.info.pending === 0) break;
            }
          }
        } finally {
          this.#readers.delete(reader);
          await reader.close();
        }
      }
    } catch (error) {
      this.#fail([market], error);
    } finally {
      const queued = this.#catchingUp.get(market) ?? [];
      this.#catchingUp.delete(market);
      for (const m of queued) if (!this.#closed) this.#apply(market, m);
      this.#wake();
    }
  }

  /** The sequence `market`'s reading starts at: its newest collector snapshot. */
  async #startOf(market: string): Promise<number | undefined> {
    const jsm = this.#jsm;
    return await lastMessage(jsm, this.#stream, snapshotSubject(this.#prefix, market));
  }

  async #open(js: JetStreamClient, market: string, start: number | undefined) {
    const reader = await openOrderedReader(
      js,
      this.#stream,
      marketFilter(this.#prefix, market),
      start,
    );
    this.#readers.add(reader);
    return reader;
  }

  /** Runs a reader's loop; its failure invalidates `markets` and is reported. */
  #run(
    markets: readonly string[],
    reader: OrderedReader,
    loop: (messages: OrderedReader["messages"]) => Promise<void>,
  ): void {
    this.#loops.push(loop(reader.messages).catch((error: unknown) => this.#fail(markets, error)));
  }

  #fail(markets: readonly string[], error: unknown): void {
    for (const market of markets) this.#feed.books.invalidate(market);
    if (this.#closed) return;
    const err = error instanceof Error ? error : new Error(String(error));
    for (const market of markets) this.#options.onError?.(market, err);
  }

  /** Applies one stream message about `market` (once: a repeat of an applied one is skipped). */
  #apply(market: string, m: JsMsg): void {
    if (m.seq <= (this.#position.get(market) ?? 0)) return;
    const body = m.string();
    let frames: string[];
    try {
      frames = framesOf(m.headers, body);
    } catch {
      frames = []; // a malformed batch: a book gap (integrity), nothing to hand on
      this.#feed.apply(m.subject, m.headers, body, m.seq);
    }
    this.#feed.applyFrames(m.subject, m.headers, frames, m.seq);
    this.#messages += frames.length;
    this.#position.set(market, m.seq);
    const onMessage = this.#options.onMessage;
    if (onMessage !== undefined) { for (const frame of frames) onMessage(m.subject, frame, m.seq); }
    this.#wake();
  }

  #wake(): void {
    if (this.#waiters.length === 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
