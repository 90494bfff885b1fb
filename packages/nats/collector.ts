/**
 * The collector: one Kalshi connection (through `@kalshi-ws/client`, healing included) whose
 * data messages and lifecycle events are published to JetStream, for the share of the market
 * set this collector holds leases on. See the package README for the subjects and headers.
 *
 * @module
 */

import {
  BookChange,
  type BookChangeMask,
  BookStore,
  type Channel,
  CHANNEL_INFO,
  type ClientEvent,
  connect,
  type KalshiWsClient,
  type OrderBook,
  type Subscription,
} from "@kalshi-ws/client";
import { AckSender } from "./ack_sender.ts";
import type {
  CollectorCloseOptions,
  CollectorOptions,
  CollectorStats,
} from "./collector_options.ts";
import {
  type CollectorCloseReport,
  type CollectorEvent,
  describeClientEvent,
} from "./collector_events.ts";
import {
  checkCloseTimeout,
  CloseDeadline,
  DEFAULT_COLLECTOR_CLOSE_TIMEOUT_MS,
} from "./close_deadline.ts";
import { Batcher, type BatchInfo } from "./batcher.ts";
import { type BookInvalidReason, Header, marketOfMessage, snapshotId } from "./envelope.ts";
import { LeaseManager } from "./lease_manager.ts";
import { type OutboundMessage, Publisher, type PublisherEvent } from "./publisher.ts";
import { leaseTimings } from "./shares.ts";
import { ensureFeedStream, leaseBucketName, openLeaseBucket } from "./stream.ts";
import {
  bookStatusSubject,
  channelOfType,
  dataSubjects,
  DEFAULT_PREFIX,
  eventsSubject,
  snapshotSubject,
} from "./subjects.ts";

export type { CollectorCloseReport, CollectorEvent } from "./collector_events.ts";
export type {
  CollectorCloseOptions,
  CollectorOptions,
  CollectorStats,
} from "./collector_options.ts";

interface MarketState {
  /** Book events counted in this epoch (`Kalshi-Book-Seq`). */
  bookSeq: number;
  /** A book event was dropped: publish a collector snapshot as soon as there is room. */
  dirty: boolean;
  /** `bookSeq` of the last collector snapshot published. */
  snapshotSeq: number;
}

const DEFAULT_CHANNELS: readonly Channel[] = ["orderbook_delta", "ticker", "trade"];
const LAG_REPORT_MS = 1_000;

/**
 * Starts a collector: creates the stream and the lease bucket if missing, connects to Kalshi,
 * and begins claiming its share of `markets`. Resolves once the first lease tick is done.
 */
export async function startCollector(options: CollectorOptions): Promise<Collector> {
  const collector = new Collector(options);
  try {
    await collector._start();
  } catch (error) {
    await collector.close({ release: false });
    throw error;
  }
  return collector;
}

/** A running collector (create it with {@linkcode startCollector}). */
export class Collector implements AsyncDisposable {
  /** This collector's id. */
  readonly id: string;
  /** This run's id: part of every `Nats-Msg-Id` and the `Kalshi-Epoch` header. */
  readonly epoch: string;
  readonly #options: CollectorOptions;
  readonly #prefix: string;
  readonly #dataSubject: (channel: string, market: string) => string;
  /** Channels subscribed per market (they accept `add_markets`/`delete_markets`). */
  readonly #channels: readonly Channel[];
  /** Channels subscribed once for every market, filtered here (`trade`, lifecycle). */
  readonly #wideChannels: readonly Channel[];
  readonly #books: BookStore;
  readonly #batcher: Batcher;
  readonly #publisher: Publisher;
  readonly #sender: AckSender;
  readonly #markets = new Map<string, MarketState>();
  readonly #covered = new Set<string>();
  #leases: LeaseManager | undefined;
  #client: KalshiWsClient | undefined;
  #subscription: Subscription | undefined;
  #subscriptionOps: Promise<void> = Promise.resolve();
  #counter = 0;
  #offered = 0;
  #dropped = 0;
  #droppedReported = 0;
  #dirty = false;
  /** JetStream is back after a stall: publish a snapshot of every book when there is room. */
  #freshSnapshots = false;
  #lagReportedAt = 0;
  #timers: ReturnType<typeof setInterval>[] = [];
  #closing = false;
  #closeRun: Promise<CollectorCloseReport> | undefined;
  readonly #closeTimeoutMs: number;
  #unpublished = 0;
  #closed = false;
  #failure: Error | undefined;
  #resubscribeAt = 0;
  readonly #ended: Promise<Error | undefined>;
  #end!: (failure: Error | undefined) => void;

  /** @internal Use {@linkcode startCollector}. */
  constructor(options: CollectorOptions) {
    this.#options = options;
    this.id = options.id ?? `collector-${randomId()}`;
    this.epoch = `${this.id}-${randomId()}`;
    this.#prefix = options.prefix ?? DEFAULT_PREFIX;
    this.#dataSubject = dataSubjects(this.#prefix);
    const channels = [...new Set(options.channels ?? DEFAULT_CHANNELS)];
    const updatable = (c: Channel): boolean =>
      (CHANNEL_INFO[c].updateActions as readonly string[]).includes("add_markets");
    this.#channels = channels.filter(updatable);
    this.#wideChannels = [
      ...channels.filter((c) => !updatable(c)),
      ...(options.lifecycle ?? true ? ["market_lifecycle_v2" as const] : []),
    ];
    this.#closeTimeoutMs = checkCloseTimeout(
      "closeTimeoutMs",
      options.closeTimeoutMs ?? DEFAULT_COLLECTOR_CLOSE_TIMEOUT_MS,
    );
    this.#ended = new Promise((resolve) => this.#end = resolve);
    this.#books = new BookStore({ onChange: (book, change) => this.#onBookChange(book, change) });
    this.#sender = new AckSender(options.nats, options.publishTimeoutMs ?? 5_000);
    this.#publisher = new Publisher({
      capacity: options.bufferSize ?? 10_000,
      maxInFlight: options.maxInFlight ?? 256,
      send: (message) => this.#sender.send(message),
      admit: (message) => this.#admit(message),
      onEvent: (event) => this.#onPublisherEvent(event),
    });
    this.#batcher = new Batcher({
      collector: this.id,
      epoch: this.epoch,
      nextId: () => `${this.epoch}.${++this.#counter}`,
      offer: (message, info) => this.#offer(message, info),
      latencyMs: options.batchLatencyMs,
      maxFrames: options.maxBatchFrames,
      maxBytes: options.maxBatchBytes,
    });
  }

  /**
   * Settles when the collector has closed: with undefined after `close()`, or with the error
   * when it stopped on its own (its Kalshi client gave up, e.g. credentials rejected) — it then
   * handed its markets over first.
   */
  get ended(): Promise<Error | undefined> {
    return this.#ended;
  }

  /** Markets this collector covers now. */
  get markets(): string[] {
    return [...this.#covered];
  }

  /** The Kalshi client (its `books` are the collector's exact books). */
  get client(): KalshiWsClient | undefined {
    return this.#client;
  }

  /** Counters: what was published, dropped, buffered. */
  stats(): CollectorStats {
    return {
      markets: this.markets,
      offered: this.#offered,
      published: this.#publisher.published,
      batches: this.#publisher.acknowledged,
      dropped: this.#dropped,
      queued: this.#publisher.queued,
      batching: this.#batcher.pending,
      lagMs: this.#publisher.lagMs,
      stalled: this.#publisher.stalled,
      unpublished: this.#unpublished,
    };
  }

  /** Resolves once everything received so far is acknowledged by JetStream (or dropped). */
  flush(): Promise<void> {
    this.#batcher.flush();
    return this.#publisher.flush();
  }

  /** @internal Connects and runs the first lease tick (called by {@linkcode startCollector}). */
  async _start(): Promise<void> {
    const o = this.#options;
    const timings = leaseTimings(o.leaseTtlMs ?? 10_000);
    const stream = await ensureFeedStream(o.nats, {
      stream: o.stream,
      prefix: this.#prefix,
      replicas: o.replicas,
    });
    const bucket = o.bucket ?? leaseBucketName(stream);
    const kv = await openLeaseBucket(o.nats, bucket, timings.ttlMs, o.replicas);
    this.#client = await connect({ ...o.kalshi, books: this.#books });
    this.#client.on("*", (event) => this.#onClientEvent(event));
    if (this.#wideChannels.length > 0) {
      await this.#client.subscribe({ channels: this.#wideChannels }, { buffer: false });
    }
    this.#leases = new LeaseManager(kv, {
      self: this.id,
      epoch: this.epoch,
      markets: [...new Set(o.markets)],
      ttlMs: timings.ttlMs,
      tickMs: timings.tickMs,
      onAcquire: (market) => this.#acquire(market),
      onRelease: (market) => this.#release(market, "lease_released"),
      onLost: (market) => this.#release(market, "lease_lost"),
      onError: (error) => this.#report({ type: "error", error: error.message }),
    });
    const interval = o.snapshotIntervalMs ?? 30_000;
    this.#timers.push(setInterval(() => this.#periodicSnapshots(), interval));
    this.#timers.push(setInterval(() => this.#repair(), 100));
    await this.#leases.start();
  }

  /**
   * Stops the collector, within one deadline (`timeoutMs`, default the collector's
   * `closeTimeoutMs`, 1 500 ms). By default (a clean shutdown) it hands its markets over at once:
   * stops covering them, publishes what is buffered and then deletes every lease together, so
   * the others take over without waiting for the TTL; the Kalshi connection closes alongside.
   * `{ release: false }` leaves the leases to expire and drops what is buffered, as a crash does.
   *
   * Resolves by the deadline in every state (JetStream away included) with what was done and
   * what was left: markets whose leases were left to expire and messages never acknowledged. The
   * `closed` event and `stats().unpublished` say the same. Idempotent: a second call returns the
   * first one's report.
   */
  close(options: CollectorCloseOptions = {}): Promise<CollectorCloseReport> {
    if (this.#closeRun !== undefined) return this.#closeRun;
    let timeoutMs: number;
    try {
      timeoutMs = checkCloseTimeout("timeoutMs", options.timeoutMs ?? this.#closeTimeoutMs);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#closeRun = this.#close(options.release ?? true, timeoutMs);
    return this.#closeRun;
  }

  async #close(release: boolean, timeoutMs: number): Promise<CollectorCloseReport> {
    const startedAt = performance.now();
    const deadline = new CloseDeadline(timeoutMs);
    this.#closing = true;
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    const leases = this.#leases;
    leases?.halt();
    // Kalshi closes alongside (its own close deadline bounds it too).
    const kalshiClosed = this.#client?.close() ?? Promise.resolve();
    const released: string[] = [];
    // Every market stops being covered at once; a released one's book ends with a notice.
    if (release) { for (const market of this.#covered) this.#offerNotice(market, "released"); }
    this.#covered.clear();
    if (release && leases !== undefined) {
      this.#batcher.flush();
      this.#publisher.retryNow();
      // Hand over only once our last messages are stored (the next collector's snapshot then
      // follows them in the stream) and a tick in progress is done (its renewals change the
      // revisions the deletes compare); if either misses the deadline, the TTL decides.
      if (await deadline.wait(this.#publisher.flush()) && await deadline.wait(leases.idle())) {
        await deadline.wait(leases.handOver((market, outcome) => {
          if (this.#closed) return;
          if (outcome === "released") released.push(market);
          this.#report({ type: outcome === "released" ? "lease_released" : "lease_lost", market });
        }));
        await deadline.wait(this.#publisher.flush()); // the events just reported
      }
    }
    await deadline.wait(kalshiClosed);
    deadline.clear();
    this.#unpublished = this.#publisher.queued + this.#batcher.pending;
    this.#closed = true;
    this.#batcher.close();
    this.#publisher.close();
    this.#sender.close();
    const expiring = leases?.held ?? [];
    const report: CollectorCloseReport = {
      complete: expiring.length === 0 && this.#unpublished === 0,
      released,
      expiring,
      unpublished: this.#unpublished,
      durationMs: Math.round(performance.now() - startedAt),
    };
    this.#report({ type: "closed", ...report });
    this.#end(this.#failure);
    return report;
  }

  /** Same as `close()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // -------------------------------------------------------------------------------------------
  // Leases → subscriptions

  async #acquire(market: string): Promise<void> {
    if (this.#closing) return; // a claim that ended during the close: handed over with the rest
    if (!this.#markets.has(market)) {
      this.#markets.set(market, { bookSeq: 0, dirty: false, snapshotSeq: -1 });
    }
    this.#covered.add(market);
    this.#report({ type: "lease_acquired", market });
    if (this.#channels.length === 0) return; // only channels subscribed for every market
    await this.#changeSubscription(async () => {
      const client = this.#client!;
      if (this.#subscription?.active) {
        if (this.#subscription.markets?.includes(market)) return; // re-subscribed with it
        await this.#subscription.addMarkets([market]);
      } else {
        // Every covered market: after a lost subscription, the others need one again too.
        this.#subscription = await client.subscribe(
          { channels: this.#channels, market_tickers: [...this.#covered] },
          { buffer: false },
        );
      }
    });
  }

  async #release(market: string, type: "lease_released" | "lease_lost"): Promise<void> {
    if (!this.#covered.has(market)) return;
    await this.#changeSubscription(async () => {
      const sub = this.#subscription;
      if (sub === undefined || !sub.active) return;
      const others = (sub.markets ?? []).filter((m) => m !== market);
      if (others.length === 0) {
        this.#subscription = undefined;
        await sub.unsubscribe();
      } else await sub.removeMarkets([market]);
    }).catch((error) => this.#report({ type: "error", error: errorText(error) }));
    // Tell consumers the book stops here; hand over once everything is stored.
    this.#offerNotice(market, "released");
    this.#covered.delete(market);
    this.#report({ type, market });
    // Hand over only once our last messages are stored, so the next collector's snapshot
    // follows them in the stream (pointless while JetStream is away: the TTL decides then).
    if (type === "lease_released" && !this.#publisher.stalled) {
      await withTimeout(this.flush(), 5_000);
    }
  }

  /** Runs subscription changes one at a time (subscribe/add/remove must not interleave). */
  #changeSubscription(change: () => Promise<void>): Promise<void> {
    const run = this.#subscriptionOps.then(change);
    this.#subscriptionOps = run.catch(() => {});
    return run;
  }

  // -------------------------------------------------------------------------------------------
  // Kalshi → JetStream

  #onClientEvent(event: ClientEvent): void {
    if (event.type === "data") {
      this.#onData(event.message, event.sid);
      return;
    }
    this.#report({ type: "kalshi", event: event.type, detail: describeClientEvent(event) });
    if (event.type === "subscription_lost" && event.subscription === this.#subscription) {
      this.#subscription = undefined; // re-subscribed by #repair
    } else if (event.type === "closed" && !this.#closing) {
      // The client gave up for good: hand the markets to collectors that can cover them.
      this.#failure = event.error ?? new Error("Kalshi connection closed");
      void this.close({ release: true });
    }
  }

  #onData(
    message: { readonly type: string; readonly msg?: unknown },
    sid: number | undefined,
  ): void {
    const market = marketOfMessage(message);
    if (market === undefined || !this.#covered.has(market)) return;
    const type = message.type;
    const snapshot = type === "orderbook_snapshot";
    let state: MarketState | undefined;
    let bookSeq: number | undefined;
    if (snapshot || type === "orderbook_delta") {
      state = this.#markets.get(market)!;
      bookSeq = ++state.bookSeq;
      if (snapshot) state.dirty = false;
      else if (state.dirty) {
        this.#dropped++; // the consumer sees the Book-Seq hole; a snapshot follows when there is room
        return;
      }
    }
    const seq = (message as { seq?: unknown }).seq;
    const tradeId = type === "trade"
      ? (message.msg as { trade_id?: unknown } | undefined)?.trade_id
      : undefined;
    const frame = {
      subject: this.#dataSubject(channelOfType(type), market),
      market,
      text: JSON.stringify(message),
      receivedMs: Date.now(),
      sid,
      seq: typeof seq === "number" ? seq : undefined,
      bookSeq,
      bookValid: state === undefined ? undefined : this.#books.get(market)?.valid ?? false,
      // Alone, a trade is keyed by Kalshi's id: from two collectors it is stored once.
      msgId: typeof tradeId === "string" && tradeId !== "" ? `trade.${tradeId}` : undefined,
    };
    // A Kalshi snapshot is published alone, then as the newest starting point for consumers.
    if (!snapshot) this.#batcher.add(frame);
    else if (this.#batcher.addAlone(frame)) this.#offerSnapshot(market, state!);
  }

  /** Invalidation of a covered book (gap, integrity failure, disconnect): publish a notice. */
  #onBookChange(book: OrderBook, change: BookChangeMask): void {
    const market = book.marketTicker;
    if (!this.#covered.has(market)) return;
    // Removal (release) is announced by #release itself, once.
    if ((change & (BookChange.Validity | BookChange.Removed)) !== BookChange.Validity) return;
    if (book.valid) return;
    this.#offerNotice(market, this.#client?.state === "open" ? "gap" : "disconnected");
  }

  #offerNotice(market: string, reason: BookInvalidReason): void {
    const state = this.#markets.get(market);
    if (state === undefined) return;
    this.#batcher.addAlone({
      subject: bookStatusSubject(this.#prefix, market),
      market,
      text: JSON.stringify({ type: "book_invalid", msg: { market_ticker: market, reason } }),
      receivedMs: Date.now(),
      bookSeq: ++state.bookSeq,
      bookValid: false,
    });
  }

  /** Publishes the collector's exact book of `market` (false: invalid book or no room). */
  #offerSnapshot(market: string, state: MarketState): boolean {
    const book = this.#books.get(market);
    if (book === undefined || !book.valid) return false;
    // Not a book event: it carries the counter it reflects (so it is published alone, by hand).
    this.#batcher.flushMarket(market);
    const ok = this.#offer({
      subject: snapshotSubject(this.#prefix, market),
      data: JSON.stringify({ type: "orderbook_snapshot", msg: book.toSnapshot() }),
      msgId: snapshotId(this.epoch, market, state.bookSeq),
      headers: {
        [Header.ReceivedMs]: String(Date.now()),
        [Header.Collector]: this.id,
        [Header.Epoch]: this.epoch,
        [Header.BookSeq]: String(state.bookSeq),
        [Header.BookValid]: "true",
      },
      market,
    });
    if (ok) {
      state.snapshotSeq = state.bookSeq;
      state.dirty = false;
    }
    return ok;
  }

  /** Hands a message to the publisher; a refused one is counted, and a book then needs a snapshot. */
  #offer(message: OutboundMessage, info?: BatchInfo): boolean {
    if (this.#closed) return false;
    const frames = info?.frames ?? 1;
    if (this.#publisher.offer(message)) {
      this.#offered += frames;
      return true;
    }
    this.#dropped += frames;
    const state = info === undefined || info.book
      ? this.#markets.get(message.market ?? "")
      : undefined;
    if (state !== undefined) this.#markDirty(state);
    return false;
  }

  #markDirty(state: MarketState): void {
    state.dirty = true;
    this.#dirty = true;
  }

  /** Sending-time check: never publish for a market whose lease may have passed to another. */
  #admit(message: OutboundMessage): boolean {
    const market = message.market;
    if (market === undefined || this.#leases === undefined) return true;
    if (this.#leases.holds(market)) return true;
    const state = this.#markets.get(market);
    if (state !== undefined) this.#markDirty(state);
    return false;
  }

  /**
   * Every 100 ms: report drops and lag, and snapshot dirty books once the buffer has room again.
   */
  #repair(): void {
    const dropped = this.#dropped - this.#droppedReported;
    if (dropped > 0) {
      this.#droppedReported = this.#dropped;
      this.#report({
        type: "lagged",
        dropped,
        queued: this.#publisher.queued,
        lagMs: this.#publisher.lagMs,
      });
    }
    const lagMs = this.#publisher.lagMs;
    const now = Date.now();
    if (lagMs >= LAG_REPORT_MS && now - this.#lagReportedAt >= LAG_REPORT_MS) {
      this.#lagReportedAt = now;
      this.#report({ type: "lag", queued: this.#publisher.queued, lagMs });
    }
    this.#resubscribe(now);
    if (this.#publisher.stalled || this.#publisher.room < this.#publisher.capacity / 2) return;
    if (this.#freshSnapshots) {
      this.#freshSnapshots = false;
      for (const market of this.#covered) this.#offerSnapshot(market, this.#markets.get(market)!);
    }
    if (!this.#dirty) return;
    this.#dirty = false;
    for (const [market, state] of this.#markets) {
      if (!state.dirty || !this.#covered.has(market)) continue;
      if (!this.#offerSnapshot(market, state)) {
        // Invalid book: Kalshi's snapshot will reset it; no room: try again next time.
        if (this.#books.get(market)?.valid) this.#dirty = true;
        else state.dirty = state.dirty && this.#books.get(market) !== undefined;
      }
    }
  }

  /** Covered markets whose subscription was lost are subscribed again (at most every 2 s). */
  #resubscribe(now: number): void {
    if (this.#closing || this.#covered.size === 0 || this.#channels.length === 0) return;
    if (this.#subscription !== undefined || now < this.#resubscribeAt) return;
    this.#resubscribeAt = now + 2_000;
    void this.#changeSubscription(async () => {
      if (this.#subscription !== undefined || this.#covered.size === 0) return;
      this.#subscription = await this.#client!.subscribe(
        { channels: this.#channels, market_tickers: [...this.#covered] },
        { buffer: false },
      );
    }).catch((error) => this.#report({ type: "error", error: errorText(error) }));
  }

  #periodicSnapshots(): void {
    if (this.#publisher.stalled || this.#publisher.room < this.#publisher.capacity / 4) return;
    for (const market of this.#covered) {
      const state = this.#markets.get(market)!;
      if (state.snapshotSeq !== state.bookSeq) this.#offerSnapshot(market, state);
    }
  }

  #onPublisherEvent(event: PublisherEvent): void {
    if (event.type === "stalled") {
      this.#report({ type: "publish_stalled", error: event.error.message, queued: event.queued });
      return;
    }
    this.#report({ type: "publish_resumed", stalledMs: event.stalledMs, queued: event.queued });
    // Nothing buffered was lost (a market that lost messages is dirty already), so no delta is
    // dropped: every book just gets a fresh snapshot once the backlog leaves room.
    this.#freshSnapshots = true;
  }

  #report(event: CollectorEvent): void {
    if (this.#closed && event.type !== "closed") return; // `closed` is the last event
    try {
      this.#options.onEvent?.(event);
    } catch {
      // A listener's failure is not the collector's.
    }
    if (this.#closed) return;
    this.#publisher.offer({
      subject: eventsSubject(this.#prefix, this.id),
      data: JSON.stringify({ ...event, collector: this.id, epoch: this.epoch, at: Date.now() }),
      msgId: `${this.epoch}.${++this.#counter}`,
      headers: { [Header.Collector]: this.id, [Header.Epoch]: this.epoch },
    });
  }
}

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    promise,
    new Promise<void>((resolve) => timer = setTimeout(resolve, ms)),
  ]);
  clearTimeout(timer);
}
