/**
 * The options of the client: {@linkcode ClientOptions} for `connect()`,
 * {@linkcode SubscribeOptions} for `subscribe()`, {@linkcode StreamOptions} for `events()`.
 *
 * @module
 */

import type { BackoffOptions, BookStore, Channel, ReconnectPolicy } from "@kalshi-ws/core";
import type { Clock } from "./clock.ts";
import type { Environment } from "./environment.ts";
import type { OverflowPolicy } from "./event_stream.ts";
import type { Signer } from "./signer.ts";
import type { Transport } from "./transport.ts";

/**
 * Reconnect policy: the core's backoff options plus `maxHandshakeRejections`, the consecutive
 * 401/403 handshake rejections tolerated while reconnecting before the client gives up with a
 * `HandshakeRejectedError` (default 3). The first connection fails on the first
 * rejection: credentials that never worked will not start working.
 */
export type ReconnectOptions = ReconnectPolicy;

/** Options of `connect()` (the adapters fill in `transport`). */
export interface ClientOptions {
  /** How to open sockets: `@kalshi-ws/deno` and `@kalshi-ws/node` supply their runtime's. */
  readonly transport: Transport;
  /** `"production"` (default), `"demo"`, or any `ws:`/`wss:` URL (e.g. the simulator's). */
  readonly endpoint?: Environment | string | URL;
  /** The API key id (a UUID), sent as `KALSHI-ACCESS-KEY`. */
  readonly keyId: string;
  /** The RSA private key PEM (PKCS#1 as Kalshi issues it, or PKCS#8). Give this or `signer`. */
  readonly privateKeyPem?: string;
  /** A custom signer (key kept outside JavaScript). Give this or `privateKeyPem`. */
  readonly signer?: Signer;
  /** Automatic reconnection (default on); `false` ends the client at the first drop. */
  readonly reconnect?: boolean | ReconnectOptions;
  /**
   * How long (ms) one connection attempt (signing, TCP, TLS, upgrade) may take (default 10 000).
   * A first attempt that times out rejects `connect()`; a reconnect attempt is abandoned, backed
   * off and retried (a `reconnecting` event carries the timeout).
   */
  readonly handshakeTimeoutMs?: number;
  /** Pacing of automatic re-subscribes per subscription (default 250–500 ms doubling to 30 s). */
  readonly resubscribe?: BackoffOptions;
  /** Inbound silence (ms) before a liveness probe (default 25 000). */
  readonly idleTimeoutMs?: number;
  /** How long (ms) a probe may go unanswered before reconnecting (default 5 000). */
  readonly probeTimeoutMs?: number;
  /**
   * How long (ms) a request may stay unsettled before its promise rejects with a
   * `CommandTimeoutError` (default 10 000), counted from the call: also while it is queued
   * because the client is reconnecting.
   */
  readonly commandTimeoutMs?: number;
  /**
   * Largest inbound frame (bytes) the client accepts (default 16 MiB, well under the runtime's
   * own limits); a larger one is skipped and reported as a `decode_error` (see `frame_limit.ts`).
   */
  readonly maxFrameBytes?: number;
  /** How long (ms) `close()` waits for the server's close frame (default 2 000). */
  readonly closeTimeoutMs?: number;
  /** Data messages each stream queues per subscription channel before overflowing (4 096). */
  readonly bufferSize?: number;
  /** Keep local order books (`client.books`) for `orderbook_delta` subscriptions. */
  readonly books?: boolean | BookStore;
  /** Aborting closes the client (and rejects a pending `connect`). */
  readonly signal?: AbortSignal;
  /** Time source and timers (tests inject a manual clock). */
  readonly clock?: Clock;
}

/** Options of `KalshiWsClient.subscribe()`. */
export interface SubscribeOptions {
  /**
   * Overflow policy per channel for this subscription's data in every stream. Defaults:
   * `orderbook_delta` → `"resync"`, `ticker` → `"latest"`, everything else → `"drop-oldest"`.
   * `"resync"` is only valid for `orderbook_delta`.
   */
  readonly overflow?: Partial<Record<Channel, OverflowPolicy>>;
  /**
   * Buffer this subscription's events from the moment of subscribing for its first `events()`
   * reader, so no initial snapshot is missed (default true). Set false when you only use
   * listeners or `client.events()`: nothing is then buffered for an iterator nobody creates.
   */
  readonly buffer?: boolean;
}

/** Options of `events()` streams. */
export interface StreamOptions {
  /** Data messages queued per subscription channel before the policy applies (client default). */
  readonly bufferSize?: number;
  /** Stops the stream (the loop ends) when aborted. */
  readonly signal?: AbortSignal;
}
