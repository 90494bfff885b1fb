/**
 * What every part of a session shares, and the few primitives they act through: queue an event
 * ({@linkcode SessionContext.emit}), send a command with its purpose
 * ({@linkcode SessionContext.send}), open and settle a user request
 * ({@linkcode SessionContext.newRequest}, {@linkcode SessionContext.resolve},
 * {@linkcode SessionContext.reject}).
 *
 * Every command the session sends carries a {@linkcode Purpose}: why it was sent. Each purpose has
 * exactly one {@linkcode PurposeHandler} — in the module that sends it — saying what each way the
 * command can end means for it (answered, refused, timed out, lost with the connection, aborted).
 * {@linkcode SessionContext.handlerOf} is the one table from purpose to handler.
 *
 * The parts (the resubscribe plan, book repair, user requests, liveness) are created here, in
 * dependency order, and reach each other through this context.
 *
 * @module
 */

import type { BookKeeper } from "./book_keeper.ts";
import { BookRepair } from "./book_repair.ts";
import type { CommandBody } from "./command.ts";
import { encodeCommand } from "./command_validation.ts";
import type { CommandTimeoutError, ServerError } from "./errors.ts";
import { Fifo } from "./fifo.ts";
import { RequestDeadlines } from "./request_deadlines.ts";
import { ResubscribePlan } from "./resubscribe_plan.ts";
import type { BackoffOptions } from "./backoff.ts";
import type { CommandValue, RequestId, SessionEvent, SubscriptionKey } from "./session_events.ts";
import { LinkWatch } from "./session_liveness.ts";
import { UserRequests } from "./session_requests.ts";
import type { Handle, MarketRequest } from "./subscription_handle.ts";
import { SubscriptionTable } from "./subscriptions.ts";
import type { PendingCommand, Transition } from "./subscription_transitions.ts";

/** A `subscribe` the resubscribe plan sent for a handle's channels. */
export interface SubscribePurpose {
  /** Discriminant. */
  readonly purpose: "subscribe";
  /** The subscription it (re-)creates. */
  readonly handle: Handle;
}

/** The user's `unsubscribe` of every sid of a handle. */
export interface UnsubscribePurpose {
  /** Discriminant. */
  readonly purpose: "unsubscribe";
  /** The subscription. */
  readonly handle: Handle;
  /** The user's request. */
  readonly request: RequestId;
}

/** One sid's `add_markets`/`delete_markets` of the user's market request. */
export interface UpdatePurpose {
  /** Discriminant. */
  readonly purpose: "update";
  /** The subscription. */
  readonly handle: Handle;
  /** The user's request (one command per sid). */
  readonly op: MarketRequest;
}

/** A `get_snapshot` repairing an order-book sid. */
export interface ResyncPurpose {
  /** Discriminant. */
  readonly purpose: "resync";
  /** The owner of the sid, if any. */
  readonly handle: Handle | undefined;
}

/** The user's `list_subscriptions`. */
export interface ListPurpose {
  /** Discriminant. */
  readonly purpose: "list";
  /** The user's request. */
  readonly request: RequestId;
}

/** An `unsubscribe` of a sid nobody wants any more (replaced, orphaned, failed). */
export interface DiscardPurpose {
  /** Discriminant. */
  readonly purpose: "discard";
}

/** A `list_subscriptions` sent as a liveness probe (any inbound frame answers it). */
export interface ProbePurpose {
  /** Discriminant. */
  readonly purpose: "probe";
}

/** Why the session sent a command. */
export type Purpose =
  | SubscribePurpose
  | UnsubscribePurpose
  | UpdatePurpose
  | ResyncPurpose
  | ListPurpose
  | DiscardPurpose
  | ProbePurpose;

/** A command of this session awaiting its answer. */
export type Pending = PendingCommand<Handle, Purpose>;

/** A response's effect on this session's table. */
export type SessionTransition = Transition<Handle, Purpose>;

/** The transitions that answer a command: it (or one channel of it) succeeded. */
export type Answer = Extract<
  SessionTransition,
  { readonly kind: "subscribed" | "unsubscribed" | "updated" | "listed" }
>;

/** What each way a command can end means for one purpose. */
export interface PurposeHandler<P extends Purpose> {
  /** Kalshi answered it (for a multi-channel subscribe: once per channel). */
  answered(purpose: P, answer: Answer, now: number): void;
  /** Kalshi refused it with `error` (the command is no longer pending). */
  refused(purpose: P, command: Pending, error: ServerError, now: number): void;
  /** No answer came within its deadline (the command is no longer pending). */
  timedOut(purpose: P, command: Pending, error: CommandTimeoutError, now: number): void;
  /** The connection closed with it in flight: its answer will never come. */
  lost(purpose: P, command: Pending, now: number): void;
  /** The session gave up (`abort`) with it in flight. */
  aborted(purpose: P, command: Pending, reason: Error): void;
}

/** The handler of every purpose. */
type PurposeHandlers = {
  readonly [K in Purpose["purpose"]]: PurposeHandler<Purpose & { purpose: K }>;
};

/** Settings the parts read. */
export interface ContextOptions {
  /** Local order books to keep in step. */
  readonly books: BookKeeper | undefined;
  /** How long (ms) a command and a request may go unanswered. */
  readonly commandTimeoutMs: number;
  /** Pacing of automatic re-subscribes. */
  readonly resubscribe: BackoffOptions | undefined;
  /** Liveness windows. */
  readonly idleMs: number | undefined;
  /** How long (ms) a probe may go unanswered. */
  readonly probeTimeoutMs: number | undefined;
}

/** The shared state of one session, its primitives and its parts. */
export class SessionContext {
  /** Local books, if the user keeps them. */
  readonly books: BookKeeper | undefined;
  /** Command and request timeout (ms). */
  readonly commandTimeoutMs: number;
  /** Every subscription the user has (live, being restored, or being unsubscribed). */
  readonly handles: Map<SubscriptionKey, Handle> = new Map();
  /** Events waiting for `pollEvent`. */
  readonly events: Fifo<SessionEvent> = new Fifo();
  /** Frames waiting for `pollTransmit`. */
  readonly transmit: Fifo<string> = new Fifo();
  /** Sids and pending commands of the current connection. */
  table: SubscriptionTable<Handle, Purpose> = new SubscriptionTable();
  /** Between `opened` and `closed`. */
  connected = false;
  /** Open user requests and their deadlines. */
  readonly deadlines: RequestDeadlines = new RequestDeadlines();

  /** Which subscriptions need a `subscribe`, when, and what a (re-)subscribe's outcome means. */
  readonly plan: ResubscribePlan;
  /** Books kept in step with their sids: snapshots, deltas, gaps and their repair. */
  readonly repair: BookRepair;
  /** The user's requests on existing subscriptions, and `list_subscriptions`. */
  readonly requests: UserRequests;
  /** Probes a quiet link and declares it dead. */
  readonly liveness: LinkWatch;

  #nextCommandId = 0;
  #nextRequest = 0;
  readonly #handlers: PurposeHandlers;

  /** Creates the context and its parts. */
  constructor(options: ContextOptions) {
    this.books = options.books;
    this.commandTimeoutMs = options.commandTimeoutMs;
    this.plan = new ResubscribePlan(this, options.resubscribe);
    this.repair = new BookRepair(this);
    this.requests = new UserRequests(this);
    this.liveness = new LinkWatch(this, options.idleMs, options.probeTimeoutMs);
    this.#handlers = {
      subscribe: this.plan.subscribeHandler,
      discard: this.plan.discardHandler,
      unsubscribe: this.requests.unsubscribeHandler,
      update: this.requests.updateHandler,
      list: this.requests.listHandler,
      resync: this.repair.resyncHandler,
      probe: this.liveness.probeHandler,
    };
  }

  /** The handler of `purpose` (one per purpose). */
  handlerOf<P extends Purpose>(purpose: P): PurposeHandler<P> {
    return this.#handlers[purpose.purpose] as unknown as PurposeHandler<P>;
  }

  /** A new connection: command ids restart, the table is empty. */
  newConnection(): void {
    this.connected = true;
    this.#nextCommandId = 0;
    this.table = new SubscriptionTable();
  }

  /** Queues an event for `pollEvent`. */
  emit(event: SessionEvent): void {
    this.events.push(event);
  }

  /**
   * Encodes `body` with the next command id, queues it for `pollTransmit` and tracks it with its
   * `purpose` until it is answered or times out (`now + timeoutMs`). Returns the command id.
   */
  send(
    body: CommandBody,
    purpose: Purpose,
    now: number,
    timeoutMs = this.commandTimeoutMs,
  ): number {
    const id = ++this.#nextCommandId;
    this.transmit.push(encodeCommand(id, body));
    this.table.track(id, body, purpose, now + timeoutMs);
    return id;
  }

  /** A new request id whose deadline runs from `now` (see {@linkcode RequestDeadlines}). */
  newRequest(command: string, now: number): RequestId {
    const request = ++this.#nextRequest;
    this.deadlines.track(request, command, now + this.commandTimeoutMs);
    return request;
  }

  /** Settles `request` with `value` (once: a request that expired stays expired). */
  resolve(request: RequestId, value: CommandValue): void {
    if (!this.deadlines.settle(request)) return;
    this.events.push({ type: "command_result", request, ok: true, value });
  }

  /** Settles `request` with `error` (once). */
  reject(request: RequestId, error: Error): void {
    if (!this.deadlines.settle(request)) return;
    this.events.push({ type: "command_result", request, ok: false, error });
  }
}
