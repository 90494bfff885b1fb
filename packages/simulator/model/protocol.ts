/**
 * Protocol tables the simulator follows: channels and their properties, and Kalshi's error codes
 * with their exact message strings (protocol reference §5, §6.0).
 *
 * @module
 */

/** Every channel a `subscribe` may name (current spec). */
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

/** A channel name. */
export type Channel = typeof CHANNELS[number];

const CHANNEL_SET: ReadonlySet<string> = new Set(CHANNELS);

/** True when `name` is a channel the server knows. */
export function isChannel(name: string): name is Channel {
  return CHANNEL_SET.has(name);
}

/** Channels that need an authenticated connection (code 9 on an anonymous one). */
export const PRIVATE_CHANNELS: ReadonlySet<Channel> = new Set<Channel>([
  "orderbook_delta",
  "fill",
  "market_positions",
  "communications",
  "order_group_updates",
  "user_orders",
  "cfbenchmarks_value",
  "cfbenchmarks_value_5hz",
  "pyth_value",
]);

/** Channels whose data frames carry `seq` (ticker, fill, market_position, user_order do not). */
export const SEQUENCED_CHANNELS: ReadonlySet<Channel> = new Set<Channel>([
  "orderbook_delta",
  "trade",
  "market_lifecycle_v2",
  "multivariate_market_lifecycle",
  "communications",
  "order_group_updates",
  "cfbenchmarks_value",
  "cfbenchmarks_value_5hz",
  "pyth_value",
]);

/** Channels that accept a `market_ticker(s)` filter (the others ignore markets). */
export const MARKET_CHANNELS: ReadonlySet<Channel> = new Set<Channel>([
  "orderbook_delta",
  "ticker",
  "trade",
  "fill",
  "market_positions",
  "user_orders",
]);

/** `update_subscription` actions each channel supports (others answer code 13). */
export const CHANNEL_ACTIONS: Readonly<Partial<Record<Channel, readonly string[]>>> = {
  orderbook_delta: ["add_markets", "delete_markets", "get_snapshot"],
  ticker: ["add_markets", "delete_markets"],
  fill: ["add_markets", "delete_markets"],
  user_orders: ["add_markets", "delete_markets"],
  cfbenchmarks_value: ["subscribe_indices", "unsubscribe_indices", "indexlist"],
  cfbenchmarks_value_5hz: ["subscribe_indices", "unsubscribe_indices", "indexlist"],
  pyth_value: ["subscribe_underlyings", "unsubscribe_underlyings", "underlying_list"],
};

/** Kalshi's error codes with their `msg.msg` strings, verbatim (casing matters). */
export const ERROR_MESSAGES = {
  1: "Unable to process message",
  2: "Params required",
  3: "Channels required",
  4: "Subscription IDs required",
  5: "Unknown command",
  7: "Unknown subscription ID",
  8: "Unknown channel name",
  9: "Authentication required",
  10: "Channel error",
  11: "Invalid parameter",
  12: "Exactly one subscription ID is required",
  13: "Unsupported action",
  14: "Market Ticker required",
  15: "Action required",
  18: "Command timeout",
  19: "shard_factor must be > 0",
  20: "shard_factor is required when shard_key is set",
  21: "shard_key must be >= 0 and < shard_factor",
  22: "shard_factor must be <= 100",
  24: "Index IDs required",
  25: "Subscription buffer overflow",
  26: "Subscription market limit exceeded",
  27: "Too many requests",
  28: "Underlying tickers required",
} as const;

/** An error code the simulator can emit. */
export type ErrorCode = keyof typeof ERROR_MESSAGES;

/** Codes that kill a subscription (the client must re-subscribe). */
export const TERMINAL_ERROR_CODES: ReadonlySet<number> = new Set([10, 25]);

/** The index ids the simulated `cfbenchmarks_value` channels list (they stream nothing). */
export const CF_INDEX_IDS: readonly string[] = ["BRTI", "ETHUSD_RTI", "SOLUSD_RTI", "XRPUSD_RTI"];

/** The underlyings the simulated `pyth_value` channel lists (it streams nothing). */
export const PYTH_UNDERLYINGS: readonly string[] = ["Metal.XAU/USD", "Metal.XAG/USD"];
