/**
 * `@kalshi-ws/core`: a pure, I/O-free engine for Kalshi's WebSocket API (Trade API v2).
 *
 * No sockets, no timers, no clock reads: frames and the current time go in; frames to send,
 * events and the next deadline come out. Adapters supply the I/O.
 *
 * ## The rooms
 *
 * - Kalshi's facts, one table each: `channel.ts` (`CHANNEL_INFO`: filters, options, actions,
 *   message types, sequencing, auth), `error_codes.ts` (`KALSHI_ERRORS`: names, texts,
 *   terminal/retryable), `command_actions.ts` (`COMMAND_NAMES`, `UPDATE_ACTION_INFO`),
 *   `protocol_fields.ts` (every documented field, for drift checks).
 * - Commands: `command.ts` (types), `command_builders.ts` (`subscribeCommand`, …),
 *   `command_validation.ts` (`encodeCommand`: validates, then writes the frame).
 * - Messages: `message.ts` (`decodeMessage` and the unions) over one module per channel family
 *   (`message_responses.ts`, `message_orderbook.ts`, `message_market_data.ts`,
 *   `message_user_data.ts`, `message_lifecycle.ts`, `message_communications.ts`,
 *   `message_value_feeds.ts`, `message_legacy.ts`; shared pieces in `message_common.ts`);
 *   `fast_decode.ts` (the validated `orderbook_delta` fast path, a `DeltaScanner` per session);
 *   `field_check.ts` and `drift.ts` (protocol drift).
 * - The session: `session.ts` (composition) over `session_inbound.ts`, `resubscribe_plan.ts`,
 *   `book_repair.ts`, `session_requests.ts`, `session_liveness.ts`, `session_timers.ts`,
 *   `session_context.ts`, `session_events.ts`, `subscription_handle.ts`; the per-connection
 *   protocol rules in `subscriptions.ts` and `subscription_transitions.ts`.
 * - Books: `order_book.ts`, `book_store.ts`, `book_keeper.ts`; numbers: `fixed_point.ts`.
 * - Connections: `connection_lifecycle.ts` (handshake, backoff, close), `backoff.ts`,
 *   `heartbeat.ts`, `resubscribe_backoff.ts`, `request_deadlines.ts`.
 *
 * ## Walk 1: one `subscribe()` to the wire and back
 *
 * 1. `session.ts` `Session.subscribe` validates the params (`command_builders.ts`
 *    `subscribeCommand`, `command_validation.ts` `validateCommand`), opens a request
 *    (`session_context.ts` `newRequest`: its deadline starts now) and hands the subscription to
 *    `resubscribe_plan.ts` `ResubscribePlan.create`, which records a `Handle`
 *    (`subscription_handle.ts`) and pumps.
 * 2. `ResubscribePlan.pump` sends the `subscribe` through `session_context.ts`
 *    `SessionContext.send`: `encodeCommand` writes the frame with the connection's next id, the
 *    frame waits for `Session.pollTransmit`, and `subscriptions.ts` `SubscriptionTable.track`
 *    remembers the command with its purpose (`{ purpose: "subscribe", handle }`).
 * 3. The reply comes back through `Session.receiveText` → `session_inbound.ts` `Inbound.receive`
 *    (`decodeMessage`, `message_responses.ts`) → `SubscriptionTable.receive`, which answers with a
 *    `subscribed` transition (`subscription_transitions.ts`) → the purpose's handler
 *    (`ResubscribePlan.subscribeHandler`) → `subscribed` and `command_result` events
 *    (`session_events.ts`) for `Session.pollEvent`. A refusal or a timeout
 *    (`session_timers.ts`) reaches the same handler.
 *
 * ## Walk 2: one `orderbook_delta` frame from the socket to the book
 *
 * 1. `session.ts` `Session.receiveText` counts the frame as link activity
 *    (`session_liveness.ts`) and hands it to `session_inbound.ts` `Inbound.receive`.
 * 2. The session's `DeltaScanner` (`fast_decode.ts`) recognises the plain delta and builds the
 *    message `decodeMessage` would (`message_orderbook.ts` types); any other shape takes
 *    `message.ts` `decodeMessage`.
 * 3. `book_repair.ts` `BookRepair.delta` finds the sid (`subscriptions.ts`), checks its `seq`
 *    (`checkSeq`: a gap starts a repair), holds it if the market awaits a snapshot, and applies it
 *    to the books (`book_store.ts` → `order_book.ts`); a refused delta starts a repair.
 * 4. A `data` event (`session_events.ts`) waits for `Session.pollEvent`.
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
  requestedMarkets,
  SeqVerdict,
  type SidState,
  SubscriptionTable,
} from "./subscriptions.ts";
export type {
  CommandFailedTransition,
  ErrorTransition,
  IgnoredTransition,
  ListedTransition,
  OrphanTransition,
  OutOfOrder,
  PendingBase,
  PendingCommand,
  PendingList,
  PendingSubscribe,
  PendingUnsubscribe,
  PendingUpdate,
  SubscribedTransition,
  SubscribeFailedTransition,
  SubscriptionErrorTransition,
  Transition,
  TransitionBase,
  TransitionKind,
  UnsubscribedTransition,
  UpdatedTransition,
} from "./subscription_transitions.ts";
export { DEFAULT_COMMAND_TIMEOUT_MS, Session, type SessionOptions } from "./session.ts";
export type {
  BookInvalidEvent,
  CommandResultEvent,
  CommandValue,
  ConnectedEvent,
  DataEvent,
  DeadEvent,
  DecodeErrorEvent,
  DisconnectedEvent,
  GapEvent,
  ProbeEvent,
  RequestId,
  ResubscribedEvent,
  ResubscribeReason,
  ResubscribeScheduledEvent,
  ResyncedEvent,
  SeqAnomalyEvent,
  ServerErrorEvent,
  SessionEvent,
  SidInfo,
  SubscribedEvent,
  SubscriptionKey,
  SubscriptionLostEvent,
  UnsubscribedEvent,
} from "./session_events.ts";
