/**
 * What the live page shows, as one JSON object per server-sent event: feed health, counters,
 * the recent lag (a sparkline's worth) and each market's ladder. Built on request from the
 * source; the lag series keeps the mean lag of each interval between two builds.
 *
 * @module
 */

import { formatCount, formatPrice, type OrderBook } from "@kalshi-ws/client";
import { type Health, healthOf } from "./health.ts";
import type { MetricsSource, NatsCollectorStats } from "./source.ts";

/** One ladder level as the page shows it (formatted exact values). */
export type LiveLevel = readonly [price: string, size: string];

/** One market's book on the page. */
export interface LiveBook {
  /** The market ticker. */
  readonly market: string;
  /** Whether the book is valid (an invalid one is being repaired). */
  readonly valid: boolean;
  /** Best YES bids, best first. */
  readonly bids: readonly LiveLevel[];
  /** Best YES asks (the NO bids at $1 − price), best first. */
  readonly asks: readonly LiveLevel[];
}

/** One update of the live page. */
export interface LiveState {
  /** Wall-clock time (ms since the epoch). */
  readonly at: number;
  /** What `/healthz` says now. */
  readonly health: Health;
  /** Counters and gauges of the feed. */
  readonly feed: {
    readonly connected: boolean;
    readonly state: string;
    readonly messages: number;
    readonly gaps: number;
    readonly resyncs: number;
    readonly reconnects: number;
    readonly decodeErrors: number;
    readonly lastMessageAgeSeconds: number | undefined;
  };
  /** Mean lag (seconds) of each recent interval, oldest first; `null` where none was measured. */
  readonly lag: readonly (number | null)[];
  /** The books, by market ticker (empty when the feed keeps none). */
  readonly books: readonly LiveBook[] | undefined;
  /** The NATS side of a collector. */
  readonly nats: NatsCollectorStats | undefined;
}

/** Levels per side on the page. */
export const LIVE_DEPTH = 8;

/** Points of the lag sparkline. */
export const LAG_POINTS = 120;

/** Keeps the recent mean lag from consecutive snapshots' histogram sums and counts. */
export class LagSeries {
  readonly #points: (number | null)[] = [];
  #lastSum = 0;
  #lastCount = 0;
  #lastAt = -Infinity;
  readonly #minSpacingMs: number;

  /** Samples at most once per `minSpacingMs` (several page readers share one series). */
  constructor(minSpacingMs = 500) {
    this.#minSpacingMs = minSpacingMs;
  }

  /** Adds a point from the histogram totals at `at`, unless one was added very recently. */
  sample(at: number, sum: number, count: number): void {
    if (at - this.#lastAt < this.#minSpacingMs) return;
    const first = this.#lastAt === -Infinity;
    const observations = count - this.#lastCount;
    const point = observations > 0 ? (sum - this.#lastSum) / observations : null;
    this.#lastAt = at;
    this.#lastSum = sum;
    this.#lastCount = count;
    if (first) return; // the totals since start are no "recent" mean
    this.#points.push(point);
    if (this.#points.length > LAG_POINTS) this.#points.shift();
  }

  /** The points, oldest first. */
  get points(): readonly (number | null)[] {
    return this.#points;
  }
}

/** Builds the page's state from `source` now (and samples `series`). */
export function liveState(source: MetricsSource, series: LagSeries): LiveState {
  const snapshot = source.snapshot();
  const nats = source.nats?.();
  const at = snapshot?.at ?? Date.now();
  if (snapshot !== undefined) series.sample(at, snapshot.lag.sum, snapshot.lag.count);
  const books = source.books?.();
  return {
    at,
    health: healthOf(snapshot, nats),
    feed: {
      connected: snapshot?.connected ?? false,
      state: snapshot?.state ?? "starting",
      messages: Object.values(snapshot?.messages ?? {}).reduce((a, b) => a + b, 0),
      gaps: snapshot?.gaps ?? 0,
      resyncs: snapshot?.resyncs ?? 0,
      reconnects: snapshot?.reconnects ?? 0,
      decodeErrors: snapshot?.decodeErrors ?? 0,
      lastMessageAgeSeconds: snapshot?.lastMessageAgeSeconds,
    },
    lag: [...series.points],
    books: books === undefined ? undefined : [...books].map(liveBook).sort(byMarket),
    nats,
  };
}

function liveBook(book: OrderBook): LiveBook {
  const levels = (list: readonly { price: number; size: number }[]): LiveLevel[] =>
    list.map((level) => [formatPrice(level.price), formatCount(level.size)]);
  return {
    market: book.marketTicker,
    valid: book.valid,
    bids: book.valid ? levels(book.bids("yes", LIVE_DEPTH)) : [],
    asks: book.valid ? levels(book.asks("yes", LIVE_DEPTH)) : [],
  };
}

function byMarket(a: LiveBook, b: LiveBook): number {
  return a.market < b.market ? -1 : a.market > b.market ? 1 : 0;
}
