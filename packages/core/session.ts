/**
 * The sans-I/O session: Kalshi's WebSocket protocol as a deterministic state machine.
 *
 * Inputs carry `now` (the caller's monotonic milliseconds): {@linkcode Session.opened},
 * {@linkcode Session.receiveText}, {@linkcode Session.receivePing}, {@linkcode Session.closed},
 * {@linkcode Session.handleTimeout}, and the user calls ({@linkcode Session.subscribe}, …).
 * Outputs are polled: {@linkcode Session.pollTransmit} (frames to send),
 * {@linkcode Session.pollEvent} ({@linkcode SessionEvent}s) and {@linkcode Session.pollTimeout}
 * (when to call `handleTimeout` next). No sockets, timers or clocks: an adapter arms one real
 * timer for the instant the session asks for, and tests run hours of protocol time instantly.
 *
 * What it does for the user:
 * - **Subscriptions survive reconnects.** {@linkcode Session.subscribe} returns a stable
 *   {@linkcode SubscriptionKey}. After `closed` then `opened`, every live subscription is
 *   re-subscribed (same channels, current markets) and a `resubscribed` event gives the new sids.
 * - **Requests made while disconnected are queued**, not rejected: they are sent (or, where the
 *   connection's absence makes them moot, settled locally) when possible. `unsubscribe` while
 *   disconnected settles at once (nothing exists server-side); `addMarkets`/`removeMarkets` while
 *   disconnected change the market set the next re-subscribe uses and settle at once;
 *   `listSubscriptions` waits for the next connection. Requests on a subscription whose
 *   (re-)subscribe is still in flight wait until it is live.
 * - **Every request has a deadline**: it is settled within `commandTimeoutMs` of the call, also
 *   while queued or waiting (a queued `subscribe` is answered by the next connection or rejected
 *   with {@linkcode CommandTimeoutError}; an expired queued request is never sent later).
 * - **Every request gets exactly one `command_result`** (resolved, rejected with a
 *   `ServerError` carrying Kalshi's code, or rejected with {@linkcode CommandTimeoutError}).
 *   `subscribe()`'s request id is its key.
 * - **Books are never silently wrong.** A `seq` gap on an `orderbook_delta` sid emits `gap`,
 *   invalidates the sid's books, asks for fresh snapshots (`get_snapshot`), holds that sid's
 *   deltas back until each market's snapshot arrived, then emits `resynced`. If `get_snapshot`
 *   fails or times out, the channel is unsubscribed and subscribed afresh. A book integrity
 *   failure reported by the {@linkcode BookKeeper} triggers the same repair for that market.
 *   Gaps on other sequenced channels are reported (`gap`) and tracking continues.
 * - **Terminal errors (10, 25) heal themselves**: `server_error`, then an automatic re-subscribe.
 *   A re-subscribe refused for a passing reason (no answer, or codes 10, 17, 18, 25, 27) is
 *   retried; only a first subscribe is rejected. Every automatic re-subscribe except a new
 *   connection's is paced per subscription by a {@linkcode ResubscribeBackoff} and announced
 *   (`resubscribe_scheduled`), so an error storm cannot become a subscribe storm.
 * - **Liveness without visible pings**: after `idleMs` of inbound silence a `list_subscriptions`
 *   probe goes out (`probe`); with no inbound frame within `probeTimeoutMs`, a `dead` event tells
 *   the client to close and reconnect.
 * - Malformed frames become `decode_error` events (with the frame text); unknown message types
 *   are delivered as data, never dropped. Protocol drift (unknown types, channels and fields,
 *   retired fields) is counted ({@linkcode Session.drift}) and raises one `drift` event per new
 *   kind; plain deltas take the fast path, which accepts only documented fields. Duplicate or regressed `seq`s are reported
 *   (`seq_anomaly`) and not delivered.
 * - {@linkcode Session.abort} rejects everything outstanding when the client gives up.
 *
 * This file is only the composition; the rooms behind it:
 * - `session_events.ts`: every event and id the session reports;
 * - `session_context.ts`: shared state, the primitives (emit, send, settle a request) and the
 *   purpose → handler table;
 * - `session_inbound.ts`: every inbound frame, decoded and routed;
 * - `resubscribe_plan.ts`: subscriptions, their (re-)subscribes, pacing and end;
 * - `book_repair.ts`: books in step with their sids, gaps and their repair;
 * - `session_requests.ts`: the user's requests on subscriptions and `list_subscriptions`;
 * - `session_liveness.ts`: probes and the `dead` verdict;
 * - `session_timers.ts`: every deadline, in one table;
 * - `subscriptions.ts`: the protocol rules of one connection (sids, pending commands, `seq`);
 * - `subscription_handle.ts`: the record of one user subscription across connections.
 *
 * Kalshi merges a second `subscribe` to a channel that already has a subscription on the
 * connection into the existing sid, so one channel cannot back two independent subscriptions:
 * {@linkcode Session.subscribe} rejects a channel another live subscription streams (add markets
 * to that one instead).
 *
 * @example
 * ```ts
 * import { Session } from "./session.ts";
 * const session = new Session();
 * const key = session.subscribe({ channels: ["trade"] }, 0);
 * session.opened(0);
 * session.pollTransmit(); // '{"id":1,"cmd":"subscribe","params":{"channels":["trade"]}}'
 * session.receiveText('{"id":1,"type":"subscribed","msg":{"channel":"trade","sid":1}}', 5);
 * session.pollEvent(); // { type: "connected" }
 * session.pollEvent(); // { type: "subscribed", key, sids: [{ channel: "trade", sid: 1 }] }
 * ```
 *
 * @module
 */

import type { BackoffOptions } from "./backoff.ts";
import type { BookKeeper } from "./book_keeper.ts";
import type { SubscribeParams } from "./command.ts";
import { subscribeCommand } from "./command_builders.ts";
import { validateCommand } from "./command_validation.ts";
import { type DriftCounts, DriftLog } from "./drift.ts";
import { SessionContext } from "./session_context.ts";
import type { RequestId, SessionEvent, SidInfo, SubscriptionKey } from "./session_events.ts";
import { Inbound } from "./session_inbound.ts";
import { sessionTimers, type TimerTable } from "./session_timers.ts";
import { sidsOf } from "./subscription_handle.ts";

/** Options of a {@linkcode Session}. */
export interface SessionOptions {
  /** Inbound silence (ms) before a liveness probe is sent (default 25 000). */
  readonly idleMs?: number;
  /** How long (ms) a probe may go unanswered before the link is declared dead (default 5 000). */
  readonly probeTimeoutMs?: number;
  /** How long (ms) a request may go unsettled, from the call (default 10 000). */
  readonly commandTimeoutMs?: number;
  /** Pacing of automatic re-subscribes (defaults: `DEFAULT_RESUBSCRIBE_BACKOFF`). */
  readonly resubscribe?: BackoffOptions;
  /** Local order books to keep in step (snapshots, deltas, invalidation). */
  readonly books?: BookKeeper;
  /** Where to count protocol drift (default: a new log of this session's own). */
  readonly drift?: DriftLog;
}

/** Default command timeout (ms). */
export const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;

/**
 * The protocol engine for one logical client (many connections over time). Synchronous and
 * deterministic; see the module documentation for the contract.
 */
export class Session {
  readonly #ctx: SessionContext;
  readonly #inbound: Inbound;
  readonly #timers: TimerTable;
  readonly #drift: DriftLog;

  /** Creates a disconnected session. */
  constructor(options: SessionOptions = {}) {
    const commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    if (!(commandTimeoutMs > 0)) {
      throw new RangeError(`Set commandTimeoutMs above 0: got ${commandTimeoutMs}`);
    }
    this.#drift = options.drift ?? new DriftLog();
    this.#ctx = new SessionContext({
      books: options.books,
      commandTimeoutMs,
      resubscribe: options.resubscribe,
      idleMs: options.idleMs,
      probeTimeoutMs: options.probeTimeoutMs,
    });
    this.#inbound = new Inbound(this.#ctx, this.#drift);
    this.#timers = sessionTimers(this.#ctx);
  }

  /** Protocol drift seen so far, over every connection of this session. */
  get drift(): DriftCounts {
    return this.#drift;
  }

  /** Whether a connection is open (between `opened` and `closed`). */
  get connected(): boolean {
    return this.#ctx.connected;
  }

  /** Keys of the subscriptions that exist (live, being restored, or being unsubscribed). */
  subscriptionKeys(): SubscriptionKey[] {
    return [...this.#ctx.handles.keys()];
  }

  /** The current sids of subscription `key` on this connection (empty while disconnected). */
  sidsOf(key: SubscriptionKey): SidInfo[] {
    const handle = this.#ctx.handles.get(key);
    return handle === undefined ? [] : sidsOf(handle);
  }

  /** The current market filter of subscription `key` (`undefined`: no explicit market list). */
  marketsOf(key: SubscriptionKey): string[] | undefined {
    const markets = this.#ctx.handles.get(key)?.markets;
    return markets === undefined ? undefined : [...markets];
  }

  // -------------------------------------------------------------------------------------------
  // Connection inputs

  /** The socket opened at `now`: command ids restart, live subscriptions are re-subscribed. */
  opened(now: number): void {
    const ctx = this.#ctx;
    if (ctx.connected) this.closed(1006, "reopened without close", now);
    ctx.newConnection();
    ctx.liveness.start(now);
    ctx.emit({ type: "connected" });
    ctx.plan.pump(now);
    ctx.requests.connectionOpened(now);
  }

  /**
   * The socket closed (or was lost: use 1006) at `now`. Every sid is gone and every book
   * invalid; subscriptions wait for the next `opened`; in-flight requests are re-queued or
   * settled (an in-flight `unsubscribe` succeeds: the subscription is gone with the connection).
   */
  closed(code: number, reason: string, now: number): void {
    const ctx = this.#ctx;
    if (!ctx.connected) return;
    ctx.connected = false;
    ctx.liveness.stop();
    ctx.repair.connectionLost();
    ctx.transmit.clear(); // unsent frames carry this connection's ids
    for (const command of ctx.table.clear()) {
      ctx.handlerOf(command.tag).lost(command.tag, command, now);
    }
    ctx.requests.requeueLost();
    ctx.plan.connectionLost();
    ctx.requests.runDeferredOffline(); // requests waiting on a subscription settle locally
    ctx.emit({ type: "disconnected", code, reason });
  }

  /** A ping frame arrived (runtimes that show pings): counts as inbound activity. */
  receivePing(now: number): void {
    this.#ctx.liveness.activity(now);
  }

  /**
   * One text frame arrived at `now`. Decodes it, checks its `seq`, keeps books and subscription
   * state in step, and queues events. Never throws on peer misbehaviour.
   */
  receiveText(frame: string, now: number): void {
    if (!this.#ctx.connected) return; // no socket: nothing can have arrived
    this.#ctx.liveness.activity(now);
    this.#inbound.receive(frame, now);
  }

  /** Acts on whatever is due at `now` (see `session_timers.ts`). */
  handleTimeout(now: number): void {
    this.#timers.fire(now);
  }

  /**
   * Gives up for good (the client is shutting down or out of retries): rejects every outstanding
   * request with `reason`, emits `subscription_lost` for every established subscription, and
   * forgets them all. Nothing is sent; close the socket (and call `closed`) separately.
   */
  abort(reason: Error): void {
    const ctx = this.#ctx;
    for (const command of ctx.table.clear()) {
      ctx.handlerOf(command.tag).aborted(command.tag, command, reason);
    }
    ctx.requests.abort(reason);
    ctx.plan.abort(reason);
    ctx.deadlines.clear();
  }

  // -------------------------------------------------------------------------------------------
  // Outputs

  /** The next frame to send, or `undefined`. */
  pollTransmit(): string | undefined {
    return this.#ctx.transmit.shift();
  }

  /** The next event, or `undefined`. */
  pollEvent(): SessionEvent | undefined {
    return this.#ctx.events.shift();
  }

  /** The earliest instant `handleTimeout` must run (see `session_timers.ts`), if any. */
  pollTimeout(): number | undefined {
    return this.#timers.next();
  }

  // -------------------------------------------------------------------------------------------
  // User requests

  /**
   * Subscribes to `params.channels` and returns the subscription's stable key (also the request
   * id of its `command_result`). Sent now if connected, else on the next `opened`. Throws
   * `CommandError` for invalid params or a channel another live subscription streams.
   */
  subscribe(params: SubscribeParams, now: number): SubscriptionKey {
    validateCommand(subscribeCommand(params));
    this.#ctx.plan.checkChannelsFree(params);
    const key = this.#ctx.newRequest("subscribe", now);
    this.#ctx.plan.create(key, params, now);
    return key;
  }

  /** Unsubscribes subscription `key` (all its sids); throws if it is not active. */
  unsubscribe(key: SubscriptionKey, now: number): RequestId {
    return this.#ctx.requests.unsubscribe(key, now);
  }

  /** Adds markets to every channel of subscription `key` (`add_markets` on each sid). */
  addMarkets(key: SubscriptionKey, tickers: readonly string[], now: number): RequestId {
    return this.#ctx.requests.changeMarkets(key, "add_markets", tickers, now);
  }

  /** Removes markets from every channel of subscription `key` (`delete_markets` on each sid). */
  removeMarkets(key: SubscriptionKey, tickers: readonly string[], now: number): RequestId {
    return this.#ctx.requests.changeMarkets(key, "delete_markets", tickers, now);
  }

  /**
   * Asks for fresh order-book snapshots: of every market of subscription `key`, or of one market
   * (by ticker). Resolves when the books are valid again.
   */
  resync(target: SubscriptionKey | string, now: number): RequestId {
    return this.#ctx.requests.resync(target, now);
  }

  /** Asks Kalshi for the connection's subscriptions (sent on the next connection if closed). */
  listSubscriptions(now: number): RequestId {
    return this.#ctx.requests.listSubscriptions(now);
  }
}
