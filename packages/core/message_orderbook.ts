/**
 * The `orderbook_delta` channel's messages (`orderbook_snapshot`, `orderbook_delta`) and their
 * decode checks: a `seq` (gap detection needs it), a market, and levels as `[price, size]` decimal
 * strings (JSON numbers seen in the wild become strings). The hot `orderbook_delta` frame usually
 * skips this generic path: see `fast_decode.ts`, which builds the same object.
 *
 * @module
 */

import { checkData, invalid, type Obj, type PriceLevel, type Side } from "./message_common.ts";

/** Payload of `orderbook_snapshot`: the full book of one market. */
export interface OrderbookSnapshotMsg {
  /** The market. */
  readonly market_ticker: string;
  /** Its UUID; observed as `""` on an empty book. */
  readonly market_id?: string;
  /** YES bids, ascending price; key absent when there are none. */
  readonly yes_dollars_fp?: readonly PriceLevel[];
  /** NO bids, ascending price (YES-leg prices with `use_yes_price`); absent when none. */
  readonly no_dollars_fp?: readonly PriceLevel[];
}

/** `orderbook_snapshot`: replaces one market's book; consumes a seq. */
export interface OrderbookSnapshotMessage {
  /** Discriminant. */
  readonly type: "orderbook_snapshot";
  /** Subscription. */
  readonly sid: number;
  /** Sequence number (required: the book cannot be trusted without it). */
  readonly seq: number;
  /** Present when answering `get_snapshot`. */
  readonly id?: number;
  /** The book. */
  readonly msg: OrderbookSnapshotMsg;
}

/** Payload of `orderbook_delta`: a signed size change at one price level. */
export interface OrderbookDeltaMsg {
  /** The market. */
  readonly market_ticker: string;
  /** Its UUID. */
  readonly market_id?: string;
  /** Price level, fixed-point dollars (`"0.4200"`). */
  readonly price_dollars: string;
  /** Signed change in resting contracts (`"-54.00"`). */
  readonly delta_fp: string;
  /** Which bid ladder. */
  readonly side: Side;
  /** Present only when your order caused the change. */
  readonly client_order_id?: string;
  /** Present only when your order caused the change and you use sub-accounts. */
  readonly subaccount?: number;
  /** RFC 3339 time (deprecated). */
  readonly ts?: string;
  /** When the change was recorded, Unix ms. */
  readonly ts_ms?: number;
}

/** `orderbook_delta`: one level change; consumes a seq. */
export interface OrderbookDeltaMessage {
  /** Discriminant. */
  readonly type: "orderbook_delta";
  /** Subscription. */
  readonly sid: number;
  /** Sequence number (required: gaps invalidate the book). */
  readonly seq: number;
  /** The change. */
  readonly msg: OrderbookDeltaMsg;
}

/** Order-book frames also need a `seq` (gap detection) and a market. */
function checkBookFrame(frame: Obj, type: string, text: string): Obj {
  const msg = checkData(frame, type, text);
  if (frame.seq === undefined) throw invalid(type, "seq", "present", undefined, text);
  if (typeof msg.market_ticker !== "string" || msg.market_ticker === "") {
    throw invalid(type, "msg.market_ticker", "a non-empty string", msg.market_ticker, text);
  }
  return msg;
}

/** Checks an `orderbook_delta` frame; numeric price and delta become strings. */
export function checkDelta(frame: Obj, text: string): void {
  const type = "orderbook_delta";
  const msg = checkBookFrame(frame, type, text);
  const price = msg.price_dollars;
  if (typeof price !== "string") {
    if (typeof price !== "number" || !Number.isFinite(price)) {
      throw invalid(type, "msg.price_dollars", "a decimal string", price, text);
    }
    msg.price_dollars = String(price);
  }
  const delta = msg.delta_fp;
  if (typeof delta !== "string") {
    if (typeof delta !== "number" || !Number.isFinite(delta)) {
      throw invalid(type, "msg.delta_fp", "a decimal string", delta, text);
    }
    msg.delta_fp = String(delta);
  }
  if (msg.side !== "yes" && msg.side !== "no") {
    throw invalid(type, "msg.side", '"yes" or "no"', msg.side, text);
  }
}

/** Checks an `orderbook_snapshot` frame; numeric levels become strings, `null` ladders absent. */
export function checkSnapshot(frame: Obj, text: string): void {
  const msg = checkBookFrame(frame, "orderbook_snapshot", text);
  checkLevels(msg, "yes_dollars_fp", text);
  checkLevels(msg, "no_dollars_fp", text);
}

/** `[price, size]` pairs of decimal strings; JSON numbers become strings, `null` means absent. */
function checkLevels(msg: Obj, key: "yes_dollars_fp" | "no_dollars_fp", text: string): void {
  const levels = msg[key];
  if (levels === undefined) return;
  if (levels === null) {
    delete msg[key];
    return;
  }
  const field = `msg.${key}`;
  if (!Array.isArray(levels)) {
    throw invalid("orderbook_snapshot", field, "an array of levels", levels, text);
  }
  for (let i = 0; i < levels.length; i++) {
    const level: unknown = levels[i];
    if (!Array.isArray(level) || level.length !== 2) {
      throw invalid("orderbook_snapshot", `${field}[${i}]`, "a [price, size] pair", level, text);
    }
    for (let j = 0; j < 2; j++) {
      const value: unknown = level[j];
      if (typeof value === "string") continue;
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw invalid(
          "orderbook_snapshot",
          `${field}[${i}][${j}]`,
          "a decimal string",
          value,
          text,
        );
      }
      level[j] = String(value);
    }
  }
}
