/**
 * {@linkcode KalshiWsClient}, the self-healing client, and {@linkcode connect}. This file wires
 * the client's rooms together and decides what each call does; each room does one job:
 *
 * - `connection_driver.ts` runs the core's `ConnectionLifecycle` (when to open, handshake
 *   deadline, backoff, giving up) over real sockets and timers;
 * - `session_driver.ts` runs the core's `Session` (the protocol: healing, gap repair, liveness)
 *   over the live socket: frames in and out, events out, one timer;
 * - `event_router.ts` tells listeners, streams and {@linkcode Subscription} handles
 *   (`subscription.ts`), in the words of `client_event.ts`; `overflow_routing.ts` bounds streams;
 * - `pending_requests.ts` settles the promises of calls.
 *
 * @module
 */

import { ClientMetrics, type ClientMetricsSnapshot } from "./client_metrics.ts";
import {
  type AttemptFailure,
  BookStore,
  type CommandValue,
  ConnectionLifecycle,
  type DataEvent,
  DEFAULT_CLOSE_TIMEOUT_MS,
  type DriftCounts,
  Session,
  type SessionEvent,
  type SubscribeParams,
  type SubscriptionEntry,
  type SubscriptionKey,
} from "@kalshi-ws/core";
import type { ClientEvent, ClientEventType, ClientListener, LinkFacts } from "./client_event.ts";
import type { ClientOptions, StreamOptions, SubscribeOptions } from "./client_options.ts";
import { type Clock, systemClock } from "./clock.ts";
import { ConnectionDriver } from "./connection_driver.ts";
import { type Endpoint, resolveEndpoint } from "./environment.ts";
import { ClientClosedError, ConnectionError, HandshakeRejectedError } from "./errors.ts";
import { EventRouter } from "./event_router.ts";
import type { EventStream } from "./event_stream.ts";
import { DEFAULT_MAX_FRAME_BYTES } from "./frame_limit.ts";
import { resolveOverflow } from "./overflow_routing.ts";
import { PendingRequests } from "./pending_requests.ts";
import { SessionDriver } from "./session_driver.ts";
import { createAuthHeaders, createRsaPssSigner, type Signer } from "./signer.ts";
import { Subscription, type SubscriptionPort } from "./subscription.ts";

/** The client's connection state. */
export type ClientState = "connecting" | "open" | "reconnecting" | "closed";

const noValue = (): void => {};
const marketList = (value: CommandValue): readonly string[] =>
  "markets" in value ? value.markets : [];

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
  readonly #sessionDriver: SessionDriver;
  readonly #metrics: ClientMetrics;
  readonly #router: EventRouter;
  readonly #requests = new PendingRequests();
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort: () => void;

  #ended = false;
  #fatal: Error | undefined;
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
    const clock = this.#clock = options.clock ?? systemClock;
    this.#metrics = new ClientMetrics(clock === systemClock ? Date.now : () => clock.wallTime());
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
    const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    if (!(maxFrameBytes >= 1)) {
      throw new RangeError(`Set maxFrameBytes to 1 or more: got ${maxFrameBytes}`);
    }
    const bufferSize = options.bufferSize ?? 4_096;
    if (!(bufferSize >= 1)) {
      throw new RangeError(`Set bufferSize to 1 or more: got ${bufferSize}`);
    }
    this.#signal = options.signal;
    this.#onAbort = () => void this.close();
    this.#closed = new Promise((resolve) => this.#resolveClosed = resolve);
    this.#router = new EventRouter({
      bufferSize,
      resyncMarkets: (markets) => this.#resyncMarkets(markets),
    });
    const sessionDriver = new SessionDriver({
      session: this.#session,
      metrics: this.#metrics,
      clock: this.#clock,
      maxFrameBytes,
      router: this.#router,
      handle: (event) => this.#handle(event),
      readsInRuns: options.transport.readsInRuns === true,
    });
    this.#sessionDriver = sessionDriver;
    this.#driver = new ConnectionDriver({
      transport: options.transport,
      url: this.#endpoint.url,
      openOptions: {
        maxFrameBytes,
        closeTimeoutMs: options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS,
      },
      clock: this.#clock,
      lifecycle: this.#lifecycle,
      headers: () => this.#headers(),
      callbacks: {
        text: sessionDriver.receiveText, // the per-frame handler, called directly
        ping: () => sessionDriver.receivePing(),
        changed: () => {
          sessionDriver.socket = this.#driver.connection;
          sessionDriver.drainEvents(); // `disconnected` first, even from inside a pump
          sessionDriver.pump();
        },
        opened: () => {
          const first = this.#firstOpen;
          this.#firstOpen = undefined;
          first?.resolve();
        },
        reconnecting: (attempt, delayMs, failure) => {
          this.#metrics.reconnecting();
          const error = failure === undefined ? undefined : this.#errorOf(failure, false);
          this.#router.emit({ type: "reconnecting", attempt, delayMs, error }, undefined);
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

  /**
   * What a dashboard watches, as a plain object: messages per channel, gaps, resyncs, reconnect
   * attempts, decode errors, the lag histogram (receive time minus Kalshi's `ts_ms`), the age of
   * the last message, and the connection, subscription and book states now. The client counts
   * with plain integers as frames arrive; this call only reads them (`@kalshi-ws/metrics`
   * exports it for Prometheus).
   */
  metrics(): ClientMetricsSnapshot {
    return this.#metrics.snapshot(this);
  }

  /** Data messages dropped by slow streams so far (the client-wide lag counter). */
  get dropped(): number {
    return this.#router.dropped;
  }

  /** Resolves once the client has closed (for any reason). */
  get closed(): Promise<void> {
    return this.#closed;
  }

  /** The subscriptions that exist now. */
  subscriptions(): Subscription[] {
    return [...this.#router.subscriptions.values()];
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
    let overflow;
    let key: SubscriptionKey;
    try {
      overflow = resolveOverflow(params.channels, options.overflow);
      key = this.#session.subscribe(params, this.#clock.now());
    } catch (error) {
      return Promise.reject(error);
    }
    const subscription = new Subscription(
      this.#portFor(key),
      key,
      [...params.channels],
      overflow,
      options.buffer ?? true,
    );
    this.#router.subscriptions.set(key, subscription);
    const result = this.#requests.wait(key).then(() => subscription);
    this.#sessionDriver.pump();
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
    const what = typeof target === "string" ? target : target.key;
    return this.#request("resync", (now) => this.#session.resync(what, now), noValue);
  }

  /** Asks Kalshi for this connection's subscriptions (`list_subscriptions`). */
  listSubscriptions(): Promise<readonly SubscriptionEntry[]> {
    return this.#request(
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
    return this.#router.clientStream(options, this.#ended, this.#fatal);
  }

  /** `for await (const event of client)`: iterates a fresh {@linkcode KalshiWsClient.events}. */
  [Symbol.asyncIterator](): EventStream<ClientEvent> {
    return this.events();
  }

  /** Adds a listener (`"*"` for every event); returns its remover. Listeners never lag. */
  on<K extends ClientEventType | "*">(type: K, listener: ClientListener<K>): () => void {
    return this.#router.on(type, listener);
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
  // Wiring

  /** A non-data session event: settle a call, replace a dead link, or tell the user. */
  #handle(event: Exclude<SessionEvent, DataEvent>): void {
    switch (event.type) {
      case "command_result":
        // A first subscribe that failed (its key is its request id) leaves nothing behind.
        if (this.#requests.settle(event)) this.#router.forget(event.request);
        return;
      case "dead":
        this.#driver.linkDead();
        return;
      default:
        this.#metrics.sessionEvent(event);
        this.#router.report(event, this.#linkFacts());
    }
  }

  #linkFacts(): LinkFacts {
    const life = this.#lifecycle;
    return { url: this.#endpoint.url, opens: life.opens, willReconnect: life.willReconnect };
  }

  /** Sends a request (unless closed) and resolves with `map` of its result. */
  #request<T>(
    what: string,
    send: (now: number) => number,
    map: (value: CommandValue) => T,
  ): Promise<T> {
    if (this.#ended) return Promise.reject(new ClientClosedError(what));
    let request: number;
    try {
      request = send(this.#clock.now());
    } catch (error) {
      return Promise.reject(error);
    }
    const result = this.#requests.wait(request).then(map);
    this.#sessionDriver.pump();
    return result;
  }

  /** What subscription `key`'s handle may ask: requests on its own key, streams, its sids. */
  #portFor(key: SubscriptionKey): SubscriptionPort {
    const session = this.#session;
    const closed = () => this.#ended;
    return {
      sids: () => session.sidsOf(key),
      markets: () => session.marketsOf(key),
      addMarkets: (tickers) =>
        this.#request("add_markets", (now) => session.addMarkets(key, tickers, now), marketList),
      removeMarkets: (tickers) =>
        this.#request(
          "delete_markets",
          (now) => session.removeMarkets(key, tickers, now),
          marketList,
        ),
      resync: () => this.#request("resync", (now) => session.resync(key, now), noValue),
      unsubscribe: () =>
        this.#request("unsubscribe", (now) => session.unsubscribe(key, now), noValue),
      openStream: (owner, options, onResync) => this.#router.openStream(options, owner, onResync),
      resyncMarkets: (markets) => this.#resyncMarkets(markets),
      get closed() {
        return closed();
      },
    };
  }

  /** Asks for fresh snapshots of `markets` on the client's own behalf (results not reported). */
  #resyncMarkets(markets: readonly string[]): void {
    if (this.#ended) return;
    for (const market of markets) {
      try {
        this.#requests.unreported(this.#session.resync(market, this.#clock.now()));
      } catch {
        // No live book subscription covers it any more: nothing to repair.
      }
    }
    queueMicrotask(() => this.#sessionDriver.pump());
  }

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

  /** Ends the client for good; `error` says why when it was not requested. */
  #finish(error: Error | undefined): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#fatal = error;
    this.#driver.stop();
    this.#sessionDriver.stop();
    this.#signal?.removeEventListener("abort", this.#onAbort);
    if (this.#session.connected) {
      this.#session.closed(1000, "client closed", this.#clock.now());
      this.#sessionDriver.drainEvents();
    }
    const first = this.#firstOpen;
    this.#firstOpen = undefined;
    if (first !== undefined) {
      first.reject(
        this.#signal?.aborted ? this.#signal.reason : error ?? new ClientClosedError("connect"),
      );
    }
    this.#requests.rejectAll(() => error ?? new ClientClosedError("the request", { cause: error }));
    this.#router.end(error);
    this.#resolveClosed();
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
