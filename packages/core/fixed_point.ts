/**
 * Exact fixed-point money and contract counts, as scaled integers.
 *
 * Kalshi sends prices as `_dollars` strings (`"0.4200"`, up to 6 decimals for fees and costs)
 * and contract counts as signed `_fp` strings with 2 decimals (`"-54.00"`). Floats would drift,
 * so every value becomes a plain integer in a fixed unit:
 *
 * - {@linkcode Price}: 1/10 000 of a dollar (Kalshi's finest tick), e.g. `"0.4200"` → `4200`;
 * - {@linkcode Count}: 1/100 of a contract, e.g. `"136.00"` → `13600`;
 * - {@linkcode Micros}: 1/1 000 000 of a dollar, for 6-decimal money such as `fee_cost`.
 *
 * Parsing is a hand-written loop (this sits on the per-delta hot path) that rejects anything
 * not exactly representable, and formatting round-trips exactly.
 *
 * @example
 * ```ts
 * import { formatCount, parseCount, parsePrice } from "./fixed_point.ts";
 * parsePrice("0.4200"); // 4200
 * formatCount(parseCount("-54.00")); // "-54.00"
 * ```
 *
 * @module
 */

import { FixedPointError } from "./errors.ts";

/** A price in 1/10 000 dollar (`"0.4200"` ⇔ `4200`). */
export type Price = number;
/** A contract count in 1/100 contract (`"136.00"` ⇔ `13600`). */
export type Count = number;
/** An amount of money in 1/1 000 000 dollar (`"0.010000"` ⇔ `10000`). */
export type Micros = number;

/** Decimal places of a {@linkcode Price}. */
export const PRICE_DECIMALS = 4;
/** Decimal places of a {@linkcode Count}. */
export const COUNT_DECIMALS = 2;
/** Decimal places of {@linkcode Micros}. */
export const MICROS_DECIMALS = 6;
/** One dollar as a {@linkcode Price} (the payout of a contract). */
export const ONE_DOLLAR: Price = 10_000;

const POW10 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000] as const;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const ZERO = 48;
const NINE = 57;

/**
 * Parses a decimal string (or a JSON number, which some frames reportedly carry) into an
 * integer scaled by 10^`decimals`. Extra fraction digits are accepted only when they are zeros.
 */
function parseScaled(input: string | number, decimals: number, signed: boolean): number {
  const text = typeof input === "number" ? numberText(input) : input;
  if (typeof text !== "string") throw new FixedPointError("not a string", String(input));
  const length = text.length;
  let i = 0;
  let negative = false;
  const first = text.charCodeAt(0);
  if (first === MINUS) {
    if (!signed) throw new FixedPointError("negative value not allowed", text);
    negative = true;
    i = 1;
  } else if (first === PLUS) {
    i = 1;
  }
  let whole = 0;
  let wholeDigits = 0;
  for (; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === DOT) break;
    if (c < ZERO || c > NINE) throw new FixedPointError("not a decimal number", text);
    whole = whole * 10 + (c - ZERO);
    wholeDigits++;
  }
  let fraction = 0;
  let fractionDigits = 0;
  let sawDot = false;
  if (i < length) {
    sawDot = true;
    for (i++; i < length; i++) {
      const c = text.charCodeAt(i);
      if (c < ZERO || c > NINE) throw new FixedPointError("not a decimal number", text);
      if (fractionDigits < decimals) {
        fraction = fraction * 10 + (c - ZERO);
        fractionDigits++;
      } else if (c !== ZERO) {
        throw new FixedPointError(`more than ${decimals} decimal places`, text);
      } else {
        fractionDigits++;
      }
    }
  }
  if (wholeDigits === 0 && (!sawDot || fractionDigits === 0)) {
    throw new FixedPointError("no digits", text);
  }
  const kept = fractionDigits < decimals ? fractionDigits : decimals;
  const value = whole * POW10[decimals]! + fraction * POW10[decimals - kept]!;
  if (!Number.isSafeInteger(value)) throw new FixedPointError("too large to be exact", text);
  return negative && value !== 0 ? -value : value;
}

/** The decimal text of a JSON number, or undefined when it is not a plain finite decimal. */
function numberText(value: number): string | undefined {
  if (!Number.isFinite(value)) return undefined;
  const text = String(value);
  return text.includes("e") ? undefined : text;
}

/** Formats an integer scaled by 10^`decimals` as a decimal string with exactly that many places. */
function formatScaled(value: number, decimals: number): string {
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`Cannot format ${value}: not a safe integer`);
  }
  const negative = value < 0;
  const digits = String(negative ? -value : value).padStart(decimals + 1, "0");
  const cut = digits.length - decimals;
  return `${negative ? "-" : ""}${digits.slice(0, cut)}.${digits.slice(cut)}`;
}

/**
 * Parses a non-negative `_dollars` price (`"0.4200"`, `"0.42"`, `"0.420000"`) into a
 * {@linkcode Price}. Throws {@linkcode FixedPointError} for anything finer than $0.0001.
 */
export function parsePrice(text: string | number): Price {
  return parseScaled(text, PRICE_DECIMALS, false);
}

/**
 * The text of each price from $0 to $1, made on first use: a book's ladders repeat the same few
 * hundred prices, and printing 1 000 books formats ~100 000 levels (the CLI's final books).
 */
const PRICE_TEXT: (string | undefined)[] = new Array(ONE_DOLLAR + 1);

/** Formats a {@linkcode Price} the way Kalshi does: 4 decimals (`4200` → `"0.4200"`). */
export function formatPrice(price: Price): string {
  if (price >= 0 && price <= ONE_DOLLAR && (price | 0) === price) {
    return PRICE_TEXT[price] ??= formatScaled(price, PRICE_DECIMALS);
  }
  return formatScaled(price, PRICE_DECIMALS);
}

/**
 * Parses a signed `_fp` contract count (`"136.00"`, `"-54.00"`, `"0.5"`) into a
 * {@linkcode Count}. Throws {@linkcode FixedPointError} for anything finer than 0.01.
 */
export function parseCount(text: string | number): Count {
  return parseScaled(text, COUNT_DECIMALS, true);
}

/** Formats a {@linkcode Count} the way Kalshi does: 2 decimals (`-5400` → `"-54.00"`). */
export function formatCount(count: Count): string {
  // Below 2^31 contracts/100, whole and cents come from int32 arithmetic, without the digit
  // padding and slicing of the general formatter.
  const size = count < 0 ? -count : count;
  if (size <= 0x7fffffff && (size | 0) === size) {
    const whole = (size / 100) | 0;
    const cents = size - whole * 100;
    return `${count < 0 ? "-" : ""}${whole}${cents < 10 ? ".0" : "."}${cents}`;
  }
  return formatScaled(count, COUNT_DECIMALS);
}

/** Parses a signed dollar amount with up to 6 decimals (`"0.010000"`) into {@linkcode Micros}. */
export function parseDollars(text: string | number): Micros {
  return parseScaled(text, MICROS_DECIMALS, true);
}

/**
 * Formats {@linkcode Micros} with `decimals` places (6 by default; 4 for prices and costs shown
 * that way). Throws a `RangeError` when the amount is not exact at that precision.
 */
export function formatDollars(micros: Micros, decimals: 4 | 6 = 6): string {
  const step = POW10[MICROS_DECIMALS - decimals]!;
  if (micros % step !== 0) {
    throw new RangeError(`Cannot format ${micros} micro-dollars with ${decimals} decimals exactly`);
  }
  return formatScaled(micros / step, decimals);
}

/**
 * Formats an order book's `mid` (`OrderBook.mid`) exactly: 4 decimals for a whole tick (`4250`
 * → `"0.4250"`), 5 for a half tick (`4250.5` → `"0.42505"`). Throws a `RangeError` for anything
 * else.
 */
export function formatMid(mid: number): string {
  if (Number.isInteger(mid)) return formatPrice(mid);
  if (!Number.isInteger(mid * 2)) {
    throw new RangeError(`Cannot format mid ${mid}: not a whole or half tick`);
  }
  return `${formatPrice(Math.floor(mid))}5`;
}
