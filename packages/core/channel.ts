/**
 * Kalshi's WebSocket channels and the facts about each one that the encoder, the decoder, the
 * session, the client's routing, the simulator and the CLI need, kept in one table
 * ({@linkcode CHANNEL_INFO}) so a protocol change is one edit. Lookups the other way round
 * (which channels emit a message type: {@linkcode channelsOfMessageType}) derive from it.
 *
 * Source: the official AsyncAPI (`channels.*` and the subscribe/update schemas) and the protocol
 * reference §6.0.
 *
 * @module
 */

import type { UpdateAction } from "./command_actions.ts";
import type { SubscribeParams } from "./command.ts";

/**
 * The 13 channels the current API accepts in `subscribe` (`params.channels`), in the spec's order.
 *
 * Removed channels (`ticker_v2`, `multivariate`) are not listed: subscribing to them fails.
 */
export const CHANNELS = [
  "orderbook_delta",
  "ticker",
  "trade",
  "fill",
  "market_positions",
  "market_lifecycle_v2",
  "multivariate_market_lifecycle",
  "communications",
  "order_group_updates",
  "user_orders",
  "cfbenchmarks_value",
  "cfbenchmarks_value_5hz",
  "pyth_value",
] as const;

/** A channel name as written in `params.channels` and echoed in `subscribed.msg.channel`. */
export type Channel = typeof CHANNELS[number];

/**
 * Subscribe parameters that only some channels accept (besides the market filter, which
 * {@linkcode ChannelInfo.marketFilter} describes).
 */
export type ChannelOption =
  | "send_initial_snapshot"
  | "skip_ticker_ack"
  | "use_yes_price"
  | "user_filter"
  | "shard_factor"
  | "shard_key"
  | "index_ids"
  | "underlying_tickers";

/**
 * How a channel treats `market_ticker`/`market_tickers` on subscribe:
 * `required` (error 14 without it), `optional` (omit = all markets), or `none` (the channel
 * always streams everything; Kalshi ignores or does not support a filter).
 */
export type MarketFilter = "required" | "optional" | "none";

/** What the rest of the library needs to know about one channel. */
export interface ChannelInfo {
  /** Whether `market_ticker`/`market_tickers` filter this channel, and whether one is required. */
  readonly marketFilter: MarketFilter;
  /** Whether `market_id`/`market_ids` (market UUIDs) are accepted (the `ticker` channel only). */
  readonly marketIds: boolean;
  /** Other subscribe parameters this channel accepts. */
  readonly options: readonly ChannelOption[];
  /** The `update_subscription` actions this channel supports (others get error 13). */
  readonly updateActions: readonly UpdateAction[];
  /** The `type`s of the data messages this channel emits (each a `DataMessageType`: tested). */
  readonly messageTypes: readonly string[];
  /** Whether its data messages carry a per-sid `seq` (gaps are detectable only then). */
  readonly sequenced: boolean;
  /** Whether the channel needs channel-level authorization beyond the authenticated connection. */
  readonly private: boolean;
}

const MARKET_ACTIONS = ["add_markets", "delete_markets"] as const;
const INDEX_ACTIONS = ["subscribe_indices", "unsubscribe_indices", "indexlist"] as const;
const UNDERLYING_ACTIONS = [
  "subscribe_underlyings",
  "unsubscribe_underlyings",
  "underlying_list",
] as const;
const COMMUNICATIONS_TYPES = [
  "rfq_created",
  "rfq_deleted",
  "quote_created",
  "quote_accepted",
  "quote_executed",
] as const;

/**
 * One row per channel: market filtering, accepted options, update actions, emitted message
 * types, sequencing and authorization. The single source of channel facts in the library.
 */
export const CHANNEL_INFO: { readonly [C in Channel]: ChannelInfo } = {
  orderbook_delta: {
    marketFilter: "required",
    marketIds: false,
    options: ["use_yes_price", "skip_ticker_ack"],
    updateActions: [...MARKET_ACTIONS, "get_snapshot"],
    messageTypes: ["orderbook_snapshot", "orderbook_delta"],
    sequenced: true,
    private: true,
  },
  ticker: {
    marketFilter: "optional",
    marketIds: true,
    options: ["send_initial_snapshot", "skip_ticker_ack"],
    updateActions: MARKET_ACTIONS,
    messageTypes: ["ticker"],
    sequenced: false,
    private: false,
  },
  trade: {
    marketFilter: "optional",
    marketIds: false,
    options: ["skip_ticker_ack"],
    updateActions: [],
    messageTypes: ["trade"],
    sequenced: true,
    private: false,
  },
  fill: {
    marketFilter: "optional",
    marketIds: false,
    options: ["skip_ticker_ack"],
    updateActions: MARKET_ACTIONS,
    messageTypes: ["fill"],
    sequenced: false,
    private: true,
  },
  market_positions: {
    marketFilter: "optional",
    marketIds: false,
    options: ["skip_ticker_ack"],
    updateActions: [],
    messageTypes: ["market_position"],
    sequenced: false,
    private: true,
  },
  market_lifecycle_v2: {
    marketFilter: "none",
    marketIds: false,
    options: [],
    updateActions: [],
    messageTypes: ["market_lifecycle_v2", "event_lifecycle", "event_fee_update"],
    sequenced: true,
    private: false,
  },
  multivariate_market_lifecycle: {
    marketFilter: "none",
    marketIds: false,
    options: [],
    updateActions: [],
    messageTypes: ["multivariate_market_lifecycle", "event_lifecycle"],
    sequenced: true,
    private: false,
  },
  communications: {
    marketFilter: "none",
    marketIds: false,
    options: ["user_filter", "shard_factor", "shard_key"],
    updateActions: [],
    messageTypes: COMMUNICATIONS_TYPES,
    sequenced: true,
    private: true,
  },
  order_group_updates: {
    marketFilter: "none",
    marketIds: false,
    options: [],
    updateActions: [],
    messageTypes: ["order_group_updates"],
    sequenced: true,
    private: true,
  },
  user_orders: {
    marketFilter: "optional",
    marketIds: false,
    options: ["skip_ticker_ack"],
    updateActions: MARKET_ACTIONS,
    messageTypes: ["user_order"],
    sequenced: false,
    private: true,
  },
  cfbenchmarks_value: {
    marketFilter: "none",
    marketIds: false,
    options: ["index_ids"],
    updateActions: INDEX_ACTIONS,
    messageTypes: ["cfbenchmarks_value", "cfbenchmarks_value_indexlist"],
    sequenced: true,
    private: true,
  },
  cfbenchmarks_value_5hz: {
    marketFilter: "none",
    marketIds: false,
    options: ["index_ids"],
    updateActions: INDEX_ACTIONS,
    messageTypes: ["cfbenchmarks_value_5hz", "cfbenchmarks_value_5hz_indexlist"],
    sequenced: true,
    private: true,
  },
  pyth_value: {
    marketFilter: "none",
    marketIds: false,
    options: ["underlying_tickers"],
    updateActions: UNDERLYING_ACTIONS,
    messageTypes: ["pyth_value", "pyth_value_underlying_list"],
    sequenced: true,
    private: true,
  },
};

/** Whether `name` is one of the 13 current channel names (a type guard for untrusted input). */
export function isChannel(name: unknown): name is Channel {
  return typeof name === "string" && Object.hasOwn(CHANNEL_INFO, name);
}

const MESSAGE_TYPE_CHANNELS: ReadonlyMap<string, readonly Channel[]> = (() => {
  const map = new Map<string, Channel[]>();
  for (const channel of CHANNELS) {
    for (const type of CHANNEL_INFO[channel].messageTypes) {
      const channels = map.get(type);
      if (channels === undefined) map.set(type, [channel]);
      else channels.push(channel);
    }
  }
  return map;
})();

/**
 * The channels that emit data messages of `type`, in {@linkcode CHANNELS} order: one for most
 * types, two for `event_lifecycle` (`market_lifecycle_v2` and `multivariate_market_lifecycle`;
 * the sid tells which), none for responses, retired and unknown types.
 */
export function channelsOfMessageType(type: string): readonly Channel[] {
  return MESSAGE_TYPE_CHANNELS.get(type) ?? [];
}

/**
 * Subscribe params for `channels` taken from `source`: the market filter (as `market_tickers`
 * from `markets` when given) only if a channel is filtered, and only the options the channels
 * accept. Used to re-subscribe some channels of a subscription with its current markets.
 */
export function paramsForChannels(
  source: SubscribeParams,
  markets: ReadonlySet<string> | undefined,
  channels: readonly Channel[],
): SubscribeParams {
  const params: Record<string, unknown> = { channels };
  const fields = source as unknown as Record<string, unknown>;
  if (channels.some((c) => CHANNEL_INFO[c].marketFilter !== "none")) {
    if (markets !== undefined) params.market_tickers = [...markets];
    else {
      for (const field of ["market_ticker", "market_tickers", "market_id", "market_ids"]) {
        if (fields[field] !== undefined) params[field] = fields[field];
      }
    }
  }
  const options = new Set<ChannelOption>();
  for (const c of channels) for (const o of CHANNEL_INFO[c].options) options.add(o);
  for (const option of options) {
    if (fields[option] !== undefined) params[option] = fields[option];
  }
  return params as unknown as SubscribeParams;
}
