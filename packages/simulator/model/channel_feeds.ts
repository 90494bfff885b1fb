/**
 * The activity of the channels beyond the order books, next to the {@linkcode Exchange}'s own
 * generator: RFQs and quotes (`communications`), order groups (`order_group_updates`), combo
 * markets and their lookups (`multivariate_market_lifecycle`), fee overrides and metadata
 * updates (`market_lifecycle_v2`), and the value feeds (`cfbenchmarks_value`,
 * `cfbenchmarks_value_5hz`, `pyth_value`). With the exchange, every channel Kalshi documents
 * streams data.
 *
 * Pure and deterministic: its own seeded {@linkcode Rng} (so the exchange's history for a seed is
 * the same with or without it), time only from `now`.
 *
 * @example
 * ```ts
 * import { ChannelFeeds, Exchange } from "./mod.ts";
 * const exchange = new Exchange({ seed: 7 });
 * const feeds = new ChannelFeeds(exchange, { seed: 7, accounts: ["user-1"] });
 * const events = [...exchange.step(1_000), ...feeds.step(1_000)];
 * events.some((e) => e.channel === "cfbenchmarks_value"); // true: values are due at once
 * ```
 *
 * @module
 */

import { Communications } from "./communications.ts";
import type { ExchangeEvent } from "./events.ts";
import type { Exchange } from "./exchange.ts";
import type { MarketState } from "./market_state.ts";
import { IndexFeeds } from "./index_feeds.ts";
import { MarketAdmin } from "./market_admin.ts";
import { Multivariate } from "./multivariate.ts";
import { OrderGroups } from "./order_groups.ts";
import { Rng } from "./rng.ts";

/** What a generator step may use. */
export interface FeedContext {
  /** The feeds' random numbers. */
  readonly rng: Rng;
  /** Unix ms. */
  readonly now: number;
  /** Accounts (users) that may hold RFQs, quotes and order groups. */
  readonly accounts: readonly string[];
  /** The exchange's markets. */
  readonly markets: readonly MarketState[];
}

/** Options of {@linkcode ChannelFeeds}: probabilities per step, and the seed. */
export interface ChannelFeedsOptions {
  /** Seed (default 1); mixed so that it differs from the exchange's sequence. */
  readonly seed?: number;
  /** Accounts to start with (more via `addAccount`). */
  readonly accounts?: readonly string[];
  /** Probability of an RFQ/quote action per step (default 0.05). */
  readonly rfqRate?: number;
  /** Probability of an order-group action per step (default 0.01). */
  readonly orderGroupRate?: number;
  /** Probability of a combo lookup or combo lifecycle change per step (default 0.01). */
  readonly multivariateRate?: number;
  /** Probability of a fee override or metadata update per step (default 0.002). */
  readonly adminRate?: number;
}

/** The side channels' generators (see the module doc). */
export class ChannelFeeds {
  /** Combo markets (also used by combo RFQs). */
  readonly multivariate: Multivariate = new Multivariate();
  /** RFQs and quotes. */
  readonly communications: Communications = new Communications(this.multivariate);
  /** Order groups of the accounts. */
  readonly orderGroups: OrderGroups = new OrderGroups();
  readonly #indexFeeds = new IndexFeeds();
  readonly #admin = new MarketAdmin();
  readonly #exchange: Exchange;
  readonly #rng: Rng;
  readonly #accounts: string[];
  readonly #rates: readonly [number, number, number, number];

  /** Creates the feeds for `exchange`'s markets. */
  constructor(exchange: Exchange, options: ChannelFeedsOptions = {}) {
    this.#exchange = exchange;
    this.#rng = new Rng((options.seed ?? 1) ^ 0x0c4a77e1);
    this.#accounts = [...(options.accounts ?? [])];
    this.#rates = [
      options.rfqRate ?? 0.05,
      options.orderGroupRate ?? 0.01,
      options.multivariateRate ?? 0.01,
      options.adminRate ?? 0.002,
    ];
  }

  /** Lets `userId` take part (RFQs, quotes, order groups). */
  addAccount(userId: string): void {
    if (!this.#accounts.includes(userId)) this.#accounts.push(userId);
  }

  /** One step at `now`: the values due, and each generator's action with its probability. */
  step(now: number): ExchangeEvent[] {
    const context: FeedContext = {
      rng: this.#rng,
      now,
      accounts: this.#accounts,
      markets: this.#exchange.markets(),
    };
    const events = this.#indexFeeds.step(context);
    const [rfq, groups, combos, admin] = this.#rates;
    const rng = this.#rng;
    if (rng.chance(rfq)) events.push(...this.communications.step(context));
    if (rng.chance(groups)) events.push(...this.orderGroups.step(context));
    if (rng.chance(combos)) events.push(...this.multivariate.step(context));
    if (rng.chance(admin)) events.push(...this.#admin.step(context));
    return events;
  }
}
