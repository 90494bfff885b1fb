/**
 * What a long-running feed's operators watch, counted by the client itself: messages per
 * channel, gaps, resyncs, reconnect attempts, decode errors, message lag, and, read when asked,
 * the connection, subscription and book states. {@linkcode ClientMetrics.snapshot} returns a
 * plain object; an exporter (`@kalshi-ws/metrics` for Prometheus) reads it when scraped.
 *
 * The per-frame cost is an integer increment per message type and, for messages that carry
 * Kalshi's `ts_ms`, one histogram observation: no allocation, no call into an exporter.
 *
 * @module
 */

import {
  type BookStore,
  channelsOfMessageType,
  type DataMessage,
  type SessionEvent,
  type SidInfo,
  type SubscriptionKey,
  type UnknownMessage,
} from "@kalshi-ws/core";
import { type HistogramSnapshot, LagHistogram } from "./lag_histogram.ts";

/**
 * A subscription's state for monitoring: `live` (every channel has its sid on an open link),
 * `pending` (its first reply is awaited), `restoring` (it was live; it is being re-subscribed,
 * or waits for the link to come back).
 */
export type SubscriptionHealth = "live" | "pending" | "restoring";

/** The subscription states, in the order exporters list them. */
export const SUBSCRIPTION_HEALTH_STATES: readonly SubscriptionHealth[] = [
  "live",
  "pending",
  "restoring",
];

/** One subscription in a {@linkcode ClientMetricsSnapshot}. */
export interface SubscriptionMetrics {
  /** Its key (stable across reconnects). */
  readonly key: SubscriptionKey;
  /** Its channels. */
  readonly channels: readonly string[];
  /** Its state. */
  readonly state: SubscriptionHealth;
}

/** Everything {@linkcode ClientMetrics.snapshot} reports: plain data, safe to serialize. */
export interface ClientMetricsSnapshot {
  /** Wall-clock time of the snapshot (ms since the epoch). */
  readonly at: number;
  /** The connection state (`connecting`, `open`, `reconnecting`, `closed`). */
  readonly state: string;
  /** Whether the link is open. */
  readonly connected: boolean;
  /** Data messages received per channel (`unknown` for a type no channel carries). */
  readonly messages: Readonly<Record<string, number>>;
  /** Sequence gaps detected (each one repaired from fresh snapshots). */
  readonly gaps: number;
  /** Repairs completed (`resynced`: every market of a sid valid again). */
  readonly resyncs: number;
  /** Reconnection attempts scheduled (one per `reconnecting` event). */
  readonly reconnects: number;
  /** Frames that could not be decoded (and were skipped). */
  readonly decodeErrors: number;
  /** Data messages dropped by streams whose readers fell behind. */
  readonly dropped: number;
  /** Seconds since the last data message (since the metrics started, before the first one). */
  readonly lastMessageAgeSeconds: number;
  /** Receive time minus Kalshi's `ts_ms`, for messages that carry it (seconds). */
  readonly lag: HistogramSnapshot;
  /** Every subscription and its state. */
  readonly subscriptions: readonly SubscriptionMetrics[];
  /** Local books by validity (zero and zero when the client keeps none). */
  readonly books: { readonly valid: number; readonly invalid: number };
  /** Markets whose local book is invalid now (being repaired). */
  readonly invalidBooks: readonly string[];
}

/** What {@linkcode ClientMetrics.snapshot} reads from the client at that moment. */
export interface MetricsView {
  /** The connection state. */
  readonly state: string;
  /** Local order books, if kept. */
  readonly books: BookStore | undefined;
  /** Data messages dropped by slow streams. */
  readonly dropped: number;
  /** The subscriptions that exist now. */
  subscriptions(): readonly {
    readonly key: SubscriptionKey;
    readonly channels: readonly string[];
    readonly sids: readonly SidInfo[];
  }[];
}

/** A message counter per message type (a map lookup only when the type changes). */
interface TypeCount {
  n: number;
}

/** The client's counters; the client feeds it, {@linkcode ClientMetrics.snapshot} reads it. */
export class ClientMetrics {
  readonly #byType = new Map<string, TypeCount>();
  /** The type of the last message and its counter (messages come in runs of one type). */
  #lastType: string | undefined;
  #lastCount: TypeCount | undefined;
  readonly #lag = new LagHistogram();
  readonly #wallClock: () => number;
  /** Keys of subscriptions that have been live once (`pending` until then). */
  readonly #everLive = new Set<SubscriptionKey>();
  #lastMessageWall: number;
  #gaps = 0;
  #resyncs = 0;
  #reconnects = 0;
  #decodeErrors = 0;

  /** `wallClock` is the wall-clock time in ms (`Date.now` unless a test injects one). */
  constructor(wallClock: () => number = Date.now) {
    this.#wallClock = wallClock;
    this.#lastMessageWall = wallClock();
  }

  /** A data message arrived at wall-clock `wallMs` (the per-frame path). */
  message(message: DataMessage | UnknownMessage, wallMs: number): void {
    const type = message.type;
    if (type === this.#lastType) this.#lastCount!.n++;
    else {
      let count = this.#byType.get(type);
      if (count === undefined) this.#byType.set(type, count = { n: 0 });
      count.n++;
      this.#lastType = type;
      this.#lastCount = count;
    }
    this.#lastMessageWall = wallMs;
    const ts = (message as { msg?: { ts_ms?: unknown } }).msg?.ts_ms;
    if (typeof ts === "number") this.#lag.observe(wallMs - ts);
  }

  /** A sequence gap was detected. */
  gap(): void {
    this.#gaps++;
  }

  /** A sid's markets were repaired. */
  resynced(): void {
    this.#resyncs++;
  }

  /** A reconnection attempt was scheduled. */
  reconnecting(): void {
    this.#reconnects++;
  }

  /** A frame could not be decoded. */
  decodeError(): void {
    this.#decodeErrors++;
  }

  /** Counts a non-data session event (gaps, repairs, decode errors, subscriptions made live). */
  sessionEvent(event: SessionEvent): void {
    switch (event.type) {
      case "gap":
        this.#gaps++;
        return;
      case "resynced":
        this.#resyncs++;
        return;
      case "decode_error":
        this.#decodeErrors++;
        return;
      case "subscribed":
      case "resubscribed":
        this.#everLive.add(event.key);
        return;
      default:
        return;
    }
  }

  /** A subscription became live (first time or again). */
  live(key: SubscriptionKey): void {
    this.#everLive.add(key);
  }

  /** Reads the counters and the client's current state into a plain object. */
  snapshot(view: MetricsView): ClientMetricsSnapshot {
    const at = this.#wallClock();
    const connected = view.state === "open";
    const messages: Record<string, number> = {};
    for (const [type, count] of this.#byType) {
      const channel = channelsOfMessageType(type)[0] ?? "unknown";
      messages[channel] = (messages[channel] ?? 0) + count.n;
    }
    const subscriptions = view.subscriptions().map((s): SubscriptionMetrics => {
      const live = connected && s.sids.length >= s.channels.length && s.sids.length > 0;
      if (live) this.#everLive.add(s.key);
      const state = live ? "live" : this.#everLive.has(s.key) ? "restoring" : "pending";
      return { key: s.key, channels: [...s.channels], state };
    });
    let valid = 0;
    const invalidBooks: string[] = [];
    for (const book of view.books?.books() ?? []) {
      if (book.valid) valid++;
      else invalidBooks.push(book.marketTicker);
    }
    return {
      at,
      state: view.state,
      connected,
      messages,
      gaps: this.#gaps,
      resyncs: this.#resyncs,
      reconnects: this.#reconnects,
      decodeErrors: this.#decodeErrors,
      dropped: view.dropped,
      lastMessageAgeSeconds: Math.max(0, at - this.#lastMessageWall) / 1000,
      lag: this.#lag.snapshot(),
      subscriptions,
      books: { valid, invalid: invalidBooks.length },
      invalidBooks,
    };
  }
}
