/**
 * An exact local order book for one Kalshi market, built from `orderbook_snapshot` and
 * `orderbook_delta` messages.
 *
 * Kalshi publishes two bid ladders per market: YES bids and NO bids (there are no ask ladders;
 * a NO bid at $0.40 is a YES ask at $0.60). The book keeps both ladders exactly as sent, as
 * scaled integers (prices in 1/10 000 $, sizes in 1/100 contract, see `fixed_point.ts`), in
 * sorted typed arrays: one `Uint16Array` of prices and one `Float64Array` of sizes per side,
 * ascending by price, so the best YES bid is the last element and a delta is a binary search
 * plus at most one `copyWithin`.
 *
 * Integrity is checked after every change (a level going negative, a crossed book). A book is
 * {@linkcode OrderBook.valid | valid} only between a clean snapshot and the next known problem;
 * deltas are never applied to an invalid book, and malformed numbers never throw.
 *
 * Pricing modes: with `use_yes_price` off (Kalshi's default) NO levels are NO-leg prices, so
 * the best YES ask is $1 − best NO bid. With `use_yes_price` on, NO levels arrive already at
 * the equivalent YES price, so the best YES ask is the lowest NO level. The book learns its mode
 * from {@linkcode OrderBook.applySnapshot} and every derived view (best bid/ask of each leg,
 * spread, mid, depth) is reported in each leg's own prices whatever the mode; only the raw
 * ladders ({@linkcode OrderBook.ladder}, {@linkcode OrderBook.toSnapshot}) keep the wire mode.
 *
 * @example
 * ```ts
 * import { OrderBook } from "./order_book.ts";
 * const book = new OrderBook("KXDEMO-26JAN01-T50");
 * book.applySnapshot({
 *   market_ticker: "KXDEMO-26JAN01-T50",
 *   yes_dollars_fp: [["0.4100", "25.00"], ["0.4200", "10.00"]],
 *   no_dollars_fp: [["0.5500", "7.00"]],
 * }, false);
 * book.applyDelta({
 *   market_ticker: "KXDEMO-26JAN01-T50",
 *   price_dollars: "0.4200",
 *   delta_fp: "-4.00",
 *   side: "yes",
 * });
 * book.bestYesBid; // 4200 ($0.42), book.bestYesBidSize === 600 (6 contracts)
 * book.bestYesAsk; // 4500 ($1 − $0.55)
 * ```
 *
 * @module
 */

import { FixedPointError } from "./errors.ts";
import type { PriceLevel, Side } from "./message_common.ts";
import type { OrderbookDeltaMsg, OrderbookSnapshotMsg } from "./message_orderbook.ts";
import {
  type Count,
  formatCount,
  formatPrice,
  ONE_DOLLAR,
  parseCount,
  parsePrice,
  type Price,
} from "./fixed_point.ts";

export { formatMid } from "./fixed_point.ts";

/**
 * Why a book is not valid. `no_snapshot`: no snapshot applied yet; `invalidated`: the caller
 * called `invalidate()` (e.g. after a sequence gap); `malformed`: a number was not exact
 * fixed-point, a price was outside ($0, $1), a side or ladder was not understood, a snapshot
 * repeated a price, or a side's total size would exceed 2^53 − 1 hundredths (no longer exact); `negative_size`: a level would go below zero (the local book diverged);
 * `crossed`: best YES bid ≥ best YES ask.
 */
export const BookProblem = {
  NoSnapshot: "no_snapshot",
  Invalidated: "invalidated",
  Malformed: "malformed",
  NegativeSize: "negative_size",
  Crossed: "crossed",
} as const;
/** A value of {@linkcode BookProblem}. */
export type BookProblem = typeof BookProblem[keyof typeof BookProblem];

/**
 * Bit flags saying what a change touched, so listeners can redraw only what moved: a ladder
 * (`Yes`, `No`), the book's validity (`Validity`), or the book left its store (`Removed`).
 */
export const BookChange = {
  Yes: 1,
  No: 2,
  Validity: 4,
  Removed: 8,
} as const;
/** A combination (bitwise or) of {@linkcode BookChange} flags; 0 means nothing changed. */
export type BookChangeMask = number;

/** A price level of one leg, as returned by {@linkcode OrderBook.bids} and `asks`. */
export interface BookLevel {
  /** Price in 1/10 000 $, in the leg's own prices. */
  readonly price: Price;
  /** Resting size in 1/100 contract. */
  readonly size: Count;
}

const NO_PRICES = new Uint16Array(0);
const NO_SIZES = new Float64Array(0);
/** Smallest non-empty ladder capacity (8 prices fill 16 bytes, 8 sizes 64: both stay on-heap). */
const MIN_CAPACITY = 8;

/** Index of `price` in ascending `prices[0, length)`, or `-(insertion point) - 1` if absent. */
function find(prices: Uint16Array, length: number, price: number): number {
  let lo = 0;
  let hi = length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const p = prices[mid]!;
    if (p < price) lo = mid + 1;
    else if (p > price) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

/**
 * The local order book of one market: both bid ladders, exact, with integrity checks and
 * cheap reads of the best prices. Feed it the `msg` of every `orderbook_snapshot` and
 * `orderbook_delta` for its market, in sequence order.
 *
 * Reads keep working on an invalid book (showing its last state, or nothing after a failed
 * snapshot); check {@linkcode OrderBook.valid} before trusting them.
 */
export class OrderBook {
  /** The market this book belongs to. */
  readonly marketTicker: string;
  #marketId: string | undefined = undefined;
  #useYesPrice = false;
  #problem: BookProblem | undefined = BookProblem.NoSnapshot;
  #problemDetail: string | undefined = undefined;
  // Each side's levels: parallel sorted arrays (ascending price), `length` of them in use, and
  // their total size. Held by the book itself rather than by a ladder object per side: a delta
  // then reaches its prices with one dependent load less (books are touched at random among
  // many markets, and each load of a cold object is a cache miss).
  #yesPrices: Uint16Array = NO_PRICES;
  #yesSizes: Float64Array = NO_SIZES;
  #yesLength = 0;
  #yesTotal = 0;
  #noPrices: Uint16Array = NO_PRICES;
  #noSizes: Float64Array = NO_SIZES;
  #noLength = 0;
  #noTotal = 0;
  #changes: BookChangeMask = 0;
  #lastChange: BookChangeMask = 0;

  /** Creates an empty, invalid book for `marketTicker`; it becomes valid with a snapshot. */
  constructor(marketTicker: string) {
    this.marketTicker = marketTicker;
  }

  /** True between a clean snapshot and the next known problem: only then is the book exact. */
  get valid(): boolean {
    return this.#problem === undefined;
  }

  /** Why the book is invalid, or undefined when it is valid. */
  get problem(): BookProblem | undefined {
    return this.#problem;
  }

  /** A sentence describing the problem (values quoted), or undefined when valid. */
  get problemDetail(): string | undefined {
    return this.#problemDetail;
  }

  /** The market's UUID from the last snapshot that carried a non-empty one. */
  get marketId(): string | undefined {
    return this.#marketId;
  }

  /** Whether NO levels are expressed at YES prices (`use_yes_price`), as of the last snapshot. */
  get useYesPrice(): boolean {
    return this.#useYesPrice;
  }

  /**
   * Flags of everything that changed since the last {@linkcode OrderBook.clearChanges} (see
   * {@linkcode BookChange}); lets a reader redraw only books that moved.
   */
  get changes(): BookChangeMask {
    return this.#changes;
  }

  /** Flags of what the most recent call (snapshot, delta, invalidate) changed. */
  get lastChange(): BookChangeMask {
    return this.#lastChange;
  }

  /**
   * Resets {@linkcode OrderBook.changes} to 0 (after the reader has caught up). For books held
   * by a `BookStore`, use its `drainChanges()` instead, which calls this.
   */
  clearChanges(): void {
    this.#changes = 0;
  }

  /**
   * Replaces the whole book with a snapshot. `useYesPrice` is the `use_yes_price` flag of the
   * subscription the snapshot came on. Returns false (book empty and invalid) when a number is
   * malformed, a price is outside ($0, $1) or repeated, a size is negative, or the book is
   * crossed. Levels may arrive in any order; zero-size levels are dropped.
   */
  applySnapshot(msg: OrderbookSnapshotMsg, useYesPrice: boolean): boolean {
    const wasValid = this.#problem === undefined;
    this.#useYesPrice = useYesPrice;
    this.#problem = undefined;
    this.#problemDetail = undefined;
    const marketId = msg.market_id;
    if (typeof marketId === "string" && marketId !== "") this.#marketId = marketId;
    let ok = this.#load("yes", msg.yes_dollars_fp) && this.#load("no", msg.no_dollars_fp);
    if (ok && this.#isCrossed()) {
      this.#fail(BookProblem.Crossed, this.#crossingDetail("snapshot"));
      ok = false;
    }
    if (!ok) {
      this.#reset(true, 0);
      this.#reset(false, 0);
    }
    const change = BookChange.Yes | BookChange.No |
      (wasValid !== ok ? BookChange.Validity : 0);
    this.#lastChange = change;
    this.#changes |= change;
    return ok;
  }

  /**
   * Applies one delta. Returns true when applied cleanly. Returns false when the book is not
   * valid (no snapshot yet, or invalidated since: nothing applied), or when the delta is
   * malformed or would take a level below zero (not applied), or crosses the book (applied, so
   * the crossing levels stay readable); these last three make the book invalid.
   */
  applyDelta(msg: OrderbookDeltaMsg): boolean {
    if (this.#problem !== undefined) return this.#unchanged();
    let price: number;
    let delta: number;
    try {
      price = parsePrice(msg.price_dollars);
      delta = parseCount(msg.delta_fp);
    } catch (error) {
      if (!(error instanceof FixedPointError)) throw error;
      return this.#reject(BookProblem.Malformed, `Cannot apply delta: ${error.message}`);
    }
    const side = msg.side;
    if (side !== "yes" && side !== "no") {
      return this.#reject(
        BookProblem.Malformed,
        `Cannot apply delta: unknown side ${JSON.stringify(side)}`,
      );
    }
    if (!(price > 0 && price < ONE_DOLLAR)) return this.#outOfRange(side, price);
    return this.#apply(side, price, delta);
  }

  /**
   * Applies an already parsed delta: adds `delta` (1/100 contract, signed) to the level at
   * `price` (1/10 000 $, in the book's pricing mode) of `side`. Same result as
   * {@linkcode OrderBook.applyDelta}; for callers that parse frames themselves.
   */
  applyLevelDelta(side: Side, price: Price, delta: Count): boolean {
    if (this.#problem !== undefined) return this.#unchanged();
    if (side !== "yes" && side !== "no") {
      return this.#reject(
        BookProblem.Malformed,
        `Cannot apply delta: unknown side ${JSON.stringify(side)}`,
      );
    }
    if (!(price > 0 && price < ONE_DOLLAR && Number.isInteger(price))) {
      return this.#outOfRange(side, price);
    }
    if (!Number.isSafeInteger(delta)) {
      return this.#reject(
        BookProblem.Malformed,
        `Cannot apply delta ${delta} at ${side} price ${price}: delta must be a safe integer`,
      );
    }
    return this.#apply(side, price, delta);
  }

  /** Applies a validated delta to a valid book and runs the integrity checks. */
  #apply(side: Side, price: number, delta: number): boolean {
    if (delta === 0) return this.#unchanged();
    const yes = side === "yes";
    const total = (yes ? this.#yesTotal : this.#noTotal) + delta;
    if (total > Number.MAX_SAFE_INTEGER) return this.#tooLarge(side, price, delta);
    const length = yes ? this.#yesLength : this.#noLength;
    const sizes = yes ? this.#yesSizes : this.#noSizes;
    const index = find(yes ? this.#yesPrices : this.#noPrices, length, price);
    // Only a new level at either end of its ladder can move a best price and cross the book
    // (a valid book is not crossed, and adding to a level or removing moves no best price up).
    let newEnd = false;
    if (index >= 0) {
      const size = sizes[index]! + delta;
      if (size < 0) return this.#negative(side, price, delta, sizes[index]!);
      if (size === 0) this.#removeAt(yes, index);
      else sizes[index] = size;
    } else {
      if (delta < 0) return this.#negative(side, price, delta, 0);
      const at = -index - 1;
      newEnd = at === 0 || at === length;
      this.#insertAt(yes, at, price, delta);
    }
    if (yes) this.#yesTotal = total;
    else this.#noTotal = total;
    let change: BookChangeMask = yes ? BookChange.Yes : BookChange.No;
    if (newEnd && this.#isCrossed()) {
      this.#fail(BookProblem.Crossed, this.#crossingDetail(`${side} delta`));
      change |= BookChange.Validity;
    }
    this.#lastChange = change;
    this.#changes |= change;
    return this.#problem === undefined;
  }

  /** Inserts a level at `index` of a side (`yes`: the YES side), growing its arrays if full. */
  #insertAt(yes: boolean, index: number, price: number, size: number): void {
    const length = yes ? this.#yesLength : this.#noLength;
    if (length === (yes ? this.#yesPrices : this.#noPrices).length) {
      this.#resize(yes, length === 0 ? MIN_CAPACITY : length * 2);
    }
    const prices = yes ? this.#yesPrices : this.#noPrices;
    const sizes = yes ? this.#yesSizes : this.#noSizes;
    // A plain loop: moves are short (activity is near the best bid, the end) and a builtin
    // copyWithin call costs more than moving a few elements.
    for (let i = length; i > index; i--) {
      prices[i] = prices[i - 1]!;
      sizes[i] = sizes[i - 1]!;
    }
    prices[index] = price;
    sizes[index] = size;
    if (yes) this.#yesLength = length + 1;
    else this.#noLength = length + 1;
  }

  /** Removes the level at `index` of a side. */
  #removeAt(yes: boolean, index: number): void {
    const length = (yes ? this.#yesLength : this.#noLength) - 1;
    const prices = yes ? this.#yesPrices : this.#noPrices;
    const sizes = yes ? this.#yesSizes : this.#noSizes;
    for (let i = index; i < length; i++) {
      prices[i] = prices[i + 1]!;
      sizes[i] = sizes[i + 1]!;
    }
    if (yes) this.#yesLength = length;
    else this.#noLength = length;
  }

  /** Empties a side, keeping room for `expected` levels without wasting much more. */
  #reset(yes: boolean, expected: number): void {
    if (yes) this.#yesLength = this.#yesTotal = 0;
    else this.#noLength = this.#noTotal = 0;
    const capacity = (yes ? this.#yesPrices : this.#noPrices).length;
    if (expected === 0) {
      if (capacity > MIN_CAPACITY) this.#resize(yes, 0);
    } else if (capacity < expected || capacity > 2 * expected + MIN_CAPACITY) {
      this.#resize(yes, Math.max(MIN_CAPACITY, expected));
    }
  }

  /** Gives a side arrays of `capacity` levels (0: the shared empty ones), keeping its levels. */
  #resize(yes: boolean, capacity: number): void {
    let prices = NO_PRICES;
    let sizes = NO_SIZES;
    if (capacity > 0) {
      const oldPrices = yes ? this.#yesPrices : this.#noPrices;
      const oldSizes = yes ? this.#yesSizes : this.#noSizes;
      prices = new Uint16Array(capacity);
      sizes = new Float64Array(capacity);
      const keep = Math.min(yes ? this.#yesLength : this.#noLength, capacity);
      for (let i = 0; i < keep; i++) {
        prices[i] = oldPrices[i]!;
        sizes[i] = oldSizes[i]!;
      }
    }
    if (yes) {
      this.#yesPrices = prices;
      this.#yesSizes = sizes;
    } else {
      this.#noPrices = prices;
      this.#noSizes = sizes;
    }
  }

  /**
   * Marks the book invalid until the next snapshot (e.g. a sequence gap on its subscription
   * means deltas were lost). Its levels stay readable; deltas are refused meanwhile.
   */
  invalidate(): void {
    if (this.#problem !== undefined) {
      this.#unchanged();
      return;
    }
    this.#fail(BookProblem.Invalidated, "Book invalidated by the caller until the next snapshot");
    this.#lastChange = BookChange.Validity;
    this.#changes |= BookChange.Validity;
  }

  /** Best YES bid in 1/10 000 $, or undefined when there are no YES bids. */
  get bestYesBid(): Price | undefined {
    const length = this.#yesLength;
    return length === 0 ? undefined : this.#yesPrices[length - 1];
  }

  /** Size (1/100 contract) at the best YES bid, or undefined. */
  get bestYesBidSize(): Count | undefined {
    const length = this.#yesLength;
    return length === 0 ? undefined : this.#yesSizes[length - 1];
  }

  /** Best NO bid in NO-leg prices (1/10 000 $), or undefined when there are no NO bids. */
  get bestNoBid(): Price | undefined {
    const length = this.#noLength;
    if (length === 0) return undefined;
    return this.#useYesPrice ? ONE_DOLLAR - this.#noPrices[0]! : this.#noPrices[length - 1];
  }

  /** Size (1/100 contract) at the best NO bid, or undefined. */
  get bestNoBidSize(): Count | undefined {
    const length = this.#noLength;
    if (length === 0) return undefined;
    return this.#noSizes[this.#useYesPrice ? 0 : length - 1];
  }

  /** Best YES ask ($1 − best NO bid, in YES prices), or undefined when there are no NO bids. */
  get bestYesAsk(): Price | undefined {
    const noBid = this.bestNoBid;
    return noBid === undefined ? undefined : ONE_DOLLAR - noBid;
  }

  /** Size at the best YES ask (the size of the best NO bid), or undefined. */
  get bestYesAskSize(): Count | undefined {
    return this.bestNoBidSize;
  }

  /** Best NO ask ($1 − best YES bid, in NO prices), or undefined when there are no YES bids. */
  get bestNoAsk(): Price | undefined {
    const yesBid = this.bestYesBid;
    return yesBid === undefined ? undefined : ONE_DOLLAR - yesBid;
  }

  /** Size at the best NO ask (the size of the best YES bid), or undefined. */
  get bestNoAskSize(): Count | undefined {
    return this.bestYesBidSize;
  }

  /**
   * Best YES ask − best YES bid in 1/10 000 $ (the NO spread is the same), or undefined unless
   * both sides have levels.
   */
  get spread(): Price | undefined {
    const bid = this.bestYesBid;
    const ask = this.bestYesAsk;
    return bid === undefined || ask === undefined ? undefined : ask - bid;
  }

  /**
   * YES mid price in 1/10 000 $: (best YES bid + best YES ask) / 2, or undefined unless both
   * sides have levels. Exact: an integer, or an integer + 0.5 when the spread is an odd number
   * of ticks (a half-tick is exactly representable as a JS number). The NO mid is $1 − this.
   * Format it with {@linkcode formatMid}.
   */
  get mid(): number | undefined {
    const bid = this.bestYesBid;
    const ask = this.bestYesAsk;
    return bid === undefined || ask === undefined ? undefined : (bid + ask) / 2;
  }

  /** Number of price levels resting on `side`. */
  levelCount(side: Side): number {
    return side === "yes" ? this.#yesLength : this.#noLength;
  }

  /** Total resting size (1/100 contract) over all levels of `side`. */
  totalSize(side: Side): Count {
    return side === "yes" ? this.#yesTotal : this.#noTotal;
  }

  /**
   * Price of the `rank`-th best bid of `side` (0 = best), in that leg's own prices, or
   * undefined past the last level. With {@linkcode OrderBook.bidSize} and
   * {@linkcode OrderBook.levelCount}, walks the depth without allocating.
   */
  bidPrice(side: Side, rank: number): Price | undefined {
    const index = this.#indexOfRank(side, rank);
    if (index < 0) return undefined;
    if (side === "yes") return this.#yesPrices[index];
    const raw = this.#noPrices[index]!;
    return this.#useYesPrice ? ONE_DOLLAR - raw : raw;
  }

  /** Size (1/100 contract) of the `rank`-th best bid of `side` (0 = best), or undefined. */
  bidSize(side: Side, rank: number): Count | undefined {
    const index = this.#indexOfRank(side, rank);
    if (index < 0) return undefined;
    return (side === "yes" ? this.#yesSizes : this.#noSizes)[index];
  }

  /** The best `depth` bids of `side` (all when omitted), best first, in the leg's own prices. */
  bids(side: Side, depth: number = Infinity): BookLevel[] {
    const count = Math.min(depth, this.levelCount(side));
    const levels: BookLevel[] = [];
    for (let rank = 0; rank < count; rank++) {
      levels.push({ price: this.bidPrice(side, rank)!, size: this.bidSize(side, rank)! });
    }
    return levels;
  }

  /**
   * The best `depth` asks of `side` (all when omitted), best (lowest) first, in the leg's own
   * prices: the other side's bids at $1 − their price.
   */
  asks(side: Side, depth: number = Infinity): BookLevel[] {
    const other = side === "yes" ? "no" : "yes";
    const count = Math.min(depth, this.levelCount(other));
    const levels: BookLevel[] = [];
    for (let rank = 0; rank < count; rank++) {
      levels.push({
        price: ONE_DOLLAR - this.bidPrice(other, rank)!,
        size: this.bidSize(other, rank)!,
      });
    }
    return levels;
  }

  /**
   * The levels of `side` in Kalshi's snapshot format: ascending price, formatted strings, NO
   * prices in the book's pricing mode (what `no_dollars_fp` would carry).
   */
  ladder(side: Side): PriceLevel[] {
    const yes = side === "yes";
    const prices = yes ? this.#yesPrices : this.#noPrices;
    const sizes = yes ? this.#yesSizes : this.#noSizes;
    const out: PriceLevel[] = new Array(yes ? this.#yesLength : this.#noLength);
    for (let i = 0; i < out.length; i++) {
      out[i] = [formatPrice(prices[i]!), formatCount(sizes[i]!)];
    }
    return out;
  }

  /**
   * The book as an `orderbook_snapshot` `msg`, in its pricing mode; ladder keys are omitted when
   * empty, as Kalshi does. Applying it to a fresh book reproduces this one.
   */
  toSnapshot(): OrderbookSnapshotMsg {
    const msg: {
      market_ticker: string;
      market_id?: string;
      yes_dollars_fp?: PriceLevel[];
      no_dollars_fp?: PriceLevel[];
    } = { market_ticker: this.marketTicker };
    if (this.#marketId !== undefined) msg.market_id = this.#marketId;
    if (this.#yesLength > 0) msg.yes_dollars_fp = this.ladder("yes");
    if (this.#noLength > 0) msg.no_dollars_fp = this.ladder("no");
    return msg;
  }

  /** Array index of the `rank`-th best bid of `side`, or -1. */
  #indexOfRank(side: Side, rank: number): number {
    const length = side === "yes" ? this.#yesLength : this.#noLength;
    if (!(rank >= 0 && rank < length) || !Number.isInteger(rank)) return -1;
    // NO levels at YES prices: the best NO bid is the lowest (cheapest YES ask).
    return side === "no" && this.#useYesPrice ? rank : length - 1 - rank;
  }

  /** Loads one snapshot ladder; on failure records the problem and returns false. */
  #load(side: Side, levels: unknown): boolean {
    const yes = side === "yes";
    if (levels === undefined || levels === null) {
      this.#reset(yes, 0);
      return true;
    }
    if (!Array.isArray(levels)) {
      return this.#fail(
        BookProblem.Malformed,
        `Cannot load ${side} ladder: expected an array of levels, got ${typeof levels}`,
      );
    }
    this.#reset(yes, levels.length);
    for (let i = 0; i < levels.length; i++) {
      const level: unknown = levels[i];
      if (!Array.isArray(level) || level.length < 2) {
        return this.#fail(
          BookProblem.Malformed,
          `Cannot load ${side} level ${i}: expected [price_dollars, count_fp]`,
        );
      }
      let price: number;
      let size: number;
      try {
        price = parsePrice(level[0]);
        size = parseCount(level[1]);
      } catch (error) {
        if (!(error instanceof FixedPointError)) throw error;
        return this.#fail(
          BookProblem.Malformed,
          `Cannot load ${side} level ${i}: ${error.message}`,
        );
      }
      if (!(price > 0 && price < ONE_DOLLAR)) {
        return this.#fail(
          BookProblem.Malformed,
          `Cannot load ${side} level ${i}: price "${formatPrice(price)}" is outside ($0, $1)`,
        );
      }
      if (size < 0) {
        return this.#fail(
          BookProblem.NegativeSize,
          `Cannot load ${side} level ${i}: size "${formatCount(size)}" is negative`,
        );
      }
      if (size === 0) continue;
      const total = (yes ? this.#yesTotal : this.#noTotal) + size;
      if (total > Number.MAX_SAFE_INTEGER) {
        return this.#fail(
          BookProblem.Malformed,
          `Cannot load ${side} level ${i}: total size exceeds ${Number.MAX_SAFE_INTEGER} (not exact)`,
        );
      }
      const length = yes ? this.#yesLength : this.#noLength;
      const prices = yes ? this.#yesPrices : this.#noPrices;
      if (length === 0 || prices[length - 1]! < price) {
        this.#insertAt(yes, length, price, size); // ascending, as Kalshi sends: append
      } else {
        const index = find(prices, length, price);
        if (index >= 0) {
          return this.#fail(
            BookProblem.Malformed,
            `Cannot load ${side} level ${i}: price "${formatPrice(price)}" appears twice`,
          );
        }
        this.#insertAt(yes, -index - 1, price, size);
      }
      if (yes) this.#yesTotal = total;
      else this.#noTotal = total;
    }
    return true;
  }

  #isCrossed(): boolean {
    const yesLength = this.#yesLength;
    const noLength = this.#noLength;
    if (yesLength === 0 || noLength === 0) return false;
    const bestYes = this.#yesPrices[yesLength - 1]!;
    return this.#useYesPrice
      ? bestYes >= this.#noPrices[0]!
      : bestYes + this.#noPrices[noLength - 1]! >= ONE_DOLLAR;
  }

  #crossingDetail(cause: string): string {
    return `Book crossed after ${cause}: best YES bid "${formatPrice(this.bestYesBid!)}" ≥ ` +
      `best YES ask "${formatPrice(this.bestYesAsk!)}"`;
  }

  #negative(side: Side, price: number, delta: number, resting: number): boolean {
    return this.#reject(
      BookProblem.NegativeSize,
      `Cannot apply delta "${formatCount(delta)}" at ${side} "${formatPrice(price)}": ` +
        `only "${formatCount(resting)}" resting, the local book diverged`,
    );
  }

  #outOfRange(side: Side, price: number): false {
    return this.#reject(
      BookProblem.Malformed,
      `Cannot apply delta at ${side} price ${price}: price must be an integer in (0, ${ONE_DOLLAR})`,
    );
  }

  #tooLarge(side: Side, price: number, delta: number): boolean {
    return this.#reject(
      BookProblem.Malformed,
      `Cannot apply delta "${formatCount(delta)}" at ${side} "${formatPrice(price)}": ` +
        `total size would exceed ${Number.MAX_SAFE_INTEGER} (not exact)`,
    );
  }

  /** Records a problem (the first one wins until the next snapshot); returns false. */
  #fail(problem: BookProblem, detail: string): false {
    if (this.#problem === undefined) {
      this.#problem = problem;
      this.#problemDetail = detail;
    }
    return false;
  }

  /** Invalidates the book for a rejected delta and reports the validity change. */
  #reject(problem: BookProblem, detail: string): false {
    this.#fail(problem, detail);
    this.#lastChange = BookChange.Validity;
    this.#changes |= BookChange.Validity;
    return false;
  }

  #unchanged(): boolean {
    this.#lastChange = 0;
    return this.#problem === undefined;
  }
}
