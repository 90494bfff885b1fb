/**
 * What every server-message family shares: the field types (`Side`, `BookSide`, `PriceLevel`)
 * and the checks the decoder runs on any frame (an object `msg`, non-negative integer envelope
 * fields), so each family module checks only what is its own.
 *
 * @module
 */

import { DecodeError } from "./errors.ts";

/** `"yes"` or `"no"`: a market side (which bid ladder, which outcome). */
export type Side = "yes" | "no";

/** `"bid"` (≡ yes) or `"ask"` (≡ no): the same direction bit in book vocabulary. */
export type BookSide = "bid" | "ask";

/**
 * One order-book level as sent: `[price_dollars, count_fp]`, both fixed-point decimal strings
 * (`["0.4200", "10.00"]`). JSON numbers seen in the wild are converted to strings by the decoder.
 */
export type PriceLevel = readonly [price: string, count: string];

/** A parsed JSON object, as the decoder checks it. */
export type Obj = Record<string, unknown>;

/** A JSON object (not `null`, not an array). */
export function isObject(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Names a JSON value for an error reason: `null`, `an array`, `"text"`, `3.5`, `an object`. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (value === undefined) return "missing";
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** A non-negative safe integer (`id`, `sid`, `seq`). */
export function isIndex(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** Kalshi numbers sids from 1, and a command can only name a positive sid. */
export const NO_SID_ZERO = "sid 0 does not exist (Kalshi numbers sids from 1)";

/** The decode error for a field that is not what `type` needs. */
export function invalid(
  type: string,
  field: string,
  expected: string,
  actual: unknown,
  text: string,
): DecodeError {
  return new DecodeError(`"${type}" ${field} must be ${expected}, got ${describe(actual)}`, text);
}

/** Every data message: a `sid` to route by and an object `msg`. */
export function checkData(frame: Obj, type: string, text: string): Obj {
  if (frame.sid === undefined) throw invalid(type, "sid", "present", undefined, text);
  const msg = frame.msg;
  if (!isObject(msg)) throw invalid(type, "msg", "an object", msg, text);
  return msg;
}
