/**
 * Errors the client adds on top of `@kalshi-ws/core`'s: connection-level failures, a closed
 * client, a stream whose reader fell behind. Command rejections from Kalshi stay core
 * `ServerError`s (with Kalshi's numeric `code`).
 *
 * @module
 */

import { type Channel, KalshiWsError } from "@kalshi-ws/core";

/**
 * Kalshi (or the server at the URL) refused the WebSocket upgrade with HTTP 401/403: the
 * credentials were not accepted. Not retried forever: the client gives up and reports this.
 */
export class HandshakeRejectedError extends KalshiWsError {
  /** The HTTP status of the rejected upgrade (401 or 403 in practice). */
  readonly status: number;
  /** The URL that refused us. */
  readonly url: string;

  /** Creates the error for `status` at `url`. */
  constructor(status: number, url: string) {
    super(
      `Check the API key id, private key, system clock and environment: the server at ` +
        `"${url}" rejected the handshake with HTTP ${status} (common causes: a clock skewed ` +
        `by more than a few seconds, a demo key used on production or the reverse, a revoked ` +
        `key, a key id that does not match the private key)`,
    );
    this.name = "HandshakeRejectedError";
    this.status = status;
    this.url = url;
  }
}

/** The connection could not be opened (network failure, unexpected HTTP status). */
export class ConnectionError extends KalshiWsError {
  /** The HTTP status of a refused upgrade, when there was one. */
  readonly status: number | undefined;
  /** The URL we tried. */
  readonly url: string;

  /** Creates the error; `detail` is the runtime's own description. */
  constructor(url: string, detail: string, status?: number, options?: ErrorOptions) {
    super(`Cannot connect to "${url}": ${detail}`, options);
    this.name = "ConnectionError";
    this.status = status;
    this.url = url;
  }
}

/** The client was closed (by `close()`, an abort signal or a fatal error) before this finished. */
export class ClientClosedError extends KalshiWsError {
  /** Creates the error; `what` names the interrupted operation. */
  constructor(what: string, options?: ErrorOptions) {
    super(`Cannot complete ${what}: the client is closed`, options);
    this.name = "ClientClosedError";
  }
}

/**
 * A stream ended because its reader fell behind and the subscription's overflow policy for the
 * channel was `"error"`. The message names the channel and the subscription (its channels and
 * markets); the stream's queued items were read before this was thrown.
 */
export class LaggedError extends KalshiWsError {
  /** The channel whose data overflowed (`undefined` for a message type no channel lists). */
  readonly channel: Channel | undefined;
  /** How many messages of one subscription channel the stream could queue. */
  readonly capacity: number;

  /**
   * Creates the error for a stream of `capacity`; `subscription` describes the subscription
   * whose `channel` overflowed (e.g. `"orderbook_delta on KXA-1"`), when known.
   */
  constructor(capacity: number, channel?: Channel, subscription?: string) {
    const what = channel === undefined ? "" : ` "${channel}"`;
    const whose = subscription === undefined ? "" : ` (subscription: ${subscription})`;
    super(`Read events faster: a stream queued more than ${capacity}${what} messages${whose}`);
    this.name = "LaggedError";
    this.channel = channel;
    this.capacity = capacity;
  }
}
