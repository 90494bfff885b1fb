/**
 * A market's life on the `market_lifecycle_v2` channel: created (with an `event_lifecycle` for
 * a new event), paused and resumed, its close time moved, determined and settled — settling
 * also cancels the market's own orders, empties its book with deltas and pays out positions.
 *
 * @module
 */

import { formatPrice, ONE_DOLLAR } from "@kalshi-ws/core";
import { type ExchangeEvent, seconds } from "./events.ts";
import { bookEvent, lifecycleEvent, positionEvent, wireRanges } from "./exchange_messages.ts";
import type { Markets } from "./market_state.ts";
import { defaultEventTicker, type MarketSpec } from "./markets.ts";
import type { Side } from "./order_book.ts";
import type { Positions } from "./positions.ts";
import type { Trading } from "./trading.ts";

/** Creates, pauses, reschedules and settles the exchange's markets. */
export class MarketLifecycle {
  readonly #markets: Markets;
  readonly #trading: Trading;
  readonly #positions: Positions;

  /** The lifecycle of `markets`; settling cancels through `trading` and pays `positions`. */
  constructor(markets: Markets, trading: Trading, positions: Positions) {
    this.#markets = markets;
    this.#trading = trading;
    this.#positions = positions;
  }

  /**
   * Creates a market at `now` and returns its `event_lifecycle` (for a new event) and
   * `market_lifecycle_v2` `created` events. Throws a `RangeError` for a duplicate ticker.
   */
  create(spec: MarketSpec, now: number): ExchangeEvent[] {
    if (this.#markets.get(spec.ticker) !== undefined) {
      throw new RangeError(
        `Cannot create market ${JSON.stringify(spec.ticker)}: it already exists`,
      );
    }
    const events: ExchangeEvent[] = [];
    const eventTicker = spec.eventTicker ?? defaultEventTicker(spec.ticker);
    if (!this.#markets.all().some((m) => m.eventTicker === eventTicker)) {
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
    const market = this.#markets.add(spec, now);
    events.push(lifecycleEvent(market, "created", {
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
    const market = this.#markets.require(ticker);
    if (market.status !== "active" && market.status !== "deactivated") return events;
    market.status = active ? "active" : "deactivated";
    events.push(
      lifecycleEvent(market, active ? "activated" : "deactivated", { is_deactivated: !active }),
    );
    return events;
  }

  /** Moves `ticker`'s scheduled close to `closeTs` (Unix s); emits `close_date_updated`. */
  updateCloseTime(ticker: string, closeTs: number): ExchangeEvent[] {
    const market = this.#markets.require(ticker);
    market.closeTs = closeTs;
    return [lifecycleEvent(market, "close_date_updated", { close_ts: closeTs })];
  }

  /**
   * Determines `ticker` with `result` at `now`: cancels own orders, empties the book (with
   * deltas), emits `determined` then `settled`, and settles every position.
   */
  settle(ticker: string, result: Side, now: number): ExchangeEvent[] {
    const market = this.#markets.require(ticker);
    if (market.status === "determined" || market.status === "settled") return [];
    const events: ExchangeEvent[] = [];
    this.#trading.cancelAllOn(ticker, now, events);
    for (const side of ["yes", "no"] as const) {
      for (const [price, count] of [...market.book.ladder(side)]) {
        market.book.apply(side, price, -count);
        events.push(bookEvent(market, side, price, -count, now));
      }
    }
    market.status = "determined";
    const value = result === "yes" ? ONE_DOLLAR : 0;
    events.push(lifecycleEvent(market, "determined", {
      result,
      settlement_value: formatPrice(value),
      determination_ts: seconds(now),
    }));
    market.status = "settled";
    events.push(lifecycleEvent(market, "settled", { settled_ts: seconds(now) }));
    for (const [userId, position] of this.#positions.settle(ticker, result)) {
      events.push(positionEvent(userId, market, position));
    }
    return events;
  }
}
