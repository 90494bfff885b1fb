/**
 * What the client reports: {@linkcode ClientEvent}, derived from the core's `SessionEvent` so
 * the two cannot drift. The only differences, made in one place ({@linkcode toClientEvent},
 * {@linkcode dataEvent}):
 *
 * - a session event's `key` becomes `subscription`, the user's {@linkcode Subscription} handle;
 * - `connected` adds the URL and whether it is a reconnection, `disconnected` whether the
 *   client will reconnect (facts of the connection loop, which the session does not know);
 * - `command_result` (settles the promise of a call) and `dead` (the link is replaced) are the
 *   client's business and never shown;
 * - three events only the client can raise: `reconnecting`, `lagged` (a stream fell behind) and
 *   `closed`.
 *
 * @module
 */

import type {
  DataEvent,
  DataMessage,
  SessionEvent,
  SubscriptionKey,
  UnknownMessage,
} from "@kalshi-ws/core";
import type { Subscription } from "./subscription.ts";

/** Session events the client consumes itself: never shown to users. */
export type EngineEvent = Extract<SessionEvent, { readonly type: "command_result" | "dead" }>;

/** A session event a user sees (in the session's words). */
export type ReportedSessionEvent = Exclude<SessionEvent, EngineEvent>;

/** What the client adds to some session events. */
interface Additions {
  readonly connected: {
    /** The URL. */
    readonly url: string;
    /** Whether this is a reconnection. */
    readonly reconnected: boolean;
  };
  readonly disconnected: {
    /** Whether the client will reconnect. */
    readonly willReconnect: boolean;
  };
}

/** A session event with its `key` replaced by the `subscription` handle it names. */
type WithHandle<E> = E extends { readonly key: SubscriptionKey } ? Omit<E, "key"> & {
    /** The subscription. */
    readonly subscription: Subscription;
  }
  : E extends { readonly key: SubscriptionKey | undefined } ? Omit<E, "key"> & {
      /** The subscription it concerns (`undefined` for a sid the client does not know). */
      readonly subscription: Subscription | undefined;
    }
  : E;

/** The user's view of one session event (distributes over the union). */
type Reported<E> = E extends { readonly type: infer T }
  ? WithHandle<E> & (T extends keyof Additions ? Additions[T] : unknown)
  : never;

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

/** A reconnection attempt is scheduled. */
interface ReconnectingEvent {
  /** Discriminant. */
  readonly type: "reconnecting";
  /** Consecutive attempt number (1 = first retry since the last stable connection). */
  readonly attempt: number;
  /** Delay before the attempt (ms). */
  readonly delayMs: number;
  /** Why the previous attempt failed (e.g. a handshake timeout); `undefined` after a drop. */
  readonly error: Error | undefined;
}

/** A stream dropped data because its reader fell behind (only in the stream concerned). */
interface LaggedEvent {
  /** Discriminant. */
  readonly type: "lagged";
  /** The subscription whose data was dropped, if known. */
  readonly subscription: Subscription | undefined;
  /** How many messages were dropped. */
  readonly dropped: number;
  /** The markets concerned (for `"resync"`: held until their fresh snapshots arrive). */
  readonly markets: readonly string[];
}

/** The client closed for good. */
interface ClosedEvent {
  /** Discriminant. */
  readonly type: "closed";
  /** Why, when it was not a requested close. */
  readonly error: Error | undefined;
}

/**
 * Everything the client reports, discriminated on `type`: the session's events (see the core's
 * `SessionEvent`: `data`, `connected`, `disconnected`, `subscribed`, `resubscribed`,
 * `resubscribe_scheduled`, `unsubscribed`, `subscription_lost`, `gap`, `seq_anomaly`,
 * `book_invalid`, `resynced`, `server_error`, `decode_error`, `probe`, `drift`) with
 * `subscription` handles instead of keys, plus `reconnecting`, `lagged` and `closed`.
 */
export type ClientEvent =
  | DataClientEvent
  | Reported<Exclude<ReportedSessionEvent, DataEvent>>
  | ReconnectingEvent
  | LaggedEvent
  | ClosedEvent;

/** A {@linkcode ClientEvent} `type`. */
export type ClientEventType = ClientEvent["type"];

/** A listener for events of type `K` (`"*"`: every event). */
export type ClientListener<K extends ClientEventType | "*"> = (
  event: K extends "*" ? ClientEvent : Extract<ClientEvent, { type: K }>,
) => void;

/** Facts of the connection loop that some events carry. */
export interface LinkFacts {
  /** The URL. */
  readonly url: string;
  /** Connections opened so far (a `connected` with more than one is a reconnection). */
  readonly opens: number;
  /** Whether the client will reconnect after a drop. */
  readonly willReconnect: boolean;
}

/** The `data` event of a session data event (the per-frame path: one object, no copying). */
export function dataEvent(event: DataEvent, subscription: Subscription | undefined): ClientEvent {
  return { type: "data", subscription, sid: event.sid, message: event.message };
}

/**
 * The user's view of a non-data session event: `key` replaced by `subscription`, plus the
 * connection facts `connected` and `disconnected` carry. Field order is the session's.
 */
export function toClientEvent(
  event: Exclude<ReportedSessionEvent, DataEvent>,
  subscription: Subscription | undefined,
  link: LinkFacts,
): ClientEvent {
  switch (event.type) {
    case "connected":
      return { type: "connected", url: link.url, reconnected: link.opens > 1 };
    case "disconnected":
      return { ...event, willReconnect: link.willReconnect };
    default: {
      if (!("key" in event)) return event;
      const { type, key: _key, ...fields } = event;
      return { type, subscription, ...fields } as ClientEvent;
    }
  }
}
