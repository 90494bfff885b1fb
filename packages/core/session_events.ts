/**
 * What a session reports: every {@linkcode SessionEvent} (discriminated on `type`) and the ids
 * they carry — a {@linkcode SubscriptionKey} (the user's subscription, stable across reconnects)
 * and a {@linkcode RequestId} (one user request, settled by exactly one `command_result`).
 *
 * The session queues these in order; the client polls them (`Session.pollEvent`) and turns them
 * into its own events and promise settlements.
 *
 * @module
 */

import type { DriftEvent } from "./drift.ts";
import type { DecodeError, ServerError } from "./errors.ts";
import type { DataMessage, UnknownMessage } from "./message.ts";
import type { SubscriptionEntry } from "./message_responses.ts";

/** A user-level subscription handle: stable across reconnects (unlike sids). */
export type SubscriptionKey = number;

/**
 * A session-level request id, answered by exactly one `command_result` event. Not the wire `id`
 * (those restart per connection, and queued requests have none yet).
 */
export type RequestId = number;

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
  /** Why: Kalshi's error, or a `CommandTimeoutError`. */
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

/** The `BookKeeper` refused a frame: that market's book is invalid until repaired. */
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
   * the market stays invalid until another snapshot, e.g. from `Session.resync`). */
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
    /** `ServerError` (Kalshi's code), `CommandTimeoutError`, or `KalshiWsError`. */
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
