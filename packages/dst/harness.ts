/**
 * Deterministic simulation of the healing stack: the core's {@linkcode Session} with a
 * {@linkcode BookStore}, connected and reconnected by the core's {@linkcode ConnectionLifecycle}
 * — the very state machine `@kalshi-ws/client` runs, so there is one reconnect loop and one set
 * of rules — against the simulator's pure model ({@linkcode Exchange} + one
 * {@linkcode ProtocolConnection} per connection), over an in-memory network with latency, under a
 * virtual clock. Every random choice (market activity, latency, faults, user requests, the run's
 * profile) comes from the seed, so a failing seed replays exactly: `deno task dst --seed N`.
 *
 * A run has a fault phase (faults drawn from {@linkcode DST_FAULTS}) and a calm phase. Some
 * seeds are *stop* runs (the user closes the client at a random moment, in whatever state it is)
 * or *outage* runs (the server goes away for good mid-run: nothing can heal, everything must
 * still end in time). At every step it checks:
 * - **books**: every book the client holds as valid equals the truth as of the last frame of
 *   that market it received; every delivered order-book event and every `resynced` claim is
 *   checked the same way;
 * - **healing**: from {@linkcode SimulationOptions.healBoundMs} after the last fault, every
 *   subscription is live on the current connection with every book valid; no subscription is
 *   ever lost; the client never gives up; every request gets exactly one result;
 * - **deadlines**: no request waits past the command timeout of its call (also while queued or
 *   disconnected); a stop ends the client within the close timeout; automatic re-subscribes of a
 *   subscription stay under a bound in every minute (see `budgets.ts`);
 * - **no silent loss**: a frame the server dropped is reported as a `gap` before any later data
 *   of its sid is delivered; every fresh data frame on a live sid is delivered (or its book is
 *   visibly invalid); duplicates are never delivered twice;
 * - **memory**: books, tracked truth, queues and commands per step stay bounded.
 *
 * The client class itself runs on promises and microtasks, which a virtual clock can only drive
 * by flushing many microtask rounds per step — too slow for 10 000 seeds a CI run — so the
 * harness drives the same two sans-I/O machines synchronously (`client_sim.ts` runs the class).
 *
 * @module
 */

import {
  BookStore,
  type Channel,
  CommandError,
  ConnectionLifecycle,
  ErrorCode,
  Session,
  type SessionEvent,
  type SubscribeParams,
  type SubscriptionKey,
} from "@kalshi-ws/core";
import {
  ErrorStorm,
  Exchange,
  type ExchangeEvent,
  type OutFrame,
  ProtocolConnection,
  Rng,
} from "@kalshi-ws/simulator/model";
import { TruthTracker } from "./truth.ts";
import { RequestClock, ResubscribeRate } from "./budgets.ts";
import { HandshakePlan } from "./handshake_plan.ts";

/** The faults a seed can draw. */
export const DST_FAULTS = [
  "disconnect",
  "silent",
  "drop",
  "duplicate",
  "error_10",
  "error_25",
  "reject_handshakes",
  "slow_consumer",
  "burst",
  "clock_jump",
  "command_timeout",
  "command_error",
  "malformed",
  "unknown_type",
  "hang_handshake",
  "refuse_for",
  "drop_before_reply",
  "error_storm",
] as const;

/** One of {@linkcode DST_FAULTS}. */
export type DstFault = typeof DST_FAULTS[number];

/** Knobs of one simulation; the defaults are what CI runs (and what a replay uses). */
export interface SimulationOptions {
  /** Steps with faults (default 400). */
  readonly faultSteps?: number;
  /** Calm steps after the fault phase (default 340: longer than the heal bound). */
  readonly calmSteps?: number;
  /** Virtual ms per step (default 50). */
  readonly stepMs?: number;
  /** Every subscription must be healed this long after the last fault (virtual ms, 15 000). */
  readonly healBoundMs?: number;
  /** Only these faults (default: all). */
  readonly faults?: readonly DstFault[];
  /** Keep a trace of the last steps for the failure report (default false: faster). */
  readonly trace?: boolean;
}

/** Counters of one run. */
export interface SimulationStats {
  /** Frames the client received. */
  frames: number;
  /** Faults injected. */
  faults: number;
  /** Connections opened. */
  connections: number;
  /** `gap` events. */
  gaps: number;
  /** `resynced` events. */
  resyncs: number;
  /** `resubscribed` events. */
  resubscribes: number;
  /** Book comparisons against the truth. */
  bookChecks: number;
  /** Longest virtual time from the last fault until everything was healed (ms). */
  healMs: number;
  /** Handshakes abandoned at their deadline. */
  handshakeTimeouts: number;
  /** Most automatic re-subscribes of one subscription within one minute. */
  resubscribesPerMinute: number;
  /** Virtual ms from a stop to the client's end (stop runs; 0 otherwise). */
  stopMs: number;
}

/** How a seed's run ends: healed, stopped by the user mid-run, or with the server gone. */
export type SimulationProfile = "heal" | "stop" | "outage";

/** The outcome of one seed. */
export interface SimulationResult {
  /** The seed. */
  readonly seed: number;
  /** The first broken invariant, or `undefined` when the run passed. */
  readonly failure: string | undefined;
  /** The step it broke at. */
  readonly step: number | undefined;
  /** How the run was meant to end. */
  readonly profile: SimulationProfile;
  /** Counters. */
  readonly stats: SimulationStats;
  /** The last trace lines (with `trace: true`). */
  readonly trace: readonly string[];
}

/** A broken invariant (internal: ends the run). */
class InvariantError extends Error {}

const EPOCH = Date.UTC(2026, 10, 25, 12);
const USER = "dst-user";
/** The client gives up at this many 401/403 in a row while reconnecting. */
const MAX_REJECTIONS = 3;
const COMMAND_TIMEOUT_MS = 1_000;
const HANDSHAKE_TIMEOUT_MS = 2_000;
const CLOSE_TIMEOUT_MS = 500;
/**
 * With the simulation's re-subscribe pacing (pauses 50–100 ms doubling to 2.5–5 s, reset after
 * 5 s of health) a subscription killed the moment it is restored is re-subscribed at most ~30
 * times a minute (at once: thousands); a few transient refusals on top stay under 40.
 */
const RESUBSCRIBES_PER_MINUTE = 40;
const CONTROL = new Set(["subscribed", "unsubscribed", "ok", "error"]);

interface Frame {
  readonly text: string;
  readonly at: number;
  /** Exchange event index the frame reflects. */
  readonly index: number;
  readonly sid: number | undefined;
  readonly seq: number | undefined;
  /** `type` of the frame. */
  readonly type: string;
  /** Market of an order-book frame. */
  readonly market: string | undefined;
}

interface ServerConn {
  readonly id: number;
  /** The lifecycle's id of the client socket. */
  readonly socket: number;
  /** The next command is swallowed and the connection cut before any reply. */
  cutBeforeReply: boolean;
  readonly protocol: ProtocolConnection;
  readonly down: Frame[];
  downHead: number;
  readonly up: { text: string; at: number }[];
  silent: boolean;
  ignoreNextCommand: boolean;
  /** The next command is refused with this code (armed here so calm can disarm it). */
  failNextCommand: ErrorCode | undefined;
  slowUntil: number;
  overflowed: boolean;
  /** The last seq the server emitted per sid. */
  readonly emitted: Map<number, number>;
  /** Seqs the server dropped per sid, not yet reported by a `gap`. */
  readonly drops: Map<number, Set<number>>;
  /** The last seq the client received per sid. */
  readonly seen: Map<number, number>;
}

interface UserSub {
  key: SubscriptionKey;
  readonly channels: readonly Channel[];
  readonly params: SubscribeParams;
  /** Confirmed by `subscribed` (or still waiting for it). */
  live: boolean;
}

/** Runs one seed; never throws for an invariant (see `failure`), only for harness bugs. */
export function simulate(seed: number, options: SimulationOptions = {}): SimulationResult {
  return new Simulation(seed, options).run();
}

/** The one-line command that replays `seed`. */
export function replayCommand(seed: number): string {
  return `deno task dst --seed ${seed}`;
}

class Simulation {
  readonly seed: number;
  readonly rng: Rng;
  readonly exchange: Exchange;
  readonly truth: TruthTracker;
  readonly books = new BookStore();
  readonly session: Session;
  readonly lifecycle: ConnectionLifecycle;
  readonly plan = new HandshakePlan(MAX_REJECTIONS);
  readonly requests = new RequestClock(COMMAND_TIMEOUT_MS);
  readonly rate = new ResubscribeRate(RESUBSCRIBES_PER_MINUTE);
  readonly profile: SimulationProfile;
  /** The step at which the user stops (stop runs) or the server goes away (outage runs). */
  readonly turnStep: number;
  readonly tickers: string[];
  readonly faultSteps: number;
  readonly calmSteps: number;
  readonly stepMs: number;
  readonly healBoundMs: number;
  readonly faults: readonly DstFault[];
  readonly faultRate: number;
  readonly tracing: boolean;
  readonly traceLines: string[] = [];
  readonly stats: SimulationStats = {
    frames: 0,
    faults: 0,
    connections: 0,
    gaps: 0,
    resyncs: 0,
    resubscribes: 0,
    bookChecks: 0,
    healMs: 0,
    handshakeTimeouts: 0,
    resubscribesPerMinute: 0,
    stopMs: 0,
  };

  now = 0;
  step = 0;
  eventIndex = 0;
  delivered = 0;
  latency: number;
  nextConnId = 1;
  conn: ServerConn | undefined;
  /** The handshake in progress: the server answers it at `at` (`Infinity`: never). */
  handshake: { readonly socket: number; at: number } | undefined;
  /** The client learns that the server closed the socket at this time, with this code. */
  closeAt: number | undefined;
  closeCode = 1006;
  closingConn: ServerConn | undefined;
  /** The liveness verdict came while draining events: abandon the link once done. */
  deadPending = false;
  storm: ErrorStorm | undefined;
  stopAt: number | undefined;
  /** The client ended: outstanding requests are being rejected. */
  ending = false;
  lastFault = 0;
  healedAt: number | undefined;
  readonly subs: UserSub[] = [];
  /** sid → key of the live sids of user subscriptions (rebuilt when `owners` is stale). */
  owners = new Map<number, SubscriptionKey>();
  ownersStale = true;
  events: SessionEvent[] = [];

  constructor(seed: number, options: SimulationOptions) {
    this.seed = seed;
    this.rng = new Rng(seed * 2654435761);
    this.faultSteps = options.faultSteps ?? 400;
    this.calmSteps = options.calmSteps ?? 340;
    this.stepMs = options.stepMs ?? 50;
    this.healBoundMs = options.healBoundMs ?? 15_000;
    this.tracing = options.trace ?? false;
    // Each seed gets a profile: a subset of the faults and a fault rate, so some seeds hammer
    // one mechanism while others mix everything.
    const all = options.faults ?? DST_FAULTS;
    const rng = this.rng;
    const subset = all.filter(() => rng.chance(0.5));
    this.faults = subset.length > 0 ? subset : [rng.pick(all)];
    this.faultRate = rng.pick([0.01, 0.02, 0.05, 0.1]);
    this.latency = rng.int(1, 40);
    this.exchange = new Exchange({
      seed,
      initialDepth: rng.int(1, 8),
      ownOrderRate: 0.1,
      lifecycleRate: 0.01,
      startTime: EPOCH,
    });
    this.exchange.addAccount(USER);
    this.truth = new TruthTracker(this.exchange);
    this.tickers = this.exchange.markets().map((m) => m.ticker);
    this.session = new Session({
      books: this.books,
      idleMs: 2_000,
      probeTimeoutMs: 1_000,
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
      // The simulation's time scale: pauses as short as its reconnect backoff's.
      resubscribe: {
        initialDelayMs: 100,
        maxDelayMs: 5_000,
        stableAfterMs: 5_000,
        random: () => rng.float(),
      },
    });
    this.lifecycle = new ConnectionLifecycle({
      link: this.session,
      handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
      closeTimeoutMs: CLOSE_TIMEOUT_MS,
      reconnect: {
        initialDelayMs: 100,
        maxDelayMs: 2_000,
        stableAfterMs: 5_000,
        maxHandshakeRejections: MAX_REJECTIONS,
        random: () => rng.float(),
      },
    });
    const roll = rng.float();
    this.profile = roll < 0.08 ? "stop" : roll < 0.13 ? "outage" : "heal";
    this.turnStep = rng.int(10, this.faultSteps - 1);
  }

  /** Whether the client has an open (or closing) socket. */
  get linkOpen(): boolean {
    const state = this.lifecycle.state;
    return state === "open" || state === "closing";
  }

  run(): SimulationResult {
    try {
      this.subscribeAll();
      this.lifecycle.start(this.now);
      this.afterLifecycle();
      const total = this.faultSteps + this.calmSteps;
      for (this.step = 0; this.step < total; this.step++) {
        this.tick();
        if (this.lifecycle.state === "closed") break; // a stop run ended
      }
      if (this.profile === "heal") this.finish();
      else this.stopAndSettle();
      return this.result(undefined);
    } catch (error) {
      if (error instanceof InvariantError) return this.result(error.message);
      // The stack under test threw: that breaks "never throws on peer misbehaviour".
      const where = error instanceof Error ? (error.stack ?? "").split("\n")[1]?.trim() : "";
      return this.result(
        `seed ${this.seed}, step ${this.step} (t=${this.now} ms): uncaught ${error} ${where}`,
      );
    }
  }

  result(failure: string | undefined): SimulationResult {
    return {
      seed: this.seed,
      failure,
      step: failure === undefined ? undefined : this.step,
      profile: this.profile,
      stats: { ...this.stats, resubscribesPerMinute: this.rate.worst },
      trace: this.traceLines,
    };
  }

  fail(message: string): never {
    throw new InvariantError(`seed ${this.seed}, step ${this.step} (t=${this.now} ms): ${message}`);
  }

  trace(line: string): void {
    if (!this.tracing) return;
    this.traceLines.push(`${this.step} t=${this.now} ${line}`);
    if (this.traceLines.length > 400) this.traceLines.splice(0, 100);
  }

  // -------------------------------------------------------------------------------------------
  // User

  subscribeAll(): void {
    const rng = this.rng;
    const markets = this.tickers.filter(() => rng.chance(0.6));
    if (markets.length === 0) markets.push(rng.pick(this.tickers));
    this.addSub({
      channels: ["orderbook_delta"],
      market_tickers: markets,
      ...(rng.chance(0.3) ? { use_yes_price: true } : {}),
    });
    if (rng.chance(0.7)) {
      this.addSub(
        rng.chance(0.5)
          ? { channels: ["ticker", "trade"] }
          : { channels: ["ticker", "trade"], market_tickers: [rng.pick(this.tickers)] },
      );
    }
    if (rng.chance(0.5)) this.addSub({ channels: ["market_lifecycle_v2"] });
    if (rng.chance(0.5)) this.addSub({ channels: ["fill", "user_orders", "market_positions"] });
  }

  addSub(params: SubscribeParams): void {
    const key = this.session.subscribe(params, this.now);
    this.requests.called(key, "subscribe", this.now);
    this.subs.push({ key, channels: params.channels, params, live: true });
    this.trace(`user subscribe ${params.channels.join(",")} key ${key}`);
    this.flushTransmit("user");
  }

  bookSub(): UserSub | undefined {
    return this.subs.find((s) => s.channels.includes("orderbook_delta"));
  }

  /** A random user request during the fault phase. */
  userRequest(): void {
    const rng = this.rng;
    const book = this.bookSub();
    if (book === undefined) return;
    const markets = this.session.marketsOf(book.key) ?? [];
    const roll = rng.int(0, 4);
    try {
      if (roll === 0) {
        const extra = this.tickers.filter((t) => !markets.includes(t));
        if (extra.length === 0) return;
        const ticker = rng.pick(extra);
        this.call("add_markets", this.session.addMarkets(book.key, [ticker], this.now));
        this.trace(`user add_markets ${ticker}`);
      } else if (roll === 1) {
        if (markets.length < 2) return;
        const ticker = rng.pick(markets);
        this.call("remove", this.session.removeMarkets(book.key, [ticker], this.now));
        this.trace(`user delete_markets ${ticker}`);
      } else if (roll === 2) {
        this.call("resync", this.session.resync(book.key, this.now));
        this.trace("user resync");
      } else if (roll === 3) {
        this.call("list", this.session.listSubscriptions(this.now));
      } else {
        const other = this.subs.find((s) =>
          s !== book && s.channels.includes("market_lifecycle_v2")
        );
        if (other === undefined) {
          if (this.subs.some((s) => s.channels.includes("market_lifecycle_v2"))) return;
          this.addSub({ channels: ["market_lifecycle_v2"] });
        } else if (other.live) {
          this.call("unsubscribe", this.session.unsubscribe(other.key, this.now));
          other.live = false;
          this.trace(`user unsubscribe key ${other.key}`);
        }
      }
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
    }
    this.drain(); // results settled locally (e.g. offline) come out now, as in the client
  }

  /** The user made request `request`; results may already be queued (drained later). */
  call(what: string, request: number): void {
    this.requests.called(request, what, this.now);
  }

  // -------------------------------------------------------------------------------------------
  // One step

  tick(): void {
    const rng = this.rng;
    if (this.step === this.turnStep) this.turn();
    const stopping = this.stopAt !== undefined;
    const faulty = this.step < this.faultSteps && !stopping;
    let advance = this.stepMs;
    if (faulty && rng.chance(this.faultRate)) {
      const fault = rng.pick(this.faults);
      if (fault === "clock_jump") advance = rng.int(2_000, 40_000);
      this.inject(fault);
    }
    if (faulty && rng.chance(0.01)) this.userRequest();
    this.now += advance;
    if (advance > this.stepMs) this.lastFault = this.now; // healing starts after the jump
    if (this.step === this.faultSteps) {
      // Calm: armed faults that never fired are disarmed (those inside the model can still
      // fire once; they heal within the bound).
      this.plan.calm();
      this.storm = undefined;
      if (this.conn !== undefined) {
        this.conn.ignoreNextCommand = false;
        this.conn.failNextCommand = undefined;
        this.conn.cutBeforeReply = false;
      }
    }

    // Server: commands in, market activity out.
    const conn = this.conn;
    if (conn !== undefined) this.serveCommands(conn);
    this.marketStep(1);

    // Client: connection lifecycle, frames, timers (in a seed-chosen order after a jump).
    this.clientLifecycle();
    if (advance > this.stepMs && rng.chance(0.5)) {
      this.timers();
      this.deliverFrames();
    } else {
      this.deliverFrames();
      this.timers();
    }
    this.clientLifecycle();
    this.flushTransmit("auto");
    this.checkStep();
  }

  /** The run's turning point: the user stops (stop runs) or the server goes for good (outage). */
  turn(): void {
    if (this.profile === "stop") {
      this.trace(`user stops (client ${this.lifecycle.state})`);
      this.stopAt = this.now;
      this.lifecycle.close(this.now);
      this.afterLifecycle();
    } else if (this.profile === "outage") {
      const conn = this.conn;
      this.trace("server gone for good");
      this.plan.window(this.rng.chance(0.5) ? "hang" : 503, Infinity);
      if (conn === undefined) return;
      if (this.rng.chance(0.5)) {
        conn.cutBeforeReply = true; // the link dies right after the next command
        this.call("list", this.session.listSubscriptions(this.now));
        this.drain();
      } else this.serverClose(conn);
    }
  }

  inject(fault: DstFault): void {
    const rng = this.rng;
    const conn = this.conn;
    this.stats.faults++;
    this.lastFault = this.now;
    this.healedAt = undefined;
    this.trace(`fault ${fault}`);
    const liveSid = (): number | undefined => {
      const subs = conn?.protocol.subscriptions() ?? [];
      return subs.length === 0 ? undefined : rng.pick(subs).sid;
    };
    switch (fault) {
      case "disconnect":
        if (conn !== undefined) this.serverClose(conn);
        return;
      case "silent":
        if (conn !== undefined) conn.silent = true;
        return;
      case "drop":
        conn?.protocol.dropNext(rng.chance(0.7) ? liveSid() : undefined);
        return;
      case "duplicate":
        conn?.protocol.duplicateNext(rng.chance(0.7) ? liveSid() : undefined);
        return;
      case "error_10":
      case "error_25": {
        const sid = liveSid();
        if (conn !== undefined && sid !== undefined) {
          this.raise(conn, sid, fault === "error_10" ? 10 : 25);
        }
        return;
      }
      case "reject_handshakes": {
        // A refusal spell of 1–4 handshakes (replacing any spell not yet over).
        const n = rng.int(1, 4);
        this.plan.queue(Array.from({ length: n }, () => rng.pick([503, 500, 429, 401, 403])));
        if (conn !== undefined && rng.chance(0.7)) this.serverClose(conn);
        return;
      }
      case "hang_handshake":
        // The next handshakes are accepted over TCP and never answered; the link drops now.
        this.plan.queue(Array.from({ length: rng.int(1, 2) }, () => "hang" as const));
        if (conn !== undefined) this.serverClose(conn);
        return;
      case "refuse_for": {
        // Down for a while: every handshake refused (or hung) until the window ends.
        const until = this.now + rng.int(500, 8_000);
        this.plan.window(rng.chance(0.7) ? 503 : "hang", until);
        this.lastFault = until;
        if (conn !== undefined) this.serverClose(conn);
        return;
      }
      case "drop_before_reply":
        // The link dies right after the next command, before its reply; sometimes the server
        // is not back at once.
        if (conn !== undefined) conn.cutBeforeReply = true;
        if (rng.chance(0.5)) {
          const until = this.now + rng.int(500, 6_000);
          this.plan.window(rng.chance(0.7) ? 503 : "hang", until);
          this.lastFault = until;
        }
        if (rng.chance(0.5)) this.userRequest();
        return;
      case "error_storm": {
        // Kalshi kills one channel's subscriptions the moment they exist, for a while.
        const channels = this.subs.flatMap((s) => s.channels);
        const channel = rng.chance(0.6) ? "orderbook_delta" : rng.pick(channels);
        const until = this.now + rng.int(1_000, 6_000);
        this.storm = new ErrorStorm(
          channel,
          rng.pick<ErrorCode>([ErrorCode.BufferOverflow, ErrorCode.ChannelError]),
          until,
        );
        this.lastFault = until;
        if (conn !== undefined) this.strike(conn);
        return;
      }
      case "slow_consumer":
        if (conn !== undefined) conn.slowUntil = this.now + rng.int(500, 5_000);
        this.marketStep(rng.int(20, 120));
        return;
      case "burst":
        this.marketStep(rng.int(20, 300));
        return;
      case "clock_jump":
        return; // handled by the caller: time jumps before anything is processed
      case "command_timeout":
        if (conn !== undefined) conn.ignoreNextCommand = true;
        return;
      case "command_error":
        if (conn !== undefined) {
          conn.failNextCommand = rng.pick<ErrorCode>([
            ErrorCode.CommandTimeout,
            ErrorCode.TooManyRequests,
          ]);
        }
        return;
      case "malformed":
        if (conn !== undefined) this.emit(conn, [conn.protocol.malformedFrame()]);
        return;
      case "unknown_type":
        if (conn !== undefined) this.emit(conn, [conn.protocol.unknownTypeFrame(liveSid())]);
        return;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Server side

  /** Runs `count` generator steps; every event is numbered, recorded and framed. */
  marketStep(count: number): void {
    const conn = this.conn;
    for (let i = 0; i < count; i++) {
      const events = this.exchange.step(EPOCH + this.now);
      for (const event of events) {
        const index = ++this.eventIndex;
        const book = event.book;
        if (book !== undefined) {
          this.truth.record(index, event.ticker, book.side, book.price, book.delta);
        }
        if (conn !== undefined) this.emitEvent(conn, event, index);
      }
    }
  }

  emitEvent(conn: ServerConn, event: ExchangeEvent, index: number): void {
    const frames = conn.protocol.onEvents([event]);
    if (frames.length === 0 || conn.silent) return;
    const market = event.channel === "orderbook_delta" ? event.ticker : undefined;
    for (const frame of frames) this.enqueue(conn, frame, index, event.type, market);
  }

  /** Queues frames made outside the event flow (responses, snapshots, errors). */
  emit(conn: ServerConn, frames: readonly OutFrame[]): void {
    if (conn.silent) return;
    for (const frame of frames) {
      const text = frame.text;
      const type = text.startsWith('{"type":"')
        ? text.slice(9, text.indexOf('"', 9))
        : (JSON.parse(text) as { type?: string }).type ?? "?";
      const market = type === "orderbook_snapshot"
        ? (JSON.parse(text) as { msg: { market_ticker: string } }).msg.market_ticker
        : undefined;
      this.enqueue(conn, frame, this.eventIndex, type, market);
    }
  }

  enqueue(
    conn: ServerConn,
    frame: OutFrame,
    index: number,
    type: string,
    market: string | undefined,
  ): void {
    const { sid, seq } = frame;
    if (sid !== undefined && seq !== undefined) {
      const last = conn.emitted.get(sid) ?? 0;
      if (seq > last + 1) {
        let drops = conn.drops.get(sid);
        if (drops === undefined) conn.drops.set(sid, drops = new Set());
        for (let s = last + 1; s < seq; s++) drops.add(s);
        // An armed drop takes effect now (a quiet sid may fire it long after it was armed).
        this.lastFault = this.now;
        this.healedAt = undefined;
      }
      if (seq > last) conn.emitted.set(sid, seq);
    }
    const previous = conn.down.length > conn.downHead ? conn.down[conn.down.length - 1]!.at : 0;
    const at = Math.max(this.now + this.latency, previous);
    conn.down.push({ text: frame.text, at, index, sid, seq, type, market });
    // Kalshi kills the subscriptions of a reader that fell too far behind (error 25).
    if (!conn.overflowed && conn.down.length - conn.downHead > 400) {
      conn.overflowed = true;
      this.trace("server: backlog overflow, error 25 on every sid");
      for (const sub of conn.protocol.subscriptions()) this.raise(conn, sub.sid, 25);
    }
  }

  /**
   * Raises terminal error `code` on `sid` — unless an armed drop would swallow the error frame
   * itself: a sid that dies without a word cannot be noticed by any client (Kalshi's protocol
   * has no per-sid heartbeat), so the fault plan never creates one.
   */
  raise(conn: ServerConn, sid: number, code: ErrorCode): void {
    const swallowed = conn.protocol.pendingFaults().some((f) =>
      f.kind === "drop" && (f.sid === undefined || f.sid === sid)
    );
    if (!swallowed) this.emit(conn, conn.protocol.raiseError(sid, code));
  }

  serveCommands(conn: ServerConn): void {
    const up = conn.up;
    while (up.length > 0 && up[0]!.at <= this.now) {
      const { text } = up.shift()!;
      if (conn.silent) continue;
      if (conn.ignoreNextCommand) {
        conn.ignoreNextCommand = false;
        this.trace(`server ignores ${text}`);
        continue;
      }
      if (conn.cutBeforeReply) {
        conn.cutBeforeReply = false;
        this.trace(`server cuts the link on ${text}`);
        this.lastFault = Math.max(this.lastFault, this.now);
        this.healedAt = undefined;
        this.serverClose(conn);
        return;
      }
      if (conn.failNextCommand !== undefined) {
        conn.protocol.failNextCommand(conn.failNextCommand);
        conn.failNextCommand = undefined;
      }
      this.emit(conn, conn.protocol.handleText(text, EPOCH + this.now));
      this.strike(conn);
    }
  }

  /** The error storm kills the subscriptions of its channel that exist on `conn`. */
  strike(conn: ServerConn): void {
    const storm = this.storm;
    if (storm === undefined) return;
    if (!storm.active(this.now)) {
      this.storm = undefined;
      return;
    }
    for (const sub of conn.protocol.subscriptions()) {
      if (sub.channel === storm.channel) this.raise(conn, sub.sid, storm.code);
    }
  }

  /**
   * The server ends the connection: cut (no close frame, code 1006) or answering the client's
   * close (1000); the client notices after `delay`.
   */
  serverClose(conn: ServerConn, delay = this.latency, code = 1006): void {
    if (this.conn !== conn) return;
    this.conn = undefined;
    this.closeAt = this.now + delay;
    this.closeCode = code;
    // Frames already on the wire by then still arrive; the rest are lost with the socket.
    const keep = conn.down.filter((f, i) => i >= conn.downHead && f.at <= this.closeAt!);
    conn.down.length = 0;
    conn.downHead = 0;
    conn.down.push(...keep);
    this.closingConn = conn;
  }

  // -------------------------------------------------------------------------------------------
  // Client side: the core's ConnectionLifecycle, driven over the in-memory network

  /** Socket events that are due: the server's close, the handshake's answer, the deadlines. */
  clientLifecycle(): void {
    const closing = this.closingConn;
    if (closing !== undefined && this.closeAt !== undefined && this.closeAt <= this.now) {
      this.deliverFrom(closing, this.closeAt);
      this.closeAt = undefined;
      this.closingConn = undefined;
      this.trace(`socket ${closing.socket} closed ${this.closeCode}`);
      this.lifecycle.socketClosed(closing.socket, this.closeCode, "connection lost", this.now);
      this.ownersStale = true;
      this.afterLifecycle();
    }
    const handshake = this.handshake;
    if (handshake !== undefined && handshake.at <= this.now) {
      const outcome = this.plan.answer(this.now);
      if (outcome === "hang") {
        handshake.at = Infinity; // until the client gives up on it
        this.trace(`handshake of socket ${handshake.socket} hangs`);
      } else {
        this.handshake = undefined;
        if (outcome === "accept") this.accept(handshake.socket);
        else {
          this.trace(`handshake rejected ${outcome}`);
          this.lifecycle.handshakeFailed(handshake.socket, {
            status: outcome,
            message: `Unexpected server response: ${outcome}`,
          }, this.now);
          this.afterLifecycle();
        }
      }
    }
    const at = this.lifecycle.pollTimeout();
    if (at !== undefined && at <= this.now) {
      this.lifecycle.handleTimeout(this.now);
      this.afterLifecycle();
    }
  }

  /** Carries out the lifecycle's socket commands and checks its events. */
  afterLifecycle(): void {
    const life = this.lifecycle;
    for (let command = life.pollCommand(); command !== undefined; command = life.pollCommand()) {
      if (command.type === "open") {
        if (this.stopAt !== undefined) this.fail("a socket was opened after the stop");
        this.handshake = { socket: command.socket, at: this.now + this.latency * 2 };
      } else this.closeSocket(command.socket, command.code);
    }
    this.drain();
    for (let event = life.pollEvent(); event !== undefined; event = life.pollEvent()) {
      if (event.type === "reconnecting") {
        if (event.failure?.timedOut === true) this.stats.handshakeTimeouts++;
        this.trace(`reconnecting in ${event.delayMs} ms (${event.failure?.message ?? "drop"})`);
      } else if (event.type === "given_up") {
        this.fail(`client gave up: ${event.failure.message}`);
      } else if (this.stopAt === undefined) this.fail("client closed without a stop");
      else this.trace("client closed");
    }
  }

  /** The server completes the handshake of `socket`: a new connection. */
  accept(socket: number): void {
    const conn: ServerConn = {
      id: this.nextConnId++,
      socket,
      cutBeforeReply: false,
      protocol: new ProtocolConnection({ exchange: this.exchange, userId: USER }),
      down: [],
      downHead: 0,
      up: [],
      silent: false,
      ignoreNextCommand: false,
      failNextCommand: undefined,
      slowUntil: 0,
      overflowed: false,
      emitted: new Map(),
      drops: new Map(),
      seen: new Map(),
    };
    this.conn = conn;
    this.stats.connections++;
    this.trace(`open connection ${conn.id} (socket ${socket})`);
    this.lifecycle.socketOpened(socket, this.now);
    this.afterLifecycle();
    this.flushTransmit("connection");
  }

  /** The client closes (or aborts the handshake of) `socket`. */
  closeSocket(socket: number, code: number): void {
    if (this.handshake?.socket === socket) {
      this.handshake = undefined;
      return;
    }
    const conn = this.conn?.socket === socket
      ? this.conn
      : this.closingConn?.socket === socket
      ? this.closingConn
      : undefined;
    if (conn === undefined) return;
    if (code === 1000 && this.lifecycle.state === "closing" && this.conn === conn) {
      // A clean close: the server answers it after the round trip (a silent one never does).
      if (!conn.silent) this.serverClose(conn, this.latency * 2, 1000);
      return;
    }
    // Abandoned (liveness verdict, or a close that was never answered): gone at once.
    this.trace(`socket ${socket} abandoned (${code})`);
    if (this.conn === conn) this.conn = undefined;
    if (this.closingConn === conn) {
      this.closingConn = undefined;
      this.closeAt = undefined;
    }
  }

  /**
   * Sends what the session queued. `origin` says why it may contain subscribes: a new
   * connection's re-subscribes, a user's subscribe, or automatic ones (counted per minute).
   */
  flushTransmit(origin: "connection" | "user" | "auto"): void {
    let sent = 0;
    for (let text = this.session.pollTransmit(); text !== undefined;) {
      sent++;
      const conn = this.conn;
      if (this.linkOpen && conn !== undefined) {
        conn.up.push({ text, at: this.now + this.latency });
        if (origin === "auto" && text.includes('"cmd":"subscribe"')) this.countResubscribe(text);
      }
      if (this.tracing) this.trace(`send ${text}`);
      text = this.session.pollTransmit();
    }
    if (sent > 60) this.fail(`memory: ${sent} commands sent in one step (a command storm)`);
  }

  countResubscribe(text: string): void {
    const channel = (JSON.parse(text) as { params: { channels: string[] } }).params.channels[0];
    const sub = this.subs.find((s) => s.channels.includes(channel as Channel));
    if (sub === undefined) return;
    const breach = this.rate.record(sub.key, this.now);
    if (breach !== undefined) this.fail(breach);
  }

  timers(): void {
    const at = this.session.pollTimeout();
    if (at !== undefined && at <= this.now) {
      this.session.handleTimeout(this.now);
      this.drain();
    }
  }

  deliverFrames(): void {
    if (!this.linkOpen) return;
    const conn = this.conn ?? this.closingConn;
    if (conn === undefined) return;
    const slow = conn.slowUntil > this.now;
    this.deliverFrom(conn, this.now, slow ? 2 : Infinity);
  }

  deliverFrom(conn: ServerConn, until: number, limit = Infinity): void {
    const down = conn.down;
    let n = 0;
    while (conn.downHead < down.length && down[conn.downHead]!.at <= until && n < limit) {
      const frame = down[conn.downHead]!;
      down[conn.downHead++] = undefined as unknown as Frame;
      n++;
      this.receive(conn, frame);
      if (!this.linkOpen) return; // the frame ended the connection (dead)
    }
    if (conn.downHead === down.length) {
      down.length = 0;
      conn.downHead = 0;
      conn.overflowed = false;
    } else if (conn.downHead > 1024) {
      down.splice(0, conn.downHead);
      conn.downHead = 0;
    }
  }

  receive(conn: ServerConn, frame: Frame): void {
    this.stats.frames++;
    this.delivered = frame.index;
    if (frame.market !== undefined) this.truth.advance(frame.market, frame.index);
    if (this.ownersStale) this.rebuildOwners();
    const sid = frame.sid;
    const owner = sid === undefined ? undefined : this.owners.get(sid);
    let fresh = true;
    if (sid !== undefined && frame.seq !== undefined) {
      const last = conn.seen.get(sid) ?? 0;
      fresh = frame.seq > last;
      if (fresh) conn.seen.set(sid, frame.seq);
    }
    this.session.receiveText(frame.text, this.now);
    const delivered = this.drain(conn);
    // Nothing silently dropped: fresh data on a live sid is delivered or its book is invalid.
    if (owner !== undefined && !CONTROL.has(frame.type) && this.linkOpen) {
      if (!fresh) {
        if (delivered.has(sid!)) this.fail(`duplicate seq ${frame.seq} on sid ${sid} delivered`);
      } else if (!delivered.has(sid!)) {
        const book = frame.market === undefined ? undefined : this.books.get(frame.market);
        const held = frame.market !== undefined && (book === undefined || !book.valid);
        if (!held && this.owners.get(sid!) === owner) {
          this.fail(`${frame.type} seq ${frame.seq} on live sid ${sid} silently dropped`);
        }
      }
    }
  }

  rebuildOwners(): void {
    this.owners.clear();
    for (const key of this.session.subscriptionKeys()) {
      for (const info of this.session.sidsOf(key)) this.owners.set(info.sid, key);
    }
    this.ownersStale = false;
  }

  /** Drains session events and checks each; returns the sids that got data. */
  drain(conn: ServerConn | undefined = this.conn): Set<number> {
    const delivered = new Set<number>();
    for (let event = this.session.pollEvent(); event !== undefined;) {
      this.check(event, conn, delivered);
      event = this.session.pollEvent();
    }
    if (this.deadPending) {
      this.deadPending = false;
      this.lifecycle.linkDead(this.now);
      this.ownersStale = true;
      this.afterLifecycle();
    }
    return delivered;
  }

  check(event: SessionEvent, conn: ServerConn | undefined, delivered: Set<number>): void {
    switch (event.type) {
      case "data": {
        if (event.key === undefined || event.sid === undefined) return;
        delivered.add(event.sid);
        const message = event.message;
        const seqMatch = (message as { seq?: unknown }).seq;
        if (typeof seqMatch === "number" && conn !== undefined) {
          const drops = conn.drops.get(event.sid);
          if (drops !== undefined) {
            for (const s of drops) {
              if (s < seqMatch) {
                this.fail(`seq ${s} on sid ${event.sid} was dropped without a gap event`);
              }
            }
          }
        }
        if (message.type === "orderbook_delta" || message.type === "orderbook_snapshot") {
          const ticker = message.msg.market_ticker;
          const book = this.books.get(ticker);
          if (book === undefined || !book.valid) {
            this.fail(`${message.type} for ${ticker} delivered while its book is invalid`);
          }
          this.compare(ticker, `${message.type} seq ${message.seq}`);
        }
        return;
      }
      case "gap": {
        this.stats.gaps++;
        this.trace(`gap sid ${event.sid} ${event.expected}..${event.received}`);
        const drops = conn?.drops.get(event.sid);
        if (drops !== undefined) {
          for (let s = event.expected; s < event.received; s++) drops.delete(s);
        }
        return;
      }
      case "resynced":
        this.stats.resyncs++;
        this.trace(`resynced sid ${event.sid}`);
        // Checked after the whole input: a later step of the same input may already have
        // invalidated a market again (e.g. a delete_markets timing out right after); then it
        // must be invalid, never valid and wrong.
        for (const ticker of event.markets) {
          const book = this.books.get(ticker);
          if (book === undefined) this.fail(`resynced claims ${ticker} but it has no book`);
          if (book.valid) this.compare(ticker, "resynced");
        }
        return;
      case "subscribed":
      case "resubscribed":
        if (event.type === "resubscribed") this.stats.resubscribes++;
        this.ownersStale = true;
        // A sid adopted by a merged re-subscribe starts a new history: what it lost before
        // was lost while the subscription was visibly being restored.
        for (const { sid } of event.sids) {
          const drops = conn?.drops.get(sid);
          const seen = conn?.seen.get(sid) ?? 0;
          if (drops !== undefined) { for (const s of drops) if (s <= seen) drops.delete(s); }
        }
        this.trace(`${event.type} key ${event.key} ${JSON.stringify(event.sids)}`);
        return;
      case "unsubscribed": {
        this.ownersStale = true;
        const index = this.subs.findIndex((s) => s.key === event.key);
        if (index >= 0) {
          const [gone] = this.subs.splice(index, 1);
          // The session ended the order-book subscription (every market was removed): the
          // user subscribes to a market again.
          if (gone!.channels.includes("orderbook_delta")) {
            this.addSub({
              channels: ["orderbook_delta"],
              market_tickers: [this.rng.pick(this.tickers)],
            });
          }
        }
        return;
      }
      case "subscription_lost":
        if (!this.ending) this.fail(`subscription ${event.key} lost: ${event.error.message}`);
        return;
      case "server_error":
        this.ownersStale = true;
        this.trace(`server_error ${event.error.code} sid ${event.sid}`);
        return;
      case "command_result": {
        const what = this.requests.settled(event.request);
        if (what === undefined) this.fail(`result for unknown or settled request ${event.request}`);
        if (!event.ok) {
          this.trace(`request ${event.request} (${what}) failed: ${event.error.message}`);
          if (what === "subscribe" && !this.ending) {
            // The user was told; a user retries (the fault plan may refuse the first try).
            const index = this.subs.findIndex((s) => s.key === event.request);
            if (index >= 0) this.addSub(this.subs.splice(index, 1)[0]!.params);
          }
        }
        return;
      }
      case "dead":
        this.trace("dead");
        this.deadPending = true;
        return;
      case "disconnected":
        this.ownersStale = true;
        return;
      default:
        return;
    }
  }

  compare(ticker: string, what: string): void {
    this.stats.bookChecks++;
    const diff = this.truth.diff(ticker, this.books.get(ticker)!);
    if (diff !== undefined) {
      this.fail(
        `book ${ticker} valid but wrong after ${what}: ${diff}; truth ${this.truth.show(ticker)}`,
      );
    }
  }

  // -------------------------------------------------------------------------------------------
  // Per-step invariants

  checkStep(): void {
    // Deadlines: no request outlives its budget; a stop ends the client in time.
    const overdue = this.requests.overdue(this.now);
    if (overdue !== undefined) this.fail(overdue);
    if (this.stopAt !== undefined) {
      const waited = this.now - this.stopAt;
      if (this.lifecycle.state !== "closed" && waited > CLOSE_TIMEOUT_MS + this.stepMs) {
        this.fail(`stopped ${waited} ms ago and still ${this.lifecycle.state}`);
      }
      return; // nothing heals after a stop
    }
    // Valid books equal the truth; books nobody can trust let their truth catch up (bounded).
    for (const ticker of this.tickers) {
      const book = this.books.get(ticker);
      if (book !== undefined && book.valid) this.compare(ticker, "a step");
      else this.truth.advance(ticker, this.delivered);
    }
    if (this.books.size > this.tickers.length) {
      this.fail(`memory: ${this.books.size} books held for ${this.tickers.length} markets`);
    }
    if (this.truth.pending > 20_000) this.fail(`memory: ${this.truth.pending} truth changes held`);
    if (this.session.subscriptionKeys().length > this.subs.length + 1) {
      this.fail(`memory: ${this.session.subscriptionKeys().length} subscriptions held`);
    }
    if (this.profile !== "heal") return;
    // Healing: bounded time after the last fault, everything is live and valid.
    const healed = this.healed();
    if (healed && this.healedAt === undefined) {
      this.healedAt = this.now;
      this.stats.healMs = Math.max(this.stats.healMs, this.now - this.lastFault);
    } else if (!healed) this.healedAt = undefined;
    if (this.step >= this.faultSteps && this.now - this.lastFault > this.healBoundMs && !healed) {
      this.fail(`not healed ${this.healBoundMs} ms after the last fault: ${this.unhealed()}`);
    }
  }

  healed(): boolean {
    return this.unhealed() === undefined;
  }

  unhealed(): string | undefined {
    if (this.lifecycle.state !== "open") return `client ${this.lifecycle.state}`;
    for (const sub of this.subs) {
      if (!sub.live) continue;
      const sids = this.session.sidsOf(sub.key);
      if (sids.length !== sub.channels.length) {
        return `subscription ${sub.key} has ${sids.length}/${sub.channels.length} sids`;
      }
    }
    const book = this.bookSub();
    if (book === undefined) return "no order-book subscription";
    for (const ticker of this.session.marketsOf(book.key) ?? []) {
      if (this.books.get(ticker)?.valid !== true) return `book ${ticker} invalid`;
    }
    return undefined;
  }

  /** Whether the server dropped the last frame(s) of the book sid and sent nothing since. */
  trailingDrop(): boolean {
    const book = this.bookSub();
    const sid = book === undefined ? undefined : this.session.sidsOf(book.key)[0]?.sid;
    const info = this.conn?.protocol.subscriptions().find((s) => s.sid === sid);
    return info !== undefined && info.seq > (this.conn!.emitted.get(info.sid) ?? 0);
  }

  /** After the last step: quiesce, then every book equals the exchange's current truth. */
  finish(): void {
    this.step = this.faultSteps + this.calmSteps;
    for (let i = 0; i < 100 && this.conn !== undefined; i++) {
      this.now += this.stepMs;
      this.serveCommands(this.conn);
      this.deliverFrames();
      this.timers();
      this.flushTransmit("auto");
      if (this.conn.up.length === 0 && this.conn.down.length === this.conn.downHead) break;
    }
    const reason = this.unhealed();
    if (reason !== undefined) this.fail(`not healed at the end: ${reason}`);
    const c = this.conn;
    this.trace(
      `end: conn ${c?.id} silent ${c?.silent} down ${
        c === undefined ? -1 : c.down.length - c.downHead
      } up ${c?.up.length} subs ${
        JSON.stringify(c?.protocol.subscriptions().map((s) => [s.sid, s.channel, s.seq]))
      } faults ${JSON.stringify(c?.protocol.pendingFaults())} sids ${
        JSON.stringify(this.session.sidsOf(this.bookSub()!.key))
      }`,
    );
    // Quiet now: the books equal the exchange's books — unless the server dropped the last
    // frames of the sid and nothing followed (no client can notice that; see README).
    const sid = this.session.sidsOf(this.bookSub()!.key)[0]?.sid;
    const unseen = sid === undefined ? 0 : this.conn?.drops.get(sid)?.size ?? 0;
    if (unseen === 0 && !this.trailingDrop()) {
      for (const ticker of this.session.marketsOf(this.bookSub()!.key) ?? []) {
        this.truth.advance(ticker, this.eventIndex);
        this.compare(ticker, "the end");
      }
    }
    for (const [request, what] of this.requests.open()) {
      this.fail(`request ${request} (${what}) never got a result`);
    }
  }

  /**
   * The end of a stop or outage run: the user stops (if not already), the client must end
   * within the close timeout, and every request it leaves is settled when it gives up.
   */
  stopAndSettle(): void {
    if (this.stopAt === undefined) {
      this.stopAt = this.now;
      this.lifecycle.close(this.now);
      this.afterLifecycle();
    }
    while (this.lifecycle.state !== "closed") {
      this.now += this.stepMs;
      if (this.conn !== undefined) this.serveCommands(this.conn);
      this.clientLifecycle();
      this.deliverFrames();
      this.flushTransmit("auto");
      this.checkStep(); // fails once the stop takes too long
    }
    this.stats.stopMs = this.now - this.stopAt;
    // The client ends: what is still outstanding is rejected (as KalshiWsClient does).
    this.ending = true;
    this.session.abort(new Error("client closed"));
    this.drain();
    for (const [request, what] of this.requests.open()) {
      this.fail(`request ${request} (${what}) never got a result`);
    }
  }
}
