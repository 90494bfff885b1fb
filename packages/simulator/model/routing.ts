/**
 * Which subscriptions receive an exchange event: the channel, the user it is private to, the
 * market filter, the index ids of the value feeds, and the `communications` rules (quotes only
 * to the users involved, `user_filter: "self"`, sharding by market ticker).
 *
 * @module
 */

import { type Channel, ErrorCode } from "@kalshi-ws/core";
import type { ExchangeEvent } from "./events.ts";

/** What routing needs to know of a subscription. */
export interface RouteFilter {
  /** Its channel. */
  readonly channel: Channel;
  /** True when it covers every market. */
  readonly allMarkets: boolean;
  /** Its markets (when not `allMarkets`). */
  readonly tickers: ReadonlySet<string>;
  /** Index ids / underlyings of the value feeds (`["all"]` = every one; empty = none yet). */
  readonly ids: readonly string[];
  /** `communications` with `user_filter: "self"`: only the user's own RFQs. */
  readonly ownRfqsOnly: boolean;
  /** `communications` sharding: the shard count, if any. */
  readonly shardFactor: number | undefined;
  /** `communications` sharding: this subscription's shard (0 when only a factor is given). */
  readonly shardKey: number | undefined;
}

/** Whether the subscription `sub` of the connection of `userId` receives `event`. */
export function delivers(
  event: ExchangeEvent,
  sub: RouteFilter,
  userId: string | undefined,
): boolean {
  if (sub.channel !== event.channel) return false;
  if (event.userId !== undefined && event.userId !== userId) return false;
  if (!sub.allMarkets && event.ticker !== "" && !sub.tickers.has(event.ticker)) return false;
  if (event.feed !== undefined && !sub.ids.includes("all") && !sub.ids.includes(event.feed)) {
    return false;
  }
  if (event.audience !== undefined && (userId === undefined || !event.audience.includes(userId))) {
    return false;
  }
  if (sub.ownRfqsOnly && event.type.startsWith("rfq_") && event.creator !== userId) return false;
  if (sub.shardFactor !== undefined && event.channel === "communications") {
    return shardOf(event.ticker, sub.shardFactor) === (sub.shardKey ?? 0);
  }
  return true;
}

/** The shard (0 ≤ shard < `factor`) of a market ticker: FNV-1a of its text, modulo `factor`. */
export function shardOf(ticker: string, factor: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < ticker.length; i++) {
    hash = Math.imul(hash ^ ticker.charCodeAt(i), 0x01000193);
  }
  return (hash >>> 0) % factor;
}

/**
 * Reads a `communications` subscribe's `shard_factor`/`shard_key`: the shard, or Kalshi's error
 * code — 19 (factor ≤ 0), 20 (key without factor), 21 (key out of range), 22 (factor > 100), 1
 * (not an integer).
 */
export function readShards(
  params: Readonly<Record<string, unknown>>,
): { factor: number | undefined; key: number | undefined } | ErrorCode {
  const factor = params.shard_factor ?? undefined;
  const key = params.shard_key ?? undefined;
  if (factor !== undefined) {
    if (!Number.isSafeInteger(factor)) return ErrorCode.UnableToProcess;
    if ((factor as number) <= 0) return ErrorCode.ShardFactorNotPositive;
    if ((factor as number) > 100) return ErrorCode.ShardFactorTooLarge;
  }
  if (key !== undefined) {
    if (!Number.isSafeInteger(key)) return ErrorCode.UnableToProcess;
    if (factor === undefined) return ErrorCode.ShardFactorRequired;
    if ((key as number) < 0 || (key as number) >= (factor as number)) {
      return ErrorCode.ShardKeyOutOfRange;
    }
  }
  return { factor: factor as number | undefined, key: key as number | undefined };
}
