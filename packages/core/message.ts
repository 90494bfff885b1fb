/**
 * Server → client messages behind one decoder: {@linkcode decodeMessage} parses a frame into a
 * {@linkcode ServerMessage}, a union discriminated on `type` whose members live in one module per
 * channel family — command responses (`message_responses.ts`), `orderbook_delta`
 * (`message_orderbook.ts`), `ticker`/`trade` (`message_market_data.ts`), the private user
 * channels (`message_user_data.ts`), the lifecycle channels (`message_lifecycle.ts`),
 * `communications` (`message_communications.ts`), the value feeds (`message_value_feeds.ts`) and
 * removed channels (`message_legacy.ts`), with the shared field types and checks in
 * `message_common.ts`.
 *
 * The decoder returns the parsed object itself (no copy). It checks only what the library relies
 * on (envelope integers, `subscribed`/`error` essentials, order-book levels) and keeps every other
 * field as sent: Kalshi marks fields required that real frames omit, so most payload fields are
 * typed optional where reality shows them missing. Unknown `type`s become
 * {@linkcode UnknownMessage}, never lost; protocol drift is counted by `field_check.ts`.
 *
 * @example
 * ```ts
 * import { decodeMessage } from "./message.ts";
 * const m = decodeMessage('{"type":"subscribed","id":1,"msg":{"channel":"ticker","sid":3}}');
 * if (m.type === "subscribed") m.msg.sid; // 3
 * ```
 *
 * @module
 */

import type { DriftLog } from "./drift.ts";
import { DecodeError } from "./errors.ts";
import { checkFields } from "./field_check.ts";
import { checkData, describe, isIndex, isObject, NO_SID_ZERO } from "./message_common.ts";
import { checkDelta, checkSnapshot } from "./message_orderbook.ts";
import { checkResponse } from "./message_responses.ts";
import type {
  QuoteAcceptedMessage,
  QuoteCreatedMessage,
  QuoteExecutedMessage,
  RfqCreatedMessage,
  RfqDeletedMessage,
} from "./message_communications.ts";
import type { MultivariateLookupMessage, TickerV2Message } from "./message_legacy.ts";
import type {
  EventFeeUpdateMessage,
  EventLifecycleMessage,
  MarketLifecycleV2Message,
  MultivariateMarketLifecycleMessage,
} from "./message_lifecycle.ts";
import type { TickerMessage, TradeMessage } from "./message_market_data.ts";
import type { OrderbookDeltaMessage, OrderbookSnapshotMessage } from "./message_orderbook.ts";
import type {
  ErrorMessage,
  ListSubscriptionsMessage,
  OkMessage,
  SubscribedMessage,
  UnsubscribedMessage,
} from "./message_responses.ts";
import type {
  FillMessage,
  MarketPositionMessage,
  OrderGroupUpdatesMessage,
  UserOrderMessage,
} from "./message_user_data.ts";
import type {
  Cfbenchmarks5HzIndexListMessage,
  CfbenchmarksIndexListMessage,
  CfbenchmarksValue5HzMessage,
  CfbenchmarksValueMessage,
  PythUnderlyingListMessage,
  PythValueMessage,
} from "./message_value_feeds.ts";

/** A frame whose `type` this library does not know: kept whole, never dropped. */
export interface UnknownMessage {
  /** Discriminant. */
  readonly type: "unknown";
  /** The frame's actual `type`. */
  readonly wireType: string;
  /** The parsed frame. */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** Every data message (a channel's payload on a sid), current and legacy. */
export type DataMessage =
  | OrderbookSnapshotMessage
  | OrderbookDeltaMessage
  | TickerMessage
  | TradeMessage
  | FillMessage
  | MarketPositionMessage
  | UserOrderMessage
  | OrderGroupUpdatesMessage
  | MarketLifecycleV2Message
  | MultivariateMarketLifecycleMessage
  | EventLifecycleMessage
  | EventFeeUpdateMessage
  | RfqCreatedMessage
  | RfqDeletedMessage
  | QuoteCreatedMessage
  | QuoteAcceptedMessage
  | QuoteExecutedMessage
  | CfbenchmarksValueMessage
  | CfbenchmarksIndexListMessage
  | CfbenchmarksValue5HzMessage
  | Cfbenchmarks5HzIndexListMessage
  | PythValueMessage
  | PythUnderlyingListMessage
  | TickerV2Message
  | MultivariateLookupMessage;

/** A `type` of a {@linkcode DataMessage}. */
export type DataMessageType = DataMessage["type"];

/** A response to a command: `subscribed`, `unsubscribed`, `ok` (both shapes) or `error`. */
export type ResponseMessage =
  | SubscribedMessage
  | UnsubscribedMessage
  | OkMessage
  | ListSubscriptionsMessage
  | ErrorMessage;

/** Anything {@linkcode decodeMessage} returns, discriminated on `type`. */
export type ServerMessage = ResponseMessage | DataMessage | UnknownMessage;

/** Every data-message `type` the decoder knows (current and legacy), for dispatch and routing. */
export const DATA_MESSAGE_TYPES = [
  "orderbook_snapshot",
  "orderbook_delta",
  "ticker",
  "trade",
  "fill",
  "market_position",
  "user_order",
  "order_group_updates",
  "market_lifecycle_v2",
  "multivariate_market_lifecycle",
  "event_lifecycle",
  "event_fee_update",
  "rfq_created",
  "rfq_deleted",
  "quote_created",
  "quote_accepted",
  "quote_executed",
  "cfbenchmarks_value",
  "cfbenchmarks_value_indexlist",
  "cfbenchmarks_value_5hz",
  "cfbenchmarks_value_5hz_indexlist",
  "pyth_value",
  "pyth_value_underlying_list",
  "ticker_v2",
  "multivariate_lookup",
] as const satisfies readonly DataMessageType[];

// Compile-time check that the list above names every DataMessage type.
type _MissingDataType = Exclude<DataMessageType, typeof DATA_MESSAGE_TYPES[number]>;
const _allDataTypesListed: [_MissingDataType] extends [never] ? true : _MissingDataType = true;
void _allDataTypesListed;

const DATA_TYPES: ReadonlySet<string> = new Set(DATA_MESSAGE_TYPES);

/** Whether `message` is a channel data message (not a response and not unknown). */
export function isDataMessage(message: ServerMessage): message is DataMessage {
  return DATA_TYPES.has(message.type);
}

/** Whether `message` is the `list_subscriptions` reply (an `ok` whose `msg` is an array). */
export function isListSubscriptionsReply(
  message: ServerMessage,
): message is ListSubscriptionsMessage {
  return message.type === "ok" && Array.isArray(message.msg);
}

/**
 * Parses one text frame into a {@linkcode ServerMessage}; see the module doc for the rules.
 * A frame in a retired format (a current field missing, its retired twin present, e.g. a
 * snapshot with only integer-cent `yes`/`no` ladders) is a {@linkcode DecodeError} naming the
 * retired field. With `drift`, unknown types, channels and fields and retired fields are
 * counted there (`drift.ts`).
 */
export function decodeMessage(text: string, drift?: DriftLog): ServerMessage {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch (error) {
    throw new DecodeError(`invalid JSON (${(error as Error).message})`, text, { cause: error });
  }
  if (!isObject(frame)) {
    throw new DecodeError(`expected a JSON object, got ${describe(frame)}`, text);
  }
  const type = frame.type;
  if (typeof type !== "string") {
    throw new DecodeError(`"type" must be a string, got ${describe(type)}`, text);
  }
  if (frame.id !== undefined && !isIndex(frame.id)) {
    throw new DecodeError(`"id" must be a non-negative integer, got ${describe(frame.id)}`, text);
  }
  if (frame.sid !== undefined && !isIndex(frame.sid)) {
    throw new DecodeError(`"sid" must be a non-negative integer, got ${describe(frame.sid)}`, text);
  }
  if (frame.sid === 0) throw new DecodeError(NO_SID_ZERO, text);
  if (frame.seq !== undefined && !isIndex(frame.seq)) {
    throw new DecodeError(`"seq" must be a non-negative integer, got ${describe(frame.seq)}`, text);
  }
  checkFields(frame, type, text, drift);
  switch (type) {
    case "orderbook_delta":
      checkDelta(frame, text);
      break;
    case "orderbook_snapshot":
      checkSnapshot(frame, text);
      break;
    case "subscribed":
    case "unsubscribed":
    case "ok":
    case "error":
      checkResponse(frame, type, text);
      break;
    default:
      if (!DATA_TYPES.has(type)) {
        drift?.record("unknown_type", type, undefined, frame, text);
        return { type: "unknown", wireType: type, raw: frame };
      }
      checkData(frame, type, text);
  }
  return frame as unknown as ServerMessage;
}
