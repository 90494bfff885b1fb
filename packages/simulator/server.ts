/**
 * The simulator's socket server: real WebSockets on loopback speaking Kalshi's protocol, with
 * handshake auth, `heartbeat` pings, a timer driving the seeded activity generator, and fault
 * injection per connection or subscription. All protocol rules live in the pure model
 * (`./model/`); this file only does I/O and timing.
 *
 * @module
 */

import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import { randomUUID } from "node:crypto";
import { Buffer } from "node:buffer";
import { type WebSocket, WebSocketServer } from "ws";
import { type Count, parseCount, parsePrice, type Price } from "@kalshi-ws/core";
import { generateTestKeyPair, KeyRegistry, WS_PATH } from "./auth.ts";
import { ChannelFeeds } from "./model/channel_feeds.ts";
import type { ExchangeEvent } from "./model/events.ts";
import { Exchange } from "./model/exchange.ts";
import type { MarketState } from "./model/market_state.ts";
import type { OwnOrder } from "./model/trading.ts";
import type { Position } from "./model/positions.ts";
import type { MarketSpec } from "./model/markets.ts";
import type { ScaledBook, Side, WireBook } from "./model/order_book.ts";
import { ProtocolConnection } from "./model/connection.ts";
import type { OutFrame } from "./model/outbox.ts";
import type { SubscriptionInfo } from "./model/subscription_table.ts";
import { commandOf, Faults } from "./faults.ts";
import { Rng } from "./model/rng.ts";
import { MAX_ACTIVITY_RATE, MAX_CLIENT_FRAME_BYTES } from "./limits.ts";

/** Options of {@linkcode startSimulator}; every field has a default. */
export interface SimulatorOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  /** Interface to listen on (default `127.0.0.1`). */
  readonly hostname?: string;
  /** Seed of the activity generator and ids (default 1). */
  readonly seed?: number;
  /** Markets to create (default: a handful of realistic ones, some with sub-cent ticks). */
  readonly markets?: readonly MarketSpec[];
  /**
   * `"required"` (default): every handshake must be signed by a registered key.
   * `"open"`: handshakes without auth headers are accepted anonymously (private channels then
   * answer code 9); handshakes that do carry auth headers are still verified.
   */
  readonly auth?: "required" | "open";
  /** Extra public keys to accept, besides the generated test key. */
  readonly keys?: readonly {
    readonly keyId: string;
    readonly publicKeyPem: string;
    readonly userId?: string;
  }[];
  /** How far `KALSHI-ACCESS-TIMESTAMP` may be from the simulator clock (default 30 000 ms). */
  readonly timestampWindowMs?: number;
  /** Interval of `heartbeat` pings in ms (default 10 000; 0 disables them). */
  readonly pingIntervalMs?: number;
  /** Generator steps per second while activity runs (default 20). */
  readonly activityRate?: number;
  /** Start the activity timer immediately (default true); otherwise call `step()` or `startActivity()`. */
  readonly autoStart?: boolean;
  /** Probability that a generator step acts for an account's own orders (default 0.05). */
  readonly ownOrderRate?: number;
  /** Most markets per subscription before code 26 (default 10 000). */
  readonly marketLimit?: number;
  /** Bytes buffered on a socket beyond which its subscriptions get terminal error 25 (default 8 MiB). */
  readonly maxBufferedBytes?: number;
  /** The simulator clock in Unix ms (default `Date.now`); used for auth freshness and timestamps. */
  readonly clock?: () => number;
  /**
   * Drift mode: every connection also gets fields no spec documents and an unknown message type
   * (see `model/drift_mode.ts`), to see what a client reports when Kalshi changes its API.
   */
  readonly drift?: boolean;
}

/** What a simulator served, as {@linkcode Simulator.stats} reports it. */
export interface SimulatorStats {
  /** Handshakes by outcome (`refused`: an HTTP error status, faults and 401s alike). */
  readonly handshakes: { accepted: number; refused: number; hung: number };
  /** Commands received, by `cmd` (`"(invalid)"` for frames without one). */
  readonly commands: Record<string, number>;
}

/** A connected client, as {@linkcode Simulator.connections} reports it. */
export interface ConnectionInfo {
  /** Connection id, from 1 in accept order. */
  readonly id: number;
  /** The API key id it authenticated with (undefined when anonymous). */
  readonly keyId: string | undefined;
  /** The simulated user behind that key. */
  readonly userId: string | undefined;
  /** True after `goSilent`. */
  readonly silent: boolean;
  /** Live subscriptions with their current seq. */
  readonly subscriptions: readonly SubscriptionInfo[];
}

/** Read access to the exchange's ground truth, to compare a client's state against. */
export interface Truth {
  /** Every market ticker. */
  tickers(): string[];
  /** A market's state (status, statistics, true book); undefined when unknown. */
  market(ticker: string): Readonly<MarketState> | undefined;
  /** A market's true book as Kalshi ladders (`["0.4200","25.00"]`, ascending). */
  book(ticker: string): WireBook;
  /** A market's true book as scaled integers (1/10 000 $, 1/100 contract), ascending. */
  bookScaled(ticker: string): ScaledBook;
  /** Orders of a user (default: the test key's user), oldest first. */
  orders(userId?: string): readonly OwnOrder[];
  /** A user's position in a market (default: the test key's user). */
  position(ticker: string, userId?: string): Readonly<Position>;
}

/** An order placed through {@linkcode Simulator.placeOrder}: prices/counts as numbers or strings. */
export interface PlaceOrderRequest {
  /** Market ticker. */
  readonly ticker: string;
  /** Outcome to buy. */
  readonly side: Side;
  /** Limit price in that side's leg: `"0.4200"` or 4200 (1/10 000 $). */
  readonly price: string | Price;
  /** Size: `"10.00"` or 1000 (1/100 contract). */
  readonly count: string | Count;
  /** Client order id (generated when omitted). */
  readonly clientOrderId?: string;
  /** Whose order (default: the test key's user). */
  readonly userId?: string;
}

interface Live {
  readonly id: number;
  readonly ws: WebSocket;
  readonly socket: Duplex;
  readonly model: ProtocolConnection;
  readonly keyId: string | undefined;
  silent: boolean;
  /** Bytes passed to `ws.send` whose write has not completed yet. */
  unsent: number;
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  426: "Upgrade Required",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/**
 * A running simulator. Create it with {@linkcode startSimulator}; stop it with `close()` or
 * `await using`.
 */
// No `implements FaultHost` here: that interface is @internal, so the npm declarations leave it
// out; `new Faults(this)` checks the same shape.
export class Simulator {
  /** The WebSocket URL, e.g. `ws://127.0.0.1:41234/trade-api/ws/v2`. */
  readonly url: string;
  /** The generated test key id (send as `KALSHI-ACCESS-KEY`). */
  readonly keyId: string;
  /** The user id behind the test key (fills, orders and positions belong to it). */
  readonly userId: string;
  /** The test key's public key (SPKI PEM). */
  readonly publicKeyPem: string;
  /** The pure exchange model (markets, books, orders) — for stepping or inspection in tests. */
  readonly exchange: Exchange;
  /** The other channels' generators (RFQs, order groups, combos, value feeds), stepped with it. */
  readonly feeds: ChannelFeeds;
  /** Read access to the ground truth. */
  readonly truth: Truth;
  /** Fault injection. */
  readonly faults: Faults;

  readonly #privateKeyPem: string;
  readonly #server: Server;
  readonly #wss: WebSocketServer;
  readonly #keys: KeyRegistry;
  readonly #options: SimulatorOptions;
  readonly #clock: () => number;
  readonly #live = new Map<number, Live>();
  readonly #waiters: ((info: ConnectionInfo) => void)[] = [];
  /** Sockets whose handshake the faults left unanswered (destroyed on close). */
  readonly #hung = new Set<Duplex>();
  readonly #stats: SimulatorStats = {
    handshakes: { accepted: 0, refused: 0, hung: 0 },
    commands: {},
  };
  #nextId = 1;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #activityTimer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  /** @internal Use {@linkcode startSimulator}. */
  constructor(
    server: Server,
    url: string,
    keys: KeyRegistry,
    testKey: { keyId: string; publicKeyPem: string; privateKeyPem: string; userId: string },
    exchange: Exchange,
    options: SimulatorOptions,
  ) {
    this.#server = server;
    this.url = url;
    this.#keys = keys;
    this.keyId = testKey.keyId;
    this.userId = testKey.userId;
    this.publicKeyPem = testKey.publicKeyPem;
    this.#privateKeyPem = testKey.privateKeyPem;
    this.exchange = exchange;
    this.feeds = new ChannelFeeds(exchange, { seed: options.seed ?? 1, accounts: [this.userId] });
    this.#options = options;
    this.#clock = options.clock ?? Date.now;
    this.faults = new Faults(this);
    // Commands are tiny: a client frame above the cap closes its connection (1009) instead of
    // filling the memory (ws's own default is 100 MiB).
    this.#wss = new WebSocketServer({
      noServer: true,
      autoPong: false,
      perMessageDeflate: false,
      maxPayload: MAX_CLIENT_FRAME_BYTES,
    });
    const market = (ticker: string): MarketState => {
      const found = exchange.market(ticker);
      if (found === undefined) {
        throw new RangeError(`Cannot read book of ${JSON.stringify(ticker)}: unknown market`);
      }
      return found;
    };
    const defaultUser = testKey.userId;
    this.truth = {
      tickers: () => exchange.markets().map((m) => m.ticker),
      market: (ticker) => exchange.market(ticker),
      book: (ticker) => market(ticker).book.wire(),
      bookScaled: (ticker) => market(ticker).book.scaled(),
      orders: (userId = defaultUser) => exchange.orders(userId),
      position: (ticker, userId = defaultUser) => exchange.position(userId, ticker),
    };
    server.on(
      "upgrade",
      (request: IncomingMessage, socket: Duplex, head: Buffer) =>
        this.#upgrade(request, socket, head),
    );
    server.on("request", (_request, response) => {
      response.writeHead(426, { "content-type": "text/plain; charset=utf-8", connection: "close" });
      response.end(`Upgrade Required: connect a WebSocket to ${WS_PATH}\n`);
    });
    const pingMs = options.pingIntervalMs ?? 10_000;
    if (pingMs > 0) this.#pingTimer = setInterval(() => this.#pingAll(), pingMs);
    if (options.autoStart ?? true) this.startActivity();
  }

  /** The test key's PKCS#1 PEM private key (not enumerable, never logged). */
  get privateKeyPem(): string {
    return this.#privateKeyPem;
  }

  /** Registers another public key; returns its key id (a new UUID unless given). */
  registerKey(
    publicKeyPem: string,
    keyId: string = randomUUID(),
    userId: string = randomUUID(),
  ): string {
    this.#keys.register(keyId, publicKeyPem, userId);
    this.exchange.addAccount(userId);
    this.feeds.addAccount(userId);
    return keyId;
  }

  /** The live connections, oldest first. */
  connections(): ConnectionInfo[] {
    return [...this.#live.values()].map((live) => this.#info(live));
  }

  /** Resolves with the next connection that completes its handshake. */
  nextConnection(): Promise<ConnectionInfo> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Runs `count` generator steps now and delivers their frames; returns the events. */
  step(count = 1): ExchangeEvent[] {
    const all: ExchangeEvent[] = [];
    for (let i = 0; i < count; i++) {
      const now = this.#clock();
      const events = [...this.exchange.step(now), ...this.feeds.step(now)];
      this.#broadcast(events);
      for (const event of events) all.push(event);
    }
    return all;
  }

  /**
   * Starts (or restarts at a new `rate`, steps per second) the activity timer. Throws a
   * `RangeError` above {@linkcode MAX_ACTIVITY_RATE} (such a rate would block the event loop).
   */
  startActivity(rate: number = this.#options.activityRate ?? 20): void {
    if (!(rate <= MAX_ACTIVITY_RATE) || Number.isNaN(rate)) {
      throw new RangeError(
        `Cannot run activity at ${rate} steps/s: the most is ${MAX_ACTIVITY_RATE}`,
      );
    }
    this.stopActivity();
    if (rate <= 0) return;
    const tickMs = Math.max(10, Math.min(1000, Math.floor(1000 / rate)));
    // Pacing uses the monotonic clock, so an injected (even frozen) `clock` still streams.
    let last = performance.now();
    let carry = 0;
    this.#activityTimer = setInterval(() => {
      const now = performance.now();
      carry += ((now - last) * rate) / 1000;
      last = now;
      const due = Math.min(Math.floor(carry), Math.max(1, rate)); // at most one second's worth
      carry -= Math.floor(carry);
      if (due > 0) this.step(due);
    }, tickMs);
  }

  /** Stops the activity timer (the market freezes until `step()` or `startActivity()`). */
  stopActivity(): void {
    if (this.#activityTimer !== undefined) clearInterval(this.#activityTimer);
    this.#activityTimer = undefined;
  }

  /** Places a simulated own order (default user: the test key's) and delivers its frames. */
  placeOrder(request: PlaceOrderRequest): OwnOrder {
    const { order, events } = this.exchange.placeOrder(request.userId ?? this.userId, {
      ticker: request.ticker,
      side: request.side,
      price: typeof request.price === "string" ? parsePrice(request.price) : request.price,
      count: typeof request.count === "string" ? parseCount(request.count) : request.count,
      ...(request.clientOrderId === undefined ? {} : { clientOrderId: request.clientOrderId }),
    }, this.#clock());
    this.#broadcast(events);
    return order;
  }

  /** Cancels a resting own order and delivers its frames. */
  cancelOrder(orderId: string, userId: string = this.userId): void {
    this.#broadcast(this.exchange.cancelOrder(userId, orderId, this.#clock()));
  }

  /** Creates a market (emits `event_lifecycle` / `created` lifecycle frames). */
  createMarket(spec: MarketSpec): void {
    this.#broadcast(this.exchange.createMarket(spec, this.#clock()));
  }

  /** Pauses or resumes trading on a market (emits `deactivated` / `activated`). */
  setTrading(ticker: string, active: boolean): void {
    this.#broadcast(this.exchange.setTrading(ticker, active));
  }

  /** Determines and settles a market with `result` (book emptied, positions settled). */
  settle(ticker: string, result: Side): void {
    this.#broadcast(this.exchange.settle(ticker, result, this.#clock()));
  }

  /** What the simulator has served so far: handshakes by outcome, commands by name. */
  stats(): SimulatorStats {
    return {
      handshakes: { ...this.#stats.handshakes },
      commands: { ...this.#stats.commands },
    };
  }

  /** Stops timers, cuts every connection and closes the listener. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.stopActivity();
    if (this.#pingTimer !== undefined) clearInterval(this.#pingTimer);
    for (const socket of this.#hung) socket.destroy();
    this.#hung.clear();
    for (const live of this.#live.values()) {
      live.ws.terminate();
      live.socket.destroy();
    }
    this.#live.clear();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  /** Same as {@linkcode close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Describes the simulator without secrets. */
  toString(): string {
    return `Simulator(${this.url}, keyId ${this.keyId})`;
  }

  /** @internal The connection a fault targets (default: the newest open one). */
  _live(id?: number): Live {
    if (id !== undefined) {
      const live = this.#live.get(id);
      if (live === undefined) {
        throw new RangeError(`Cannot inject fault: connection ${id} is not open`);
      }
      return live;
    }
    let newest: Live | undefined;
    for (const live of this.#live.values()) newest = live;
    if (newest === undefined) throw new RangeError("Cannot inject fault: no connection is open");
    return newest;
  }

  /** @internal Every open connection. */
  _lives(): Iterable<Live> {
    return this.#live.values();
  }

  /** @internal Sends frames to one connection; overflowing its buffer raises error 25. */
  _deliver(live: Live, frames: readonly OutFrame[]): void {
    if (live.silent || frames.length === 0 || live.ws.readyState !== 1) return;
    for (const frame of frames) {
      const size = frame.text.length;
      live.unsent += size;
      live.ws.send(frame.text, () => live.unsent -= size);
    }
    // Bytes handed to the socket but not yet written out: a slow reader or a burst bigger than
    // the buffer overflows it, and Kalshi then kills the subscriptions involved with code 25.
    const buffered = Math.max(live.unsent, live.ws.bufferedAmount);
    if (buffered > (this.#options.maxBufferedBytes ?? 8 * 1024 * 1024)) {
      const sids = new Set<number>();
      for (const frame of frames) if (frame.sid !== undefined) sids.add(frame.sid);
      for (const sid of sids) {
        for (const frame of live.model.raiseError(sid, 25)) live.ws.send(frame.text);
      }
    }
  }

  #info(live: Live): ConnectionInfo {
    return {
      id: live.id,
      keyId: live.keyId,
      userId: live.model.userId,
      silent: live.silent,
      subscriptions: live.model.subscriptions(),
    };
  }

  #broadcast(events: readonly ExchangeEvent[]): void {
    if (events.length === 0) return;
    for (const live of this.#live.values()) {
      if (!live.silent) this._deliver(live, live.model.onEvents(events));
    }
  }

  #pingAll(): void {
    for (const live of this.#live.values()) {
      if (!live.silent && live.ws.readyState === 1) live.ws.ping("heartbeat");
    }
  }

  #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", () => {});
    const path = (request.url ?? "").split("?")[0];
    if (path !== WS_PATH) return reject(socket, 404, `Not Found: WebSocket path is ${WS_PATH}`);
    const answer = this.faults._handshake();
    if (answer.kind === "reject") {
      this.#stats.handshakes.refused++;
      const body = answer.body ?? STATUS_TEXT[answer.status] ?? "Rejected";
      return reject(socket, answer.status, body, answer.retryAfter);
    }
    if (answer.kind === "hang") {
      // TCP accepted, the upgrade request read, no answer ever: the client must time out.
      this.#stats.handshakes.hung++;
      this.#hung.add(socket);
      socket.on("close", () => this.#hung.delete(socket));
      return;
    }
    const auth = this.#keys.check(
      request.headers,
      this.#clock(),
      this.#options.timestampWindowMs ?? 30_000,
      this.#options.auth === "open",
    );
    if (!auth.ok) {
      this.#stats.handshakes.refused++;
      return reject(socket, 401, auth.reason);
    }
    this.#stats.handshakes.accepted++;
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      if (this.#closed) return ws.terminate();
      const live: Live = {
        id: this.#nextId++,
        ws,
        socket,
        keyId: auth.keyId,
        silent: false,
        unsent: 0,
        model: new ProtocolConnection({
          exchange: this.exchange,
          userId: auth.userId,
          drift: this.#options.drift === true,
          ...(this.#options.marketLimit === undefined
            ? {}
            : { marketLimit: this.#options.marketLimit }),
        }),
      };
      this.#live.set(live.id, live);
      ws.on("message", (data: Buffer | ArrayBuffer | Buffer[]) => {
        if (live.silent) return;
        const text = Array.isArray(data)
          ? Buffer.concat(data).toString("utf8")
          : Buffer.from(data as ArrayBuffer).toString("utf8");
        const cmd = commandOf(text) ?? "(invalid)";
        this.#stats.commands[cmd] = (this.#stats.commands[cmd] ?? 0) + 1;
        if (this.faults._cuts(live, text)) return; // swallowed, link cut before any reply
        let frames;
        try {
          frames = live.model.handleText(text, this.#clock());
        } catch {
          // A bug, not the client's fault (the model answers every bad command itself): end
          // this connection, keep serving the others.
          ws.close(1011, "internal error");
          return;
        }
        this._deliver(live, frames);
        this.faults._strike(live);
      });
      ws.on("ping", (data: Buffer) => {
        if (!live.silent && ws.readyState === 1) ws.pong(data);
      });
      ws.on("error", () => {});
      ws.on("close", () => this.#live.delete(live.id));
      const info = this.#info(live);
      for (const waiter of this.#waiters.splice(0)) waiter(info);
    });
  }
}

/** Writes a raw HTTP error response on a not-yet-upgraded socket and closes it. */
function reject(socket: Duplex, status: number, body: string, retryAfter?: string): void {
  const text = `${body}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? "Error"}\r\n` +
      (retryAfter === undefined ? "" : `Retry-After: ${retryAfter}\r\n`) +
      "Content-Type: text/plain; charset=utf-8\r\n" +
      `Content-Length: ${Buffer.byteLength(text)}\r\n` +
      "Connection: close\r\n\r\n" + text,
  );
}

/**
 * Starts a simulator listening on loopback and resolves once it accepts connections.
 *
 * @example
 * ```ts
 * import { startSimulator } from "./server.ts";
 * const sim = await startSimulator({ seed: 7, autoStart: false });
 * sim.url; // "ws://127.0.0.1:<port>/trade-api/ws/v2"
 * sim.step(10); // ten generator steps, delivered to subscribers
 * sim.truth.book("KXFED-26DEC-T4.25"); // { yes: [["0.8100","84.32"], …], no: […] }
 * await sim.close(); // or `await using sim = …` where the runtime parses it (Deno, Node 24+)
 * ```
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const clock = options.clock ?? Date.now;
  const exchange = new Exchange({
    seed: options.seed ?? 1,
    ...(options.markets === undefined ? {} : { markets: options.markets }),
    ...(options.ownOrderRate === undefined ? {} : { ownOrderRate: options.ownOrderRate }),
    startTime: clock(),
  });
  const keys = new KeyRegistry();
  const pair = generateTestKeyPair();
  // The test user's id appears in frames (user_id), so it follows the seed like everything else.
  const userId = new Rng((options.seed ?? 1) ^ 0x5eed).uuid();
  keys.register(pair.keyId, pair.publicKeyPem, userId);
  exchange.addAccount(userId);
  const extraUsers: string[] = [];
  for (const extra of options.keys ?? []) {
    const extraUser = extra.userId ?? randomUUID();
    keys.register(extra.keyId, extra.publicKeyPem, extraUser);
    exchange.addAccount(extraUser);
    extraUsers.push(extraUser);
  }
  const server = createServer();
  const hostname = options.hostname ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, hostname, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port ?? 0;
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  const simulator = new Simulator(
    server,
    `ws://${host}:${port}${WS_PATH}`,
    keys,
    { ...pair, userId },
    exchange,
    options,
  );
  for (const extraUser of extraUsers) simulator.feeds.addAccount(extraUser);
  return simulator;
}
