/**
 * `@kalshi-ws/client`: the runtime-neutral Kalshi WebSocket client (web-standard APIs only).
 *
 * Users normally import `@kalshi-ws/deno` or `@kalshi-ws/node`, which re-export everything here
 * with their runtime's socket plugged in.
 *
 * @module
 */

export {
  type AuthHeaders,
  createAuthHeaders,
  createRsaPssSigner,
  importRsaPrivateKey,
  type Signer,
  signerFromCryptoKey,
  SIGNING_PATH,
} from "./signer.ts";
export { type Endpoint, type Environment, ENVIRONMENTS, resolveEndpoint } from "./environment.ts";
export { DEFAULT_MAX_FRAME_BYTES } from "./frame_limit.ts";
export {
  type OpenOptions,
  type SocketConnection,
  type SocketEvents,
  statusFromHandshakeMessage,
  type Transport,
} from "./transport.ts";
export { type Clock, systemClock, type TimerHandle } from "./clock.ts";
export {
  ClientClosedError,
  ConnectionError,
  HandshakeRejectedError,
  LaggedError,
} from "./errors.ts";
export {
  type DataInfo,
  EventStream,
  type EventStreamOptions,
  Listeners,
  type OverflowPolicy,
} from "./event_stream.ts";
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
export type {
  ClientEvent,
  ClientEventType,
  ClientListener,
  DataClientEvent,
} from "./client_event.ts";
export { Subscription } from "./subscription.ts";
export {
  ClientMetrics,
  type ClientMetricsSnapshot,
  type MetricsView,
  SUBSCRIPTION_HEALTH_STATES,
  type SubscriptionHealth,
  type SubscriptionMetrics,
} from "./client_metrics.ts";
export { type HistogramSnapshot, LAG_BUCKETS_SECONDS } from "./lag_histogram.ts";
export { type TrackedMetrics, trackMetrics } from "./track_metrics.ts";
// Everything from the core (errors, message types, exact fixed-point, OrderBook/BookStore, …),
// so users need one import.
export * from "@kalshi-ws/core";
