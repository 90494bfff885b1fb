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

import type { BookKeeper } from "./book_keeper.ts";
import { type Channel, CHANNEL_INFO, paramsForChannels } from "./channel.ts";
import type { CommandBody, SubscribeParams } from "./command.ts";
import {
  addMarketsCommand,
  deleteMarketsCommand,
  getSnapshotCommand,
  listSubscriptionsCommand,
  subscribeCommand,
  unsubscribeCommand,
} from "./command_builders.ts";
import { encodeCommand, validateCommand, validateUpdate } from "./command_validation.ts";
import { ErrorCode } from "./error_codes.ts";
import {
  CommandError,
  CommandTimeoutError,
  DecodeError,
  KalshiWsError,
  ServerError,
} from "./errors.ts";
import { type DriftCounts, type DriftEvent, DriftLog } from "./drift.ts";
import { DeltaScanner } from "./fast_decode.ts";
import { Fifo } from "./fifo.ts";
import type { BackoffOptions } from "./backoff.ts";
import { Liveness } from "./heartbeat.ts";
import {
  type DataMessage,
  decodeMessage,
  type ResponseMessage,
  type ServerMessage,
  type UnknownMessage,
} from "./message.ts";
import type { SubscriptionEntry } from "./message_responses.ts";
import { RequestDeadlines } from "./request_deadlines.ts";
import { ResubscribeBackoff } from "./resubscribe_backoff.ts";
import {
  checkSeq,
  isTransientFailure,
  type PendingCommand,
  requestedMarkets,
  SeqVerdict,
  type SidState,
  SubscriptionTable,
  type Transition,
} from "./subscriptions.ts";

// ---------------------------------------------------------------------------------------------
// Public types

/** A user-level subscription handle: stable across reconnects (unlike sids). */
export type SubscriptionKey = number;

/**
 * A session-level request id, answered by exactly one `command_result` event. Not the wire `id`
 * (those restart per connection, and queued requests have none yet).
 */
export type RequestId = number;

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

/** A sid and its channel, as reported in `subscribed`/`resubscribed`. */
export interface SidInfo {
  /** The channel. */
  readonly channel: string;
  /** Its sid on the current connection. */
  readonly sid: number;
}

/** Why a subscription was re-subscribed. */
export type ResubscribeReason =
  /** The connection was re-opened. */
  | "reconnect"
  /** Kalshi killed the sid (error 10 or 25). */
  | "terminal_error"
  /** A book repair by `get_snapshot` failed or timed out. */
  | "resync_failed"
  /** Kalshi ended the sid without being asked. */
  | "server_unsubscribed";

/** A channel data message (or an unknown frame), tagged with the subscription it belongs to. */
export interface DataEvent {
  /** Discriminant. */
  readonly type: "data";
  /** The subscription, or `undefined` for a sid the session does not know (kept, not dropped). */
  readonly key: SubscriptionKey | undefined;
  /** The sid it came on, when it has one. */
  readonly sid: number | undefined;
  /** The decoded frame. */
  readonly message: DataMessage | UnknownMessage;
}

/** The connection opened (all books are invalid until their subscriptions' snapshots arrive). */
export interface ConnectedEvent {
  /** Discriminant. */
  readonly type: "connected";
}

/** The connection closed: every sid is gone; books are invalid; live subscriptions wait. */
export interface DisconnectedEvent {
  /** Discriminant. */
  readonly type: "disconnected";
  /** WebSocket close code (1006 for a transport loss). */
  readonly code: number;
  /** Close reason. */
  readonly reason: string;
}

/** A subscription became live for the first time. */
export interface SubscribedEvent {
  /** Discriminant. */
  readonly type: "subscribed";
  /** The subscription. */
  readonly key: SubscriptionKey;
  /** Its sids, one per channel. */
  readonly sids: readonly SidInfo[];
}

/** A subscription was subscribed again (new sids, same key). */
export interface ResubscribedEvent {
  /** Discriminant. */
  readonly type: "resubscribed";
  /** The subscription. */
  readonly key: SubscriptionKey;
  /** All its sids now, one per channel. */
  readonly sids: readonly SidInfo[];
  /** Why. */
  readonly reason: ResubscribeReason;
}

/** An automatic re-subscribe waits for its pause (a storm of errors is not answered at once). */
export interface ResubscribeScheduledEvent {
  /** Discriminant. */
  readonly type: "resubscribe_scheduled";
  /** The subscription. */
  readonly key: SubscriptionKey;
  /** Consecutive automatic re-subscribes since it was last stable (1-based). */
  readonly attempt: number;
  /** The pause before it is sent (ms). */
  readonly delayMs: number;
  /** Why it is re-subscribed. */
  readonly reason: ResubscribeReason;
}

/** A subscription ended at the user's request (also while disconnected). */
export interface UnsubscribedEvent {
  /** Discriminant. */
  readonly type: "unsubscribed";
  /** The subscription. */
  readonly key: SubscriptionKey;
}

/** A subscription could not be restored and is gone (no more data for its key). */
export interface SubscriptionLostEvent {
  /** Discriminant. */
  readonly type: "subscription_lost";
  /** The subscription. */
  readonly key: SubscriptionKey;
  /** Why: Kalshi's error, or a {@linkcode CommandTimeoutError}. */
  readonly error: Error;
}

/** Frames were lost on a sid (`received > expected`). */
export interface GapEvent {
  /** Discriminant. */
  readonly type: "gap";
  /** The subscription, if known. */
  readonly key: SubscriptionKey | undefined;
  /** The sid. */
  readonly sid: number;
  /** Its channel. */
  readonly channel: string;
  /** The seq that should have come. */
  readonly expected: number;
  /** The seq that came. */
  readonly received: number;
}

/** A duplicate or regressed `seq` (`received < expected`): that frame was not delivered. */
export interface SeqAnomalyEvent {
  /** Discriminant. */
  readonly type: "seq_anomaly";
  /** The subscription, if known. */
  readonly key: SubscriptionKey | undefined;
  /** The sid. */
  readonly sid: number;
  /** Its channel. */
  readonly channel: string;
  /** The seq that should have come. */
  readonly expected: number;
  /** The seq that came. */
  readonly received: number;
}

/** The {@linkcode BookKeeper} refused a frame: that market's book is invalid until repaired. */
export interface BookInvalidEvent {
  /** Discriminant. */
  readonly type: "book_invalid";
  /** The subscription. */
  readonly key: SubscriptionKey | undefined;
  /** The sid. */
  readonly sid: number;
  /** The market. */
  readonly marketTicker: string;
  /** `"delta"` (a repair was requested) or `"snapshot"` (the snapshot itself failed the checks;
   * the market stays invalid until another snapshot, e.g. from {@linkcode Session.resync}). */
  readonly cause: "delta" | "snapshot";
}

/** Every market of a sid that was being repaired has a fresh snapshot again. */
export interface ResyncedEvent {
  /** Discriminant. */
  readonly type: "resynced";
  /** The subscription. */
  readonly key: SubscriptionKey | undefined;
  /** The sid. */
  readonly sid: number;
  /** Its markets (all valid now). */
  readonly markets: readonly string[];
}

/** Kalshi reported an error not tied to a user request (sid-scoped, or unscoped). */
export interface ServerErrorEvent {
  /** Discriminant. */
  readonly type: "server_error";
  /** The subscription concerned, if any. */
  readonly key: SubscriptionKey | undefined;
  /** The sid concerned, if any. */
  readonly sid: number | undefined;
  /** The error, with Kalshi's code. */
  readonly error: ServerError;
  /** Whether the sid is dead (codes 10 and 25); the session re-subscribes by itself. */
  readonly terminal: boolean;
}

/** What a successful request produced, by command. */
export type CommandValue =
  | {
    /** `subscribe`. */
    readonly command: "subscribe";
    /** The subscription. */
    readonly key: SubscriptionKey;
    /** Its sids. */
    readonly sids: readonly SidInfo[];
  }
  | {
    /** `unsubscribe`. */
    readonly command: "unsubscribe";
    /** The subscription. */
    readonly key: SubscriptionKey;
  }
  | {
    /** `addMarkets`/`removeMarkets`. */
    readonly command: "add_markets" | "delete_markets";
    /** The subscription. */
    readonly key: SubscriptionKey;
    /** Its markets afterwards. */
    readonly markets: readonly string[];
  }
  | {
    /** `resync`. */
    readonly command: "resync";
    /** The subscription repaired. */
    readonly key: SubscriptionKey;
  }
  | {
    /** `listSubscriptions`. */
    readonly command: "list_subscriptions";
    /** Kalshi's list. */
    readonly subscriptions: readonly SubscriptionEntry[];
  };

/** The outcome of a request. */
export type CommandResultEvent =
  | {
    /** Discriminant. */
    readonly type: "command_result";
    /** The request. */
    readonly request: RequestId;
    /** Success. */
    readonly ok: true;
    /** What it produced. */
    readonly value: CommandValue;
  }
  | {
    /** Discriminant. */
    readonly type: "command_result";
    /** The request. */
    readonly request: RequestId;
    /** Failure. */
    readonly ok: false;
    /** `ServerError` (Kalshi's code), {@linkcode CommandTimeoutError}, or `KalshiWsError`. */
    readonly error: Error;
  };

/** A frame could not be decoded; the session carried on. */
export interface DecodeErrorEvent {
  /** Discriminant. */
  readonly type: "decode_error";
  /** The error; `error.frame` is the full frame text. */
  readonly error: DecodeError;
}

/** The link was quiet for the idle window; a probe was sent. */
export interface ProbeEvent {
  /** Discriminant. */
  readonly type: "probe";
  /** When. */
  readonly at: number;
}

/** The probe went unanswered: the client should close the socket and reconnect. */
export interface DeadEvent {
  /** Discriminant. */
  readonly type: "dead";
  /** Last inbound activity. */
  readonly lastActivity: number;
  /** When the verdict was reached. */
  readonly at: number;
}

/** Everything a session reports, discriminated on `type`. */
export type SessionEvent =
  | DataEvent
  | ConnectedEvent
  | DisconnectedEvent
  | SubscribedEvent
  | ResubscribedEvent
  | ResubscribeScheduledEvent
  | UnsubscribedEvent
  | SubscriptionLostEvent
  | GapEvent
  | SeqAnomalyEvent
  | BookInvalidEvent
  | ResyncedEvent
  | ServerErrorEvent
  | CommandResultEvent
  | DecodeErrorEvent
  | ProbeEvent
  | DeadEvent
  | DriftEvent;

// ---------------------------------------------------------------------------------------------
// Internal state

type HandleStatus = "live" | "unsubscribing" | "closed";

type UserOp =
  | { readonly kind: "unsubscribe"; readonly request: RequestId }
  | {
    readonly kind: "add_markets" | "delete_markets";
    readonly request: RequestId;
    readonly tickers: readonly string[];
    remaining: number;
    settled: boolean;
  }
  | {
    readonly kind: "resync";
    readonly request: RequestId;
    readonly markets: string[] | undefined;
  };

interface Handle {
  readonly key: SubscriptionKey;
  readonly params: SubscribeParams;
  readonly channels: readonly Channel[];
  /** Current market filter (what a re-subscribe sends); `undefined` = as in `params`. */
  markets: Set<string> | undefined;
  readonly useYesPrice: boolean;
  /** Channel → sid on this connection. */
  readonly sids: Map<string, SidState<Handle>>;
  /** Channels that need a `subscribe` on this connection. */
  readonly needs: Set<string>;
  /** Channels with a `subscribe` in flight. */
  readonly inflight: Set<string>;
  status: HandleStatus;
  /** The first subscribe completed (later completions are re-subscribes). */
  established: boolean;
  reason: ResubscribeReason | undefined;
  /** Requests waiting for the subscription to be live. */
  readonly deferred: UserOp[];
  /** `resync` requests waiting for the repair to finish. */
  readonly resyncWaiters: RequestId[];
  /** An automatic re-subscribe is paced: do not send it before this instant. */
  retryAt: number | undefined;
}

type Tag =
  | { readonly purpose: "subscribe"; readonly handle: Handle }
  | { readonly purpose: "unsubscribe"; readonly handle: Handle; readonly request: RequestId }
  | { readonly purpose: "update"; readonly handle: Handle; readonly op: UserOp }
  | { readonly purpose: "resync"; readonly handle: Handle | undefined }
  | { readonly purpose: "list"; readonly request: RequestId }
  | { readonly purpose: "discard" }
  | { readonly purpose: "probe" };

type Pending = PendingCommand<Handle, Tag>;
type State = SidState<Handle>;

const DISCARD: Tag = { purpose: "discard" };
const PROBE: Tag = { purpose: "probe" };
const ORDERBOOK = "orderbook_delta";
function sidsOf(handle: Handle): SidInfo[] {
  const sids: SidInfo[] = [];
  for (const channel of handle.channels) {
    const state = handle.sids.get(channel);
    if (state !== undefined) sids.push({ channel, sid: state.sid });
  }
  return sids;
}

function isActive(handle: Handle): boolean {
  return handle.status === "live" && handle.needs.size === 0 && handle.inflight.size === 0;
}

// ---------------------------------------------------------------------------------------------
// Session

/**
 * The protocol engine for one logical client (many connections over time). Synchronous and
 * deterministic; see the module documentation for the contract.
 */
export class Session {
  readonly #books: BookKeeper | undefined;
  readonly #commandTimeoutMs: number;
  readonly #liveness: Liveness;
  readonly #drift: DriftLog;
  /** The `orderbook_delta` fast path, with this session's own memory of markets. */
  readonly #scanner = new DeltaScanner();
  #table = new SubscriptionTable<Handle, Tag>();
  readonly #handles = new Map<SubscriptionKey, Handle>();
  readonly #transmit = new Fifo<string>();
  readonly #events = new Fifo<SessionEvent>();
  /** `list_subscriptions` requests waiting for a connection. */
  readonly #queuedLists: RequestId[] = [];
  /**
   * Order-book sids whose first snapshots must arrive by a deadline: a lost snapshot would
   * otherwise show only with the sid's next frame, which a quiet market may not send for long.
   */
  readonly #snapshotDeadlines = new Map<State, number>();
  readonly #deadlines = new RequestDeadlines();
  readonly #resubscribes: ResubscribeBackoff<SubscriptionKey>;
  #connected = false;
  #nextCommandId = 0;
  #nextRequest = 0;

  /** Creates a disconnected session. */
  constructor(options: SessionOptions = {}) {
    this.#books = options.books;
    this.#drift = options.drift ?? new DriftLog();
    this.#commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    if (!(this.#commandTimeoutMs > 0)) {
      throw new RangeError(`Set commandTimeoutMs above 0: got ${this.#commandTimeoutMs}`);
    }
    this.#resubscribes = new ResubscribeBackoff(options.resubscribe);
    this.#liveness = new Liveness({
      idleMs: options.idleMs,
      probeTimeoutMs: options.probeTimeoutMs,
    });
  }

  /** Protocol drift seen so far, over every connection of this session. */
  get drift(): DriftCounts {
    return this.#drift;
  }

  /** Whether a connection is open (between `opened` and `closed`). */
  get connected(): boolean {
    return this.#connected;
  }

  /** Keys of the subscriptions that exist (live, being restored, or being unsubscribed). */
  subscriptionKeys(): SubscriptionKey[] {
    return [...this.#handles.keys()];
  }

  /** The current sids of subscription `key` on this connection (empty while disconnected). */
  sidsOf(key: SubscriptionKey): SidInfo[] {
    const handle = this.#handles.get(key);
    return handle === undefined ? [] : sidsOf(handle);
  }

  /** The current market filter of subscription `key` (`undefined`: no explicit market list). */
  marketsOf(key: SubscriptionKey): string[] | undefined {
    const markets = this.#handles.get(key)?.markets;
    return markets === undefined ? undefined : [...markets];
  }

  // -------------------------------------------------------------------------------------------
  // Connection inputs

  /** The socket opened at `now`: command ids restart, live subscriptions are re-subscribed. */
  opened(now: number): void {
    if (this.#connected) this.closed(1006, "reopened without close", now);
    this.#connected = true;
    this.#nextCommandId = 0;
    this.#table = new SubscriptionTable<Handle, Tag>();
    this.#liveness.start(now);
    this.#events.push({ type: "connected" });
    this.#pump(now);
    for (const request of this.#queuedLists.splice(0)) {
      this.#send(listSubscriptionsCommand(), { purpose: "list", request }, now);
    }
  }

  /**
   * The socket closed (or was lost: use 1006) at `now`. Every sid is gone and every book
   * invalid; subscriptions wait for the next `opened`; in-flight requests are re-queued or
   * settled (an in-flight `unsubscribe` succeeds: the subscription is gone with the connection).
   */
  closed(code: number, reason: string, now: number): void {
    if (!this.#connected) return;
    this.#connected = false;
    this.#liveness.stop();
    this.#snapshotDeadlines.clear();
    this.#transmit.clear(); // unsent frames carry this connection's ids
    const pending = this.#table.clear();
    const requeuedLists: RequestId[] = [];
    const requeuedOps = new Map<Handle, UserOp[]>();
    for (const command of pending) {
      const tag = command.tag;
      if (tag.purpose === "update" && tag.handle.status === "live") {
        const op = tag.op;
        if ((op.kind === "add_markets" || op.kind === "delete_markets") && !op.settled) {
          const ops = requeuedOps.get(tag.handle) ?? [];
          if (!ops.includes(op)) ops.push(op); // one op spans a command per sid
          requeuedOps.set(tag.handle, ops);
        }
      } else if (tag.purpose === "list") {
        requeuedLists.push(tag.request);
      } else if (tag.purpose === "unsubscribe" && tag.handle.status === "unsubscribing") {
        this.#finishUnsubscribe(tag.handle, tag.request); // gone with the connection
      }
    }
    this.#queuedLists.unshift(...requeuedLists);
    for (const [handle, ops] of requeuedOps) handle.deferred.unshift(...ops);
    for (const handle of [...this.#handles.values()]) {
      for (const state of handle.sids.values()) this.#invalidateBooks(state);
      handle.sids.clear();
      handle.inflight.clear();
      if (handle.status === "unsubscribing") {
        this.#finishUnsubscribe(handle, undefined);
        continue;
      }
      for (const channel of handle.channels) handle.needs.add(channel);
      handle.retryAt = undefined; // a new connection re-subscribes at once
      if (handle.established) handle.reason = "reconnect";
    }
    // Requests deferred on a handle now run offline (settle locally).
    for (const handle of [...this.#handles.values()]) {
      for (const op of handle.deferred.splice(0)) this.#runOffline(handle, op, now);
    }
    this.#events.push({ type: "disconnected", code, reason });
  }

  /** A ping frame arrived (runtimes that show pings): counts as inbound activity. */
  receivePing(now: number): void {
    this.#liveness.activity(now);
  }

  /**
   * One text frame arrived at `now`. Decodes it, checks its `seq`, keeps books and subscription
   * state in step, and queues events. Never throws on peer misbehaviour.
   */
  receiveText(frame: string, now: number): void {
    if (!this.#connected) return; // no socket: nothing can have arrived
    this.#liveness.activity(now);
    // The hottest frame skips the generic decoder when it has the plain shape (same result).
    const delta = this.#scanner.scan(frame);
    if (delta !== undefined) {
      this.#delta(delta, now);
      return;
    }
    let message: ServerMessage;
    try {
      message = decodeMessage(frame, this.#drift);
    } catch (error) {
      if (error instanceof DecodeError) {
        if (this.#drift.hasFresh) this.#reportDrift();
        this.#events.push({ type: "decode_error", error });
        return;
      }
      throw error;
    }
    if (this.#drift.hasFresh) this.#reportDrift();
    switch (message.type) {
      case "orderbook_delta":
        this.#delta(message, now);
        return;
      case "orderbook_snapshot":
        this.#snapshot(message, now);
        return;
      case "subscribed":
      case "unsubscribed":
      case "ok":
      case "error":
        this.#response(message, now);
        return;
      case "unknown": {
        const raw = message.raw;
        const sid = typeof raw.sid === "number" ? raw.sid : undefined;
        const seq = typeof raw.seq === "number" ? raw.seq : undefined;
        this.#data(message, sid, seq, now);
        return;
      }
      default:
        this.#data(message, message.sid, message.seq, now);
    }
  }

  /** One `drift` event per kind of drift seen for the first time. */
  #reportDrift(): void {
    for (const event of this.#drift.takeFresh()) this.#events.push(event);
  }

  /** Acts on whatever is due at `now`: liveness probe or verdict, command timeouts. */
  handleTimeout(now: number): void {
    if (this.#connected) {
      const due = this.#liveness.due(now);
      if (due === "probe") {
        this.#liveness.probeSent(now);
        this.#send(listSubscriptionsCommand(), PROBE, now, Infinity);
        this.#events.push({ type: "probe", at: now });
      } else if (due === "dead") {
        const lastActivity = this.#liveness.lastActivity ?? now;
        this.#liveness.stop(); // one verdict; the client closes and reconnects
        this.#events.push({ type: "dead", lastActivity, at: now });
      }
    }
    const expired: Pending[] = [];
    for (const command of this.#table.pendingCommands()) {
      if (command.deadline <= now) expired.push(command);
    }
    for (const command of expired) {
      if (this.#table.complete(command.id) !== undefined) this.#timedOut(command, now);
    }
    for (const [state, deadline] of this.#snapshotDeadlines) {
      if (deadline > now) continue;
      this.#snapshotDeadlines.delete(state);
      // Snapshots still missing: ask for them (a get_snapshot that fails renews the channel).
      const missing = state.awaiting === undefined ? [] : [...state.awaiting];
      if (this.#table.sids.get(state.sid) !== state || state.discarding || missing.length === 0) {
        continue;
      }
      let repairing = false;
      for (const command of this.#table.pendingCommands()) {
        if (command.kind === "update" && command.sid === state.sid) repairing = true;
      }
      if (!repairing) this.#startResync(state, missing, now);
    }
    for (const { request, command } of this.#deadlines.due(now)) {
      this.#expire(request, new CommandTimeoutError(command, this.#commandTimeoutMs), now);
    }
    this.#pump(now); // re-subscribes whose retry pause is over
  }

  /**
   * Gives up for good (the client is shutting down or out of retries): rejects every outstanding
   * request with `reason`, emits `subscription_lost` for every established subscription, and
   * forgets them all. Nothing is sent; close the socket (and call `closed`) separately.
   */
  abort(reason: Error): void {
    for (const command of this.#table.clear()) {
      const tag = command.tag;
      if (tag.purpose === "unsubscribe" || tag.purpose === "list") {
        this.#reject(tag.request, reason);
      } else if (
        tag.purpose === "update" && tag.op.kind !== "unsubscribe" && tag.op.kind !== "resync"
      ) {
        if (!tag.op.settled) {
          tag.op.settled = true;
          this.#reject(tag.op.request, reason);
        }
      }
    }
    for (const request of this.#queuedLists.splice(0)) this.#reject(request, reason);
    for (const handle of [...this.#handles.values()]) {
      handle.status = "closed";
      if (handle.established) {
        this.#events.push({ type: "subscription_lost", key: handle.key, error: reason });
      } else {
        this.#reject(handle.key, reason);
      }
      this.#rejectWaiting(handle, reason);
      for (const state of handle.sids.values()) this.#invalidateBooks(state);
    }
    this.#handles.clear();
    this.#deadlines.clear();
  }

  // -------------------------------------------------------------------------------------------
  // Outputs

  /** The next frame to send, or `undefined`. */
  pollTransmit(): string | undefined {
    return this.#transmit.shift();
  }

  /** The next event, or `undefined`. */
  pollEvent(): SessionEvent | undefined {
    return this.#events.shift();
  }

  /** The earliest instant `handleTimeout` must run (probe, death, command timeouts), if any. */
  pollTimeout(): number | undefined {
    let earliest = this.#connected ? this.#liveness.deadline() : undefined;
    for (const command of this.#table.pendingCommands()) {
      if (
        command.deadline !== Infinity && (earliest === undefined || command.deadline < earliest)
      ) {
        earliest = command.deadline;
      }
    }
    for (const deadline of this.#snapshotDeadlines.values()) {
      if (earliest === undefined || deadline < earliest) earliest = deadline;
    }
    const request = this.#deadlines.next();
    if (request !== undefined && (earliest === undefined || request < earliest)) earliest = request;
    if (this.#connected) {
      for (const handle of this.#handles.values()) {
        const at = handle.retryAt;
        if (
          at !== undefined && handle.needs.size > 0 && (earliest === undefined || at < earliest)
        ) {
          earliest = at;
        }
      }
    }
    return earliest;
  }

  // -------------------------------------------------------------------------------------------
  // User requests

  /**
   * Subscribes to `params.channels` and returns the subscription's stable key (also the request
   * id of its `command_result`). Sent now if connected, else on the next `opened`. Throws
   * {@linkcode CommandError} for invalid params or a channel another live subscription streams.
   */
  subscribe(params: SubscribeParams, now: number): SubscriptionKey {
    validateCommand(subscribeCommand(params));
    for (const other of this.#handles.values()) {
      if (other.status !== "live") continue;
      for (const channel of params.channels) {
        if (other.channels.includes(channel)) {
          throw new CommandError(
            `Cannot subscribe to "${channel}" twice on one connection: subscription ${other.key} already streams it (add markets to it instead)`,
          );
        }
      }
    }
    const key = this.#newRequest("subscribe", now);
    const markets = requestedMarkets(params);
    const handle: Handle = {
      key,
      params,
      channels: [...params.channels],
      markets: markets.length > 0 ? new Set(markets) : undefined,
      useYesPrice: params.use_yes_price === true,
      sids: new Map(),
      needs: new Set(params.channels),
      inflight: new Set(),
      status: "live",
      established: false,
      reason: undefined,
      deferred: [],
      resyncWaiters: [],
      retryAt: undefined,
    };
    this.#handles.set(key, handle);
    this.#pump(now);
    return key;
  }

  /** Unsubscribes subscription `key` (all its sids); throws if it is not active. */
  unsubscribe(key: SubscriptionKey, now: number): RequestId {
    const handle = this.#liveHandle(key, "unsubscribe");
    const op: UserOp = { kind: "unsubscribe", request: this.#newRequest("unsubscribe", now) };
    this.#runOrDefer(handle, op, now);
    return op.request;
  }

  /** Adds markets to every channel of subscription `key` (`add_markets` on each sid). */
  addMarkets(key: SubscriptionKey, tickers: readonly string[], now: number): RequestId {
    return this.#marketOp(key, "add_markets", tickers, now);
  }

  /** Removes markets from every channel of subscription `key` (`delete_markets` on each sid). */
  removeMarkets(key: SubscriptionKey, tickers: readonly string[], now: number): RequestId {
    return this.#marketOp(key, "delete_markets", tickers, now);
  }

  /**
   * Asks for fresh order-book snapshots: of every market of subscription `key`, or of one market
   * (by ticker). Resolves when the books are valid again.
   */
  resync(target: SubscriptionKey | string, now: number): RequestId {
    let handle: Handle | undefined;
    let markets: string[] | undefined;
    if (typeof target === "number") {
      handle = this.#liveHandle(target, "resync");
    } else {
      for (const candidate of this.#handles.values()) {
        if (candidate.status !== "live" || !candidate.channels.includes(ORDERBOOK)) continue;
        const sidMarkets = candidate.sids.get(ORDERBOOK)?.markets;
        if (candidate.markets?.has(target) || sidMarkets?.has(target)) handle = candidate;
      }
      if (handle === undefined) {
        throw new CommandError(
          `Cannot resync market "${target}": no live orderbook_delta subscription covers it`,
        );
      }
      markets = [target];
    }
    if (!handle.channels.includes(ORDERBOOK)) {
      throw new CommandError(
        `Cannot resync subscription ${handle.key}: it has no "orderbook_delta" channel`,
      );
    }
    const op: UserOp = { kind: "resync", request: this.#newRequest("get_snapshot", now), markets };
    this.#runOrDefer(handle, op, now);
    return op.request;
  }

  /** Asks Kalshi for the connection's subscriptions (sent on the next connection if closed). */
  listSubscriptions(now: number): RequestId {
    const request = this.#newRequest("list_subscriptions", now);
    if (this.#connected) this.#send(listSubscriptionsCommand(), { purpose: "list", request }, now);
    else this.#queuedLists.push(request);
    return request;
  }

  // -------------------------------------------------------------------------------------------
  // Request plumbing

  #liveHandle(key: SubscriptionKey, action: string): Handle {
    const handle = this.#handles.get(key);
    if (handle === undefined || handle.status !== "live") {
      throw new CommandError(`Cannot ${action} subscription ${key}: subscription is not active`);
    }
    return handle;
  }

  #marketOp(
    key: SubscriptionKey,
    kind: "add_markets" | "delete_markets",
    tickers: readonly string[],
    now: number,
  ): RequestId {
    const action = kind === "add_markets" ? "add markets to" : "remove markets from";
    const handle = this.#liveHandle(key, action);
    if (handle.markets === undefined) {
      throw new CommandError(
        `Cannot ${action} subscription ${key}: it has no explicit market list`,
      );
    }
    for (const channel of handle.channels) {
      validateUpdate(channel, { sid: 1, action: kind, market_tickers: [...tickers] });
    }
    if (kind === "delete_markets") {
      const removing = new Set(tickers); // with removals still pending (deferred or in flight)
      for (const op of handle.deferred) {
        if (op.kind === "delete_markets") { for (const t of op.tickers) removing.add(t); }
      }
      for (const command of this.#table.pendingCommands()) {
        const tag = command.tag;
        if (
          tag.purpose === "update" && tag.handle === handle && tag.op.kind === "delete_markets" &&
          !tag.op.settled
        ) {
          for (const t of tag.op.tickers) removing.add(t);
        }
      }
      const left = [...handle.markets].filter((m) => !removing.has(m));
      const required = handle.channels.find((c) => CHANNEL_INFO[c].marketFilter === "required");
      if (left.length === 0 && required !== undefined) {
        throw new CommandError(
          `Cannot remove every market from subscription ${key}: channel "${required}" needs at least one (unsubscribe instead)`,
        );
      }
    }
    const op: UserOp = {
      kind,
      request: this.#newRequest("update_subscription", now),
      tickers: [...tickers],
      remaining: 0,
      settled: false,
    };
    this.#runOrDefer(handle, op, now);
    return op.request;
  }

  #runOrDefer(handle: Handle, op: UserOp, now: number): void {
    if (!this.#connected) this.#runOffline(handle, op, now);
    else if (isActive(handle)) this.#run(handle, op, now);
    else handle.deferred.push(op);
  }

  /** Settles `op` without a connection (see the module doc for why each is sound). */
  #runOffline(handle: Handle, op: UserOp, _now: number): void {
    switch (op.kind) {
      case "unsubscribe":
        if (handle.status !== "live") {
          this.#reject(op.request, notActive(handle.key));
          return;
        }
        this.#finishUnsubscribe(handle, op.request);
        return;
      case "add_markets":
      case "delete_markets": {
        if (handle.status !== "live" || handle.markets === undefined) {
          this.#reject(op.request, notActive(handle.key));
          return;
        }
        for (const ticker of op.tickers) {
          if (op.kind === "add_markets") handle.markets.add(ticker);
          else {
            handle.markets.delete(ticker);
            this.#books?.remove(ticker);
          }
        }
        op.settled = true;
        this.#resolve(op.request, {
          command: op.kind,
          key: handle.key,
          markets: [...handle.markets],
        });
        return;
      }
      case "resync":
        // The re-subscribe on the next connection brings fresh snapshots of every market.
        handle.resyncWaiters.push(op.request);
        return;
    }
  }

  /** Runs `op` on an active subscription. */
  #run(handle: Handle, op: UserOp, now: number): void {
    if (handle.status !== "live") {
      this.#reject(op.request, notActive(handle.key));
      return;
    }
    switch (op.kind) {
      case "unsubscribe": {
        const sids = [...handle.sids.values()].map((s) => s.sid);
        handle.status = "unsubscribing";
        if (sids.length === 0) this.#finishUnsubscribe(handle, op.request);
        else {
          this.#send(unsubscribeCommand(sids), {
            purpose: "unsubscribe",
            handle,
            request: op.request,
          }, now);
        }
        return;
      }
      case "add_markets":
      case "delete_markets": {
        op.remaining = handle.sids.size;
        for (const state of handle.sids.values()) {
          const body = op.kind === "add_markets"
            ? addMarketsCommand(state.sid, op.tickers)
            : deleteMarketsCommand(state.sid, op.tickers);
          if (op.kind === "add_markets" && state.channel === ORDERBOOK) {
            // New markets are untrusted until their snapshot (sent after the `ok`).
            state.awaiting ??= new Set();
            for (const t of op.tickers) if (!state.markets?.has(t)) state.awaiting.add(t);
          }
          this.#send(body, { purpose: "update", handle, op }, now);
        }
        if (op.remaining === 0) this.#settleMarketOp(handle, op);
        return;
      }
      case "resync": {
        const state = handle.sids.get(ORDERBOOK);
        if (state === undefined) {
          this.#reject(op.request, notActive(handle.key));
          return;
        }
        handle.resyncWaiters.push(op.request);
        this.#startResync(state, op.markets ?? [...(state.markets ?? [])], now);
        return;
      }
    }
  }

  #settleMarketOp(handle: Handle, op: Extract<UserOp, { remaining: number }>): void {
    if (op.settled) return;
    op.settled = true;
    this.#resolve(op.request, {
      command: op.kind,
      key: handle.key,
      markets: [...(handle.markets ?? [])],
    });
  }

  #flushDeferred(handle: Handle, now: number): void {
    while (handle.deferred.length > 0 && isActive(handle)) {
      this.#run(handle, handle.deferred.shift()!, now);
    }
  }

  #send(body: CommandBody, tag: Tag, now: number, timeoutMs = this.#commandTimeoutMs): number {
    const id = ++this.#nextCommandId;
    this.#transmit.push(encodeCommand(id, body));
    this.#table.track(id, body, tag, now + timeoutMs);
    return id;
  }

  /** A new request id whose deadline runs from `now` (see {@linkcode RequestDeadlines}). */
  #newRequest(command: string, now: number): RequestId {
    const request = ++this.#nextRequest;
    this.#deadlines.track(request, command, now + this.#commandTimeoutMs);
    return request;
  }

  #resolve(request: RequestId, value: CommandValue): void {
    if (!this.#deadlines.settle(request)) return; // settled already (it expired)
    this.#events.push({ type: "command_result", request, ok: true, value });
  }

  #reject(request: RequestId, error: Error): void {
    if (!this.#deadlines.settle(request)) return;
    this.#events.push({ type: "command_result", request, ok: false, error });
  }

  /**
   * `request` reached its deadline unsettled: it is withdrawn wherever it waits (never sent
   * later) and rejected. A first subscribe that expires ends its subscription; a command
   * already on the wire may still take effect, as after any timeout.
   */
  #expire(request: RequestId, error: Error, now: number): void {
    const queued = this.#queuedLists.indexOf(request);
    if (queued >= 0) this.#queuedLists.splice(queued, 1);
    for (const handle of this.#handles.values()) {
      const op = handle.deferred.findIndex((o) => o.request === request);
      if (op >= 0) handle.deferred.splice(op, 1);
      const waiter = handle.resyncWaiters.indexOf(request);
      if (waiter >= 0) handle.resyncWaiters.splice(waiter, 1);
    }
    const handle = this.#handles.get(request);
    if (handle !== undefined && !handle.established && handle.status === "live") {
      this.#closeHandle(handle, now);
      this.#rejectWaiting(handle, error);
    }
    this.#reject(request, error);
  }

  // -------------------------------------------------------------------------------------------
  // Subscribing

  /** Sends a `subscribe` for every subscription whose channels need one and are free. */
  #pump(now: number): void {
    if (!this.#connected) return;
    for (const handle of this.#handles.values()) {
      if (handle.status !== "live" || handle.needs.size === 0) continue;
      if (handle.retryAt !== undefined) {
        if (handle.retryAt > now) continue;
        handle.retryAt = undefined; // the pause is over; sent as soon as its channels are free
      }
      let free = true;
      for (const channel of handle.needs) {
        if (this.#table.holdsChannel(channel) || this.#inflightElsewhere(channel, handle)) {
          free = false; // an old sid of that channel is still being unsubscribed
          break;
        }
      }
      if (!free) continue;
      const channels = handle.channels.filter((c) => handle.needs.has(c));
      if (
        handle.markets?.size === 0 && channels.some((c) => CHANNEL_INFO[c].marketFilter !== "none")
      ) {
        // Every market was removed (e.g. a removal that timed out had in fact been applied):
        // nothing is left to subscribe to, and an empty market list cannot be sent.
        this.#closeHandle(handle, now);
        const error = new KalshiWsError(`Subscription ${handle.key} has no markets left`);
        if (!handle.established) this.#reject(handle.key, error);
        this.#rejectWaiting(handle, error);
        this.#events.push({ type: "unsubscribed", key: handle.key });
        continue;
      }
      handle.needs.clear();
      handle.retryAt = undefined;
      for (const c of channels) handle.inflight.add(c);
      this.#send(subscribeCommand(paramsForChannels(handle.params, handle.markets, channels)), {
        purpose: "subscribe",
        handle,
      }, now);
    }
  }

  #inflightElsewhere(channel: string, handle: Handle): boolean {
    for (const other of this.#handles.values()) {
      if (other !== handle && other.inflight.has(channel)) return true;
    }
    return false;
  }

  #subscribed(t: Transition<Handle, Tag>, merged: boolean, now: number): void {
    const command = t.command!;
    const state = t.state!;
    const tag = command.tag;
    if (tag.purpose !== "subscribe" || tag.handle.status !== "live") {
      this.#discard(state, now);
      return;
    }
    const handle = tag.handle;
    if (state.discarding) {
      // Kalshi merged this subscribe into a sid being unsubscribed, so it dies with that
      // unsubscribe: subscribe the channel again once the sid is gone.
      handle.inflight.delete(state.channel);
      handle.needs.add(state.channel);
      this.#pump(now);
      return;
    }
    state.owner = handle;
    handle.sids.set(state.channel, state);
    handle.inflight.delete(state.channel);
    if (state.channel === ORDERBOOK) {
      state.resyncing = handle.established || handle.resyncWaiters.length > 0;
      if (merged) {
        // No snapshots come for markets the merged sid already had: ask for them.
        this.#startResync(state, [...(state.markets ?? handle.markets ?? [])], now);
      } else {
        state.awaiting = new Set(state.markets ?? handle.markets ?? []);
        this.#snapshotDeadlines.set(state, now + this.#commandTimeoutMs);
      }
    }
    if (!t.complete) return;
    // Health counts from the last subscribe the server did not kill (a reconnect is no failure).
    if (handle.reason !== "reconnect") this.#resubscribes.healthy(handle.key, now);
    const sids = sidsOf(handle);
    if (!handle.established) {
      handle.established = true;
      this.#events.push({ type: "subscribed", key: handle.key, sids });
      this.#resolve(handle.key, { command: "subscribe", key: handle.key, sids });
    } else {
      this.#events.push({
        type: "resubscribed",
        key: handle.key,
        sids,
        reason: handle.reason ?? "reconnect",
      });
    }
    handle.reason = undefined;
    this.#flushDeferred(handle, now);
  }

  /**
   * A subscribe (first or repeat) failed: roll back what it created, then retry a re-subscribe
   * refused for a passing reason after a pause, or give the handle up.
   */
  #subscribeFailed(
    handle: Handle,
    channels: readonly string[],
    acked: readonly State[],
    error: Error,
    now: number,
  ): void {
    for (const state of acked) this.#discard(state, now);
    if (handle.status !== "live") return;
    if (handle.established && isTransientFailure(error)) {
      for (const state of acked) {
        this.#invalidateBooks(state);
        if (handle.sids.get(state.channel) === state) handle.sids.delete(state.channel);
      }
      for (const channel of channels) {
        handle.inflight.delete(channel);
        handle.needs.add(channel);
      }
      this.#schedule(handle, handle.reason ?? "reconnect", now);
      return;
    }
    this.#closeHandle(handle, now);
    if (!handle.established) this.#reject(handle.key, error);
    else this.#events.push({ type: "subscription_lost", key: handle.key, error });
    this.#rejectWaiting(handle, error);
  }

  /** Ends `handle`: discards its sids, drops its books, forgets it. */
  #closeHandle(handle: Handle, now: number): void {
    handle.status = "closed";
    for (const state of handle.sids.values()) {
      this.#discard(state, now);
      if (state.channel === ORDERBOOK) {
        for (const m of state.markets ?? []) this.#books?.remove(m);
      }
    }
    handle.sids.clear();
    handle.needs.clear();
    handle.inflight.clear();
    this.#handles.delete(handle.key);
    this.#resubscribes.forget(handle.key);
  }

  #rejectWaiting(handle: Handle, error: Error): void {
    for (const op of handle.deferred.splice(0)) this.#reject(op.request, error);
    for (const request of handle.resyncWaiters.splice(0)) this.#reject(request, error);
  }

  /** The user's unsubscribe of `handle` is done (acknowledged, or moot without a connection). */
  #finishUnsubscribe(handle: Handle, request: RequestId | undefined): void {
    handle.status = "closed";
    if (this.#books !== undefined && handle.channels.includes(ORDERBOOK)) {
      const markets = handle.sids.get(ORDERBOOK)?.markets ?? handle.markets ?? new Set();
      for (const m of markets) this.#books.remove(m);
    }
    handle.sids.clear();
    handle.needs.clear();
    handle.inflight.clear();
    this.#handles.delete(handle.key);
    this.#resubscribes.forget(handle.key);
    const error = new KalshiWsError(`Subscription ${handle.key} was unsubscribed`);
    if (!handle.established) this.#reject(handle.key, error);
    this.#rejectWaiting(handle, error);
    this.#events.push({ type: "unsubscribed", key: handle.key });
    if (request !== undefined) this.#resolve(request, { command: "unsubscribe", key: handle.key });
  }

  /** Drops a sid the session no longer wants: its frames are ignored until Kalshi confirms. */
  #discard(state: State, now: number): void {
    if (state.discarding || !this.#table.sids.has(state.sid)) return;
    state.discarding = true;
    this.#send(unsubscribeCommand([state.sid]), DISCARD, now);
  }

  /** A sid of `handle` died or is being replaced: subscribe its channel again, paced. */
  #replace(handle: Handle, state: State, reason: ResubscribeReason, now: number): void {
    this.#invalidateBooks(state);
    if (handle.sids.get(state.channel) === state) handle.sids.delete(state.channel);
    if (handle.status !== "live") return;
    this.#discard(state, now);
    handle.needs.add(state.channel);
    handle.reason = reason;
    this.#resubscribes.unhealthy(handle.key, now);
    if (handle.retryAt === undefined || handle.retryAt <= now) this.#schedule(handle, reason, now);
  }

  /** Paces the next automatic re-subscribe of `handle` and announces it. */
  #schedule(handle: Handle, reason: ResubscribeReason, now: number): void {
    const { attempt, delayMs } = this.#resubscribes.next(handle.key);
    handle.retryAt = now + delayMs;
    this.#events.push({ type: "resubscribe_scheduled", key: handle.key, attempt, delayMs, reason });
  }

  // -------------------------------------------------------------------------------------------
  // Responses

  #response(message: ResponseMessage, now: number): void {
    const t = this.#table.receive(message);
    const state = t.state;
    if (state !== undefined && t.seq !== SeqVerdict.Ok && t.kind !== "unsubscribed") {
      if (t.seq === SeqVerdict.Gap) this.#gap(state, t.expected, t.received, now);
      else this.#anomaly(state, t.expected, t.received);
    }
    const tag = t.command?.tag;
    switch (t.kind) {
      case "subscribed":
        this.#subscribed(t, message.type === "ok", now);
        break;
      case "subscribe_failed": {
        const command = t.command!;
        if (command.kind === "subscribe" && tag?.purpose === "subscribe") {
          this.#subscribeFailed(tag.handle, command.channels, command.acked, t.error!, now);
        }
        break;
      }
      case "orphan":
        this.#discard(state!, now);
        break;
      case "unsubscribed":
        this.#unsubscribed(t, now);
        break;
      case "updated":
        if (tag?.purpose === "update") this.#updated(tag.handle, tag.op, state);
        break;
      case "listed":
        if (tag?.purpose === "list") {
          this.#resolve(tag.request, {
            command: "list_subscriptions",
            subscriptions: t.subscriptions!,
          });
        }
        break;
      case "command_failed":
        this.#commandFailed(t.command!, t.error!, now);
        break;
      case "subscription_error":
      case "error":
        this.#events.push({
          type: "server_error",
          key: state?.owner?.key,
          sid: t.error!.sid,
          error: t.error!,
          terminal: t.terminal,
        });
        break;
      case "ignored":
        break;
    }
    if (t.terminal && state !== undefined && state.owner !== undefined) {
      if (t.kind === "command_failed") {
        this.#events.push({
          type: "server_error",
          key: state.owner.key,
          sid: state.sid,
          error: t.error!,
          terminal: true,
        });
      }
      this.#replace(state.owner, state, "terminal_error", now);
    }
  }

  #unsubscribed(t: Transition<Handle, Tag>, now: number): void {
    const state = t.state;
    const tag = t.command?.tag;
    if (tag?.purpose === "unsubscribe") {
      if (t.complete) this.#finishUnsubscribe(tag.handle, tag.request);
    } else if (tag === undefined && state?.owner !== undefined && !state.discarding) {
      // Kalshi ended a sid nobody asked to end: restore it.
      this.#replace(state.owner, state, "server_unsubscribed", now);
      return;
    }
    this.#pump(now); // a channel may have become free
  }

  #updated(handle: Handle, op: UserOp, state: State | undefined): void {
    if (op.kind !== "add_markets" && op.kind !== "delete_markets") return;
    if (state?.markets !== undefined) {
      handle.markets = new Set(state.markets);
    } else if (handle.markets !== undefined) {
      for (const t of op.tickers) {
        if (op.kind === "add_markets") handle.markets.add(t);
        else handle.markets.delete(t);
      }
    }
    if (op.kind === "delete_markets" && state !== undefined && state.channel === ORDERBOOK) {
      for (const t of op.tickers) {
        state.awaiting?.delete(t);
        this.#books?.remove(t);
      }
    }
    op.remaining--;
    if (op.remaining <= 0) this.#settleMarketOp(handle, op);
  }

  #commandFailed(command: Pending, error: ServerError, now: number): void {
    const tag = command.tag;
    switch (tag.purpose) {
      case "update":
        if (tag.op.kind === "add_markets" || tag.op.kind === "delete_markets") {
          if (command.kind === "update" && tag.op.kind === "add_markets") {
            this.#notAdded(command.sid, command.markets);
          }
          if (!tag.op.settled) {
            tag.op.settled = true;
            this.#reject(tag.op.request, error);
          }
        }
        return;
      case "resync":
        if (command.kind === "update") this.#resyncFailed(command.sid, now);
        return;
      case "unsubscribe":
        if (error.code === ErrorCode.UnknownSid) {
          // Kalshi no longer has it: the subscription is gone, which is what was asked.
          for (const s of tag.handle.sids.values()) this.#table.forget(s.sid);
          this.#finishUnsubscribe(tag.handle, tag.request);
          this.#pump(now);
        } else {
          tag.handle.status = "live";
          this.#reject(tag.request, error);
        }
        return;
      case "discard":
        if (command.kind === "unsubscribe") {
          for (const sid of command.remaining) this.#table.forget(sid);
        }
        this.#pump(now);
        return;
      case "list":
        this.#reject(tag.request, error);
        return;
      case "subscribe":
      case "probe":
        return;
    }
  }

  /** An `add_markets` failed: stop waiting for snapshots of markets the sid does not have. */
  #notAdded(sid: number, markets: readonly string[]): void {
    const state = this.#table.sids.get(sid);
    const awaiting = state?.awaiting;
    if (state === undefined || awaiting === undefined || awaiting.size === 0) return;
    for (const t of markets) if (!state.markets?.has(t)) awaiting.delete(t);
    if (awaiting.size === 0) this.#trusted(state);
  }

  #timedOut(command: Pending, now: number): void {
    const tag = command.tag;
    const error = new CommandTimeoutError(command.body.cmd, this.#commandTimeoutMs);
    switch (tag.purpose) {
      case "subscribe":
        if (command.kind === "subscribe") {
          for (const c of command.channels) tag.handle.inflight.delete(c);
          this.#subscribeFailed(tag.handle, command.channels, command.acked, error, now);
        }
        return;
      case "unsubscribe":
        tag.handle.status = "live";
        this.#reject(tag.request, error);
        return;
      case "update":
        if (
          (tag.op.kind === "add_markets" || tag.op.kind === "delete_markets") && !tag.op.settled
        ) {
          tag.op.settled = true;
          this.#reject(tag.op.request, error);
        }
        if (command.kind === "update" && tag.op.kind === "add_markets") {
          this.#notAdded(command.sid, command.markets); // a late `ok` brings its own snapshots
        }
        if (command.kind === "update" && tag.op.kind === "delete_markets") {
          // Kalshi may have removed them after all: their books are no longer known to be
          // fed. Ask for snapshots; if they are gone, that fails and the channel is renewed.
          const state = this.#table.sids.get(command.sid);
          if (state !== undefined && state.channel === ORDERBOOK) {
            this.#startResync(state, command.markets.filter((m) => state.markets?.has(m)), now);
          }
        }
        return;
      case "resync":
        if (command.kind === "update") {
          const state = this.#table.sids.get(command.sid);
          const missing = command.markets.some((m) => state?.awaiting?.has(m));
          if (missing) this.#resyncFailed(command.sid, now);
        }
        return;
      case "list":
        this.#reject(tag.request, error);
        return;
      case "discard":
        if (command.kind === "unsubscribe") {
          for (const sid of command.remaining) this.#table.forget(sid); // give up on it
        }
        this.#pump(now);
        return;
      case "probe":
        return;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Data path

  #data(
    message: DataMessage | UnknownMessage,
    sid: number | undefined,
    seq: number | undefined,
    now: number,
  ): void {
    const state = sid === undefined ? undefined : this.#table.sids.get(sid);
    if (state === undefined) {
      this.#events.push({ type: "data", key: undefined, sid, message });
      return;
    }
    if (state.discarding) return;
    if (seq !== undefined && !this.#sequenced(state, seq, now)) return;
    this.#events.push({ type: "data", key: state.owner?.key, sid, message });
  }

  /**
   * Counts a frame's `seq` on its sid: a gap is reported (and, on a book sid, repaired) and the
   * frame kept; a duplicate or regression is reported as an anomaly and the frame dropped.
   * Returns whether to keep the frame.
   */
  #sequenced(state: State, seq: number, now: number): boolean {
    const expected = state.lastSeq + 1;
    const verdict = checkSeq(state, seq);
    if (verdict === SeqVerdict.Ok) return true;
    if (verdict === SeqVerdict.Stale) {
      this.#anomaly(state, expected, seq);
      return false;
    }
    this.#gap(state, expected, seq, now);
    return true;
  }

  #delta(message: Extract<DataMessage, { type: "orderbook_delta" }>, now: number): void {
    const state = this.#table.sids.get(message.sid);
    if (state === undefined) {
      this.#events.push({ type: "data", key: undefined, sid: message.sid, message });
      return;
    }
    if (state.discarding || !this.#sequenced(state, message.seq, now)) return;
    const market = message.msg.market_ticker;
    if (state.awaiting !== undefined && state.awaiting.has(market)) return; // held: book untrusted
    if (this.#books !== undefined && !this.#books.applyDelta(message.msg)) {
      this.#events.push({
        type: "book_invalid",
        key: state.owner?.key,
        sid: state.sid,
        marketTicker: market,
        cause: "delta",
      });
      this.#startResync(state, [market], now);
      return;
    }
    this.#events.push({ type: "data", key: state.owner?.key, sid: state.sid, message });
  }

  #snapshot(message: Extract<DataMessage, { type: "orderbook_snapshot" }>, now: number): void {
    const state = this.#table.sids.get(message.sid);
    if (state === undefined) {
      this.#events.push({ type: "data", key: undefined, sid: message.sid, message });
      return;
    }
    if (state.discarding || !this.#sequenced(state, message.seq, now)) return;
    const market = message.msg.market_ticker;
    if (state.markets !== undefined && !state.markets.has(market)) state.markets.add(market);
    const useYesPrice = state.owner?.useYesPrice ?? false;
    if (this.#books !== undefined && !this.#books.applySnapshot(message.msg, useYesPrice)) {
      (state.awaiting ??= new Set()).add(market);
      this.#events.push({
        type: "book_invalid",
        key: state.owner?.key,
        sid: state.sid,
        marketTicker: market,
        cause: "snapshot",
      });
      return;
    }
    this.#events.push({ type: "data", key: state.owner?.key, sid: state.sid, message });
    const awaiting = state.awaiting;
    if (awaiting === undefined || !awaiting.delete(market) || awaiting.size > 0) return;
    this.#trusted(state);
  }

  /** Every market of an order-book sid is trusted again: end its repair, answer waiters. */
  #trusted(state: State): void {
    this.#snapshotDeadlines.delete(state);
    for (const command of [...this.#table.pendingCommands()]) {
      if (
        command.kind === "update" && command.sid === state.sid && command.tag.purpose === "resync"
      ) {
        this.#table.complete(command.id);
      }
    }
    if (state.resyncing) {
      state.resyncing = false;
      this.#events.push({
        type: "resynced",
        key: state.owner?.key,
        sid: state.sid,
        markets: [...(state.markets ?? [])],
      });
    }
    const owner = state.owner;
    if (owner !== undefined) {
      for (const request of owner.resyncWaiters.splice(0)) {
        this.#resolve(request, { command: "resync", key: owner.key });
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Healing

  #gap(state: State, expected: number, received: number, now: number): void {
    this.#events.push({
      type: "gap",
      key: state.owner?.key,
      sid: state.sid,
      channel: state.channel,
      expected,
      received,
    });
    if (state.channel === ORDERBOOK && state.markets !== undefined && state.markets.size > 0) {
      this.#startResync(state, [...state.markets], now);
    }
  }

  #anomaly(state: State, expected: number, received: number): void {
    this.#events.push({
      type: "seq_anomaly",
      key: state.owner?.key,
      sid: state.sid,
      channel: state.channel,
      expected,
      received,
    });
  }

  /** Invalidates `markets` of an order-book sid and asks for their snapshots (`get_snapshot`). */
  #startResync(state: State, markets: readonly string[], now: number): void {
    if (markets.length === 0) return;
    const awaiting = state.awaiting ??= new Set();
    for (const m of markets) {
      this.#books?.invalidate(m);
      awaiting.add(m);
    }
    state.resyncing = true;
    if (state.discarding || !this.#connected) return;
    this.#send(
      getSnapshotCommand(state.sid, markets),
      { purpose: "resync", handle: state.owner },
      now,
    );
  }

  /** `get_snapshot` failed or timed out: unsubscribe and subscribe the channel afresh. */
  #resyncFailed(sid: number, now: number): void {
    const state = this.#table.sids.get(sid);
    if (state === undefined || state.discarding) return;
    for (const command of [...this.#table.pendingCommands()]) {
      if (command.kind === "update" && command.sid === sid && command.tag.purpose === "resync") {
        this.#table.complete(command.id);
      }
    }
    if (state.owner === undefined) {
      this.#discard(state, now);
      return;
    }
    this.#replace(state.owner, state, "resync_failed", now);
  }

  #invalidateBooks(state: State): void {
    if (this.#books === undefined || state.channel !== ORDERBOOK) return;
    for (const m of state.markets ?? []) this.#books.invalidate(m);
  }
}

function notActive(key: SubscriptionKey): KalshiWsError {
  return new KalshiWsError(`Cannot run request on subscription ${key}: subscription is not active`);
}
