/**
 * One connection's subscriptions: sids handed out from 1 in subscribe order (never reused),
 * each subscription's filters and its own `seq` counter. Kalshi numbers every frame of a
 * sequenced channel's sid — data, `ok`, snapshots, errors — from one counter, so every frame
 * that carries `seq` takes it from {@linkcode nextSeq}.
 *
 * @module
 */

import type { Channel } from "./protocol.ts";
import type { RouteFilter } from "./routing.ts";

/** A live subscription, as {@linkcode SubscriptionTable.info} reports it. */
export interface SubscriptionInfo {
  /** Server-assigned id (from 1 per connection). */
  readonly sid: number;
  /** Channel name. */
  readonly channel: Channel;
  /** Last `seq` used on this sid (0 before any). */
  readonly seq: number;
  /** True when the subscription covers every market. */
  readonly allMarkets: boolean;
  /** Subscribed market tickers (empty when `allMarkets`). */
  readonly marketTickers: readonly string[];
  /** NO levels reported in YES prices (`use_yes_price`). */
  readonly useYesPrice: boolean;
}

/** A subscription as the connection keeps it: routing filters plus reply options and `seq`. */
export interface Subscription extends RouteFilter {
  /** Its sid. */
  readonly sid: number;
  /** Its channel. */
  readonly channel: Channel;
  /** Last `seq` used (0 before any). */
  seq: number;
  /** True when it covers every market. */
  allMarkets: boolean;
  /** Its markets (when not `allMarkets`). */
  readonly tickers: Set<string>;
  /** Subscribed by `market_id(s)`: `ok` replies also list the ids. */
  byId: boolean;
  /** NO levels in YES prices (`use_yes_price`, orderbook only). */
  readonly useYesPrice: boolean;
  /** `skip_ticker_ack`: `ok` replies without the market list. */
  readonly skipTickerAck: boolean;
  /** Index ids / underlyings of the value feeds. */
  ids: string[];
}

/** The next `seq` of `sub` (consumed even when the frame is then dropped by a fault). */
export function nextSeq(sub: Subscription): number {
  return ++sub.seq;
}

/** The live subscriptions of one connection, by sid. */
export class SubscriptionTable {
  readonly #subs = new Map<number, Subscription>();
  #nextSid = 1;

  /** How many subscriptions are live. */
  get size(): number {
    return this.#subs.size;
  }

  /** Adds a subscription with the next sid and `seq` 0. */
  create(fields: Omit<Subscription, "sid" | "seq">): Subscription {
    const sub: Subscription = { sid: this.#nextSid++, seq: 0, ...fields };
    this.#subs.set(sub.sid, sub);
    return sub;
  }

  /** The subscription `sid`, if live. */
  get(sid: number): Subscription | undefined {
    return this.#subs.get(sid);
  }

  /** The live subscription of `channel` (Kalshi allows one per channel per connection). */
  ofChannel(channel: Channel): Subscription | undefined {
    return [...this.#subs.values()].find((s) => s.channel === channel);
  }

  /** Ends subscription `sid`. */
  delete(sid: number): void {
    this.#subs.delete(sid);
  }

  /** The live subscriptions, by ascending sid. */
  values(): IterableIterator<Subscription> {
    return this.#subs.values();
  }

  /** The live subscriptions as the connection reports them, by ascending sid. */
  info(): SubscriptionInfo[] {
    return [...this.#subs.values()].map((sub) => ({
      sid: sub.sid,
      channel: sub.channel,
      seq: sub.seq,
      allMarkets: sub.allMarkets,
      marketTickers: [...sub.tickers],
      useYesPrice: sub.useYesPrice,
    }));
  }
}
