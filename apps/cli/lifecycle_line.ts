/**
 * Lifecycle events (gap, resynced, reconnecting, ...) as NDJSON lines for `stream`: plain
 * objects whose `type` is the event name, which never collides with a Kalshi data message type.
 *
 * @module
 */

import type { ClientEvent } from "@kalshi-ws/client";
import { redactUrl } from "./redact.ts";

/** A lifecycle line: `type` plus the event's fields in wire-style snake_case. */
export type LifecycleLine = { readonly type: string; readonly [field: string]: unknown };

/** The line for a non-data client event, or undefined for events not worth a line. */
export function lifecycleLine(event: ClientEvent): LifecycleLine | undefined {
  switch (event.type) {
    case "data":
      return undefined;
    case "connected":
      return { type: "connected", url: redactUrl(event.url), reconnected: event.reconnected };
    case "disconnected":
      return {
        type: "disconnected",
        code: event.code,
        reason: event.reason,
        will_reconnect: event.willReconnect,
      };
    case "reconnecting":
      return {
        type: "reconnecting",
        attempt: event.attempt,
        delay_ms: Math.round(event.delayMs),
        ...(event.error === undefined ? {} : { error: event.error.message }),
      };
    case "subscribed":
      return { type: "subscribed", sids: event.sids };
    case "resubscribed":
      return { type: "resubscribed", sids: event.sids, reason: event.reason };
    case "resubscribe_scheduled":
      return {
        type: "resubscribe_scheduled",
        attempt: event.attempt,
        delay_ms: Math.round(event.delayMs),
        reason: event.reason,
      };
    case "unsubscribed":
      return { type: "unsubscribed" };
    case "subscription_lost":
      return { type: "subscription_lost", error: event.error.message };
    case "gap":
    case "seq_anomaly":
      return {
        type: event.type,
        sid: event.sid,
        channel: event.channel,
        expected: event.expected,
        received: event.received,
      };
    case "book_invalid":
      return {
        type: "book_invalid",
        sid: event.sid,
        market_ticker: event.marketTicker,
        cause: event.cause,
      };
    case "resynced":
      return { type: "resynced", sid: event.sid, market_tickers: event.markets };
    case "lagged":
      return { type: "lagged", dropped: event.dropped, market_tickers: event.markets };
    case "server_error":
      return {
        type: "server_error",
        sid: event.sid ?? null,
        code: event.error.code,
        message: event.error.message,
        terminal: event.terminal,
      };
    case "decode_error":
      return { type: "decode_error", message: event.error.message };
    case "probe":
      return { type: "probe" };
    case "drift":
      return {
        type: "drift",
        kind: event.kind,
        message_type: event.messageType,
        field: event.field ?? null,
        example: event.example,
      };
    case "closed":
      return undefined;
  }
}
