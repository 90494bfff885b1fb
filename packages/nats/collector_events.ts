/**
 * What a collector reports: its events (also published to `<prefix>.events.<id>`) and the
 * one-line text of the Kalshi client's events among them.
 *
 * @module
 */

import type { ClientEvent } from "@kalshi-ws/client";

/**
 * What a collector's close did, and what its deadline left undone (`close()` resolves with it;
 * the last event, `closed`, carries it too).
 */
export interface CollectorCloseReport {
  /** Nothing left undone: every message acknowledged and every lease handed over. */
  readonly complete: boolean;
  /** Markets handed over (lease deleted): other collectors claim them on their next tick. */
  readonly released: readonly string[];
  /**
   * Markets whose leases were left to expire, as after a crash (`release: false`, or NATS not
   * answering by the deadline): they free up within the lease TTL of their last renewal.
   */
  readonly expiring: readonly string[];
  /**
   * Messages JetStream had not acknowledged by the deadline (buffered or in flight; with
   * `release: false`, everything buffered), dropped with the close. Some in flight may have been
   * stored; consumers see the rest as a gap of the books, until the next collector's snapshot.
   */
  readonly unpublished: number;
  /** How long the close took (ms). */
  readonly durationMs: number;
}

/** What a collector reports. */
export type CollectorEvent =
  | ({
    /**
     * The collector closed (the last event; heard by `onEvent` only, not published): what was
     * handed over and what was left.
     */
    readonly type: "closed";
  } & CollectorCloseReport)
  | {
    /** This collector now covers `market` (a fresh snapshot follows). */
    readonly type: "lease_acquired";
    /** The market. */
    readonly market: string;
  }
  | {
    /** This collector handed `market` over (to its preferred collector, or on shutdown). */
    readonly type: "lease_released";
    /** The market. */
    readonly market: string;
  }
  | {
    /** `market`'s lease expired or was taken: this collector stopped covering it. */
    readonly type: "lease_lost";
    /** The market. */
    readonly market: string;
  }
  | {
    /** JetStream stopped acknowledging: messages are buffered (up to `bufferSize`). */
    readonly type: "publish_stalled";
    /** Why. */
    readonly error: string;
    /** Messages buffered. */
    readonly queued: number;
  }
  | {
    /** JetStream acknowledges again; fresh snapshots of every market follow. */
    readonly type: "publish_resumed";
    /** How long it was away (ms). */
    readonly stalledMs: number;
    /** Messages still buffered. */
    readonly queued: number;
  }
  | {
    /** Buffered messages are waiting (JetStream slow or away): reported once a second. */
    readonly type: "lag";
    /** Messages buffered. */
    readonly queued: number;
    /** Age of the oldest buffered message (ms). */
    readonly lagMs: number;
  }
  | {
    /** The buffer was full: messages were dropped (books recover with fresh snapshots). */
    readonly type: "lagged";
    /** Messages dropped since the last report. */
    readonly dropped: number;
    /** Messages buffered. */
    readonly queued: number;
    /** Age of the oldest buffered message (ms). */
    readonly lagMs: number;
  }
  | {
    /** A Kalshi connection event (connected, disconnected, gap, resynced, …). */
    readonly type: "kalshi";
    /** The client event's type. */
    readonly event: string;
    /** A one-line description. */
    readonly detail: string;
  }
  | {
    /** Something failed and is retried (a lease tick, a subscription change). */
    readonly type: "error";
    /** The message. */
    readonly error: string;
  };

const MAX_EVENT_TEXT = 300;

/** A one-line description of a Kalshi client event (at most 300 characters). */
export function describeClientEvent(event: Exclude<ClientEvent, { type: "data" }>): string {
  let text: string;
  switch (event.type) {
    case "connected":
      text = event.reconnected ? "reconnected" : "connected";
      break;
    case "disconnected":
      text = `code ${event.code}${event.reason === "" ? "" : ` ${event.reason}`}`;
      break;
    case "reconnecting":
      text = `attempt ${event.attempt} in ${event.delayMs} ms`;
      break;
    case "gap":
    case "seq_anomaly":
      text =
        `sid ${event.sid} ${event.channel}: expected seq ${event.expected}, got ${event.received}`;
      break;
    case "book_invalid":
      text = `${event.marketTicker} (${event.cause})`;
      break;
    case "resynced":
      text = `sid ${event.sid}: ${event.markets.join(" ")}`;
      break;
    case "server_error":
      text = `Kalshi error ${event.error.code}: ${event.error.message}`;
      break;
    case "subscription_lost":
      text = event.error.message;
      break;
    case "closed":
      text = event.error?.message ?? "closed";
      break;
    case "lagged":
      text = `${event.dropped} dropped`;
      break;
    case "decode_error":
      text = event.error.message;
      break;
    default:
      text = event.type;
  }
  return text.length > MAX_EVENT_TEXT ? text.slice(0, MAX_EVENT_TEXT) + "…" : text;
}
