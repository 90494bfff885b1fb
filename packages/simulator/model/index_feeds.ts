/**
 * The value feeds: `cfbenchmarks_value` (each CF Benchmarks index about once a second, with its
 * trailing 60-second average and, in the last minute before each quarter hour, the quarter's
 * closing average), `cfbenchmarks_value_5hz` (up to five ticks a second) and `pyth_value` (about
 * once a second per underlying). Values walk randomly; every value is an exact 8-decimal string.
 * Subscribers get only the ids they asked for (`index_ids`, `underlying_tickers`, or `all`).
 *
 * Time-driven: a call at `now` emits whatever is due since the previous one (at most one tick
 * per feed and id per call).
 *
 * @module
 */

import type { FeedContext } from "./channel_feeds.ts";
import type { ExchangeEvent } from "./events.ts";
import { CF_INDEX_IDS, PYTH_UNDERLYINGS } from "./protocol.ts";
import type { Rng } from "./rng.ts";

/** Ids of the 5 Hz feed (BRTI, ETH, SOL, XRP, DOGE). */
export const CF_5HZ_INDEX_IDS: readonly string[] = [
  "BRTI",
  "ETHUSD_RTI",
  "SOLUSD_RTI",
  "XRPUSD_RTI",
  "DOGEUSD_RTI",
];

/** Starting values in 1e-8 USD (index values move in cents, Pyth prices finer). */
const START: Readonly<Record<string, number>> = {
  BRTI: 68_000_12000000,
  ETHUSD_RTI: 3_500_25000000,
  SOLUSD_RTI: 150_40000000,
  XRPUSD_RTI: 60000000,
  DOGEUSD_RTI: 15000000,
  "Metal.XAU/USD": 2_650_12345000,
  "Metal.XAG/USD": 31_23456000,
};

const UNIT = 100_000_000; // 1e8: values are integers of 1e-8 USD

/** Tick of an index: a cent, or 1/10 000 $ for the sub-dollar coins. */
function tick(id: string): number {
  return (START[id] ?? UNIT) >= UNIT ? 1_000_000 : 10_000;
}
const MINUTE = 60_000;
/** Trailing zeros beyond the second decimal. */
const ZEROS = /(?<=\.\d\d\d*?)0+$/;
const QUARTER = 15 * MINUTE;

interface Tick {
  readonly ts: number;
  readonly value: number;
}

/** One id's random walk and its recent ticks (for the averages). */
class Series {
  value: number;
  next = 0;
  readonly ticks: Tick[] = [];
  readonly step: number;

  constructor(id: string, step: number) {
    this.value = START[id] ?? 100 * UNIT;
    this.step = step;
  }

  /**
   * When a tick is due at `now` (one per `period` ms): moves the value by up to ±0.05 % (in
   * whole steps, never below one) and returns it with its upstream time; else undefined.
   */
  tick(now: number, period: number, rng: Rng): Tick | undefined {
    if (now < this.next) return undefined;
    this.next = now + period;
    const span = Math.max(1, Math.round((this.value * 0.0005) / this.step));
    this.value = Math.max(this.step, this.value + rng.int(-span, span) * this.step);
    return { ts: now - rng.int(5, 40), value: this.value };
  }
}

/** The three value feeds (see the module doc). */
export class IndexFeeds {
  readonly #cf = new Map(CF_INDEX_IDS.map((id) => [id, new Series(id, tick(id))]));
  readonly #cf5 = new Map(CF_5HZ_INDEX_IDS.map((id) => [id, new Series(id, tick(id))]));
  readonly #pyth = new Map(PYTH_UNDERLYINGS.map((id) => [id, new Series(id, 1_000)]));

  /** The values due at `context.now`. */
  step(context: FeedContext): ExchangeEvent[] {
    const { rng, now } = context;
    const events: ExchangeEvent[] = [];
    for (const [id, series] of this.#cf) {
      const tick = series.tick(now, 1_000, rng);
      if (tick === undefined) continue;
      const { ts: source, value } = tick;
      events.push({
        channel: "cfbenchmarks_value",
        type: "cfbenchmarks_value",
        ticker: "",
        feed: id,
        msg: {
          index_id: id,
          received_at: now,
          data: upstream(id, source, value),
          avg_60s_data: trailingAverage(series, source, value, now),
          ...quarterAverage(series, source, value, now),
        },
      });
      series.ticks.push(tick);
      while (series.ticks.length > 0 && series.ticks[0]!.ts < source - MINUTE) {
        series.ticks.shift();
      }
    }
    for (const [id, series] of this.#cf5) {
      const tick = series.tick(now, 200, rng);
      if (tick === undefined) continue;
      const { ts: source, value } = tick;
      events.push({
        channel: "cfbenchmarks_value_5hz",
        type: "cfbenchmarks_value_5hz",
        ticker: "",
        feed: id,
        msg: {
          index_id: id,
          value_usd: format8(value),
          source_ts_ms: source,
          received_at: now,
          data: upstream(id, source, value),
        },
      });
    }
    for (const [id, series] of this.#pyth) {
      const tick = series.tick(now, 1_000, rng);
      if (tick === undefined) continue;
      events.push({
        channel: "pyth_value",
        type: "pyth_value",
        ticker: "",
        feed: id,
        msg: {
          underlying_ticker: id,
          value_usd: format8(tick.value),
          source_ts_ms: tick.ts,
          received_at: now,
        },
      });
    }
    return events;
  }
}

/** The average over `[source − 60 s, source)` (prior ticks only; the current value if none). */
function trailingAverage(series: Series, source: number, value: number, now: number): object {
  const prior = series.ticks.filter((t) => t.ts >= source - MINUTE && t.ts < source);
  return {
    value: format8(prior.length === 0 ? value : average(prior.map((t) => t.value))),
    window_size: prior.length,
    window_start_ts_ms: source - MINUTE,
    window_end_ts_exclusive: now,
  };
}

/** In the last minute before a quarter hour: the average over `(close − 60 s, now]`. */
function quarterAverage(series: Series, source: number, value: number, now: number): object {
  const close = Math.ceil(source / QUARTER) * QUARTER;
  if (close - source >= MINUTE) return {};
  const start = close - MINUTE;
  const values = [...series.ticks.filter((t) => t.ts > start).map((t) => t.value), value];
  return {
    last_60s_windowed_average_15min: {
      value: format8(average(values)),
      window_size: values.length,
      window_start_ts_ms: start,
      window_end_ts_exclusive: now,
    },
  };
}

/** Rounded mean of integers (exact integer arithmetic while sums stay below 2^53). */
function average(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return Math.round(sum / values.length);
}

/** The upstream CF Benchmarks frame, as the raw JSON string Kalshi forwards. */
function upstream(id: string, time: number, value: number): string {
  return JSON.stringify({ type: "value", id, time, value: format8(value).replace(ZEROS, "") });
}

/** An integer of 1e-8 USD as a decimal string with exactly 8 decimals. */
export function format8(units: number): string {
  const whole = Math.floor(units / UNIT);
  return `${whole}.${String(units - whole * UNIT).padStart(8, "0")}`;
}
