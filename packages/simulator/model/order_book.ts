/**
 * The exchange's true order book for one market: YES and NO bid ladders as exact scaled integers.
 *
 * This is the ground truth that tests compare a client's reconstructed books against.
 *
 * @module
 */

import { type Count, formatCount, formatPrice, type Price } from "@kalshi-ws/core";

/** Which bid ladder: YES bids or NO bids (Kalshi has no ask ladders). */
export type Side = "yes" | "no";

/** One level as scaled integers: `[price (1/10 000 $), count (1/100 contract)]`. */
export type ScaledLevel = readonly [price: Price, count: Count];

/** One level as Kalshi sends it: `["0.4200", "25.00"]`. */
export type WireLevel = readonly [price: string, count: string];

/** Both ladders of a book as scaled integers, ascending by price (best bid last). */
export interface ScaledBook {
  /** YES bids. */
  readonly yes: readonly ScaledLevel[];
  /** NO bids (NO-leg prices). */
  readonly no: readonly ScaledLevel[];
}

/** Both ladders of a book in Kalshi's wire format, ascending by price (best bid last). */
export interface WireBook {
  /** YES bids. */
  readonly yes: readonly WireLevel[];
  /** NO bids (NO-leg prices). */
  readonly no: readonly WireLevel[];
}

/** A market's two bid ladders with exact arithmetic and the no-cross invariant. */
export class TrueBook {
  readonly #yes = new Map<Price, Count>();
  readonly #no = new Map<Price, Count>();
  #version = 0;

  /** Increments on every change, so callers can cache derived views. */
  get version(): number {
    return this.#version;
  }

  /** The ladder for `side` (live map; do not mutate). */
  ladder(side: Side): ReadonlyMap<Price, Count> {
    return side === "yes" ? this.#yes : this.#no;
  }

  /** Resting size at `price` on `side` (0 when the level is empty). */
  sizeAt(side: Side, price: Price): Count {
    return this.ladder(side).get(price) ?? 0;
  }

  /** The best (highest) bid on `side`, or undefined when the ladder is empty. */
  best(side: Side): Price | undefined {
    let best: Price | undefined;
    for (const price of this.ladder(side).keys()) {
      if (best === undefined || price > best) best = price;
    }
    return best;
  }

  /**
   * Adds `delta` (signed) to the level; removes it at zero. Throws a `RangeError` when the
   * result would be negative or would cross the book (YES bid + NO bid ≥ $1).
   */
  apply(side: Side, price: Price, delta: Count): void {
    const ladder = side === "yes" ? this.#yes : this.#no;
    const next = (ladder.get(price) ?? 0) + delta;
    if (next < 0) {
      throw new RangeError(
        `Cannot apply delta ${delta} at ${side} ${price}: size would be ${next}`,
      );
    }
    if (delta > 0) {
      const opposite = this.best(side === "yes" ? "no" : "yes");
      if (opposite !== undefined && price + opposite >= 10_000) {
        throw new RangeError(
          `Cannot add ${side} bid at ${price}: crosses opposite bid ${opposite}`,
        );
      }
    }
    if (next === 0) ladder.delete(price);
    else ladder.set(price, next);
    this.#version++;
  }

  /** Removes every level (used when a market is determined). */
  clear(): void {
    this.#yes.clear();
    this.#no.clear();
    this.#version++;
  }

  /** Both ladders as scaled integers, ascending by price. */
  scaled(): ScaledBook {
    return { yes: sortedLevels(this.#yes), no: sortedLevels(this.#no) };
  }

  /** Both ladders as Kalshi wire strings, ascending by price. */
  wire(): WireBook {
    const format = (levels: readonly ScaledLevel[]): WireLevel[] =>
      levels.map(([price, count]) => [formatPrice(price), formatCount(count)] as const);
    const scaled = this.scaled();
    return { yes: format(scaled.yes), no: format(scaled.no) };
  }
}

function sortedLevels(ladder: ReadonlyMap<Price, Count>): ScaledLevel[] {
  return [...ladder].sort((a, b) => a[0] - b[0]);
}
