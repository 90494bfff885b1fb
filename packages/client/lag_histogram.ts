/**
 * Message lag (receive time minus Kalshi's `ts_ms`) as a histogram of plain integer counters,
 * so the per-frame cost is a subtraction, a few comparisons and an increment; exporters read
 * the counts when scraped.
 *
 * @module
 */

/** Upper bounds (seconds) of the lag buckets: 5 ms to 10 s, Prometheus' default buckets. */
export const LAG_BUCKETS_SECONDS: readonly number[] = [
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
];

const BOUNDS_MS = LAG_BUCKETS_SECONDS.map((s) => s * 1000);

/** A histogram's state: counts per bucket (not cumulative; the last one is `+Inf`), sum, count. */
export interface HistogramSnapshot {
  /** Upper bounds (seconds), ascending; `+Inf` is implied after the last. */
  readonly bounds: readonly number[];
  /** Observations per bucket, one more than `bounds` (the last: above every bound). */
  readonly counts: readonly number[];
  /** Sum of the observations (seconds). */
  readonly sum: number;
  /** Number of observations. */
  readonly count: number;
}

/** Counts lag observations (milliseconds) into {@linkcode LAG_BUCKETS_SECONDS}. */
export class LagHistogram {
  readonly #counts: number[] = new Array(BOUNDS_MS.length + 1).fill(0);
  #sumMs = 0;
  #count = 0;

  /** Adds one observation in milliseconds (a negative lag, from clock skew, counts as 0). */
  observe(ms: number): void {
    const lag = ms > 0 ? ms : 0;
    let i = 0;
    while (i < BOUNDS_MS.length && lag > BOUNDS_MS[i]!) i++;
    this.#counts[i]!++;
    this.#sumMs += lag;
    this.#count++;
  }

  /** Observations so far. */
  get count(): number {
    return this.#count;
  }

  /** Sum of the observations so far (milliseconds). */
  get sumMs(): number {
    return this.#sumMs;
  }

  /** A copy of the state, in seconds. */
  snapshot(): HistogramSnapshot {
    return {
      bounds: LAG_BUCKETS_SECONDS,
      counts: [...this.#counts],
      sum: this.#sumMs / 1000,
      count: this.#count,
    };
  }
}
