/**
 * The rarer `market_lifecycle_v2` messages that exchange operations produce: `event_fee_update`
 * (an event's fee model or multiplier overridden, or the override cleared — both `null`) and
 * the `metadata_updated` lifecycle event (a market's strike and YES subtitle restated).
 *
 * @module
 */

import type { FeedContext } from "./channel_feeds.ts";
import type { ExchangeEvent } from "./events.ts";

/** The fee models an override may name. */
const FEE_TYPES = [
  "quadratic",
  "quadratic_with_maker_fees",
  "quadratic_with_combo_maker_fees",
  "flat",
] as const;

/** Fee overrides and metadata restatements (see the module doc). */
export class MarketAdmin {
  /** Events whose fees are overridden now. */
  readonly #overridden = new Set<string>();

  /** One operation on a random open market: a fee override change or a metadata update. */
  step(context: FeedContext): ExchangeEvent[] {
    const { rng } = context;
    const open = context.markets.filter((m) => m.status === "active");
    if (open.length === 0) return [];
    const market = rng.pick(open);
    if (rng.chance(0.5)) {
      const event = market.eventTicker;
      const clear = this.#overridden.has(event) && rng.chance(0.5);
      if (clear) this.#overridden.delete(event);
      else this.#overridden.add(event);
      return [{
        channel: "market_lifecycle_v2",
        type: "event_fee_update",
        ticker: "",
        msg: {
          event_ticker: event,
          fee_type_override: clear ? null : rng.pick(FEE_TYPES),
          fee_multiplier_override: clear ? null : rng.int(1, 20) / 10,
        },
      }];
    }
    return [{
      channel: "market_lifecycle_v2",
      type: "market_lifecycle_v2",
      ticker: market.ticker,
      msg: {
        market_ticker: market.ticker,
        event_type: "metadata_updated",
        ...strike(market.ticker),
      },
    }];
  }
}

/**
 * Strike fields read from a ticker's last segment: `T4.25` (above 4.25), `B53.5` (the bucket
 * 53–54), anything else a custom strike.
 */
function strike(ticker: string): Record<string, unknown> {
  const last = ticker.slice(ticker.lastIndexOf("-") + 1);
  const value = Number(last.slice(1));
  if (last.startsWith("T") && Number.isFinite(value)) {
    return { strike_type: "greater", floor_strike: value, yes_sub_title: `Above ${value}` };
  }
  if (last.startsWith("B") && Number.isFinite(value)) {
    const floor = value - 0.5;
    return {
      strike_type: "between",
      floor_strike: floor,
      cap_strike: floor + 1,
      yes_sub_title: `${floor} to ${floor + 1}`,
    };
  }
  return { strike_type: "custom", custom_strike: { label: last }, yes_sub_title: last };
}
