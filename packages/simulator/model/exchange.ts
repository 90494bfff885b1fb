/**
 * The simulated exchange: markets with true books, a seeded activity generator, and simulated
 * own orders (fills, order updates, positions) for user accounts.
 *
 * Pure and deterministic: no clock reads, no timers; `now` (Unix ms) is always an argument and
 * every random choice comes from the seeded {@linkcode Rng}. Each call returns the
 * {@linkcode ExchangeEvent}s it caused, in the order subscribers must see them.
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
import {
  DEFAULT_MARKETS,
  defaultEventTicker,
  isOnGrid,
  type MarketSpec,
  PRICE_STRUCTURES,
  type PriceLevelStructure,
  type PriceRange,
  snapDown,
  tickAt,
} from "./markets.ts";
import { type Side, TrueBook } from "./order_book.ts";
import { Rng } from "./rng.ts";

/** Trading state of a market. */
export type MarketStatus = "active" | "deactivated" | "determined" | "settled";

/** A market as the exchange holds it: identity, grid, true book and running statistics. */
export interface MarketState {
  /** Ticker (may contain `.`). */
  readonly ticker: string;
  /** UUID. */
  readonly marketId: string;
  /** Event ticker. */
  readonly eventTicker: string;
  /** Title used in lifecycle metadata. */
  readonly title: string;
  /** Price grid name. */
  readonly priceLevelStructure: PriceLevelStructure;
  /** Price grid bands. */
  readonly priceRanges: readonly PriceRange[];
  /** The true book. */
  readonly book: TrueBook;
  /** Trading state. */
  status: MarketStatus;
  /** Where the generator centres the YES book (moves slowly). */
  fair: Price;
  /** Last traded YES price (0 before any trade). */
  lastPrice: Price;
  /** Size of the last trade. */
  lastTradeSize: Count;
  /** Total contracts traded. */
  volume: Count;
  /** Open interest. */
  openInterest: Count;
  /** Cumulative traded notional in micro-dollars. */
  notional: Micros;
  /** Open time (Unix s). */
  openTs: number;
  /** Scheduled close time (Unix s). */
  closeTs: number;
}

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

/** A user's position in one market (scaled integers). */
export interface Position {
  /** Signed net position: + YES, − NO (1/100 contract). */
  position: Count;
  /** Cost basis of the open position (micro-dollars). */
  cost: Micros;
  /** Realized profit and loss (micro-dollars). */
  realized: Micros;
  /** Fees paid (micro-dollars). */
  fees: Micros;
  /** Contracts traded. */
  volume: Count;
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

/** Options of {@linkcode Exchange}. */
export interface ExchangeOptions {
  /** PRNG seed; the same seed (and the same calls) give the same history. Default 1. */
  readonly seed?: number;
  /** Markets to create; default {@linkcode DEFAULT_MARKETS}. */
  readonly markets?: readonly MarketSpec[];
  /** Unix ms used for open/close times of the initial markets. Default 2026-11-25T00:00Z. */
  readonly startTime?: number;
  /** Initial resting levels per side per market (default 8). */
  readonly initialDepth?: number;
  /** Probability that a generator step is an own-order action, when accounts exist. Default 0.05. */
  readonly ownOrderRate?: number;
  /** Probability that a generator step is a lifecycle event (pause/resume). Default 0.002. */
  readonly lifecycleRate?: number;
}

const DEFAULT_START = Date.UTC(2026, 10, 25);
/** How many executed/canceled orders stay in memory (so long runs stay flat). */
const FINISHED_KEPT = 1_000;
/** The generator keeps at most this many resting orders per account. */
const MAX_RESTING = 20;
const DAY_S = 86_400;

/** The whole simulated exchange (see the module doc). */
export class Exchange {
  readonly #rng: Rng;
  readonly #markets: MarketState[] = [];
  readonly #byTicker = new Map<string, MarketState>();
  readonly #orders = new Map<string, OwnOrder>();
  /** The resting subset of `#orders`, the only ones matching and cancels need to scan. */
  readonly #resting = new Map<string, OwnOrder>();
  readonly #positions = new Map<string, Map<string, Position>>();
  readonly #accounts: string[] = [];
  /** Finished orders, oldest first; only the last {@linkcode FINISHED_KEPT} stay queryable. */
  readonly #finished: string[] = [];
  readonly #ownOrderRate: number;
  readonly #lifecycleRate: number;
  #clientOrderSeq = 0;

  /** Creates the exchange and seeds each market's book with resting liquidity. */
  constructor(options: ExchangeOptions = {}) {
    this.#rng = new Rng(options.seed ?? 1);
    this.#ownOrderRate = options.ownOrderRate ?? 0.05;
    this.#lifecycleRate = options.lifecycleRate ?? 0.002;
    const start = options.startTime ?? DEFAULT_START;
    for (const spec of options.markets ?? DEFAULT_MARKETS) {
      const market = this.#addMarket(spec, start);
      const depth = options.initialDepth ?? 8;
      for (let i = 0; i < depth * 2; i++) {
        this.#addLiquidity(market, i % 2 === 0 ? "yes" : "no", start, []);
      }
    }
  }

  /** Every market, in creation order. */
  markets(): readonly MarketState[] {
    return this.#markets;
  }

  /** The market with `ticker`, if any. */
  market(ticker: string): MarketState | undefined {
    return this.#byTicker.get(ticker);
  }

  /** Registers a user account that may hold own orders (the generator trades for it too). */
  addAccount(userId: string): void {
    if (!this.#accounts.includes(userId)) this.#accounts.push(userId);
  }

  /** Every order (any state) of `userId`, oldest first. */
  orders(userId: string): readonly OwnOrder[] {
    return [...this.#orders.values()].filter((order) => order.userId === userId);
  }

  /** `userId`'s position in `ticker` (zeros when it never traded there). */
  position(userId: string, ticker: string): Readonly<Position> {
    return this.#positions.get(userId)?.get(ticker) ??
      { position: 0, cost: 0, realized: 0, fees: 0, volume: 0 };
  }

  /** The `orderbook_snapshot` `msg` for `ticker` (NO levels in YES prices with `useYesPrice`). */
  snapshotMsg(ticker: string, useYesPrice: boolean): Record<string, unknown> {
    const market = this.#byTicker.get(ticker);
    if (market === undefined) {
      throw new RangeError(`Cannot snapshot ${JSON.stringify(ticker)}: unknown market`);
    }
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

  /** The current `ticker` `msg` for `ticker` at `now`. */
  tickerMsg(ticker: string, now: number): Record<string, unknown> {
    const market = this.#byTicker.get(ticker);
    if (market === undefined) {
      throw new RangeError(`Cannot build ticker for ${JSON.stringify(ticker)}: unknown market`);
    }
    return tickerMsg(market, now);
  }

  /**
   * Advances the activity generator by one step at `now`: adds or cancels liquidity, trades,
   * pauses/resumes a market or moves its close time, or acts for an account. Returns the events
   * it caused.
   */
  step(now: number): ExchangeEvent[] {
    const events: ExchangeEvent[] = [];
    const rng = this.#rng;
    const roll = rng.float();
    if (this.#accounts.length > 0 && roll < this.#ownOrderRate) {
      this.#ownActivity(now, events);
      if (events.length > 0) return events;
    } else if (roll > 1 - this.#lifecycleRate) {
      const open = this.#markets.filter((m) => m.status === "active" || m.status === "deactivated");
      if (open.length > 0) {
        const market = rng.pick(open);
        if (market.status === "active" && rng.chance(0.25)) {
          return this.updateCloseTime(market.ticker, market.closeTs + rng.int(1, 48) * 3_600);
        }
        this.setTrading(market.ticker, market.status !== "active", events);
        return events;
      }
    }
    const active = this.#markets.filter((m) => m.status === "active");
    if (active.length === 0) return events;
    const market = rng.pick(active);
    const action = rng.float();
    if (action < 0.3) this.#cancelLiquidity(market, now, events);
    else if (action < 0.5) this.#randomTrade(market, now, events);
    if (events.length === 0) {
      if (rng.chance(0.1)) this.#drift(market);
      for (let tries = 0; tries < 4 && events.length === 0; tries++) {
        this.#addLiquidity(market, rng.chance(0.5) ? "yes" : "no", now, events);
      }
    }
    return events;
  }

  /**
   * Creates a market at `now` and returns its `event_lifecycle` (for a new event) and
   * `market_lifecycle_v2` `created` events. Throws a `RangeError` for a duplicate ticker.
   */
  createMarket(spec: MarketSpec, now: number): ExchangeEvent[] {
    if (this.#byTicker.has(spec.ticker)) {
      throw new RangeError(
        `Cannot create market ${JSON.stringify(spec.ticker)}: it already exists`,
      );
    }
    const events: ExchangeEvent[] = [];
    const eventTicker = spec.eventTicker ?? defaultEventTicker(spec.ticker);
    if (!this.#markets.some((m) => m.eventTicker === eventTicker)) {
      events.push({
        channel: "market_lifecycle_v2",
        type: "event_lifecycle",
        ticker: "",
        msg: {
          event_ticker: eventTicker,
          exchange_index: 0,
          title: spec.title ?? eventTicker,
          subtitle: "",
          collateral_return_type: "",
          series_ticker: eventTicker.split("-")[0]!,
        },
      });
    }
    const market = this.#addMarket(spec, now);
    events.push(lifecycle(market, "created", {
      exchange_index: 0,
      open_ts: market.openTs,
      close_ts: market.closeTs,
      additional_metadata: {
        name: market.title,
        title: market.title,
        yes_sub_title: "Yes",
        no_sub_title: "No",
        rules_primary: `Simulated market ${market.ticker}.`,
        rules_secondary: "",
        can_close_early: true,
        event_ticker: market.eventTicker,
        expected_expiration_ts: market.closeTs,
      },
      price_level_structure: market.priceLevelStructure,
      price_ranges: wireRanges(market.priceRanges),
    }));
    return events;
  }

  /** Pauses (`active = false`) or resumes trading on `ticker`; emits `deactivated`/`activated`. */
  setTrading(ticker: string, active: boolean, events: ExchangeEvent[] = []): ExchangeEvent[] {
    const market = this.#require(ticker);
    if (market.status !== "active" && market.status !== "deactivated") return events;
    market.status = active ? "active" : "deactivated";
    events.push(
      lifecycle(market, active ? "activated" : "deactivated", { is_deactivated: !active }),
    );
    return events;
  }

  /** Moves `ticker`'s scheduled close to `closeTs` (Unix s); emits `close_date_updated`. */
  updateCloseTime(ticker: string, closeTs: number): ExchangeEvent[] {
    const market = this.#require(ticker);
    market.closeTs = closeTs;
    return [lifecycle(market, "close_date_updated", { close_ts: closeTs })];
  }

  /**
   * Determines `ticker` with `result` at `now`: cancels own orders, empties the book (with
   * deltas), emits `determined` then `settled`, and settles every position.
   */
  settle(ticker: string, result: Side, now: number): ExchangeEvent[] {
    const market = this.#require(ticker);
    if (market.status === "determined" || market.status === "settled") return [];
    const events: ExchangeEvent[] = [];
    for (const order of this.#resting.values()) {
      if (order.ticker === ticker) this.#cancelOrder(order, now, "CloseCancel", events);
    }
    for (const side of ["yes", "no"] as const) {
      for (const [price, count] of [...market.book.ladder(side)]) {
        market.book.apply(side, price, -count);
        events.push(bookEvent(market, side, price, -count, now));
      }
    }
    market.status = "determined";
    const value = result === "yes" ? ONE_DOLLAR : 0;
    events.push(lifecycle(market, "determined", {
      result,
      settlement_value: formatPrice(value),
      determination_ts: seconds(now),
    }));
    market.status = "settled";
    events.push(lifecycle(market, "settled", { settled_ts: seconds(now) }));
    for (const [userId, byTicker] of this.#positions) {
      const position = byTicker.get(ticker);
      if (position === undefined || position.position === 0) continue;
      const payout = position.position > 0 === (result === "yes")
        ? Math.abs(position.position) * 10_000
        : 0;
      position.realized += payout - position.cost;
      position.cost = 0;
      position.position = 0;
      events.push(positionEvent(userId, market, position));
    }
    return events;
  }

  /**
   * Places an own order for `userId` at `now`: it first takes crossing liquidity (as taker,
   * never against the same user's orders), then rests the remainder. Throws a `RangeError` for
   * an unknown or closed market, an off-grid price or a non-positive count.
   */
  placeOrder(
    userId: string,
    request: OrderRequest,
    now: number,
  ): { order: OwnOrder; events: ExchangeEvent[] } {
    const market = this.#require(request.ticker);
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
        this.#ownAt(market, opposite, best, userId);
      if (available <= 0) break; // self-trade prevention: stop at the user's own level
      this.#execute(
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
  cancelOrder(userId: string, orderId: string, now: number): ExchangeEvent[] {
    const order = this.#orders.get(orderId);
    if (order === undefined || order.userId !== userId || order.status !== "resting") return [];
    const events: ExchangeEvent[] = [];
    this.#cancelOrder(order, now, undefined, events);
    return events;
  }

  /** Forgets the oldest finished orders beyond {@linkcode FINISHED_KEPT}. */
  #retire(order: OwnOrder): void {
    this.#finished.push(order.orderId);
    while (this.#finished.length > FINISHED_KEPT) this.#orders.delete(this.#finished.shift()!);
  }

  #require(ticker: string): MarketState {
    const market = this.#byTicker.get(ticker);
    if (market === undefined) throw new RangeError(`Cannot find market ${JSON.stringify(ticker)}`);
    return market;
  }

  #addMarket(spec: MarketSpec, now: number): MarketState {
    const structure = spec.priceLevelStructure ?? "linear_cent";
    const ranges = PRICE_STRUCTURES[structure];
    const fair = snapDown(ranges, spec.fairPrice ?? 5_000) ?? 5_000;
    const market: MarketState = {
      ticker: spec.ticker,
      marketId: spec.marketId ?? this.#rng.uuid(),
      eventTicker: spec.eventTicker ?? defaultEventTicker(spec.ticker),
      title: spec.title ?? spec.ticker,
      priceLevelStructure: structure,
      priceRanges: ranges,
      book: new TrueBook(),
      status: "active",
      fair,
      lastPrice: 0,
      lastTradeSize: 0,
      volume: 0,
      openInterest: 0,
      notional: 0,
      openTs: seconds(now),
      closeTs: seconds(now) + 30 * DAY_S,
    };
    this.#markets.push(market);
    this.#byTicker.set(market.ticker, market);
    return market;
  }

  /** Size of resting own orders at a level (of `userId` only, or of everyone). */
  #ownAt(market: MarketState, side: Side, price: Price, userId?: string): Count {
    let total = 0;
    for (const order of this.#resting.values()) {
      if (
        order.status === "resting" && order.ticker === market.ticker && order.side === side &&
        order.price === price && (userId === undefined || order.userId === userId)
      ) total += order.remaining;
    }
    return total;
  }

  #drift(market: MarketState): void {
    const tick = tickAt(market.priceRanges, market.fair);
    const next = market.fair + this.#rng.int(-2, 2) * tick;
    market.fair = snapDown(market.priceRanges, Math.min(9_500, Math.max(500, next))) ?? market.fair;
  }

  #addLiquidity(market: MarketState, side: Side, now: number, events: ExchangeEvent[]): void {
    const rng = this.#rng;
    const ranges = market.priceRanges;
    const centre = side === "yes" ? market.fair : ONE_DOLLAR - market.fair;
    const depth = Math.floor(-Math.log(1 - rng.float()) * 4);
    const opposite = market.book.best(side === "yes" ? "no" : "yes");
    const max = opposite === undefined ? ONE_DOLLAR - 1 : ONE_DOLLAR - 1 - opposite;
    const target = Math.min(centre - tickAt(ranges, centre) * (1 + depth), max);
    const price = snapDown(ranges, Math.max(target, 1)) ?? snapDown(ranges, ranges[0]!.step);
    if (price === undefined || price > max) return;
    const count = rng.chance(0.5) ? rng.int(1, 300) * 100 : rng.int(1, 30_000);
    market.book.apply(side, price, count);
    events.push(bookEvent(market, side, price, count, now));
    if (price === market.book.best(side)) events.push(tickerEvent(market, now));
  }

  #cancelLiquidity(market: MarketState, now: number, events: ExchangeEvent[]): void {
    const rng = this.#rng;
    const side: Side = rng.chance(0.5) ? "yes" : "no";
    const candidates: [Price, Count][] = [];
    for (const [price, count] of market.book.ladder(side)) {
      const others = count - this.#ownAt(market, side, price);
      if (others > 0) candidates.push([price, others]);
    }
    if (candidates.length === 0) return;
    const [price, others] = rng.pick(candidates);
    const wasBest = price === market.book.best(side);
    const cut = rng.chance(0.4) ? others : rng.int(1, others);
    market.book.apply(side, price, -cut);
    events.push(bookEvent(market, side, price, -cut, now));
    if (wasBest) events.push(tickerEvent(market, now));
  }

  #randomTrade(market: MarketState, now: number, events: ExchangeEvent[]): void {
    const rng = this.#rng;
    let makerSide: Side = rng.chance(0.5) ? "yes" : "no";
    if (market.book.best(makerSide) === undefined) makerSide = makerSide === "yes" ? "no" : "yes";
    const price = market.book.best(makerSide);
    if (price === undefined) return;
    const size = market.book.sizeAt(makerSide, price);
    const wanted = rng.chance(0.5) ? rng.int(1, 200) * 100 : rng.int(1, 20_000);
    this.#execute(market, makerSide, price, Math.min(size, wanted), now, events);
    events.push(tickerEvent(market, now));
  }

  /**
   * Executes `count` against the `makerSide` level at `price`: resting own orders first (oldest
   * first, skipping the taker's own), then other liquidity. Emits deltas, fills, order and
   * position updates, and one public trade.
   */
  #execute(
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
      this.#fillOrder(market, order, quantity, price, false, now, events);
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
    events.push({
      channel: "trade",
      type: "trade",
      ticker: market.ticker,
      msg: {
        trade_id: this.#rng.uuid(),
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
    });
    if (taker !== undefined) {
      this.#fillOrder(market, taker, count, ONE_DOLLAR - price, true, now, events, false);
    }
  }

  /**
   * Books a fill of `quantity` on `order` at `legPrice` (the price of the order's own leg):
   * fill event, order update, position update.
   */
  #fillOrder(
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
    const position = this.#position(order.userId, market.ticker);
    applyFill(position, order.side, legPrice, quantity, fee);
    events.push({
      channel: "fill",
      type: "fill",
      ticker: market.ticker,
      userId: order.userId,
      msg: {
        trade_id: this.#rng.uuid(),
        order_id: order.orderId,
        client_order_id: order.clientOrderId,
        market_ticker: market.ticker,
        exchange_index: 0,
        is_taker: isTaker,
        side: order.side,
        yes_price_dollars: formatPrice(order.side === "yes" ? legPrice : ONE_DOLLAR - legPrice),
        count_fp: formatCount(quantity),
        fee_cost: formatDollars(fee),
        action: "buy",
        ts: seconds(now),
        ts_ms: now,
        post_position_fp: formatCount(position.position),
        purchased_side: order.side,
        outcome_side: order.side,
        book_side: order.side === "yes" ? "bid" : "ask",
      },
    });
    if (emitOrder) events.push(userOrderEvent(order, now));
    events.push(positionEvent(order.userId, market, position));
  }

  #cancelOrder(
    order: OwnOrder,
    now: number,
    reason: OwnOrder["lastUpdateReason"],
    events: ExchangeEvent[],
  ): void {
    const market = this.#require(order.ticker);
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

  #position(userId: string, ticker: string): Position {
    let byTicker = this.#positions.get(userId);
    if (byTicker === undefined) this.#positions.set(userId, byTicker = new Map());
    let position = byTicker.get(ticker);
    if (position === undefined) {
      byTicker.set(ticker, position = { position: 0, cost: 0, realized: 0, fees: 0, volume: 0 });
    }
    return position;
  }

  /** One own-order action for a random account: place a resting order or cancel one. */
  #ownActivity(now: number, events: ExchangeEvent[]): void {
    const rng = this.#rng;
    const userId = rng.pick(this.#accounts);
    const resting = [...this.#resting.values()].filter((o) => o.userId === userId);
    if (resting.length > 0 && (resting.length >= MAX_RESTING || rng.chance(0.3))) {
      this.#cancelOrder(rng.pick(resting), now, undefined, events);
      return;
    }
    const active = this.#markets.filter((m) => m.status === "active");
    if (active.length === 0) return;
    const market = rng.pick(active);
    const side: Side = rng.chance(0.5) ? "yes" : "no";
    const best = market.book.best(side);
    const opposite = market.book.best(side === "yes" ? "no" : "yes");
    const max = opposite === undefined ? ONE_DOLLAR - 1 : ONE_DOLLAR - 1 - opposite;
    const price = snapDown(market.priceRanges, Math.min(best ?? max, max));
    if (price === undefined) return;
    const count = rng.int(1, 20) * 100;
    events.push(
      ...this.placeOrder(userId, { ticker: market.ticker, side, price, count }, now).events,
    );
  }
}

/** Kalshi's taker fee: ceil to the cent of 0.07 × C × P × (1 − P), in micro-dollars. */
export function takerFee(count: Count, price: Price): Micros {
  const cents = Math.ceil((7 * count * price * (ONE_DOLLAR - price)) / 1e10);
  return cents * 10_000;
}

/** Applies a fill to a position, realizing P&L when it reduces the opposite exposure. */
function applyFill(
  position: Position,
  side: Side,
  price: Price,
  quantity: Count,
  fee: Micros,
): void {
  const sign = side === "yes" ? 1 : -1;
  position.volume += quantity;
  position.fees += fee;
  let open = quantity;
  if (position.position !== 0 && Math.sign(position.position) !== sign) {
    const held = Math.abs(position.position);
    const closing = Math.min(held, quantity);
    const closedCost = Math.round((position.cost * closing) / held);
    // A YES and a NO contract together pay $1 (10 000 micros per 1/100 contract).
    position.realized += closing * 10_000 - closedCost - price * closing;
    position.cost -= closedCost;
    position.position += sign * closing;
    open -= closing;
  }
  position.position += sign * open;
  position.cost += price * open;
}

/** Dollars with 4 decimals when exact, else 6 (sub-cent prices times fractional counts). */
export function formatMoney(micros: Micros): string {
  return formatDollars(micros, micros % 100 === 0 ? 4 : 6);
}

function wireRanges(ranges: readonly PriceRange[]): { start: string; end: string; step: string }[] {
  return ranges.map((r) => ({
    start: formatPrice(r.start),
    end: formatPrice(r.end),
    step: formatPrice(r.step),
  }));
}

function lifecycle(
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

function bookEvent(
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

function tickerMsg(market: MarketState, now: number): Record<string, unknown> {
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
function topOf(market: MarketState): string {
  const yes = market.book.best("yes");
  const no = market.book.best("no");
  return `${yes}:${yes === undefined ? 0 : market.book.sizeAt("yes", yes)}:${no}:${
    no === undefined ? 0 : market.book.sizeAt("no", no)
  }:${market.lastPrice}:${market.volume}`;
}

function tickerEvent(market: MarketState, now: number): ExchangeEvent {
  return { channel: "ticker", type: "ticker", ticker: market.ticker, msg: tickerMsg(market, now) };
}

function userOrderEvent(order: OwnOrder, now: number): ExchangeEvent {
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

function positionEvent(userId: string, market: MarketState, position: Position): ExchangeEvent {
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
