/**
 * The seeded activity generator that makes the markets move: each step adds or cancels
 * anonymous liquidity around a slowly drifting fair price, trades against the best level,
 * pauses/resumes a market or moves its close time, or acts for an account (rests an own order
 * or cancels one). Every choice comes from the exchange's {@linkcode Rng}, in a fixed order,
 * so a seed replays the same history.
 *
 * @module
 */

import { type Count, ONE_DOLLAR, type Price } from "@kalshi-ws/core";
import type { ExchangeEvent } from "./events.ts";
import { bookEvent, tickerEvent } from "./exchange_messages.ts";
import type { MarketLifecycle } from "./market_lifecycle.ts";
import type { Markets, MarketState } from "./market_state.ts";
import { snapDown, tickAt } from "./markets.ts";
import type { Side } from "./order_book.ts";
import type { Rng } from "./rng.ts";
import type { Trading } from "./trading.ts";

/** How often a step does something other than anonymous book activity. */
export interface ActivityRates {
  /** Probability that a step is an own-order action, when accounts exist. */
  readonly ownOrderRate: number;
  /** Probability that a step is a lifecycle event (pause/resume, close time). */
  readonly lifecycleRate: number;
}

/** The generator keeps at most this many resting orders per account. */
const MAX_RESTING = 20;

/** The exchange's activity generator (see the module doc). */
export class Activity {
  readonly #rng: Rng;
  readonly #markets: Markets;
  readonly #trading: Trading;
  readonly #lifecycle: MarketLifecycle;
  readonly #rates: ActivityRates;

  /** A generator acting on `markets` through `trading` and `lifecycle`, drawing from `rng`. */
  constructor(
    rng: Rng,
    markets: Markets,
    trading: Trading,
    lifecycle: MarketLifecycle,
    rates: ActivityRates,
  ) {
    this.#rng = rng;
    this.#markets = markets;
    this.#trading = trading;
    this.#lifecycle = lifecycle;
    this.#rates = rates;
  }

  /** Rests `depth` levels of anonymous liquidity per side on a new market (YES, NO, YES, …). */
  seed(market: MarketState, depth: number, now: number): void {
    for (let i = 0; i < depth * 2; i++) {
      this.#addLiquidity(market, i % 2 === 0 ? "yes" : "no", now, []);
    }
  }

  /** One generator step at `now`; returns the events it caused. */
  step(now: number): ExchangeEvent[] {
    const events: ExchangeEvent[] = [];
    const rng = this.#rng;
    const roll = rng.float();
    if (this.#trading.accounts.length > 0 && roll < this.#rates.ownOrderRate) {
      this.#ownActivity(now, events);
      if (events.length > 0) return events;
    } else if (roll > 1 - this.#rates.lifecycleRate) {
      const open = this.#markets.all().filter((m) =>
        m.status === "active" || m.status === "deactivated"
      );
      if (open.length > 0) {
        const market = rng.pick(open);
        if (market.status === "active" && rng.chance(0.25)) {
          return this.#lifecycle.updateCloseTime(
            market.ticker,
            market.closeTs + rng.int(1, 48) * 3_600,
          );
        }
        this.#lifecycle.setTrading(market.ticker, market.status !== "active", events);
        return events;
      }
    }
    const active = this.#markets.all().filter((m) => m.status === "active");
    if (active.length === 0) return events;
    const market = rng.pick(active);
    const action = rng.float();
    if (action < 0.3) this.#cancelLiquidity(market, now, events);
    else if (action < 0.5) this.#randomTrade(market, now, events);
    if (events.length === 0) {
      if (rng.chance(0.1)) this.#moveFair(market);
      for (let tries = 0; tries < 4 && events.length === 0; tries++) {
        this.#addLiquidity(market, rng.chance(0.5) ? "yes" : "no", now, events);
      }
    }
    return events;
  }

  /** Moves the market's fair price by up to two ticks, kept within 5–95 ¢. */
  #moveFair(market: MarketState): void {
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
      const others = count - this.#trading.ownAt(market, side, price);
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
    this.#trading.execute(market, makerSide, price, Math.min(size, wanted), now, events);
    events.push(tickerEvent(market, now));
  }

  /** One own-order action for a random account: place a resting order or cancel one. */
  #ownActivity(now: number, events: ExchangeEvent[]): void {
    const rng = this.#rng;
    const userId = rng.pick(this.#trading.accounts);
    const resting = this.#trading.resting(userId);
    if (resting.length > 0 && (resting.length >= MAX_RESTING || rng.chance(0.3))) {
      this.#trading.cancelResting(rng.pick(resting), now, undefined, events);
      return;
    }
    const active = this.#markets.all().filter((m) => m.status === "active");
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
      ...this.#trading.place(userId, { ticker: market.ticker, side, price, count }, now).events,
    );
  }
}
