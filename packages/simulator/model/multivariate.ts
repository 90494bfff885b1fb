/**
 * Multivariate (combo, "MVE") markets: a combination of legs (market + side) looked up in a
 * collection becomes a market of its own, announced on `multivariate_market_lifecycle` (an
 * `event_lifecycle` for its new event, then `created`), and later paused, resumed, moved,
 * determined and settled there. This is how Kalshi reports combo lookups since the old
 * `multivariate` lookup channel was removed (2026-08-06); combo RFQs on `communications` look
 * their combination up here.
 *
 * Pure and deterministic: randomness from the caller's {@linkcode Rng}, time from `now`.
 *
 * @module
 */

import { formatPrice, ONE_DOLLAR } from "@kalshi-ws/core";
import type { FeedContext } from "./channel_feeds.ts";
import { type ExchangeEvent, seconds } from "./events.ts";
import type { Side } from "./order_book.ts";
import type { Rng } from "./rng.ts";

/** One leg of a combination. */
export interface ComboLeg {
  /** The leg market's event. */
  readonly event_ticker: string;
  /** The leg market. */
  readonly market_ticker: string;
  /** The side selected. */
  readonly side: Side;
}

/** A combo market. */
export interface Combo {
  /** Its ticker, e.g. `KXMVECROSSCATEGORY-S2026A1B2C3D4E5F6-7A8B9C0D1E2`. */
  readonly ticker: string;
  /** Its event ticker. */
  readonly eventTicker: string;
  /** The collection it was looked up in. */
  readonly collection: string;
  /** Its legs. */
  readonly legs: readonly ComboLeg[];
  /** Lifecycle state. */
  status: "active" | "deactivated" | "settled";
  /** Scheduled close (Unix s). */
  closeTs: number;
}

/** The simulated MVE collections. */
export const MVE_COLLECTIONS: readonly string[] = ["KXMVECROSSCATEGORY", "KXMVEECONOMICS"];

/** Live combos kept; the oldest settled ones are forgotten beyond this. */
const MAX_COMBOS = 64;
const DAY_S = 86_400;
const CHANNEL = "multivariate_market_lifecycle";

/** The combo markets and their lifecycle (see the module doc). */
export class Multivariate {
  readonly #combos = new Map<string, Combo>();
  readonly #byLegs = new Map<string, Combo>();

  /** Combos not yet forgotten, oldest first. */
  combos(): readonly Combo[] {
    return [...this.#combos.values()];
  }

  /**
   * The combo of `legs` in `collection`, created (with its events pushed onto `events`) when
   * this combination was never looked up.
   */
  lookup(
    collection: string,
    legs: readonly ComboLeg[],
    context: FeedContext,
    events: ExchangeEvent[],
  ): Combo {
    const key = `${collection}|${legs.map((l) => `${l.market_ticker}:${l.side}`).sort().join(",")}`;
    const known = this.#byLegs.get(key);
    if (known !== undefined) return known;
    const { rng, now } = context;
    const eventTicker = `${collection}-S${new Date(now).getUTCFullYear()}${hexId(rng, 11)}`;
    const combo: Combo = {
      ticker: `${eventTicker}-${hexId(rng, 11)}`,
      eventTicker,
      collection,
      legs,
      status: "active",
      closeTs: seconds(now) + 7 * DAY_S,
    };
    this.#combos.set(combo.ticker, combo);
    this.#byLegs.set(key, combo);
    this.#forgetSettled();
    const title = legs.map((l) => `${l.side === "yes" ? "yes" : "no"} ${l.market_ticker}`);
    events.push({
      channel: CHANNEL,
      type: "event_lifecycle",
      ticker: "",
      msg: {
        event_ticker: eventTicker,
        exchange_index: 0,
        title: `Combo: ${title.join(", ")}`,
        subtitle: "",
        collateral_return_type: "",
        series_ticker: collection,
      },
    });
    events.push(lifecycle(combo, "created", {
      exchange_index: 0,
      open_ts: seconds(now),
      close_ts: combo.closeTs,
      additional_metadata: {
        name: combo.ticker,
        title: title.join(", "),
        yes_sub_title: "All legs",
        no_sub_title: "Not all legs",
        rules_primary: `Resolves Yes if ${title.join(" and ")}.`,
        rules_secondary: "",
        can_close_early: true,
        event_ticker: eventTicker,
        expected_expiration_ts: combo.closeTs,
      },
      price_level_structure: "linear_cent",
    }));
    return combo;
  }

  /**
   * One step of combo activity: a new lookup of random legs among `context.markets`, or a
   * lifecycle change of a live combo (pause, resume, close moved, determination and settlement).
   */
  step(context: FeedContext): ExchangeEvent[] {
    const { rng, now } = context;
    const events: ExchangeEvent[] = [];
    const live = [...this.#combos.values()].filter((c) => c.status !== "settled");
    if (live.length === 0 || rng.chance(0.4)) {
      const legs = randomLegs(context);
      if (legs !== undefined) this.lookup(rng.pick(MVE_COLLECTIONS), legs, context, events);
      return events;
    }
    const combo = rng.pick(live);
    const roll = rng.float();
    if (roll < 0.35) {
      combo.status = combo.status === "active" ? "deactivated" : "active";
      events.push(lifecycle(combo, combo.status === "active" ? "activated" : "deactivated", {
        is_deactivated: combo.status === "deactivated",
      }));
    } else if (roll < 0.7) {
      combo.closeTs += rng.int(1, 48) * 3_600;
      events.push(lifecycle(combo, "close_date_updated", { close_ts: combo.closeTs }));
    } else {
      const result: Side = rng.chance(0.3) ? "yes" : "no";
      events.push(lifecycle(combo, "determined", {
        result,
        settlement_value: formatPrice(result === "yes" ? ONE_DOLLAR : 0),
        determination_ts: seconds(now),
      }));
      combo.status = "settled";
      events.push(lifecycle(combo, "settled", { settled_ts: seconds(now) }));
    }
    return events;
  }

  #forgetSettled(): void {
    for (const [ticker, combo] of this.#combos) {
      if (this.#combos.size <= MAX_COMBOS) return;
      if (combo.status !== "settled") continue;
      this.#combos.delete(ticker);
      for (const [key, value] of this.#byLegs) if (value === combo) this.#byLegs.delete(key);
    }
  }
}

/** Two or three legs on distinct open markets, or undefined when fewer than two are open. */
export function randomLegs(context: FeedContext): ComboLeg[] | undefined {
  const open = context.markets.filter((m) => m.status === "active");
  if (open.length < 2) return undefined;
  const count = Math.min(open.length, context.rng.int(2, 3));
  const pool = [...open];
  const legs: ComboLeg[] = [];
  for (let i = 0; i < count; i++) {
    const [market] = pool.splice(context.rng.int(0, pool.length - 1), 1);
    legs.push({
      event_ticker: market!.eventTicker,
      market_ticker: market!.ticker,
      side: context.rng.chance(0.5) ? "yes" : "no",
    });
  }
  return legs;
}

/** `length` upper-case hex digits. */
function hexId(rng: Rng, length: number): string {
  let out = "";
  while (out.length < length) out += rng.nextUint32().toString(16).toUpperCase().padStart(8, "0");
  return out.slice(0, length);
}

function lifecycle(
  combo: Combo,
  eventType: string,
  fields: Record<string, unknown>,
): ExchangeEvent {
  return {
    channel: CHANNEL,
    type: "multivariate_market_lifecycle",
    ticker: combo.ticker,
    msg: { market_ticker: combo.ticker, event_type: eventType, ...fields },
  };
}
