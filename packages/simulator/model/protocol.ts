/**
 * Protocol tables the simulator follows: channels and their properties, and Kalshi's error codes
 * with their exact message strings (protocol reference §5, §6.0).
 *
 * @module
 */

import { type Channel, CHANNEL_INFO, CHANNELS, isChannel } from "@kalshi-ws/core";

// The channel facts come from the core's one table (`channel.ts`), so client and simulator can
// never disagree about which channels are private, sequenced or take markets.
export { type Channel, CHANNELS, isChannel };

function channelsWhere(predicate: (channel: Channel) => boolean): ReadonlySet<Channel> {
  return new Set(CHANNELS.filter(predicate));
}

/** Channels that need an authenticated connection (code 9 on an anonymous one). */
export const PRIVATE_CHANNELS: ReadonlySet<Channel> = channelsWhere((c) => CHANNEL_INFO[c].private);

/** Channels whose data frames carry `seq` (ticker, fill, market_position, user_order do not). */
export const SEQUENCED_CHANNELS: ReadonlySet<Channel> = channelsWhere((c) =>
  CHANNEL_INFO[c].sequenced
);

/** Channels that accept a `market_ticker(s)` filter (the others ignore markets). */
export const MARKET_CHANNELS: ReadonlySet<Channel> = channelsWhere((c) =>
  CHANNEL_INFO[c].marketFilter !== "none"
);

/** `update_subscription` actions each channel supports (others answer code 13). */
export const CHANNEL_ACTIONS: Readonly<Partial<Record<Channel, readonly string[]>>> = Object
  .fromEntries(
    CHANNELS.filter((c) => CHANNEL_INFO[c].updateActions.length > 0)
      .map((c) => [c, CHANNEL_INFO[c].updateActions]),
  );

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
