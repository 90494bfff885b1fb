/**
 * The seam between the runtime-neutral client and a runtime's WebSocket: the client needs only
 * this much from a socket, so an adapter is a few dozen lines and tests can use an in-memory one.
 *
 * @module
 */

/**
 * What a socket reports to the client. An adapter calls exactly one of
 * {@linkcode SocketEvents.handshakeFailed} or {@linkcode SocketEvents.open}; after `open` it
 * calls `text`/`ping` any number of times and finally `close` exactly once, including when the
 * client itself closed the socket or the link just died (code 1006).
 */
export interface SocketEvents {
  /** The upgrade succeeded; frames may now be sent. */
  open(): void;
  /** A text frame arrived (binary frames are decoded as UTF-8 and reported here too). */
  text(data: string): void;
  /** A ping control frame arrived (only from transports whose `seesPings` is true). */
  ping(): void;
  /** The open socket closed, cleanly or not (`1006` when the link dropped). */
  close(code: number, reason: string): void;
  /**
   * The socket never opened. `status` is the HTTP status of a rejected upgrade when known
   * (401/403 mean the credentials were refused), `undefined` for network failures.
   * `retryAfterMs` is the refusal's `Retry-After` when the adapter can read it (see
   * {@linkcode retryAfterMs}): the next attempt waits at least that long (up to the backoff cap).
   */
  handshakeFailed(status: number | undefined, message: string, retryAfterMs?: number): void;
}

/** An open (or opening) socket, as the client drives it. */
export interface SocketConnection {
  /** Sends one text frame. Only called between `open` and `close`. */
  send(text: string): void;
  /**
   * Starts closing (or aborts the handshake). The final event is still reported. A second call
   * while the peer has not answered the first may cut the connection outright.
   */
  close(code?: number, reason?: string): void;
}

/** Limits the client asks a transport to enforce where its runtime can (optional to honour). */
export interface OpenOptions {
  /**
   * Largest inbound message in bytes. A transport that can refuse larger ones before buffering
   * them (e.g. `ws`'s `maxPayload`) closes with 1009 and a reason naming the limit; others pass
   * everything on and the client skips what is too large.
   */
  readonly maxFrameBytes?: number;
  /**
   * How long (ms) a close handshake may take (the client's `closeTimeoutMs`). A transport whose
   * runtime waits for the peer to end the TCP connection after the close frames (`ws` waits
   * 30 s) cuts it after this long, so a server that closes but holds the connection does not
   * delay the reconnect.
   */
  readonly closeTimeoutMs?: number;
}

/**
 * A runtime's way of opening WebSockets with custom headers. `@kalshi-ws/deno` and
 * `@kalshi-ws/node` each export one; pass your own to run over anything else.
 */
export interface Transport {
  /** A short name for diagnostics (`"deno"`, `"node"`, `"memory"`). */
  readonly name: string;
  /** Whether this transport reports ping frames (Deno's built-in WebSocket cannot). */
  readonly seesPings: boolean;
  /**
   * Whether the transport reports every frame of one socket read in one synchronous run (the
   * Node transport does, as `ws` does). The client then reads the clock once per run, at its first frame — the time
   * those frames were read — instead of once per frame. Leave it unset for a transport that
   * reports frames one event-loop turn at a time (the clock is read per frame then).
   */
  readonly readsInRuns?: boolean;
  /** Opens a socket to `url` sending `headers` with the upgrade request. */
  open(
    url: string,
    headers: Readonly<Record<string, string>>,
    events: SocketEvents,
    options?: OpenOptions,
  ): SocketConnection;
}

/**
 * Extracts an HTTP status from a handshake error message such as Deno's
 * `failed to connect to WebSocket: Invalid status code: 401` or ws's
 * `Unexpected server response: 403`; `undefined` when the message carries none.
 */
export function statusFromHandshakeMessage(message: string): number | undefined {
  const match = /(?:status code|server response|status)\D{0,3}(\d{3})\b/i.exec(message);
  return match === null ? undefined : Number(match[1]);
}

/**
 * Reads an HTTP `Retry-After` value (RFC 9110: delay-seconds, or an HTTP-date) as milliseconds
 * from `nowMs` (wall clock); `undefined` when absent or unreadable, 0 for a date in the past.
 */
export function retryAfterMs(
  value: string | null | undefined,
  nowMs: number = Date.now(),
): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at) || !/[a-z]/i.test(text)) return undefined;
  return Math.max(0, at - nowMs);
}
