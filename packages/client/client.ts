/**
 * The runtime-neutral Kalshi WebSocket client: drives the core's sans-I/O {@linkcode Session}
 * and {@linkcode ConnectionLifecycle} with real sockets (any {@linkcode Transport}), real timers
 * (any {@linkcode Clock}) and handshake signing, and turns their events into promises, async
 * iterators and listeners.
 *
 * The healing logic (re-subscribe after reconnect, gap repair, terminal-error recovery, liveness
 * probe) lives in the session, the reconnect rules (deadlines, backoff, giving up) in the
 * lifecycle; `connection_driver.ts` runs the latter. This file decides *what to tell the user*.
 *
 * @module
 */

import { DEFAULT_MAX_FRAME_BYTES, oversizeFrame } from "./frame_limit.ts";
import {
  type AttemptFailure,
  type BackoffOptions,
  BookStore,
  type Channel,
  CommandError,
  type CommandValue,
  ConnectionLifecycle,
  type DataMessage,
  DecodeError,
  type DriftCounts,
  type DriftEvent,
  type ReconnectPolicy,
  type ResubscribeReason,
  type ServerError,
  Session,
  type SessionEvent,
  type SidInfo,
  type SubscribeParams,
  type SubscriptionEntry,
  type SubscriptionKey,
  type UnknownMessage,
} from "@kalshi-ws/core";
import { type Clock, systemClock, type TimerHandle } from "./clock.ts";
import { ConnectionDriver } from "./connection_driver.ts";
import { type Endpoint, type Environment, resolveEndpoint } from "./environment.ts";
import { ClientClosedError, ConnectionError, HandshakeRejectedError } from "./errors.ts";
import { type DataInfo, EventStream, Listeners, type OverflowPolicy } from "./event_stream.ts";
import { createAuthHeaders, createRsaPssSigner, type Signer } from "./signer.ts";
import type { Transport } from "./transport.ts";

// ---------------------------------------------------------------------------------------------
// Options

/**
 * Reconnect policy: the core's backoff options plus `maxHandshakeRejections`, the consecutive
 * 401/403 handshake rejections tolerated while reconnecting before the client gives up with a
 * {@linkcode HandshakeRejectedError} (default 3). The first connection fails on the first
 * rejection: credentials that never worked will not start working.
 */
export type ReconnectOptions = ReconnectPolicy;

/** Options of {@linkcode connect} (the adapters fill in `transport`). */
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

/** Options of {@linkcode KalshiWsClient.subscribe}. */
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

// ---------------------------------------------------------------------------------------------
// Events

/** A channel data message (or an unknown frame type, delivered rather than dropped). */
export interface DataClientEvent {
  /** Discriminant. */
  readonly type: "data";
  /** The subscription it belongs to (`undefined` for a sid the client does not know). */
  readonly subscription: Subscription | undefined;
  /** The sid it came on. */
  readonly sid: number | undefined;
  /** The decoded message (wire names, exact decimal strings). */
  readonly message: DataMessage | UnknownMessage;
}

/** Everything the client reports, discriminated on `type`. */
export type ClientEvent =
  | DataClientEvent
  | {
    /** The socket opened (books are invalid until their snapshots arrive). */
    readonly type: "connected";
    /** The URL. */
    readonly url: string;
    /** Whether this is a reconnection. */
    readonly reconnected: boolean;
  }
  | {
    /** The socket closed; every subscription waits for the next connection. */
    readonly type: "disconnected";
    /** WebSocket close code (1006 when the link died). */
    readonly code: number;
    /** Close reason. */
    readonly reason: string;
    /** Whether the client will reconnect. */
    readonly willReconnect: boolean;
  }
  | {
    /** A reconnection attempt is scheduled. */
    readonly type: "reconnecting";
    /** Consecutive attempt number (1 = first retry since the last stable connection). */
    readonly attempt: number;
    /** Delay before the attempt (ms). */
    readonly delayMs: number;
    /** Why the previous attempt failed (e.g. a handshake timeout); `undefined` after a drop. */
    readonly error: Error | undefined;
  }
  | {
    /** A subscription became live for the first time. */
    readonly type: "subscribed";
    /** The subscription. */
    readonly subscription: Subscription;
    /** Its sids, one per channel. */
    readonly sids: readonly SidInfo[];
  }
  | {
    /** A subscription was restored (reconnect, terminal error, failed repair): new sids. */
    readonly type: "resubscribed";
    /** The subscription (same object as before). */
    readonly subscription: Subscription;
    /** Its new sids. */
    readonly sids: readonly SidInfo[];
    /** Why. */
    readonly reason: ResubscribeReason;
  }
  | {
    /** An automatic re-subscribe waits for its pause (an error storm is not answered at once). */
    readonly type: "resubscribe_scheduled";
    /** The subscription. */
    readonly subscription: Subscription;
    /** Consecutive automatic re-subscribes since it was last stable (1-based). */
    readonly attempt: number;
    /** The pause (ms). */
    readonly delayMs: number;
    /** Why. */
    readonly reason: ResubscribeReason;
  }
  | {
    /** A subscription ended at the user's request. */
    readonly type: "unsubscribed";
    /** The subscription. */
    readonly subscription: Subscription;
  }
  | {
    /** A subscription could not be restored and is gone. */
    readonly type: "subscription_lost";
    /** The subscription. */
    readonly subscription: Subscription;
    /** Why. */
    readonly error: Error;
  }
  | {
    /** Frames were lost on a sid; order books on it are being repaired. */
    readonly type: "gap";
    /** The subscription, if known. */
    readonly subscription: Subscription | undefined;
    /** The sid. */
    readonly sid: number;
    /** Its channel. */
    readonly channel: string;
    /** The seq that should have come. */
    readonly expected: number;
    /** The seq that came. */
    readonly received: number;
  }
  | {
    /** A duplicate or regressed seq; that frame was not delivered. */
    readonly type: "seq_anomaly";
    /** The subscription, if known. */
    readonly subscription: Subscription | undefined;
    /** The sid. */
    readonly sid: number;
    /** Its channel. */
    readonly channel: string;
    /** The seq that should have come. */
    readonly expected: number;
    /** The seq that came. */
    readonly received: number;
  }
  | {
    /** A market's local book failed an integrity check and is being repaired. */
    readonly type: "book_invalid";
    /** The subscription, if known. */
    readonly subscription: Subscription | undefined;
    /** The sid. */
    readonly sid: number;
    /** The market. */
    readonly marketTicker: string;
    /** Whether a delta or the snapshot itself failed. */
    readonly cause: "delta" | "snapshot";
  }
  | {
    /** Every market of a sid under repair has a fresh snapshot again. */
    readonly type: "resynced";
    /** The subscription, if known. */
    readonly subscription: Subscription | undefined;
    /** The sid. */
    readonly sid: number;
    /** Its markets (all valid now). */
    readonly markets: readonly string[];
  }
  | {
    /** This stream dropped data because its reader fell behind (only in the stream concerned). */
    readonly type: "lagged";
    /** The subscription whose data was dropped, if known. */
    readonly subscription: Subscription | undefined;
    /** How many messages were dropped. */
    readonly dropped: number;
    /** The markets concerned (for `"resync"`: held until their fresh snapshots arrive). */
    readonly markets: readonly string[];
  }
  | {
    /** Kalshi reported an error not tied to a request (terminal ones heal automatically). */
    readonly type: "server_error";
    /** The subscription concerned, if any. */
    readonly subscription: Subscription | undefined;
    /** The sid concerned, if any. */
    readonly sid: number | undefined;
    /** The error, with Kalshi's numeric `code`. */
    readonly error: ServerError;
    /** Whether the sid died (codes 10, 25); it is re-subscribed automatically. */
    readonly terminal: boolean;
  }
  | {
    /** A frame could not be decoded (its text is in `error.frame`); the client carried on. */
    readonly type: "decode_error";
    /** The error. */
    readonly error: DecodeError;
  }
  | {
    /** The link was quiet for the idle window; a `list_subscriptions` probe was sent. */
    readonly type: "probe";
  }
  /** The server sent something this library does not know (first sighting of each kind). */
  | DriftEvent
  | {
    /** The client closed for good. */
    readonly type: "closed";
    /** Why, when it was not a requested close. */
    readonly error: Error | undefined;
  };

/** A {@linkcode ClientEvent} `type`. */
export type ClientEventType = ClientEvent["type"];

/** A listener for events of type `K` (`"*"`: every event). */
export type ClientListener<K extends ClientEventType | "*"> = (
  event: K extends "*" ? ClientEvent : Extract<ClientEvent, { type: K }>,
) => void;

/** The client's connection state. */
export type ClientState = "connecting" | "open" | "reconnecting" | "closed";

// ---------------------------------------------------------------------------------------------
// Internals shared with Subscription

const CHANNEL_SLOTS = 32;

/** Market ticker of a data message, for overflow policies (`user_order` names it `ticker`). */
function marketOf(message: DataMessage | UnknownMessage): string | undefined {
  const msg = (message as { msg?: { market_ticker?: unknown; ticker?: unknown } }).msg;
  if (msg === undefined || msg === null) return undefined;
  const ticker = msg.market_ticker ?? msg.ticker;
  return typeof ticker === "string" ? ticker : undefined;
}

/** Channel that carries a message type (for per-channel policies). */
function channelOfType(type: string): Channel | undefined {
  switch (type) {
    case "orderbook_snapshot":
    case "orderbook_delta":
      return "orderbook_delta";
    case "ticker":
      return "ticker";
    case "trade":
      return "trade";
    case "fill":
      return "fill";
    case "market_position":
      return "market_positions";
    case "user_order":
      return "user_orders";
    case "order_group_updates":
      return "order_group_updates";
    case "market_lifecycle_v2":
    case "event_fee_update":
      return "market_lifecycle_v2";
    case "multivariate_market_lifecycle":
      return "multivariate_market_lifecycle";
    case "rfq_created":
    case "rfq_deleted":
    case "quote_created":
    case "quote_accepted":
    case "quote_executed":
      return "communications";
    case "cfbenchmarks_value":
    case "cfbenchmarks_value_indexlist":
      return "cfbenchmarks_value";
    case "cfbenchmarks_value_5hz":
    case "cfbenchmarks_value_5hz_indexlist":
      return "cfbenchmarks_value_5hz";
    case "pyth_value":
    case "pyth_value_underlying_list":
      return "pyth_value";
    default:
      return undefined;
  }
}

function defaultPolicy(channel: Channel | undefined): OverflowPolicy {
  if (channel === "orderbook_delta") return "resync";
  if (channel === "ticker") return "latest";
  return "drop-oldest";
}

/** What a Subscription needs from its client. */
interface ClientPort {
  readonly session: Session;
  request<T>(what: string, send: (now: number) => number, map: (v: CommandValue) => T): Promise<T>;
  stream(
    options: StreamOptions | undefined,
    subscription: Subscription | undefined,
    onResync?: (group: number, markets: readonly string[]) => void,
  ): EventStream<ClientEvent>;
  resyncMarkets(markets: readonly string[]): void;
  isClosed(): boolean;
}

// ---------------------------------------------------------------------------------------------
// Subscription

/**
 * A subscription handle. Its identity survives reconnects: the server sids behind it change
 * (see `sids` and `resubscribed` events), the object and its streams do not. Iterate it for its
 * own data and lifecycle events; `await using` unsubscribes at scope exit.
 */
export class Subscription implements AsyncIterable<ClientEvent>, AsyncDisposable {
  /** Stable key (the session's subscription key). */
  readonly key: SubscriptionKey;
  /** The channels subscribed. */
  readonly channels: readonly Channel[];
  /** Overflow policy per channel. */
  readonly overflow: Readonly<Partial<Record<Channel, OverflowPolicy>>>;
  readonly #port: ClientPort;
  readonly #listeners = new Listeners<ClientEvent>();
  readonly #streams = new Set<EventStream<ClientEvent>>();
  /**
   * Buffers from the moment of subscribing until the first `events()` call claims it, so the
   * first snapshots are never missed by `for await (const e of await client.subscribe(...))`.
   */
  #initial: EventStream<ClientEvent> | undefined;
  /** What the unclaimed initial stream had to give up (it is discarded on a book overflow). */
  #missed: { group: number; markets: Set<string>; dropped: number } | undefined;
  #active = true;

  /** @internal Created by {@linkcode KalshiWsClient.subscribe}. */
  constructor(
    port: ClientPort,
    key: SubscriptionKey,
    channels: readonly Channel[],
    overflow: Readonly<Partial<Record<Channel, OverflowPolicy>>>,
    buffer: boolean,
  ) {
    this.#port = port;
    this.key = key;
    this.channels = channels;
    this.overflow = overflow;
    if (!buffer) return;
    const initial = port.stream(undefined, this, (group, markets) => {
      // Nobody reads it yet: do not hold books or ask for snapshots on its behalf. Discard it;
      // the first reader gets a `lagged` event and fresh snapshots instead.
      if (this.#initial !== initial) {
        port.resyncMarkets(markets); // claimed: repair as for any stream
        return;
      }
      this.#initial = undefined;
      const missed = this.#missed ?? { group, markets: new Set<string>(), dropped: 0 };
      for (const market of markets) missed.markets.add(market);
      missed.dropped += initial.dropped + initial.size;
      this.#missed = missed;
      void initial.return();
    });
    this.#initial = initial;
    this.#streams.add(initial);
  }

  /** Whether the subscription still exists (not unsubscribed, lost, or closed with the client). */
  get active(): boolean {
    return this.#active;
  }

  /** Its current sids, one per channel (empty while disconnected or being restored). */
  get sids(): readonly SidInfo[] {
    return this.#port.session.sidsOf(this.key);
  }

  /** Its current market list (`undefined` when it has no explicit list). */
  get markets(): readonly string[] | undefined {
    return this.#port.session.marketsOf(this.key);
  }

  /** Adds markets (`add_markets` on every sid); resolves with the resulting market list. */
  addMarkets(tickers: readonly string[]): Promise<readonly string[]> {
    return this.#port.request(
      "add_markets",
      (now) => this.#port.session.addMarkets(this.key, tickers, now),
      (v) => ("markets" in v ? v.markets : []),
    );
  }

  /** Removes markets (`delete_markets` on the wire); resolves with the remaining list. */
  removeMarkets(tickers: readonly string[]): Promise<readonly string[]> {
    return this.#port.request(
      "delete_markets",
      (now) => this.#port.session.removeMarkets(this.key, tickers, now),
      (v) => ("markets" in v ? v.markets : []),
    );
  }

  /** Fetches fresh order-book snapshots for every market; resolves once all are valid. */
  resync(): Promise<void> {
    return this.#port.request("resync", (now) => this.#port.session.resync(this.key, now), () => {
    });
  }

  /** Unsubscribes (all sids); its streams end after their queued items. */
  unsubscribe(): Promise<void> {
    return this.#port.request(
      "unsubscribe",
      (now) => this.#port.session.unsubscribe(this.key, now),
      () => {},
    );
  }

  /**
   * A bounded stream of this subscription's data and lifecycle events. The first call without
   * options returns the stream that has buffered everything since `subscribe()` (initial
   * snapshots included, with the client's `bufferSize`); other calls start fresh streams.
   */
  events(options?: StreamOptions): EventStream<ClientEvent> {
    const initial = this.#initial;
    if (initial !== undefined && options === undefined) {
      this.#initial = undefined;
      return initial;
    }
    const stream = this.#port.stream(options, this);
    if (!this.#active) {
      stream.end();
      return stream;
    }
    this.#streams.add(stream);
    const missed = this.#missed;
    if (missed !== undefined) {
      this.#missed = undefined;
      const markets = [...missed.markets];
      stream.push({ type: "lagged", subscription: this, dropped: missed.dropped, markets });
      stream.hold(missed.group, markets);
      this.#port.resyncMarkets(markets);
    }
    return stream;
  }

  /** Adds a listener for this subscription's events; returns its remover. */
  on<K extends ClientEventType | "*">(type: K, listener: ClientListener<K>): () => void {
    return this.#listeners.on(type, listener as never);
  }

  /** Iterating a subscription iterates a fresh {@linkcode Subscription.events} stream. */
  [Symbol.asyncIterator](): EventStream<ClientEvent> {
    return this.events();
  }

  /** Unsubscribes if still active (errors from a closed client are ignored). */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#active || this.#port.isClosed()) return;
    try {
      await this.unsubscribe();
    } catch (error) {
      if (!(error instanceof ClientClosedError)) throw error;
    }
  }

  /** `Subscription 3 (orderbook_delta)`: key and channels, for logs. */
  toString(): string {
    return `Subscription ${this.key} (${this.channels.join(", ")})`;
  }

  /** @internal Whether any listener or stream would receive this subscription's events. */
  _hasReaders(): boolean {
    return this.#listeners.size !== 0 || this.#streams.size !== 0;
  }

  /** @internal Delivers an event to this subscription's listeners and streams. */
  _emit(event: ClientEvent): void {
    this.#listeners.emit(event);
    if (this.#streams.size !== 0) { for (const stream of this.#streams) stream.push(event); }
  }

  /** @internal Ends the subscription: streams finish (with `error`, if lost). */
  _end(error?: Error): void {
    if (!this.#active) return;
    this.#active = false;
    for (const stream of [...this.#streams]) stream.end(error);
    this.#streams.clear();
    this.#initial = undefined;
  }

  /** @internal Forgets a detached stream. */
  _detach(stream: EventStream<ClientEvent>): void {
    this.#streams.delete(stream);
  }
}

// ---------------------------------------------------------------------------------------------
// Client

interface Pending {
  readonly resolve: (value: CommandValue) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * A self-healing connection to Kalshi's WebSocket API. Create it with {@linkcode connect} (or
 * the adapters' `connect`). `await using client = await connect(...)` closes it at scope exit.
 */
export class KalshiWsClient implements AsyncIterable<ClientEvent>, AsyncDisposable {
  readonly #endpoint: Endpoint;
  readonly #keyId: string;
  /** The PEM until it is imported once (then dropped), or the caller's signer. */
  #signerSource: Signer | string | undefined;
  #signer: Signer | undefined;
  readonly #clock: Clock;
  readonly #session: Session;
  readonly #books: BookStore | undefined;
  readonly #lifecycle: ConnectionLifecycle;
  readonly #driver: ConnectionDriver;
  readonly #maxFrameBytes: number;
  readonly #bufferSize: number;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort: () => void;

  readonly #listeners = new Listeners<ClientEvent>();
  readonly #streams = new Set<EventStream<ClientEvent>>();
  readonly #subscriptions = new Map<SubscriptionKey, Subscription>();
  readonly #pending = new Map<number, Pending>();
  /** Requests the client made for itself (overflow repairs): their results are not reported. */
  readonly #internal = new Set<number>();

  #ended = false;
  #fatal: Error | undefined;
  #dropped = 0;

  #timer: TimerHandle | undefined;
  #timerAt: number | undefined;
  #pumping = false;
  #pumpAgain = false;
  /** Set when something other than data went by (a frame sent, a non-data event). */
  #deadlinesMayChange = true;
  /** `Date.now()` when {@linkcode KalshiWsClient.#frameNow} last read the monotonic clock. */
  #frameWall = Number.NaN;
  #frameMonotonic = 0;

  #firstOpen: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  readonly #closed: Promise<void>;
  #resolveClosed!: () => void;

  /** Use {@linkcode connect}; the constructor does not connect. */
  constructor(options: ClientOptions) {
    if (typeof options.keyId !== "string" || options.keyId === "") {
      throw new TypeError("Set keyId: the API key id is required");
    }
    if ((options.privateKeyPem === undefined) === (options.signer === undefined)) {
      throw new TypeError("Set exactly one of privateKeyPem and signer");
    }
    this.#endpoint = resolveEndpoint(options.endpoint ?? "production");
    this.#keyId = options.keyId;
    this.#signerSource = options.signer ?? options.privateKeyPem!;
    this.#clock = options.clock ?? systemClock;
    this.#books = options.books === true
      ? new BookStore()
      : options.books instanceof BookStore
      ? options.books
      : undefined;
    this.#session = new Session({
      idleMs: options.idleTimeoutMs,
      probeTimeoutMs: options.probeTimeoutMs,
      commandTimeoutMs: options.commandTimeoutMs,
      books: this.#books,
      resubscribe: options.resubscribe,
    });
    this.#lifecycle = new ConnectionLifecycle({
      reconnect: options.reconnect,
      handshakeTimeoutMs: options.handshakeTimeoutMs,
      closeTimeoutMs: options.closeTimeoutMs,
      link: this.#session,
    });
    this.#maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    if (!(this.#maxFrameBytes >= 1)) {
      throw new RangeError(`Set maxFrameBytes to 1 or more: got ${this.#maxFrameBytes}`);
    }
    this.#bufferSize = options.bufferSize ?? 4_096;
    if (!(this.#bufferSize >= 1)) {
      throw new RangeError(`Set bufferSize to 1 or more: got ${this.#bufferSize}`);
    }
    this.#signal = options.signal;
    this.#onAbort = () => void this.close();
    this.#closed = new Promise((resolve) => this.#resolveClosed = resolve);
    this.#driver = new ConnectionDriver({
      transport: options.transport,
      url: this.#endpoint.url,
      openOptions: { maxFrameBytes: this.#maxFrameBytes },
      clock: this.#clock,
      lifecycle: this.#lifecycle,
      headers: () => this.#headers(),
      callbacks: {
        // The per-frame handler (the driver checks the socket first): frame limit, session, pump.
        text: (data: string): void => {
          const oversize = oversizeFrame(data, this.#maxFrameBytes);
          if (oversize !== undefined) {
            this.#emit({ type: "decode_error", error: oversize }, undefined);
            return;
          }
          this.#session.receiveText(data, this.#frameNow());
          this.#pump();
        },
        ping: () => {
          this.#session.receivePing(this.#clock.now());
          this.#pump();
        },
        changed: () => {
          this.#drainEvents(); // `disconnected` first, even when called from inside a pump
          this.#pump();
        },
        opened: () => {
          const first = this.#firstOpen;
          this.#firstOpen = undefined;
          first?.resolve();
        },
        reconnecting: (attempt, delayMs, failure) => {
          const error = failure === undefined ? undefined : this.#errorOf(failure, false);
          this.#emit({ type: "reconnecting", attempt, delayMs, error }, undefined);
        },
        ended: (failure, rejected) => {
          this.#finish(failure === undefined ? undefined : this.#errorOf(failure, rejected));
        },
      },
    });
  }

  /** The connection state. */
  get state(): ClientState {
    if (this.#ended) return "closed";
    const life = this.#lifecycle;
    if (life.state === "open" || life.state === "closing") return "open";
    return life.opens === 0 ? "connecting" : "reconnecting";
  }

  /** The URL the client connects to. */
  get url(): string {
    return this.#endpoint.url;
  }

  /** Local order books, when created with `books`. */
  get books(): BookStore | undefined {
    return this.#books;
  }

  /** Protocol drift seen so far (unknown types, channels, fields; retired fields), with counts. */
  get drift(): DriftCounts {
    return this.#session.drift;
  }

  /** Data messages dropped by slow streams so far (the client-wide lag counter). */
  get dropped(): number {
    return this.#dropped;
  }

  /** Resolves once the client has closed (for any reason). */
  get closed(): Promise<void> {
    return this.#closed;
  }

  /** The subscriptions that exist now. */
  subscriptions(): Subscription[] {
    return [...this.#subscriptions.values()];
  }

  /**
   * Opens the first connection. Resolves once open; rejects with
   * {@linkcode HandshakeRejectedError} (401/403), {@linkcode ConnectionError} (network), the
   * signer's error, or the abort reason. Healing applies only after this succeeded.
   */
  start(): Promise<void> {
    if (this.#firstOpen !== undefined || this.#lifecycle.state !== "idle" || this.#ended) {
      return Promise.reject(new TypeError("Cannot start a client twice"));
    }
    const signal = this.#signal;
    if (signal?.aborted) {
      this.#finish(undefined);
      return Promise.reject(signal.reason);
    }
    signal?.addEventListener("abort", this.#onAbort, { once: true });
    const opened = new Promise<void>((resolve, reject) => {
      this.#firstOpen = { resolve, reject };
    });
    this.#driver.start();
    return opened;
  }

  /**
   * Subscribes and resolves with the handle once Kalshi acknowledged every channel. Rejects with
   * a `ServerError` (Kalshi's code), a `CommandTimeoutError`, or a `CommandError` for invalid
   * params. Made while reconnecting, it is sent on the next connection.
   */
  subscribe(params: SubscribeParams, options: SubscribeOptions = {}): Promise<Subscription> {
    if (this.#ended) return Promise.reject(new ClientClosedError("subscribe"));
    const overflow: Partial<Record<Channel, OverflowPolicy>> = {};
    for (const channel of params.channels) {
      const policy = options.overflow?.[channel] ?? defaultPolicy(channel);
      if (policy === "resync" && channel !== "orderbook_delta") {
        return Promise.reject(
          new CommandError(
            `Cannot use overflow policy "resync" for "${channel}": only order books can be resynced`,
          ),
        );
      }
      overflow[channel] = policy;
    }
    let key: SubscriptionKey;
    try {
      key = this.#session.subscribe(params, this.#clock.now());
    } catch (error) {
      return Promise.reject(error);
    }
    const subscription = new Subscription(
      this.#port,
      key,
      [...params.channels],
      overflow,
      options.buffer ?? true,
    );
    this.#subscriptions.set(key, subscription);
    const result = this.#await(key).then(() => subscription);
    this.#pump();
    return result;
  }

  /** Unsubscribes `subscription` (see {@linkcode Subscription.unsubscribe}). */
  unsubscribe(subscription: Subscription): Promise<void> {
    return subscription.unsubscribe();
  }

  /**
   * Fetches fresh snapshots for one market (by ticker) or every market of a subscription;
   * resolves once the books are valid again.
   */
  resync(target: Subscription | string): Promise<void> {
    return this.#port.request(
      "resync",
      (now) => this.#session.resync(typeof target === "string" ? target : target.key, now),
      () => {},
    );
  }

  /** Asks Kalshi for this connection's subscriptions (`list_subscriptions`). */
  listSubscriptions(): Promise<readonly SubscriptionEntry[]> {
    return this.#port.request(
      "list_subscriptions",
      (now) => this.#session.listSubscriptions(now),
      (v) => ("subscriptions" in v ? v.subscriptions : []),
    );
  }

  /**
   * A bounded stream of every event (data of all subscriptions plus lifecycle). Create it
   * before subscribing to see everything; `break` detaches it.
   */
  events(options?: StreamOptions): EventStream<ClientEvent> {
    const stream = this.#stream(options, undefined);
    if (this.#ended) stream.end(this.#fatal);
    else this.#streams.add(stream);
    return stream;
  }

  /** `for await (const event of client)`: iterates a fresh {@linkcode KalshiWsClient.events}. */
  [Symbol.asyncIterator](): EventStream<ClientEvent> {
    return this.events();
  }

  /** Adds a listener (`"*"` for every event); returns its remover. Listeners never lag. */
  on<K extends ClientEventType | "*">(type: K, listener: ClientListener<K>): () => void {
    return this.#listeners.on(type, listener as never);
  }

  /**
   * Closes the connection cleanly and stops reconnecting, in every state: an open connection
   * waits up to `closeTimeoutMs` for the server's close frame; a handshake in progress is
   * aborted; a pending reconnect is cancelled. Pending commands reject with
   * {@linkcode ClientClosedError}; streams end after their queued items. Idempotent.
   */
  close(): Promise<void> {
    if (this.#ended) return this.#closed;
    if (this.#lifecycle.state === "idle") this.#finish(undefined); // never started
    else this.#driver.close();
    return this.#closed;
  }

  /** `await using` support: {@linkcode KalshiWsClient.close}. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** URL and state, for logs (never credentials). */
  toString(): string {
    return `KalshiWsClient(${this.#endpoint.url}, ${this.state})`;
  }

  // -------------------------------------------------------------------------------------------
  // Connection loop

  /** The error a failed attempt stands for. */
  #errorOf(failure: AttemptFailure, rejected: boolean): Error {
    if (rejected) return new HandshakeRejectedError(failure.status!, this.#endpoint.url);
    if (failure.cause instanceof Error) return failure.cause; // the signer's
    return new ConnectionError(this.#endpoint.url, failure.message, failure.status);
  }

  async #headers(): Promise<Record<string, string>> {
    if (this.#signer === undefined) {
      const source = this.#signerSource!;
      this.#signer = typeof source === "string" ? await createRsaPssSigner(source) : source;
      this.#signerSource = undefined; // keep no copy of the key text
    }
    return {
      ...await createAuthHeaders(
        this.#keyId,
        this.#signer,
        this.#clock.wallTime(),
        this.#endpoint.signingPath,
      ),
    };
  }

  /**
   * The monotonic time for an inbound frame. With the system clock, `performance.now()` (a
   * runtime call costing as much as decoding a small frame) is read only when `Date.now()` (a
   * cheap builtin) moved on: at most 1 ms stale, which neither liveness (25 s) nor command
   * timeouts can notice. An injected clock is read every time.
   */
  #frameNow(): number {
    if (this.#clock !== systemClock) return this.#clock.now();
    const wall = Date.now();
    if (wall !== this.#frameWall) {
      this.#frameWall = wall;
      this.#frameMonotonic = systemClock.now();
    }
    return this.#frameMonotonic;
  }

  /** Ends the client for good; `error` says why when it was not requested. */
  #finish(error: Error | undefined): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#fatal = error;
    this.#driver.stop();
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#timerAt = undefined;
    this.#signal?.removeEventListener("abort", this.#onAbort);
    if (this.#session.connected) {
      this.#session.closed(1000, "client closed", this.#clock.now());
      this.#drainEvents();
    }
    const first = this.#firstOpen;
    this.#firstOpen = undefined;
    if (first !== undefined) {
      first.reject(
        this.#signal?.aborted ? this.#signal.reason : error ?? new ClientClosedError("connect"),
      );
    }
    for (const [request, pending] of this.#pending) {
      this.#pending.delete(request);
      pending.reject(error ?? new ClientClosedError("the request", { cause: error }));
    }
    for (const subscription of this.#subscriptions.values()) subscription._end(error);
    this.#subscriptions.clear();
    this.#emit({ type: "closed", error }, undefined);
    for (const stream of [...this.#streams]) stream.end(error);
    this.#streams.clear();
    this.#resolveClosed();
  }

  // -------------------------------------------------------------------------------------------
  // Session plumbing

  /** Sends what the session queued, dispatches its events, re-arms the timer. Re-entrant-safe. */
  #pump(): void {
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#pumpAgain = false;
        const socket = this.#driver.connection;
        if (socket !== undefined) {
          for (let frame = this.#session.pollTransmit(); frame !== undefined;) {
            this.#deadlinesMayChange = true;
            try {
              socket.send(frame);
            } catch {
              break; // the socket is closing; its close event follows
            }
            frame = this.#session.pollTransmit();
          }
        }
        this.#drainEvents();
      } while (this.#pumpAgain);
      // A pump that only delivered data (the hot path) sent no command and changed no
      // subscription, so the session's deadlines can only have moved later: the armed timer
      // stays valid (see #armTimer) and pollTimeout() is skipped.
      if (this.#deadlinesMayChange || this.#timer === undefined) {
        this.#deadlinesMayChange = false;
        this.#armTimer();
      }
    } finally {
      this.#pumping = false;
    }
  }

  #armTimer(): void {
    if (this.#ended) return;
    const at = this.#session.pollTimeout();
    if (at === this.#timerAt) return;
    // Lazy re-arming: every inbound frame pushes the liveness deadline back, and moving a real
    // timer per frame costs more than the frame. A timer due no later than `at` stays; when it
    // fires early, `handleTimeout` finds nothing due and the timer is armed for the new instant.
    if (at !== undefined && this.#timer !== undefined && this.#timerAt! <= at) return;
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#timerAt = at;
    if (at === undefined) return;
    this.#timer = this.#clock.setTimer(() => {
      this.#timer = undefined;
      this.#timerAt = undefined;
      this.#session.handleTimeout(this.#clock.now());
      this.#pump();
    }, at - this.#clock.now());
  }

  #drainEvents(): void {
    let data = 0;
    for (let event = this.#session.pollEvent(); event !== undefined;) {
      if (event.type === "data") data++;
      else this.#deadlinesMayChange = true;
      this.#dispatch(event);
      event = this.#session.pollEvent();
    }
    // A frame that produced no event at all (an ignored reply, a refused re-subscribe waiting
    // to retry) may have set a deadline: re-check.
    if (data === 0) this.#deadlinesMayChange = true;
  }

  #dispatch(event: SessionEvent): void {
    const subs = this.#subscriptions;
    switch (event.type) {
      case "data": {
        const subscription = event.key === undefined ? undefined : subs.get(event.key);
        // Nobody to tell (a books-only user): build no event object at all.
        if (
          this.#listeners.size === 0 && this.#streams.size === 0 &&
          (subscription === undefined || !subscription._hasReaders())
        ) return;
        this.#emit(
          { type: "data", subscription, sid: event.sid, message: event.message },
          subscription,
        );
        return;
      }
      case "connected":
        this.#emit(
          { type: "connected", url: this.#endpoint.url, reconnected: this.#lifecycle.opens > 1 },
          undefined,
        );
        return;
      case "disconnected":
        this.#emit({
          type: "disconnected",
          code: event.code,
          reason: event.reason,
          willReconnect: this.#lifecycle.willReconnect,
        }, undefined);
        return;
      case "subscribed": {
        const subscription = subs.get(event.key);
        if (subscription !== undefined) {
          this.#emit({ type: "subscribed", subscription, sids: event.sids }, subscription);
        }
        return;
      }
      case "resubscribed": {
        const subscription = subs.get(event.key);
        if (subscription !== undefined) {
          this.#emit(
            { type: "resubscribed", subscription, sids: event.sids, reason: event.reason },
            subscription,
          );
        }
        return;
      }
      case "resubscribe_scheduled": {
        const subscription = subs.get(event.key);
        if (subscription === undefined) return;
        const { attempt, delayMs, reason } = event;
        this.#emit(
          { type: "resubscribe_scheduled", subscription, attempt, delayMs, reason },
          subscription,
        );
        return;
      }
      case "unsubscribed": {
        const subscription = subs.get(event.key);
        if (subscription !== undefined) {
          this.#emit({ type: "unsubscribed", subscription }, subscription);
          subs.delete(event.key);
          subscription._end();
        }
        return;
      }
      case "subscription_lost": {
        const subscription = subs.get(event.key);
        if (subscription !== undefined) {
          this.#emit({ type: "subscription_lost", subscription, error: event.error }, subscription);
          subs.delete(event.key);
          subscription._end(event.error);
        }
        return;
      }
      case "gap":
      case "seq_anomaly": {
        const subscription = event.key === undefined ? undefined : subs.get(event.key);
        this.#emit({
          type: event.type,
          subscription,
          sid: event.sid,
          channel: event.channel,
          expected: event.expected,
          received: event.received,
        }, subscription);
        return;
      }
      case "book_invalid": {
        const subscription = event.key === undefined ? undefined : subs.get(event.key);
        this.#emit({
          type: "book_invalid",
          subscription,
          sid: event.sid,
          marketTicker: event.marketTicker,
          cause: event.cause,
        }, subscription);
        return;
      }
      case "resynced": {
        const subscription = event.key === undefined ? undefined : subs.get(event.key);
        this.#emit(
          { type: "resynced", subscription, sid: event.sid, markets: event.markets },
          subscription,
        );
        return;
      }
      case "server_error": {
        const subscription = event.key === undefined ? undefined : subs.get(event.key);
        this.#emit({
          type: "server_error",
          subscription,
          sid: event.sid,
          error: event.error,
          terminal: event.terminal,
        }, subscription);
        return;
      }
      case "decode_error":
        this.#emit({ type: "decode_error", error: event.error }, undefined);
        return;
      case "probe":
        this.#emit({ type: "probe" }, undefined);
        return;
      case "drift":
        this.#emit(event, undefined);
        return;
      case "dead":
        this.#driver.linkDead();
        return;
      case "command_result": {
        if (this.#internal.delete(event.request)) return;
        const pending = this.#pending.get(event.request);
        if (pending === undefined) return;
        this.#pending.delete(event.request);
        if (event.ok) pending.resolve(event.value);
        else {
          pending.reject(event.error);
          // A first subscribe that failed (its key is its request id) leaves nothing behind.
          const subscription = subs.get(event.request);
          if (subscription !== undefined) {
            subs.delete(event.request);
            subscription._end();
          }
        }
        return;
      }
    }
  }

  /** Delivers `event` to client listeners and streams, and to `subscription`'s. */
  #emit(event: ClientEvent, subscription: Subscription | undefined): void {
    this.#listeners.emit(event);
    if (this.#streams.size !== 0) { for (const stream of this.#streams) stream.push(event); }
    subscription?._emit(event);
  }

  #await(request: number): Promise<CommandValue> {
    return new Promise<CommandValue>((resolve, reject) => {
      this.#pending.set(request, { resolve, reject });
    });
  }

  #stream(
    options: StreamOptions | undefined,
    owner: Subscription | undefined,
    onResync: (group: number, markets: readonly string[]) => void = (_group, markets) =>
      this.#resyncMarkets(markets),
  ): EventStream<ClientEvent> {
    const subs = this.#subscriptions;
    const signal = options?.signal;
    const stream: EventStream<ClientEvent> = new EventStream<ClientEvent>({
      capacity: options?.bufferSize ?? this.#bufferSize,
      classify: (event): DataInfo | undefined => {
        if (event.type !== "data") return undefined;
        const message = event.message;
        const channel = channelOfType(message.type);
        const key = event.subscription?.key ?? 0;
        const slot = channel === undefined ? CHANNEL_SLOTS - 1 : channelIndex(channel);
        return {
          group: key * CHANNEL_SLOTS + slot,
          market: marketOf(message),
          snapshot: message.type === "orderbook_snapshot",
          policy: (channel === undefined ? undefined : event.subscription?.overflow[channel]) ??
            defaultPolicy(channel),
        };
      },
      onDropped: (count) => {
        this.#dropped += count;
      },
      lagged: (group, dropped, markets) => {
        return {
          type: "lagged",
          subscription: subs.get(Math.floor(group / CHANNEL_SLOTS)),
          dropped,
          markets,
        };
      },
      onResync,
      onDetach: () => {
        this.#streams.delete(stream);
        owner?._detach(stream);
        signal?.removeEventListener("abort", abort);
      },
    });
    const abort = () => stream.end();
    if (signal?.aborted) stream.end();
    else signal?.addEventListener("abort", abort, { once: true });
    return stream;
  }

  /** Asks for fresh snapshots of `markets` on the client's own behalf (results not reported). */
  #resyncMarkets(markets: readonly string[]): void {
    if (this.#ended) return;
    for (const market of markets) {
      try {
        const request = this.#session.resync(market, this.#clock.now());
        this.#internal.add(request);
      } catch {
        // No live book subscription covers it any more: nothing to repair.
      }
    }
    queueMicrotask(() => this.#pump());
  }

  /** The narrow view a Subscription gets of its client. */
  readonly #port: ClientPort = this.#makePort();

  #makePort(): ClientPort {
    const session = (): Session => this.#session;
    return {
      get session(): Session {
        return session();
      },
      request: <T>(
        what: string,
        send: (now: number) => number,
        map: (v: CommandValue) => T,
      ): Promise<T> => {
        if (this.#ended) return Promise.reject(new ClientClosedError(what));
        let request: number;
        try {
          request = send(this.#clock.now());
        } catch (error) {
          return Promise.reject(error);
        }
        const result = this.#await(request).then(map);
        this.#pump();
        return result;
      },
      stream: (options, subscription, onResync) => this.#stream(options, subscription, onResync),
      resyncMarkets: (markets) => this.#resyncMarkets(markets),
      isClosed: () => this.#ended,
    };
  }
}

function channelIndex(channel: Channel): number {
  switch (channel) {
    case "orderbook_delta":
      return 0;
    case "ticker":
      return 1;
    case "trade":
      return 2;
    case "fill":
      return 3;
    case "market_positions":
      return 4;
    case "user_orders":
      return 5;
    case "order_group_updates":
      return 6;
    case "market_lifecycle_v2":
      return 7;
    case "multivariate_market_lifecycle":
      return 8;
    case "communications":
      return 9;
    case "cfbenchmarks_value":
      return 10;
    case "cfbenchmarks_value_5hz":
      return 11;
    case "pyth_value":
      return 12;
    default:
      return CHANNEL_SLOTS - 2;
  }
}

/** A client created with `books`: its {@linkcode KalshiWsClient.books} are always there. */
export type KalshiWsClientWithBooks = KalshiWsClient & { readonly books: BookStore };

/**
 * Connects to Kalshi's WebSocket API and resolves with a self-healing client once the first
 * connection is open. The adapters (`@kalshi-ws/deno`, `@kalshi-ws/node`) export a `connect`
 * that fills in `transport`. With `books: true` (or a `BookStore`), `client.books` is typed
 * present.
 *
 * @example
 * ```ts ignore
 * import { connect } from "@kalshi-ws/client";
 * import { transport } from "@kalshi-ws/node"; // on Deno: "@kalshi-ws/deno"
 *
 * const client = await connect({ transport, endpoint: "demo", keyId, privateKeyPem });
 * const sub = await client.subscribe({ channels: ["ticker"], market_tickers: ["KXA-1"] });
 * for await (const event of sub) if (event.type === "data") console.log(event.message);
 * await client.close();
 * ```
 */
export function connect(
  options: ClientOptions & { readonly books: true | BookStore },
): Promise<KalshiWsClientWithBooks>;
/** Connects and resolves with a self-healing client once the first connection is open. */
export function connect(options: ClientOptions): Promise<KalshiWsClient>;
export async function connect(options: ClientOptions): Promise<KalshiWsClient> {
  const client = new KalshiWsClient(options);
  await client.start();
  return client;
}
