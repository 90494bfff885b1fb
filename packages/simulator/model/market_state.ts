/**
 * The markets the exchange holds: each one's identity, price grid, true book and running
 * statistics, in creation order and by ticker. The generator, trading and the lifecycle all
 * change these records; this file only creates and finds them, so "what is a market" is read
 * in one place.
 *
 * @module
 */

import type { Count, Micros, Price } from "@kalshi-ws/core";
import { seconds } from "./events.ts";
import {
  defaultEventTicker,
  type MarketSpec,
  PRICE_STRUCTURES,
  type PriceLevelStructure,
  type PriceRange,
  snapDown,
} from "./markets.ts";
import { TrueBook } from "./order_book.ts";
import type { Rng } from "./rng.ts";

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

const DAY_S = 86_400;

/** Every market of the exchange, in creation order and by ticker. */
export class Markets {
  readonly #rng: Rng;
  readonly #list: MarketState[] = [];
  readonly #byTicker = new Map<string, MarketState>();

  /** An empty registry; `rng` draws the ids of markets created without one. */
  constructor(rng: Rng) {
    this.#rng = rng;
  }

  /** Every market, in creation order. */
  all(): readonly MarketState[] {
    return this.#list;
  }

  /** The market with `ticker`, if any. */
  get(ticker: string): MarketState | undefined {
    return this.#byTicker.get(ticker);
  }

  /** The market with `ticker`; throws a `RangeError` naming it when there is none. */
  require(ticker: string): MarketState {
    const market = this.#byTicker.get(ticker);
    if (market === undefined) throw new RangeError(`Cannot find market ${JSON.stringify(ticker)}`);
    return market;
  }

  /** Creates an active market from `spec`, opened at `now` (Unix ms), closing 30 days later. */
  add(spec: MarketSpec, now: number): MarketState {
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
    this.#list.push(market);
    this.#byTicker.set(market.ticker, market);
    return market;
  }
}
