/**
 * Public market data: the `ticker` channel (latest price, top of book, totals; not sequenced) and
 * the `trade` channel (public trades).
 *
 * @module
 */

import type { BookSide, Side } from "./message_common.ts";

/** Payload of `ticker`: a market's latest price, top of book and totals. */
export interface TickerMsg {
  /** Market UUID. */
  readonly market_id?: string;
  /** The market. */
  readonly market_ticker: string;
  /** Last traded price (`"0.0000"` if never traded). */
  readonly price_dollars?: string;
  /** Best YES bid. */
  readonly yes_bid_dollars?: string;
  /** Best YES ask. */
  readonly yes_ask_dollars?: string;
  /** Contracts at the best YES bid. */
  readonly yes_bid_size_fp?: string;
  /** Contracts at the best YES ask. */
  readonly yes_ask_size_fp?: string;
  /** Contracts in the last trade. */
  readonly last_trade_size_fp?: string;
  /** Total contracts traded. */
  readonly volume_fp?: string;
  /** Open interest in contracts. */
  readonly open_interest_fp?: string;
  /** Signed whole-dollar traded notional (observed missing). */
  readonly dollar_volume?: number;
  /** Signed whole-dollar open-interest notional (observed missing). */
  readonly dollar_open_interest?: number;
  /** Unix seconds (deprecated). */
  readonly ts?: number;
  /** Unix ms. */
  readonly ts_ms?: number;
  /** RFC 3339 (deprecated; observed missing). */
  readonly time?: string;
}

/** `ticker`: market summary update; not sequenced. */
export interface TickerMessage {
  /** Discriminant. */
  readonly type: "ticker";
  /** Subscription. */
  readonly sid: number;
  /** Not sent by Kalshi on this channel. */
  readonly seq?: number;
  /** The update. */
  readonly msg: TickerMsg;
}

/** Payload of `trade`: one public trade. */
export interface TradeMsg {
  /** Trade UUID. */
  readonly trade_id: string;
  /** The market. */
  readonly market_ticker: string;
  /** YES-leg price. */
  readonly yes_price_dollars: string;
  /** NO-leg price (= 1 − YES). */
  readonly no_price_dollars: string;
  /** Contracts traded. */
  readonly count_fp: string;
  /** Deprecated taker direction. */
  readonly taker_side?: Side;
  /** Canonical taker direction (buy-yes/sell-no ⇒ `yes`). */
  readonly taker_outcome_side?: Side;
  /** Same bit as `taker_outcome_side` (`bid` ≡ `yes`). */
  readonly taker_book_side?: BookSide;
  /** Matched off-book as a block trade. */
  readonly is_block_trade?: boolean;
  /** Unix seconds (deprecated). */
  readonly ts?: number;
  /** Unix ms. */
  readonly ts_ms?: number;
}

/** `trade`: a public trade (`seq` per the current spec; absent in older recordings). */
export interface TradeMessage {
  /** Discriminant. */
  readonly type: "trade";
  /** Subscription. */
  readonly sid: number;
  /** Sequence number. */
  readonly seq?: number;
  /** The trade. */
  readonly msg: TradeMsg;
}
