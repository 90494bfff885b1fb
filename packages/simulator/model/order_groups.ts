/**
 * The `order_group_updates` channel: each account's order groups (a contracts limit over a
 * rolling window; hitting it cancels the group's orders) through their life — `created` (with the
 * limit), `limit_updated`, `triggered`, `reset` (trading again), `deleted`. Private to the
 * group's owner; every update carries the matching-engine time `ts_ms`.
 *
 * @module
 */

import { type Count, formatCount } from "@kalshi-ws/core";
import type { FeedContext } from "./channel_feeds.ts";
import type { ExchangeEvent } from "./events.ts";

/** An order group of an account. */
export interface OrderGroup {
  /** Its id (a UUID). */
  readonly id: string;
  /** The owner. */
  readonly userId: string;
  /** Contracts limit (1/100 contract). */
  limit: Count;
  /** `triggered` after its limit was hit, until reset. */
  state: "active" | "triggered";
}

/** Groups an account holds at most (the generator deletes before creating more). */
const MAX_PER_ACCOUNT = 3;

/** The accounts' order groups (see the module doc). */
export class OrderGroups {
  readonly #groups: OrderGroup[] = [];

  /** Every live group, oldest first. */
  groups(): readonly OrderGroup[] {
    return this.#groups;
  }

  /** One step for a random account: create, change, trigger, reset or delete one of its groups. */
  step(context: FeedContext): ExchangeEvent[] {
    const { rng, accounts } = context;
    if (accounts.length === 0) return [];
    const userId = rng.pick(accounts);
    const own = this.#groups.filter((g) => g.userId === userId);
    if (own.length === 0 || (own.length < MAX_PER_ACCOUNT && rng.chance(0.3))) {
      const group: OrderGroup = {
        id: rng.uuid(),
        userId,
        limit: rng.int(1, 100) * 1_000,
        state: "active",
      };
      this.#groups.push(group);
      return [update(group, "created", context.now, true)];
    }
    const group = rng.pick(own);
    const roll = rng.float();
    if (group.state === "triggered") {
      if (roll < 0.7) {
        group.state = "active";
        return [update(group, "reset", context.now, false)];
      }
    } else if (roll < 0.35) {
      group.limit = rng.int(1, 100) * 1_000;
      return [update(group, "limit_updated", context.now, true)];
    } else if (roll < 0.7) {
      group.state = "triggered";
      return [update(group, "triggered", context.now, false)];
    }
    this.#groups.splice(this.#groups.indexOf(group), 1);
    return [update(group, "deleted", context.now, false)];
  }
}

function update(group: OrderGroup, eventType: string, now: number, limit: boolean): ExchangeEvent {
  return {
    channel: "order_group_updates",
    type: "order_group_updates",
    ticker: "",
    userId: group.userId,
    msg: {
      event_type: eventType,
      order_group_id: group.id,
      ...(limit ? { contracts_limit_fp: formatCount(group.limit) } : {}),
      ts_ms: now,
    },
  };
}
