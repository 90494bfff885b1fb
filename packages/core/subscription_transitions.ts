/**
 * The vocabulary of the {@linkcode SubscriptionTable}: what it remembers of a sent command until
 * it is answered ({@linkcode PendingCommand}, one shape per command), and what a response frame
 * did ({@linkcode Transition}, one shape per outcome, discriminated on `kind`, carrying exactly the
 * fields that apply to it).
 *
 * @module
 */

import type { CommandBody, SubscribeParams, UpdateSubscriptionParams } from "./command.ts";
import type { ServerError } from "./errors.ts";
import type { SubscriptionEntry } from "./message_responses.ts";
import type { SeqVerdict, SidState } from "./subscriptions.ts";

/** Fields every pending command has. `T` is the tag the session attaches (why it was sent). */
export interface PendingBase<T> {
  /** Wire command id (per connection). */
  readonly id: number;
  /** The command as sent. */
  readonly body: CommandBody;
  /** Caller context. */
  readonly tag: T;
  /** When the command times out (caller's clock), or `Infinity` for none. */
  deadline: number;
}

/** A `subscribe` awaiting its `subscribed` frames. */
export interface PendingSubscribe<O, T> extends PendingBase<T> {
  /** Discriminant. */
  readonly kind: "subscribe";
  /** Its parameters. */
  readonly params: SubscribeParams;
  /** Channels requested. */
  readonly channels: readonly string[];
  /** Sids acknowledged so far, in arrival order. */
  readonly acked: SidState<O>[];
}

/** An `unsubscribe` awaiting one `unsubscribed` per sid. */
export interface PendingUnsubscribe<T> extends PendingBase<T> {
  /** Discriminant. */
  readonly kind: "unsubscribe";
  /** Sids not yet acknowledged. */
  readonly remaining: Set<number>;
}

/** An `update_subscription` awaiting its `ok` (and, for `get_snapshot`, its snapshots). */
export interface PendingUpdate<T> extends PendingBase<T> {
  /** Discriminant. */
  readonly kind: "update";
  /** Target sid. */
  readonly sid: number;
  /** The action. */
  readonly action: UpdateSubscriptionParams["action"];
  /** Markets named by the command. */
  readonly markets: readonly string[];
  /** Whether the `ok` arrived (for `get_snapshot`, completion is decided by the caller). */
  acknowledged: boolean;
}

/** A `list_subscriptions` awaiting its array reply. */
export interface PendingList<T> extends PendingBase<T> {
  /** Discriminant. */
  readonly kind: "list";
}

/** Any command awaiting its answer. */
export type PendingCommand<O, T> =
  | PendingSubscribe<O, T>
  | PendingUnsubscribe<T>
  | PendingUpdate<T>
  | PendingList<T>;

/**
 * A response frame's `seq` out of order on its sid: a gap (`received > expected`) or a
 * duplicate/regression (`received < expected`). In-order frames and frames without a `seq` have
 * none.
 */
export interface OutOfOrder<O> {
  /** The sid the frame counted on. */
  readonly state: SidState<O>;
  /** `Gap` or `Stale`. */
  readonly verdict: typeof SeqVerdict.Gap | typeof SeqVerdict.Stale;
  /** The seq that should have come. */
  readonly expected: number;
  /** The seq that came. */
  readonly received: number;
}

/** What every {@linkcode Transition} carries: its frame's `seq` verdict, when out of order. */
export interface TransitionBase<O> {
  /** Set when the frame's `seq` was out of order on a known sid. */
  readonly outOfOrder: OutOfOrder<O> | undefined;
}

/** A `subscribed` (or a merging `ok`) answered a pending `subscribe`: `state` is the sid. */
export interface SubscribedTransition<O, T> extends TransitionBase<O> {
  /** Discriminant. */
  readonly kind: "subscribed";
  /** The subscribe it answered. */
  readonly command: PendingSubscribe<O, T>;
  /** Whether every channel of the subscribe is answered now (the command is no longer pending). */
  readonly complete: boolean;
  /** The new (or merged-into) sid. */
  readonly state: SidState<O>;
  /** Kalshi answered with `ok`: it merged the subscribe into an existing sid of the channel. */
  readonly merged: boolean;
}

/** An `error` answered a pending `subscribe`; `command.acked` lists the sids already created. */
export interface SubscribeFailedTransition<O, T> extends TransitionBase<O> {
  /** Discriminant. */
  readonly kind: "subscribe_failed";
  /** The subscribe it answered (no longer pending). */
  readonly command: PendingSubscribe<O, T>;
  /** The sid the error names, if it names a known one. */
  readonly state: SidState<O> | undefined;
  /** Kalshi's error. */
  readonly error: ServerError;
  /** Whether the error kills `state` (a terminal code on a sid). */
  readonly terminal: boolean;
}

/** An `unsubscribed` removed `state` (answering `command`, when one was pending). */
export interface UnsubscribedTransition<O, T> extends TransitionBase<O> {
  /** Discriminant. */
  readonly kind: "unsubscribed";
  /** The unsubscribe it answered, or `undefined` when Kalshi ended the sid unasked. */
  readonly command: PendingUnsubscribe<T> | undefined;
  /** Whether `command` is now fully answered. */
  readonly complete: boolean;
  /** The sid that ended (`undefined` when the table had forgotten it; `command` is then set). */
  readonly state: SidState<O> | undefined;
}

/** An `ok` answered a pending `update_subscription`; `state.markets` is updated. */
export interface UpdatedTransition<O, T> extends TransitionBase<O> {
  /** Discriminant. */
  readonly kind: "updated";
  /** The update it answered. */
  readonly command: PendingUpdate<T>;
  /** Whether the update is done (`get_snapshot` stays pending: its snapshots follow). */
  readonly complete: boolean;
  /** The updated sid, if known. */
  readonly state: SidState<O> | undefined;
}

/** An `ok` array answered a pending `list_subscriptions`. */
export interface ListedTransition<O, T> extends TransitionBase<O> {
  /** Discriminant. */
  readonly kind: "listed";
  /** The list command it answered (no longer pending). */
  readonly command: PendingList<T>;
  /** Kalshi's entries. */
  readonly subscriptions: readonly SubscriptionEntry[];
}

/** An `error` answered a pending command other than `subscribe` (no longer pending). */
export interface CommandFailedTransition<O, T> extends TransitionBase<O> {
  /** Discriminant. */
  readonly kind: "command_failed";
  /** The command it answered. */
  readonly command: PendingUnsubscribe<T> | PendingUpdate<T> | PendingList<T>;
  /** The sid the error names, if it names a known one. */
  readonly state: SidState<O> | undefined;
  /** Kalshi's error. */
  readonly error: ServerError;
  /** Whether the error kills `state`. */
  readonly terminal: boolean;
}

/** An `error` scoped to a sid and no pending command. */
export interface SubscriptionErrorTransition<O> extends TransitionBase<O> {
  /** Discriminant. */
  readonly kind: "subscription_error";
  /** The sid, if known (`error.sid` names it either way). */
  readonly state: SidState<O> | undefined;
  /** Kalshi's error. */
  readonly error: ServerError;
  /** Whether the error kills the sid (then it is gone from the table). */
  readonly terminal: boolean;
}

/** An `error` with neither a pending command nor a sid. */
export interface ErrorTransition<O> extends TransitionBase<O> {
  /** Discriminant. */
  readonly kind: "error";
  /** Kalshi's error. */
  readonly error: ServerError;
}

/** A `subscribed` nobody is waiting for (late, after a timeout): `state` should be discarded. */
export interface OrphanTransition<O> extends TransitionBase<O> {
  /** Discriminant. */
  readonly kind: "orphan";
  /** The unwanted sid (in the table, without owner). */
  readonly state: SidState<O>;
}

/** A frame with nothing left to do (a late `ok`, an `unsubscribed` for an unknown sid). */
export interface IgnoredTransition<O> extends TransitionBase<O> {
  /** Discriminant. */
  readonly kind: "ignored";
}

/**
 * What a response frame did ({@linkcode SubscriptionTable.receive}), discriminated on `kind`:
 * each kind carries exactly the fields that apply to it.
 */
export type Transition<O, T> =
  | SubscribedTransition<O, T>
  | SubscribeFailedTransition<O, T>
  | UnsubscribedTransition<O, T>
  | UpdatedTransition<O, T>
  | ListedTransition<O, T>
  | CommandFailedTransition<O, T>
  | SubscriptionErrorTransition<O>
  | ErrorTransition<O>
  | OrphanTransition<O>
  | IgnoredTransition<O>;

/** A {@linkcode Transition} kind. */
export type TransitionKind = Transition<unknown, unknown>["kind"];
