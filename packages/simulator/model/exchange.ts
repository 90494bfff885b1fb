/**
 * The simulated exchange: markets with true books, a seeded activity generator, and simulated
 * own orders (fills, order updates, positions) for user accounts.
 *
 * Pure and deterministic: no clock reads, no timers; `now` (Unix ms) is always an argument and
 * every random choice comes from the one seeded {@linkcode Rng} all parts share. Each call
 * returns the {@linkcode ExchangeEvent}s it caused, in the order subscribers must see them.
 *
 * This file only composes the parts, each in its own module:
 *
 * - `market_state.ts` — the markets (identity, grid, true book, statistics), by ticker;
 * - `activity.ts` — the generator's step (liquidity, trades, pauses, own-order actions);
 * - `trading.ts` — own orders and trades: matching, fills, cancels, the taker fee;
 * - `positions.ts` — users' positions, P&L and settlement payouts;
 * - `market_lifecycle.ts` — markets created, paused, rescheduled, determined and settled;
 * - `exchange_messages.ts` — the wire `msg` of every channel the exchange feeds.
 *
 * @module
 */

import type { ExchangeEvent } from "./events.ts";
import { Activity } from "./activity.ts";
import { snapshotMsg, tickerMsg } from "./exchange_messages.ts";
import { MarketLifecycle } from "./market_lifecycle.ts";
import { Markets, type MarketState } from "./market_state.ts";
import { DEFAULT_MARKETS, type MarketSpec } from "./markets.ts";
import type { Side } from "./order_book.ts";
import { type Position, Positions } from "./positions.ts";
import { Rng } from "./rng.ts";
import { type OrderRequest, type OwnOrder, Trading } from "./trading.ts";

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

/** The whole simulated exchange (see the module doc). */
export class Exchange {
  readonly #markets: Markets;
  readonly #positions = new Positions();
  readonly #trading: Trading;
  readonly #lifecycle: MarketLifecycle;
  readonly #activity: Activity;

  /** Creates the exchange and seeds each market's book with resting liquidity. */
  constructor(options: ExchangeOptions = {}) {
    const rng = new Rng(options.seed ?? 1);
    this.#markets = new Markets(rng);
    this.#trading = new Trading(rng, this.#markets, this.#positions);
    this.#lifecycle = new MarketLifecycle(this.#markets, this.#trading, this.#positions);
    this.#activity = new Activity(rng, this.#markets, this.#trading, this.#lifecycle, {
      ownOrderRate: options.ownOrderRate ?? 0.05,
      lifecycleRate: options.lifecycleRate ?? 0.002,
    });
    const start = options.startTime ?? DEFAULT_START;
    for (const spec of options.markets ?? DEFAULT_MARKETS) {
      this.#activity.seed(this.#markets.add(spec, start), options.initialDepth ?? 8, start);
    }
  }

  /** Every market, in creation order. */
  markets(): readonly MarketState[] {
    return this.#markets.all();
  }

  /** The market with `ticker`, if any. */
  market(ticker: string): MarketState | undefined {
    return this.#markets.get(ticker);
  }

  /** Registers a user account that may hold own orders (the generator trades for it too). */
  addAccount(userId: string): void {
    this.#trading.addAccount(userId);
  }

  /** Every order (any state) of `userId`, oldest first. */
  orders(userId: string): readonly OwnOrder[] {
    return this.#trading.orders(userId);
  }

  /** `userId`'s position in `ticker` (zeros when it never traded there). */
  position(userId: string, ticker: string): Readonly<Position> {
    return this.#positions.get(userId, ticker);
  }

  /** The `orderbook_snapshot` `msg` for `ticker` (NO levels in YES prices with `useYesPrice`). */
  snapshotMsg(ticker: string, useYesPrice: boolean): Record<string, unknown> {
    const market = this.#markets.get(ticker);
    if (market === undefined) {
      throw new RangeError(`Cannot snapshot ${JSON.stringify(ticker)}: unknown market`);
    }
    return snapshotMsg(market, useYesPrice);
  }

  /** The current `ticker` `msg` for `ticker` at `now`. */
  tickerMsg(ticker: string, now: number): Record<string, unknown> {
    const market = this.#markets.get(ticker);
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
    return this.#activity.step(now);
  }

  /**
   * Creates a market at `now` and returns its `event_lifecycle` (for a new event) and
   * `market_lifecycle_v2` `created` events. Throws a `RangeError` for a duplicate ticker.
   */
  createMarket(spec: MarketSpec, now: number): ExchangeEvent[] {
    return this.#lifecycle.create(spec, now);
  }

  /** Pauses (`active = false`) or resumes trading on `ticker`; emits `deactivated`/`activated`. */
  setTrading(ticker: string, active: boolean, events: ExchangeEvent[] = []): ExchangeEvent[] {
    return this.#lifecycle.setTrading(ticker, active, events);
  }

  /** Moves `ticker`'s scheduled close to `closeTs` (Unix s); emits `close_date_updated`. */
  updateCloseTime(ticker: string, closeTs: number): ExchangeEvent[] {
    return this.#lifecycle.updateCloseTime(ticker, closeTs);
  }

  /**
   * Determines `ticker` with `result` at `now`: cancels own orders, empties the book (with
   * deltas), emits `determined` then `settled`, and settles every position.
   */
  settle(ticker: string, result: Side, now: number): ExchangeEvent[] {
    return this.#lifecycle.settle(ticker, result, now);
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
    return this.#trading.place(userId, request, now);
  }

  /** Cancels `userId`'s resting order `orderId` at `now` (no events when not resting). */
  cancelOrder(userId: string, orderId: string, now: number): ExchangeEvent[] {
    return this.#trading.cancel(userId, orderId, now);
  }
}
