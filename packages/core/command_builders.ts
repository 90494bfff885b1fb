/**
 * Builders of client → server commands ({@linkcode CommandBody}s without an id), one per command
 * and `update_subscription` action, named `*Command` so they never read like the client's
 * methods (`client.subscribe()` subscribes; `subscribeCommand()` only builds the command).
 * Arrays are copied, so later caller mutation cannot leak in; validation happens when the command
 * is encoded (or call `validateCommand` to fail early).
 *
 * @example
 * ```ts
 * import { subscribeCommand } from "./command_builders.ts";
 * import { encodeCommand } from "./command_validation.ts";
 * encodeCommand(1, subscribeCommand({ channels: ["orderbook_delta"], market_tickers: ["KXA-1"] }));
 * // '{"id":1,"cmd":"subscribe","params":{"channels":["orderbook_delta"],"market_tickers":["KXA-1"]}}'
 * ```
 *
 * @module
 */

import type {
  ListSubscriptionsCommand,
  SubscribeCommand,
  SubscribeParams,
  UnsubscribeCommand,
  UpdateSubscriptionCommand,
  UpdateSubscriptionParams,
} from "./command.ts";

/** A shallow copy of `params` with its arrays copied, so later caller mutation cannot leak in. */
function copyParams<P extends object>(params: P): P {
  if (typeof params !== "object" || params === null) return params;
  const copy = { ...params } as Record<string, unknown>;
  for (const key in copy) {
    const value = copy[key];
    if (Array.isArray(value)) copy[key] = value.slice();
  }
  return copy as P;
}

/**
 * Builds a `subscribe` command (arrays copied; validated when encoded, or call
 * `validateCommand` to fail early).
 */
export function subscribeCommand(params: SubscribeParams): SubscribeCommand {
  return { cmd: "subscribe", params: copyParams(params) };
}

/** Builds an `unsubscribe` command for `sids`. */
export function unsubscribeCommand(sids: readonly number[]): UnsubscribeCommand {
  return { cmd: "unsubscribe", params: { sids: [...sids] } };
}

/** Builds an `update_subscription` command from raw params (prefer the specific builders). */
export function updateSubscriptionCommand(
  params: UpdateSubscriptionParams,
): UpdateSubscriptionCommand {
  return { cmd: "update_subscription", params: copyParams(params) };
}

/** Options of {@linkcode addMarketsCommand}. */
export interface AddMarketsOptions {
  /** `ticker` only: send a `ticker` message for each added market. */
  readonly sendInitialSnapshot?: boolean;
}

/** Builds `add_markets` for subscription `sid`: adds `tickers` (the reply lists all markets). */
export function addMarketsCommand(
  sid: number,
  tickers: readonly string[],
  options: AddMarketsOptions = {},
): UpdateSubscriptionCommand {
  const params: UpdateSubscriptionParams = options.sendInitialSnapshot === undefined
    ? { sid, action: "add_markets", market_tickers: [...tickers] }
    : {
      sid,
      action: "add_markets",
      market_tickers: [...tickers],
      send_initial_snapshot: options.sendInitialSnapshot,
    };
  return { cmd: "update_subscription", params };
}

/** Builds `delete_markets` for subscription `sid`: removes `tickers` from it. */
export function deleteMarketsCommand(
  sid: number,
  tickers: readonly string[],
): UpdateSubscriptionCommand {
  return {
    cmd: "update_subscription",
    params: { sid, action: "delete_markets", market_tickers: [...tickers] },
  };
}

/**
 * Builds `get_snapshot` for an `orderbook_delta` subscription: Kalshi re-sends an
 * `orderbook_snapshot` per ticker on the same sid (the gap-repair path), changing nothing else.
 */
export function getSnapshotCommand(
  sid: number,
  tickers: readonly string[],
): UpdateSubscriptionCommand {
  return {
    cmd: "update_subscription",
    params: { sid, action: "get_snapshot", market_tickers: [...tickers] },
  };
}

/**
 * Builds an index action for a `cfbenchmarks_value`/`cfbenchmarks_value_5hz` subscription:
 * `"subscribe"`/`"unsubscribe"` change the tracked `indexIds`; `"list"` (`indexlist`) asks for
 * the available ids without changing anything.
 */
export function updateIndicesCommand(
  sid: number,
  operation: "subscribe" | "unsubscribe" | "list",
  indexIds?: readonly string[],
): UpdateSubscriptionCommand {
  if (operation === "list") {
    return { cmd: "update_subscription", params: { sid, action: "indexlist" } };
  }
  return {
    cmd: "update_subscription",
    params: {
      sid,
      action: operation === "subscribe" ? "subscribe_indices" : "unsubscribe_indices",
      index_ids: indexIds === undefined ? [] : [...indexIds],
    },
  };
}

/**
 * Builds an underlying action for a `pyth_value` subscription: `"subscribe"`/`"unsubscribe"`
 * change the tracked `underlyingTickers`; `"list"` (`underlying_list`) asks for the recently
 * streamed ones without changing anything.
 */
export function updateUnderlyingsCommand(
  sid: number,
  operation: "subscribe" | "unsubscribe" | "list",
  underlyingTickers?: readonly string[],
): UpdateSubscriptionCommand {
  if (operation === "list") {
    return { cmd: "update_subscription", params: { sid, action: "underlying_list" } };
  }
  return {
    cmd: "update_subscription",
    params: {
      sid,
      action: operation === "subscribe" ? "subscribe_underlyings" : "unsubscribe_underlyings",
      underlying_tickers: underlyingTickers === undefined ? [] : [...underlyingTickers],
    },
  };
}

/** Builds `list_subscriptions` (reply: `ok` with `msg` = `[{channel, sid}]`; also a cheap probe). */
export function listSubscriptionsCommand(): ListSubscriptionsCommand {
  return { cmd: "list_subscriptions" };
}
