/**
 * Protocol tables the simulator follows, all derived from the core's tables: channels and their
 * properties (`CHANNEL_INFO`), Kalshi's error codes with their exact texts (`KALSHI_ERRORS`), and
 * the value feeds' index ids and underlyings the simulator lists.
 *
 * @module
 */

import {
  type Channel,
  CHANNEL_INFO,
  CHANNELS,
  ErrorCode,
  errorText,
  isChannel,
  TERMINAL_ERROR_CODES,
} from "@kalshi-ws/core";

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

// Error codes, their texts and which are terminal come from the core's table (`error_codes.ts`).
export { ErrorCode, errorText, TERMINAL_ERROR_CODES };

/** The index ids the simulated `cfbenchmarks_value` channels list (they stream nothing). */
export const CF_INDEX_IDS: readonly string[] = ["BRTI", "ETHUSD_RTI", "SOLUSD_RTI", "XRPUSD_RTI"];

/** The underlyings the simulated `pyth_value` channel lists (it streams nothing). */
export const PYTH_UNDERLYINGS: readonly string[] = ["Metal.XAU/USD", "Metal.XAG/USD"];
