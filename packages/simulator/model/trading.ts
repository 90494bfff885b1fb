/**
 * Trading on the true books: users' own orders (placed, matched, rested, canceled) and every
 * trade, whether an own order takes liquidity or the generator trades against a level. A trade
 * fills resting own orders at the level first (oldest first, never the taker's own), then the
 * anonymous liquidity, and emits the deltas, fills, order updates, position updates and the
 * public trade in the order a subscriber must see them.
 *
 * Fees are Kalshi's taker fee; positions and their P&L are kept by {@linkcode Positions}.
 *
 * @module
 */

import { type Count, type Micros, ONE_DOLLAR, type Price } from "@kalshi-ws/core";
import type { ExchangeEvent } from "./events.ts";
import {
  bookEvent,
  fillEvent,
  positionEvent,
  tickerEvent,
  topOf,
  tradeEvent,
  userOrderEvent,
} from "./exchange_messages.ts";
import type { Markets, MarketState } from "./market_state.ts";
import { isOnGrid } from "./markets.ts";
import type { Side } from "./order_book.ts";
import type { Positions } from "./positions.ts";
import type { Rng } from "./rng.ts";

/** A simulated order of a user account. */
export interface OwnOrder {
  /** Order UUID. */
  readonly orderId: string;
  /** Owner. */
  readonly userId: string;
  /** Client order id (shown on fills, user orders and the deltas it causes). */
  readonly clientOrderId: string;
  /** Market ticker. */
  readonly ticker: string;
  /** Which outcome the order buys: `yes` rests on the YES ladder, `no` on the NO ladder. */
  readonly side: Side;
  /** Limit price in that side's leg (1/10 000 $). */
  readonly price: Price;
  /** Initial size. */
  readonly initialCount: Count;
  /** Unfilled size. */
  remaining: Count;
  /** Filled size. */
  filled: Count;
  /** Lifecycle state. */
  status: "resting" | "canceled" | "executed";
  /** Costs and fees in micro-dollars. */
  takerFillCost: Micros;
  /** Maker fill cost in micro-dollars. */
  makerFillCost: Micros;
  /** Taker fees in micro-dollars. */
  takerFees: Micros;
  /** Maker fees in micro-dollars. */
  makerFees: Micros;
  /** Creation time (Unix ms). */
  readonly createdMs: number;
  /** Last update time (Unix ms). */
  updatedMs: number;
  /** Why it last changed. */
  lastUpdateReason?: "Trade" | "CloseCancel" | "SelfTradeCancel";
}

/** What a caller gives to place a simulated own order. */
export interface OrderRequest {
  /** Market ticker. */
  readonly ticker: string;
  /** Outcome to buy (`yes` bids on the YES ladder, `no` on the NO ladder). */
  readonly side: Side;
  /** Limit price in that side's leg (1/10 000 $); must be on the market's grid. */
  readonly price: Price;
  /** Size (1/100 contract), > 0. */
  readonly count: Count;
  /** Client order id; generated when omitted. */
  readonly clientOrderId?: string;
}

/** How many executed/canceled orders stay in memory (so long runs stay flat). */
const FINISHED_KEPT = 1_000;

/** Kalshi's taker fee: ceil to the cent of 0.07 × C × P × (1 − P), in micro-dollars. */
export function takerFee(count: Count, price: Price): Micros {
  const cents = Math.ceil((7 * count * price * (ONE_DOLLAR - price)) / 1e10);
  return cents * 10_000;
}

/** Own orders and trades on the exchange's markets (see the module doc). */
export class Trading {
  readonly #rng: Rng;
  readonly #markets: Markets;
  readonly #positions: Positions;
  readonly #accounts: string[] = [];
  readonly #orders = new Map<string, OwnOrder>();
  /** The resting subset of `#orders`, the only ones matching and cancels need to scan. */
  readonly #resting = new Map<string, OwnOrder>();
  /** Finished orders, oldest first; only the last {@linkcode FINISHED_KEPT} stay queryable. */
  readonly #finished: string[] = [];
  #clientOrderSeq = 0;

  /** Trading on `markets`; fills move `positions`; ids come from `rng`. */
  constructor(rng: Rng, markets: Markets, positions: Positions) {
    this.#rng = rng;
    this.#markets = markets;
    this.#positions = positions;
  }

  /** Users that may hold own orders, in registration order. */
  get accounts(): readonly string[] {
    return this.#accounts;
  }

  /** Registers a user account that may hold own orders. */
  addAccount(userId: string): void {
    if (!this.#accounts.includes(userId)) this.#accounts.push(userId);
  }

  /** Every order (any state) of `userId` still kept, oldest first. */
  orders(userId: string): readonly OwnOrder[] {
    return [...this.#orders.values()].filter((order) => order.userId === userId);
  }

  /** `userId`'s resting orders, oldest first. */
  resting(userId: string): OwnOrder[] {
    return [...this.#resting.values()].filter((o) => o.userId === userId);
  }

  /**
   * Places an own order for `userId` at `now` (registering the account): it first takes
   * crossing liquidity (as taker, never against the same user's orders), then rests the
   * remainder. Throws a `RangeError` for an unknown or closed market, an off-grid price or a
   * non-positive count.
   */
  place(
    userId: string,
    request: OrderRequest,
    now: number,
  ): { order: OwnOrder; events: ExchangeEvent[] } {
    const market = this.#markets.require(request.ticker);
    if (market.status !== "active") {
      throw new RangeError(
        `Cannot place order on ${JSON.stringify(market.ticker)}: market is ${market.status}`,
      );
    }
    if (!isOnGrid(market.priceRanges, request.price)) {
      throw new RangeError(
        `Cannot place order at price ${request.price}: not on the market's price grid`,
      );
    }
    if (!Number.isSafeInteger(request.count) || request.count <= 0) {
      throw new RangeError(
        `Cannot place order for count ${request.count}: must be a positive integer`,
      );
    }
    this.addAccount(userId);
    const top = topOf(market);
    const order: OwnOrder = {
      orderId: this.#rng.uuid(),
      userId,
      clientOrderId: request.clientOrderId ?? `sim-${++this.#clientOrderSeq}`,
      ticker: market.ticker,
      side: request.side,
      price: request.price,
      initialCount: request.count,
      remaining: request.count,
      filled: 0,
      status: "resting",
      takerFillCost: 0,
      makerFillCost: 0,
      takerFees: 0,
      makerFees: 0,
      createdMs: now,
      updatedMs: now,
    };
    this.#orders.set(order.orderId, order);
    const events: ExchangeEvent[] = [];
    const opposite: Side = order.side === "yes" ? "no" : "yes";
    while (order.remaining > 0) {
      const best = market.book.best(opposite);
      if (best === undefined || best + order.price < ONE_DOLLAR) break;
      const available = market.book.sizeAt(opposite, best) -
        this.ownAt(market, opposite, best, userId);
      if (available <= 0) break; // self-trade prevention: stop at the user's own level
      this.execute(
        market,
        opposite,
        best,
        Math.min(order.remaining, available),
        now,
        events,
        order,
      );
    }
    const crossing = market.book.best(opposite);
    if (order.remaining > 0 && crossing !== undefined && crossing + order.price >= ONE_DOLLAR) {
      // The rest would cross the user's own resting order: cancel it ("taker_at_cross").
      order.remaining = 0;
      order.status = "canceled";
      order.lastUpdateReason = "SelfTradeCancel";
    } else if (order.remaining > 0) {
      this.#resting.set(order.orderId, order);
      market.book.apply(order.side, order.price, order.remaining);
      events.push(bookEvent(market, order.side, order.price, order.remaining, now, order));
    } else {
      order.status = "executed";
    }
    events.push(userOrderEvent(order, now));
    if (topOf(market) !== top) events.push(tickerEvent(market, now));
    if (order.status !== "resting") this.#retire(order);
    return { order, events };
  }

  /** Cancels `userId`'s resting order `orderId` at `now` (no events when not resting). */
  cancel(userId: string, orderId: string, now: number): ExchangeEvent[] {
    const order = this.#orders.get(orderId);
    if (order === undefined || order.userId !== userId || order.status !== "resting") return [];
    const events: ExchangeEvent[] = [];
    this.cancelResting(order, now, undefined, events);
    return events;
  }

  /** Cancels every resting own order on `ticker` because the market closes. */
  cancelAllOn(ticker: string, now: number, events: ExchangeEvent[]): void {
    for (const order of this.#resting.values()) {
      if (order.ticker === ticker) this.cancelResting(order, now, "CloseCancel", events);
    }
  }

  /** Cancels a resting `order` at `now`: its size leaves the book; `reason` is shown when given. */
  cancelResting(
    order: OwnOrder,
    now: number,
    reason: OwnOrder["lastUpdateReason"],
    events: ExchangeEvent[],
  ): void {
    const market = this.#markets.require(order.ticker);
    const top = topOf(market);
    const size = order.remaining;
    order.status = "canceled";
    order.remaining = 0;
    order.updatedMs = now;
    if (reason !== undefined) order.lastUpdateReason = reason;
    this.#resting.delete(order.orderId);
    this.#retire(order);
    if (size > 0) {
      market.book.apply(order.side, order.price, -size);
      events.push(bookEvent(market, order.side, order.price, -size, now, order));
    }
    events.push(userOrderEvent(order, now));
    if (market.status === "active" && topOf(market) !== top) events.push(tickerEvent(market, now));
  }

  /** Size of resting own orders at a level (of `userId` only, or of everyone). */
  ownAt(market: MarketState, side: Side, price: Price, userId?: string): Count {
    let total = 0;
    for (const order of this.#resting.values()) {
      if (
        order.status === "resting" && order.ticker === market.ticker && order.side === side &&
        order.price === price && (userId === undefined || order.userId === userId)
      ) total += order.remaining;
    }
    return total;
  }

  /**
   * Executes `count` against the `makerSide` level at `price`: resting own orders first (oldest
   * first, skipping the taker's own), then other liquidity. Emits deltas, fills, order and
   * position updates, and one public trade.
   */
  execute(
    market: MarketState,
    makerSide: Side,
    price: Price,
    count: Count,
    now: number,
    events: ExchangeEvent[],
    taker?: OwnOrder,
  ): void {
    const yesPrice = makerSide === "yes" ? price : ONE_DOLLAR - price;
    let left = count;
    for (const order of this.#resting.values()) {
      if (left === 0) break;
      if (
        order.status !== "resting" || order.ticker !== market.ticker || order.side !== makerSide ||
        order.price !== price || (taker !== undefined && order.userId === taker.userId)
      ) continue;
      const quantity = Math.min(left, order.remaining);
      left -= quantity;
      market.book.apply(makerSide, price, -quantity);
      events.push(bookEvent(market, makerSide, price, -quantity, now, order));
      this.#fill(market, order, quantity, price, false, now, events);
    }
    if (left > 0) {
      market.book.apply(makerSide, price, -left);
      events.push(bookEvent(market, makerSide, price, -left, now, taker));
    }
    const takerSide: Side = makerSide === "yes" ? "no" : "yes";
    market.lastPrice = yesPrice;
    market.lastTradeSize = count;
    market.volume += count;
    market.notional += yesPrice * count;
    if (this.#rng.chance(0.6)) market.openInterest += count;
    else market.openInterest = Math.max(0, market.openInterest - count);
    events.push(tradeEvent(market, this.#rng.uuid(), yesPrice, count, takerSide, now));
    if (taker !== undefined) {
      this.#fill(market, taker, count, ONE_DOLLAR - price, true, now, events, false);
    }
  }

  /**
   * Books a fill of `quantity` on `order` at `legPrice` (the price of the order's own leg):
   * fill event, order update, position update.
   */
  #fill(
    market: MarketState,
    order: OwnOrder,
    quantity: Count,
    legPrice: Price,
    isTaker: boolean,
    now: number,
    events: ExchangeEvent[],
    emitOrder = true,
  ): void {
    const cost = legPrice * quantity;
    const fee = isTaker ? takerFee(quantity, legPrice) : 0;
    order.remaining -= quantity;
    order.filled += quantity;
    order.updatedMs = now;
    order.lastUpdateReason = "Trade";
    if (isTaker) {
      order.takerFillCost += cost;
      order.takerFees += fee;
    } else {
      order.makerFillCost += cost;
      order.makerFees += fee;
    }
    if (order.remaining === 0) {
      order.status = "executed";
      this.#resting.delete(order.orderId);
      if (emitOrder) this.#retire(order);
    }
    const position = this.#positions.fill(
      order.userId,
      market.ticker,
      order.side,
      legPrice,
      quantity,
      fee,
    );
    const tradeId = this.#rng.uuid();
    events.push(fillEvent(market, order, {
      tradeId,
      quantity,
      legPrice,
      isTaker,
      fee,
      postPosition: position.position,
    }, now));
    if (emitOrder) events.push(userOrderEvent(order, now));
    events.push(positionEvent(order.userId, market, position));
  }

  /** Forgets the oldest finished orders beyond {@linkcode FINISHED_KEPT}. */
  #retire(order: OwnOrder): void {
    this.#finished.push(order.orderId);
    while (this.#finished.length > FINISHED_KEPT) this.#orders.delete(this.#finished.shift()!);
  }
}
