/**
 * The simulator's pure model: markets and their true books, the seeded activity generator,
 * simulated own orders, and the per-connection protocol state machine. No sockets, no timers,
 * no clock reads — usable by a deterministic simulation harness as well as by the server.
 *
 * @example
 * ```ts
 * import { Exchange, ProtocolConnection } from "./mod.ts";
 * const exchange = new Exchange({ seed: 42 });
 * const connection = new ProtocolConnection({ exchange, userId: "u1" });
 * connection.handleText('{"id":1,"cmd":"subscribe","params":{"channels":["trade"]}}', 0);
 * const frames = connection.onEvents(exchange.step(1_000));
 * exchange.market("KXFED-26DEC-T4.25")?.book.wire(); // the true book, as Kalshi ladders
 * ```
 *
 * @module
 */

/** Scaled-integer units used throughout (re-exported from `@kalshi-ws/core` for convenience). */
export type { Count, Micros, Price } from "@kalshi-ws/core";
export { type EventChannel, type ExchangeEvent } from "./events.ts";
export { Exchange, type ExchangeOptions } from "./exchange.ts";
export { type MarketState, type MarketStatus } from "./market_state.ts";
export { type OrderRequest, type OwnOrder, takerFee } from "./trading.ts";
export { type Position } from "./positions.ts";
export { formatMoney } from "./exchange_messages.ts";
export {
  DEFAULT_MARKETS,
  isOnGrid,
  type MarketSpec,
  PRICE_STRUCTURES,
  type PriceLevelStructure,
  type PriceRange,
  snapDown,
  tickAt,
} from "./markets.ts";
export {
  type ScaledBook,
  type ScaledLevel,
  type Side,
  TrueBook,
  type WireBook,
  type WireLevel,
} from "./order_book.ts";
export { ProtocolConnection, type ProtocolConnectionOptions } from "./connection.ts";
export { type OutFrame, type PendingFault } from "./outbox.ts";
export { type SubscriptionInfo } from "./subscription_table.ts";
export { ErrorStorm } from "./error_storm.ts";
export {
  type Channel,
  CHANNELS,
  ErrorCode,
  MARKET_CHANNELS,
  PRIVATE_CHANNELS,
  SEQUENCED_CHANNELS,
} from "./protocol.ts";
export { Rng } from "./rng.ts";
export { ChannelFeeds, type ChannelFeedsOptions, type FeedContext } from "./channel_feeds.ts";
export { Communications } from "./communications.ts";
export { type Combo, type ComboLeg, Multivariate, MVE_COLLECTIONS } from "./multivariate.ts";
export { type OrderGroup, OrderGroups } from "./order_groups.ts";
export { CF_5HZ_INDEX_IDS, IndexFeeds } from "./index_feeds.ts";
export { DRIFT_ENVELOPE_FIELD, DRIFT_FIELD, DRIFT_TYPE, DriftMode } from "./drift_mode.ts";
export { delivers, type RouteFilter, shardOf } from "./routing.ts";
