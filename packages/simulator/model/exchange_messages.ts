/**
 * The wire messages of the exchange's own channels — `orderbook_snapshot`/`orderbook_delta`,
 * `ticker`, `trade`, `market_lifecycle_v2`, `fill`, `user_order`, `market_position` — built
 * from the model's state as Kalshi formats them (fixed-point strings, deprecated `ts` twins). The
 * state changes live elsewhere; here is only what a subscriber sees of them, so a field added to
 * a Kalshi message is added in one place.
 *
 * @module
 */

import {
  type Count,
  formatCount,
  formatDollars,
  formatPrice,
  type Micros,
  ONE_DOLLAR,
  type Price,
} from "@kalshi-ws/core";
import { type ExchangeEvent, rfc3339, seconds } from "./events.ts";
import type { MarketState } from "./market_state.ts";
import type { PriceRange } from "./markets.ts";
import type { Side } from "./order_book.ts";
import type { Position } from "./positions.ts";
import type { OwnOrder } from "./trading.ts";

/** Dollars with 4 decimals when exact, else 6 (sub-cent prices times fractional counts). */
export function formatMoney(micros: Micros): string {
  return formatDollars(micros, micros % 100 === 0 ? 4 : 6);
}

/** The `orderbook_snapshot` `msg` of `market` (NO levels in YES prices with `useYesPrice`). */
export function snapshotMsg(market: MarketState, useYesPrice: boolean): Record<string, unknown> {
  const { yes, no } = market.book.scaled();
  const msg: Record<string, unknown> = {
    market_ticker: market.ticker,
    market_id: market.marketId,
  };
  if (yes.length > 0) msg.yes_dollars_fp = yes.map(([p, c]) => [formatPrice(p), formatCount(c)]);
  if (no.length > 0) {
    msg.no_dollars_fp = useYesPrice
      ? no.map(([p, c]) => [formatPrice(ONE_DOLLAR - p), formatCount(c)]).reverse()
      : no.map(([p, c]) => [formatPrice(p), formatCount(c)]);
  }
  return msg;
}

/** The `ticker` `msg` of `market` at `now`. */
export function tickerMsg(market: MarketState, now: number): Record<string, unknown> {
  const bestYes = market.book.best("yes");
  const bestNo = market.book.best("no");
  return {
    market_id: market.marketId,
    market_ticker: market.ticker,
    price_dollars: formatPrice(market.lastPrice),
    yes_bid_dollars: formatPrice(bestYes ?? 0),
    yes_ask_dollars: formatPrice(bestNo === undefined ? ONE_DOLLAR : ONE_DOLLAR - bestNo),
    volume_fp: formatCount(market.volume),
    open_interest_fp: formatCount(market.openInterest),
    dollar_volume: Math.floor(market.notional / 1e6),
    dollar_open_interest: Math.floor((market.openInterest * market.lastPrice) / 1e6),
    yes_bid_size_fp: formatCount(bestYes === undefined ? 0 : market.book.sizeAt("yes", bestYes)),
    yes_ask_size_fp: formatCount(bestNo === undefined ? 0 : market.book.sizeAt("no", bestNo)),
    last_trade_size_fp: formatCount(market.lastTradeSize),
    ts: seconds(now),
    ts_ms: now,
    time: rfc3339(now),
  };
}

/** What the `ticker` channel shows of a market, to tell whether a change must be reported. */
export function topOf(market: MarketState): string {
  const yes = market.book.best("yes");
  const no = market.book.best("no");
  return `${yes}:${yes === undefined ? 0 : market.book.sizeAt("yes", yes)}:${no}:${
    no === undefined ? 0 : market.book.sizeAt("no", no)
  }:${market.lastPrice}:${market.volume}`;
}

/** A `ticker` event with `market`'s current state. */
export function tickerEvent(market: MarketState, now: number): ExchangeEvent {
  return { channel: "ticker", type: "ticker", ticker: market.ticker, msg: tickerMsg(market, now) };
}

/** An `orderbook_delta` event; `owner` when a user's own order caused it. */
export function bookEvent(
  market: MarketState,
  side: Side,
  price: Price,
  delta: Count,
  now: number,
  owner?: OwnOrder,
): ExchangeEvent {
  return {
    channel: "orderbook_delta",
    type: "orderbook_delta",
    ticker: market.ticker,
    msg: {
      market_ticker: market.ticker,
      market_id: market.marketId,
      price_dollars: formatPrice(price),
      delta_fp: formatCount(delta),
      side,
      ts: rfc3339(now),
      ts_ms: now,
    },
    book: { side, price, delta },
    ...(owner === undefined
      ? {}
      : { owner: { userId: owner.userId, clientOrderId: owner.clientOrderId } }),
  };
}

/** A public `trade` event: `count` at YES price `yesPrice`, the taker on `takerSide`. */
export function tradeEvent(
  market: MarketState,
  tradeId: string,
  yesPrice: Price,
  count: Count,
  takerSide: Side,
  now: number,
): ExchangeEvent {
  return {
    channel: "trade",
    type: "trade",
    ticker: market.ticker,
    msg: {
      trade_id: tradeId,
      market_ticker: market.ticker,
      yes_price_dollars: formatPrice(yesPrice),
      no_price_dollars: formatPrice(ONE_DOLLAR - yesPrice),
      count_fp: formatCount(count),
      taker_side: takerSide,
      taker_outcome_side: takerSide,
      taker_book_side: takerSide === "yes" ? "bid" : "ask",
      is_block_trade: false,
      ts: seconds(now),
      ts_ms: now,
    },
  };
}

/** What {@linkcode fillEvent} reports of one fill. */
export interface FillFacts {
  /** The fill's trade id. */
  readonly tradeId: string;
  /** Contracts filled. */
  readonly quantity: Count;
  /** Price of the order's own leg. */
  readonly legPrice: Price;
  /** True when the order took liquidity. */
  readonly isTaker: boolean;
  /** Fee charged (micro-dollars). */
  readonly fee: Micros;
  /** The owner's position after the fill. */
  readonly postPosition: Count;
}

/** A private `fill` event for `order`'s owner. */
export function fillEvent(
  market: MarketState,
  order: OwnOrder,
  fill: FillFacts,
  now: number,
): ExchangeEvent {
  return {
    channel: "fill",
    type: "fill",
    ticker: market.ticker,
    userId: order.userId,
    msg: {
      trade_id: fill.tradeId,
      order_id: order.orderId,
      client_order_id: order.clientOrderId,
      market_ticker: market.ticker,
      exchange_index: 0,
      is_taker: fill.isTaker,
      side: order.side,
      yes_price_dollars: formatPrice(
        order.side === "yes" ? fill.legPrice : ONE_DOLLAR - fill.legPrice,
      ),
      count_fp: formatCount(fill.quantity),
      fee_cost: formatDollars(fill.fee),
      action: "buy",
      ts: seconds(now),
      ts_ms: now,
      post_position_fp: formatCount(fill.postPosition),
      purchased_side: order.side,
      outcome_side: order.side,
      book_side: order.side === "yes" ? "bid" : "ask",
    },
  };
}

/** A private `user_order` event with `order`'s state at `now`. */
export function userOrderEvent(order: OwnOrder, now: number): ExchangeEvent {
  return {
    channel: "user_orders",
    type: "user_order",
    ticker: order.ticker,
    userId: order.userId,
    msg: {
      order_id: order.orderId,
      user_id: order.userId,
      ticker: order.ticker,
      exchange_index: 0,
      status: order.status,
      side: order.side,
      is_yes: order.side === "yes",
      outcome_side: order.side,
      book_side: order.side === "yes" ? "bid" : "ask",
      yes_price_dollars: formatPrice(order.side === "yes" ? order.price : ONE_DOLLAR - order.price),
      fill_count_fp: formatCount(order.filled),
      remaining_count_fp: formatCount(order.remaining),
      initial_count_fp: formatCount(order.initialCount),
      taker_fill_cost_dollars: formatDollars(order.takerFillCost),
      maker_fill_cost_dollars: formatDollars(order.makerFillCost),
      taker_fees_dollars: formatDollars(order.takerFees),
      maker_fees_dollars: formatDollars(order.makerFees),
      client_order_id: order.clientOrderId,
      created_time: rfc3339(order.createdMs),
      created_ts_ms: order.createdMs,
      last_update_time: rfc3339(now),
      last_updated_ts_ms: now,
      ...(order.lastUpdateReason === undefined
        ? {}
        : { last_update_reason: order.lastUpdateReason }),
      subaccount_number: 0,
    },
  };
}

/** A private `market_position` event with `userId`'s `position` in `market`. */
export function positionEvent(
  userId: string,
  market: MarketState,
  position: Readonly<Position>,
): ExchangeEvent {
  return {
    channel: "market_positions",
    type: "market_position",
    ticker: market.ticker,
    userId,
    msg: {
      user_id: userId,
      market_ticker: market.ticker,
      position_fp: formatCount(position.position),
      position_cost_dollars: formatMoney(position.cost),
      realized_pnl_dollars: formatMoney(position.realized),
      fees_paid_dollars: formatMoney(position.fees),
      position_fee_cost_dollars: formatMoney(0),
      volume_fp: formatCount(position.volume),
    },
  };
}

/** A `market_lifecycle_v2` event of type `eventType` with `fields`. */
export function lifecycleEvent(
  market: MarketState,
  eventType: string,
  fields: Record<string, unknown>,
): ExchangeEvent {
  return {
    channel: "market_lifecycle_v2",
    type: "market_lifecycle_v2",
    ticker: market.ticker,
    msg: { market_ticker: market.ticker, event_type: eventType, ...fields },
  };
}

/** A price grid as `market_lifecycle_v2` `created` carries it. */
export function wireRanges(
  ranges: readonly PriceRange[],
): { start: string; end: string; step: string }[] {
  return ranges.map((r) => ({
    start: formatPrice(r.start),
    end: formatPrice(r.end),
    step: formatPrice(r.step),
  }));
}
