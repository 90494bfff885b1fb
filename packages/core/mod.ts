/**
 * `@kalshi-ws/core`: a pure, I/O-free engine for Kalshi's WebSocket API (Trade API v2).
 *
 * No sockets, no timers, no clock reads: frames and the current time go in; frames to send,
 * events and the next deadline come out. Adapters supply the I/O.
 *
 * @example
 * ```ts
 * import { parsePrice } from "@kalshi-ws/core";
 * parsePrice("0.4200"); // 4200 (1/10 000 dollar)
 * ```
 *
 * @module
 */

export {
  type Count,
  COUNT_DECIMALS,
  formatCount,
  formatDollars,
  formatPrice,
  type Micros,
  MICROS_DECIMALS,
  ONE_DOLLAR,
  parseCount,
  parseDollars,
  parsePrice,
  type Price,
  PRICE_DECIMALS,
} from "./fixed_point.ts";
export { seededRandom } from "./random.ts";
export {
  CommandError,
  CommandTimeoutError,
  DecodeError,
  FixedPointError,
  KalshiWsError,
  ServerError,
} from "./errors.ts";
export {
  type Channel,
  CHANNEL_INFO,
  type ChannelInfo,
  type ChannelOption,
  CHANNELS,
  channelsOfMessageType,
  isChannel,
  type MarketFilter,
  paramsForChannels,
} from "./channel.ts";
export {
  COMMAND_NAMES,
  type CommandName,
  isCommandName,
  isUpdateAction,
  MARKET_PARAMS,
  UPDATE_ACTION_INFO,
  UPDATE_ACTIONS,
  type UpdateAction,
  type UpdateActionInfo,
  type UpdateActionParam,
} from "./command_actions.ts";
export {
  ErrorCode,
  errorInfo,
  type ErrorName,
  errorText,
  isErrorCode,
  isRetryableError,
  isTerminalError,
  KALSHI_ERRORS,
  type KalshiErrorInfo,
  RETRYABLE_ERROR_CODES,
  TERMINAL_ERROR_CODES,
} from "./error_codes.ts";
export type {
  CommandBody,
  ListSubscriptionsCommand,
  SubscribeCommand,
  SubscribeParams,
  UnsubscribeCommand,
  UnsubscribeParams,
  UpdateSubscriptionCommand,
  UpdateSubscriptionParams,
} from "./command.ts";
export {
  addMarketsCommand,
  type AddMarketsOptions,
  deleteMarketsCommand,
  getSnapshotCommand,
  listSubscriptionsCommand,
  subscribeCommand,
  unsubscribeCommand,
  updateIndicesCommand,
  updateSubscriptionCommand,
  updateUnderlyingsCommand,
} from "./command_builders.ts";
export { encodeCommand, validateCommand, validateUpdate } from "./command_validation.ts";
export {
  DATA_MESSAGE_TYPES,
  type DataMessage,
  type DataMessageType,
  decodeMessage,
  isDataMessage,
  isListSubscriptionsReply,
  type ResponseMessage,
  type ServerMessage,
  type UnknownMessage,
} from "./message.ts";
export type { BookSide, PriceLevel, Side } from "./message_common.ts";
export type {
  ErrorMessage,
  ErrorMsg,
  ListSubscriptionsMessage,
  OkMessage,
  OkMsg,
  SubscribedMessage,
  SubscribedMsg,
  SubscriptionEntry,
  UnsubscribedMessage,
} from "./message_responses.ts";
export type {
  OrderbookDeltaMessage,
  OrderbookDeltaMsg,
  OrderbookSnapshotMessage,
  OrderbookSnapshotMsg,
} from "./message_orderbook.ts";
export type { TickerMessage, TickerMsg, TradeMessage, TradeMsg } from "./message_market_data.ts";
export type {
  FillMessage,
  FillMsg,
  LastUpdateReason,
  MarketPositionMessage,
  MarketPositionMsg,
  OrderGroupUpdatesMessage,
  OrderGroupUpdatesMsg,
  UserOrderMessage,
  UserOrderMsg,
} from "./message_user_data.ts";
export type {
  EventFeeUpdateMessage,
  EventFeeUpdateMsg,
  EventLifecycleMessage,
  EventLifecycleMsg,
  LifecycleAdditionalMetadata,
  MarketLifecycleEventType,
  MarketLifecycleMsg,
  MarketLifecycleV2Message,
  MultivariateMarketLifecycleMessage,
  PriceRange,
} from "./message_lifecycle.ts";
export type {
  MveSelectedLeg,
  QuoteAcceptedMessage,
  QuoteAcceptedMsg,
  QuoteCreatedMessage,
  QuoteCreatedMsg,
  QuoteExecutedMessage,
  QuoteExecutedMsg,
  QuoteMsgBase,
  RfqCreatedMessage,
  RfqCreatedMsg,
  RfqDeletedMessage,
  RfqDeletedMsg,
} from "./message_communications.ts";
export type {
  Cfbenchmarks5HzIndexListMessage,
  CfbenchmarksAvgData,
  CfbenchmarksIndexListMessage,
  CfbenchmarksValue5HzMessage,
  CfbenchmarksValue5HzMsg,
  CfbenchmarksValueMessage,
  CfbenchmarksValueMsg,
  IndexListMsg,
  PythUnderlyingListMessage,
  PythValueMessage,
  PythValueMsg,
  UnderlyingListMsg,
} from "./message_value_feeds.ts";
export type {
  MultivariateLookupMessage,
  MultivariateLookupMsg,
  TickerV2Message,
  TickerV2Msg,
} from "./message_legacy.ts";
export {
  BookChange,
  type BookChangeMask,
  type BookLevel,
  BookProblem,
  formatMid,
  OrderBook,
} from "./order_book.ts";
export { DeltaScanner } from "./fast_decode.ts";
export {
  describeDrift,
  DRIFT_EXAMPLE_LENGTH,
  type DriftCounts,
  type DriftEntry,
  type DriftEvent,
  type DriftKind,
  DriftLog,
  type DriftLogOptions,
  summarizeDrift,
} from "./drift.ts";
export {
  KNOWN_FIELDS,
  RETIRED_FIELDS,
  RETIRED_TYPES,
  type RetiredAction,
  type RetiredField,
} from "./protocol_fields.ts";
export { type BookChangeListener, BookStore, type BookStoreOptions } from "./book_store.ts";
export type { BookKeeper } from "./book_keeper.ts";
export { Backoff, backoffDelay, type BackoffOptions, DEFAULT_BACKOFF } from "./backoff.ts";
export {
  type AttemptFailure,
  ConnectionLifecycle,
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  isRejection,
  type LifecycleCommand,
  type LifecycleEvent,
  type LifecycleOptions,
  type LifecycleState,
  type LinkObserver,
  type ReconnectPolicy,
} from "./connection_lifecycle.ts";
export {
  DEFAULT_RESUBSCRIBE_BACKOFF,
  ResubscribeBackoff,
  type ResubscribeDelay,
} from "./resubscribe_backoff.ts";
export { type DueRequest, RequestDeadlines } from "./request_deadlines.ts";
export {
  deadAt,
  DEFAULT_IDLE_MS,
  DEFAULT_PROBE_TIMEOUT_MS,
  Liveness,
  type LivenessAction,
  type LivenessOptions,
  probeDueAt,
} from "./heartbeat.ts";
export {
  applyMarketAction,
  checkSeq,
  isTransientFailure,
  newSidState,
  type PendingBase,
  type PendingCommand,
  type PendingList,
  type PendingSubscribe,
  type PendingUnsubscribe,
  type PendingUpdate,
  requestedMarkets,
  SeqVerdict,
  type SidState,
  SubscriptionTable,
  type Transition,
  type TransitionKind,
} from "./subscriptions.ts";
export {
  type BookInvalidEvent,
  type CommandResultEvent,
  type CommandValue,
  type ConnectedEvent,
  type DataEvent,
  type DeadEvent,
  type DecodeErrorEvent,
  DEFAULT_COMMAND_TIMEOUT_MS,
  type DisconnectedEvent,
  type GapEvent,
  type ProbeEvent,
  type RequestId,
  type ResubscribedEvent,
  type ResubscribeReason,
  type ResubscribeScheduledEvent,
  type ResyncedEvent,
  type SeqAnomalyEvent,
  type ServerErrorEvent,
  Session,
  type SessionEvent,
  type SessionOptions,
  type SidInfo,
  type SubscribedEvent,
  type SubscriptionKey,
  type SubscriptionLostEvent,
  type UnsubscribedEvent,
} from "./session.ts";
