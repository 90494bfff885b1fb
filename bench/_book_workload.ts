/**
 * Deterministic order-book workloads shared by the book benchmark and memory script: realistic
 * snapshots (20 levels a side around a fair price) and delta streams that keep every book valid
 * and return it to its starting state, so a benchmark can replay them in a loop.
 *
 * @module
 */

import { formatCount, formatPrice, parseCount, parsePrice } from "../packages/core/fixed_point.ts";
import type {
  OrderbookDeltaMsg,
  OrderbookSnapshotMsg,
} from "../packages/core/message_orderbook.ts";

/** Mulberry32: a small seeded PRNG (the core's). */
export { seededRandom as prng } from "@kalshi-ws/core";

function int(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

/** A deterministic UUID-shaped string (market ids take real memory too). */
function uuid(rand: () => number): string {
  let hex = "";
  for (let i = 0; i < 32; i++) hex += int(rand, 0, 15).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
}

/** A market's snapshot: `levels` YES bids below `fair` and `levels` NO bids at NO-leg prices. */
export function makeSnapshot(
  ticker: string,
  rand: () => number,
  levels = 20,
): OrderbookSnapshotMsg {
  const fair = int(rand, 1000, 9000);
  const yes: [string, string][] = [];
  const no: [string, string][] = [];
  // Tick size 0.0100 like most Kalshi markets; YES bids below fair, YES asks above it.
  for (let i = levels; i >= 1; i--) {
    yes.push([formatPrice(fair - i * 10), formatCount(int(rand, 1, 5000) * 100)]);
    no.push([formatPrice(10_000 - fair - i * 10), formatCount(int(rand, 1, 5000) * 100)]);
  }
  return asDecoded({
    market_ticker: ticker,
    market_id: uuid(rand),
    yes_dollars_fp: yes,
    no_dollars_fp: no,
  });
}

/**
 * `count` deltas for the book of `snapshot` (default pricing), concentrated near the top of
 * book, followed by their inverses in reverse order: applying the whole stream leaves the book
 * as it started, and every intermediate book is valid (never negative, never crossed).
 */
export function makeDeltaCycle(
  snapshot: OrderbookSnapshotMsg,
  rand: () => number,
  count: number,
): OrderbookDeltaMsg[] {
  const sides = {
    yes: new Map(snapshot.yes_dollars_fp!.map(([p, s]) => [parsePrice(p), parseCount(s)])),
    no: new Map(snapshot.no_dollars_fp!.map(([p, s]) => [parsePrice(p), parseCount(s)])),
  };
  const forward: { side: "yes" | "no"; price: number; delta: number }[] = [];
  while (forward.length < count) {
    const side = rand() < 0.5 ? "yes" : "no";
    const levels = sides[side];
    const other = sides[side === "yes" ? "no" : "yes"];
    const best = Math.max(...levels.keys());
    const otherBest = Math.max(...other.keys());
    // Mostly within 5 ticks of the best bid, never crossing the other side's best.
    const price = Math.min(best + 10 * int(rand, -5, 1), 10_000 - otherBest - 1);
    if (price <= 0) continue;
    const resting = levels.get(price) ?? 0;
    let delta: number;
    const r = rand();
    if (resting > 0 && r < 0.15 && levels.size > 5) delta = -resting;
    else if (resting > 0 && r < 0.55) delta = -int(rand, 1, resting);
    else delta = int(rand, 1, 500) * 100;
    const next = resting + delta;
    if (next === 0) levels.delete(price);
    else levels.set(price, next);
    forward.push({ side, price, delta });
  }
  const all = [...forward, ...forward.toReversed().map((d) => ({ ...d, delta: -d.delta }))];
  return asDecoded(all.map((d) => ({
    market_ticker: snapshot.market_ticker,
    market_id: snapshot.market_id,
    price_dollars: formatPrice(d.price),
    delta_fp: formatCount(d.delta),
    side: d.side,
  })));
}

/**
 * The value as a decoder would hand it over: through JSON text, so strings are flat like those
 * of `JSON.parse` (built strings are rope/sliced strings, slower to read and unrealistic).
 */
function asDecoded<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}

/**
 * The obvious book a first version would write: a `Map<price string, size>` per side, exact
 * sizes, best prices found by scanning. The baseline every measurement is a ratio against.
 */
export class NaiveBook {
  yes = new Map<string, number>();
  no = new Map<string, number>();

  applySnapshot(msg: OrderbookSnapshotMsg): void {
    this.yes = new Map((msg.yes_dollars_fp ?? []).map(([p, s]) => [p, parseCount(s)]));
    this.no = new Map((msg.no_dollars_fp ?? []).map(([p, s]) => [p, parseCount(s)]));
  }

  applyDelta(msg: OrderbookDeltaMsg): boolean {
    const levels = msg.side === "yes" ? this.yes : this.no;
    const size = (levels.get(msg.price_dollars) ?? 0) + parseCount(msg.delta_fp);
    if (size < 0) return false;
    if (size === 0) levels.delete(msg.price_dollars);
    else levels.set(msg.price_dollars, size);
    return true;
  }

  /** Best bid price of a side (-1 when empty), by scanning and parsing every level. */
  best(side: "yes" | "no"): number {
    let best = -1;
    for (const key of (side === "yes" ? this.yes : this.no).keys()) {
      const price = parsePrice(key);
      if (price > best) best = price;
    }
    return best;
  }
}
