/**
 * `@kalshi-ws/client`: the runtime-neutral Kalshi WebSocket client (web-standard APIs only).
 *
 * Users normally import `@kalshi-ws/deno` or `@kalshi-ws/node`, which re-export this client API
 * with their runtime's socket plugged in: `connect` and its options, the client and
 * subscription handles, events and streams, errors (with Kalshi's codes by name: `ErrorCode`),
 * order books, exact prices and sizes, the channel table and the message types. The engine (the
 * session, decoder, subscription table, connection lifecycle) is `@kalshi-ws/core`'s; the
 * client's own plumbing is `@kalshi-ws/client/internal`.
 * A payload type is its message's `msg` (`TickerMessage["msg"]`), or import the named `…Msg`
 * types from `@kalshi-ws/core`.
 *
 * Words, used the same way in types, docs and messages:
 * - **subscription**: the user's handle from `subscribe()` ({@linkcode Subscription}); it lives
 *   across reconnects and is identified by its `key`;
 * - **sid**: Kalshi's id for one channel of a subscription on one connection (it changes on
 *   every re-subscribe; `Subscription.sids`);
 * - **subscribe command**: the wire message (`{"cmd":"subscribe",…}`), one per `subscribe()` and
 *   per automatic re-subscribe;
 * - **lane**: inside a stream, one subscription's data on one channel, bounded separately by that
 *   channel's {@linkcode OverflowPolicy} (never shown to users);
 * - Kalshi's `list_subscriptions` lists sids ({@linkcode SubscriptionEntry}).
 *
 * ## The rooms, and two walks through them
 *
 * | file                   | responsibility                                                |
 * | ---------------------- | ------------------------------------------------------------- |
 * | `client.ts`            | `connect()`, {@linkcode KalshiWsClient}: wiring, the calls     |
 * | `client_options.ts`    | the options of `connect()`, `subscribe()`, `events()`         |
 * | `client_event.ts`      | {@linkcode ClientEvent}, derived from the core's events        |
 * | `subscription.ts`      | the {@linkcode Subscription} handle and its narrow port        |
 * | `event_router.ts`      | events to listeners, streams and handles; the handle table    |
 * | `overflow_routing.ts`  | a data message's lane and policy, from the channel table      |
 * | `event_stream.ts`      | bounded async-iterable streams, listener registries           |
 * | `session_driver.ts`    | runs the core's `Session`: frames, events, its timer          |
 * | `connection_driver.ts` | runs the core's `ConnectionLifecycle`: sockets, deadlines     |
 * | `pending_requests.ts`  | the promises of calls, settled by `command_result`            |
 * | `transport.ts`         | the socket seam adapters implement (`clock.ts`: the time one) |
 * | `signer.ts`, …         | signing, endpoints, errors, the frame limit                   |
 *
 * **One `orderbook_delta` frame, socket to the user's loop.** The adapter's transport calls
 * `SocketEvents.text` → `connection_driver.ts` passes it on if it came on the live socket →
 * `session_driver.ts` `receiveText`: the frame limit, the time (once per run of frames when the
 * transport `readsInRuns`), then the core's `Session.receiveText` (decode on the fast path, seq
 * check, book update; one `data` event), then `pump()` hands the event to →
 * `event_router.ts` `data()`: the handle by key (the last one, while live); nothing is built
 * when nobody reads;
 * else one event (`client_event.ts` `dataEvent`) to the client's listeners and streams and the
 * subscription's (`subscription.ts` `_emit`) → `event_stream.ts` `push()`: its lane and policy
 * (`overflow_routing.ts` through `Subscription._route`; the previous frame's lane when the route
 * is the same object), then straight to the waiting `for await` reader (`EventStream.next()`)
 * or into the queue (item and lane side by side, no wrapper).
 *
 * **One `subscribe()` to the wire and back.** `client.ts` `subscribe()`: overflow policies
 * (`overflow_routing.ts` `resolveOverflow`), the core's `Session.subscribe` (validates, queues
 * the subscribe command, returns the key), a {@linkcode Subscription} registered with the
 * router, a promise in `pending_requests.ts`, then `session_driver.ts` `pump()` sends the frame
 * on the live socket (queued while disconnected: the connection driver's `changed` callback pumps
 * when a link opens). Kalshi's `subscribed` replies walk in like the frame above; the session
 * then emits `subscribed` and `command_result`: `client.ts` `#handle` settles the promise with
 * the handle, and `event_router.ts` `report()` tells listeners and the handle's streams.
 *
 * @module
 */

// The client.
export {
  type ClientState,
  connect,
  KalshiWsClient,
  type KalshiWsClientWithBooks,
} from "./client.ts";
export type {
  ClientOptions,
  ReconnectOptions,
  StreamOptions,
  SubscribeOptions,
} from "./client_options.ts";
export { Subscription } from "./subscription.ts";
export { EventStream, type OverflowPolicy } from "./event_stream.ts";
export type {
  ClientEvent,
  ClientEventType,
  ClientListener,
  DataClientEvent,
} from "./client_event.ts";
export {
  ClientClosedError,
  ConnectionError,
  HandshakeRejectedError,
  LaggedError,
} from "./errors.ts";

// Feed metrics, read at scrape time (`@kalshi-ws/metrics` exports them).
export {
  ClientMetrics,
  type ClientMetricsSnapshot,
  type MetricsView,
  SUBSCRIPTION_HEALTH_STATES,
  type SubscriptionHealth,
  type SubscriptionMetrics,
} from "./client_metrics.ts";
export { type HistogramSnapshot, LAG_BUCKETS_SECONDS } from "./lag_histogram.ts";

// Credentials, endpoints and the seams adapters and tests plug in.
export { createRsaPssSigner, type Signer, signerFromCryptoKey } from "./signer.ts";
export { type Environment, ENVIRONMENTS } from "./environment.ts";
export type { OpenOptions, SocketConnection, SocketEvents, Transport } from "./transport.ts";
export type { Clock, TimerHandle } from "./clock.ts";

// From the core: what the calls take and the events carry, errors, books, exact numbers,
// messages. The engine itself (Session, decoder, lifecycle, …) stays in @kalshi-ws/core.
export {
  type BackoffOptions,
  BookChange,
  type BookChangeListener,
  type BookChangeMask,
  type BookLevel,
  BookProblem,
  type BookSide,
  BookStore,
  type BookStoreOptions,
  type Cfbenchmarks5HzIndexListMessage,
  type CfbenchmarksIndexListMessage,
  type CfbenchmarksValue5HzMessage,
  type CfbenchmarksValueMessage,
  type Channel,
  CHANNEL_INFO,
  type ChannelInfo,
  CHANNELS,
  CommandError,
  CommandTimeoutError,
  type Count,
  COUNT_DECIMALS,
  type DataMessage,
  type DataMessageType,
  DecodeError,
  describeDrift,
  type DriftCounts,
  type DriftEntry,
  type DriftEvent,
  type DriftKind,
  ErrorCode,
  type EventFeeUpdateMessage,
  type EventLifecycleMessage,
  type FillMessage,
  FixedPointError,
  formatCount,
  formatDollars,
  formatMid,
  formatPrice,
  isChannel,
  KalshiWsError,
  type MarketLifecycleV2Message,
  type MarketPositionMessage,
  type Micros,
  MICROS_DECIMALS,
  type MultivariateMarketLifecycleMessage,
  ONE_DOLLAR,
  OrderBook,
  type OrderbookDeltaMessage,
  type OrderbookSnapshotMessage,
  type OrderGroupUpdatesMessage,
  parseCount,
  parseDollars,
  parsePrice,
  type Price,
  PRICE_DECIMALS,
  type PriceLevel,
  type PythUnderlyingListMessage,
  type PythValueMessage,
  type QuoteAcceptedMessage,
  type QuoteCreatedMessage,
  type QuoteExecutedMessage,
  type ResubscribeReason,
  type RfqCreatedMessage,
  type RfqDeletedMessage,
  ServerError,
  type Side,
  type SidInfo,
  type SubscribeParams,
  type SubscriptionEntry,
  type SubscriptionKey,
  summarizeDrift,
  type TickerMessage,
  type TradeMessage,
  type UnknownMessage,
  type UserOrderMessage,
} from "@kalshi-ws/core";
