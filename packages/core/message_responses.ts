/**
 * Command responses (`subscribed`, `unsubscribed`, `ok` and its `list_subscriptions` shape,
 * `error`): their types and the decoder's checks of what the subscription table relies on (the
 * sid a `subscribed` names, the lists an `ok` carries, an `error`'s code and text).
 *
 * @module
 */

import { DecodeError } from "./errors.ts";
import { invalid, isIndex, isObject, NO_SID_ZERO, type Obj } from "./message_common.ts";

/** Payload of `subscribed`: the channel and the new subscription's sid. */
export interface SubscribedMsg {
  /** Channel name as sent in `subscribe` (a string: future channels stay decodable). */
  readonly channel: string;
  /** Server-assigned subscription id, unique within the connection. */
  readonly sid: number;
}

/** `subscribed`: one per channel of a `subscribe` command; no `seq`. */
export interface SubscribedMessage {
  /** Discriminant. */
  readonly type: "subscribed";
  /** Echo of the command id. */
  readonly id?: number;
  /** Channel and sid. */
  readonly msg: SubscribedMsg;
}

/** `unsubscribed`: one per sid of an `unsubscribe`; `sid`/`seq` are top-level, no `msg`. */
export interface UnsubscribedMessage {
  /** Discriminant. */
  readonly type: "unsubscribed";
  /** Echo of the command id. */
  readonly id?: number;
  /** The cancelled subscription. */
  readonly sid: number;
  /** Takes the subscription's next sequence number (absent in some older frames). */
  readonly seq?: number;
}

/**
 * Payload of an `ok` answering `update_subscription` (or an idempotent re-`subscribe`): the
 * full resulting filter. Which list is present depends on the channel; market lists are
 * omitted with `skip_ticker_ack`.
 */
export interface OkMsg {
  /** Markets of the subscription after the update. */
  readonly market_tickers?: readonly string[];
  /** Market UUIDs of the subscription after the update (`ticker` channel). */
  readonly market_ids?: readonly string[];
  /** CF Benchmarks index filter after the update (`["all"]` in all-mode). */
  readonly index_ids?: readonly string[];
  /** Pyth underlying filter after the update (`["all"]` in all-mode). */
  readonly underlying_tickers?: readonly string[];
}

/** `ok` acknowledging a subscription change; carries `sid`/`seq` when subscription-scoped. */
export interface OkMessage {
  /** Discriminant (shared with {@linkcode ListSubscriptionsMessage}: test `Array.isArray(msg)`). */
  readonly type: "ok";
  /** Echo of the command id. */
  readonly id?: number;
  /** The updated subscription. */
  readonly sid?: number;
  /** Consumes the subscription's next sequence number. */
  readonly seq?: number;
  /** Resulting filter lists; may be absent. */
  readonly msg?: OkMsg;
}

/** One entry of the `list_subscriptions` reply. */
export interface SubscriptionEntry {
  /** Channel name. */
  readonly channel: string;
  /** Its sid. */
  readonly sid: number;
}

/**
 * `ok` answering `list_subscriptions`: `msg` is an array. The legacy top-level `subscriptions`
 * array is moved into `msg` by the decoder.
 */
export interface ListSubscriptionsMessage {
  /** Discriminant (shared with {@linkcode OkMessage}: test `Array.isArray(msg)`). */
  readonly type: "ok";
  /** Echo of the command id. */
  readonly id?: number;
  /** Active subscriptions. */
  readonly msg: readonly SubscriptionEntry[];
}

/** Payload of `error`: Kalshi's numeric code and text (see the protocol reference §5). */
export interface ErrorMsg {
  /** Error code (e.g. 8 = unknown channel, 10/25 = terminal subscription errors). */
  readonly code: number;
  /** Error text, e.g. `"Unknown channel name"`. */
  readonly msg: string;
  /** Market the error concerns, when it concerns one. */
  readonly market_ticker?: string;
  /** Markets the error concerns. */
  readonly market_tickers?: readonly string[];
  /** Market UUID the error concerns (legacy schema). */
  readonly market_id?: string;
}

/** `error`: answers a command (`id`) or concerns a subscription (`sid`, and `seq` if sequenced). */
export interface ErrorMessage {
  /** Discriminant. */
  readonly type: "error";
  /** The command it answers. */
  readonly id?: number;
  /** The subscription it concerns. */
  readonly sid?: number;
  /** Sequence number on sid-scoped errors of sequenced channels. */
  readonly seq?: number;
  /** Code and text. */
  readonly msg: ErrorMsg;
}

/** A command response's `type`. */
export type ResponseType = "subscribed" | "unsubscribed" | "ok" | "error";

/**
 * Checks a response frame of `type` for what the subscription table relies on: a `subscribed`
 * names a channel and a positive sid, an `unsubscribed` a sid, an `ok` well-formed lists (the
 * legacy top-level `subscriptions` array is moved into `msg`), an `error` an integer code and a
 * text.
 */
export function checkResponse(frame: Obj, type: ResponseType, text: string): void {
  switch (type) {
    case "subscribed": {
      const msg = frame.msg;
      if (!isObject(msg)) throw invalid(type, "msg", "an object", msg, text);
      if (typeof msg.channel !== "string") {
        throw invalid(type, "msg.channel", "a string", msg.channel, text);
      }
      if (!isIndex(msg.sid)) {
        throw invalid(type, "msg.sid", "a non-negative integer", msg.sid, text);
      }
      if (msg.sid === 0) throw new DecodeError(NO_SID_ZERO, text);
      return;
    }
    case "unsubscribed":
      if (frame.sid === undefined) throw invalid(type, "sid", "present", undefined, text);
      return;
    case "ok":
      checkOk(frame, text);
      return;
    case "error": {
      const msg = frame.msg;
      if (!isObject(msg)) throw invalid(type, "msg", "an object", msg, text);
      if (!Number.isSafeInteger(msg.code)) {
        throw invalid(type, "msg.code", "an integer", msg.code, text);
      }
      if (typeof msg.msg !== "string") throw invalid(type, "msg.msg", "a string", msg.msg, text);
      return;
    }
  }
}

const OK_LISTS = ["market_tickers", "market_ids", "index_ids", "underlying_tickers"] as const;

function checkOk(frame: Obj, text: string): void {
  let msg = frame.msg;
  if (msg === undefined && Array.isArray(frame.subscriptions)) {
    // Legacy list_subscriptions reply: the array was top-level `subscriptions`.
    msg = frame.msg = frame.subscriptions;
  }
  if (msg === undefined) return;
  if (Array.isArray(msg)) {
    for (let i = 0; i < msg.length; i++) {
      const entry: unknown = msg[i];
      if (!isObject(entry)) throw invalid("ok", `msg[${i}]`, "an object", entry, text);
      if (typeof entry.channel !== "string") {
        throw invalid("ok", `msg[${i}].channel`, "a string", entry.channel, text);
      }
      if (!isIndex(entry.sid)) {
        throw invalid("ok", `msg[${i}].sid`, "a non-negative integer", entry.sid, text);
      }
      if (entry.sid === 0) throw new DecodeError(NO_SID_ZERO, text);
    }
    return;
  }
  if (!isObject(msg)) throw invalid("ok", "msg", "an object or an array", msg, text);
  for (const key of OK_LISTS) {
    const list = msg[key];
    if (list !== undefined && !Array.isArray(list)) {
      throw invalid("ok", `msg.${key}`, "an array", list, text);
    }
  }
}
