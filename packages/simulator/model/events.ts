/**
 * Market events: what the exchange model emits and every connection turns into frames.
 *
 * An event carries the wire `msg` object, built once and shared by every subscriber; the
 * connection adds the envelope (`type`, `sid`, `seq`) and per-subscriber variants.
 *
 * @module
 */

import type { Channel, Count, Price } from "@kalshi-ws/core";
import type { Side } from "./order_book.ts";

/** Channels the exchange model produces data for: every channel of the API. */
export type EventChannel = Channel;

/** One thing that happened on the exchange, ready to be framed for subscribers. */
export interface ExchangeEvent {
  /** The channel whose subscribers receive it. */
  readonly channel: EventChannel;
  /** The wire `type` of the data frame (`orderbook_delta`, `user_order`, `event_lifecycle`, …). */
  readonly type: string;
  /** The market it concerns (`""` for event-level lifecycle messages, which every sub gets). */
  readonly ticker: string;
  /** The wire `msg` object (public variant). */
  readonly msg: Readonly<Record<string, unknown>>;
  /** Private events (`fill`, `user_order`, `market_position`) go only to this user. */
  readonly userId?: string;
  /** Events for a few users only (quotes go to their creator and the RFQ's creator). */
  readonly audience?: readonly string[];
  /** An account's RFQ: its creator (with `user_filter: "self"`, only the creator gets it). */
  readonly creator?: string;
  /** The index id or underlying a value is for: subscribers get only the ids they asked for. */
  readonly feed?: string;
  /** For book changes caused by a user's own order: who, and the `client_order_id` to show. */
  readonly owner?: { readonly userId: string; readonly clientOrderId: string };
  /** For book changes: the raw change, for `use_yes_price` re-pricing of NO levels. */
  readonly book?: { readonly side: Side; readonly price: Price; readonly delta: Count };
}

/** Unix seconds for `now` (ms). */
export function seconds(now: number): number {
  return Math.floor(now / 1000);
}

/** RFC 3339 text for `now` (ms), as Kalshi's deprecated `ts`/`time` strings. */
export function rfc3339(now: number): string {
  return new Date(now).toISOString();
}
