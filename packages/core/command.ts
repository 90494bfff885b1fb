/**
 * Client → server commands: wire-named parameter types, builders, and a validating encoder.
 *
 * A {@linkcode CommandBody} is a command without its `id`; the session allocates ids per
 * connection and calls {@linkcode encodeCommand}. Everything Kalshi would reject with a user
 * error (codes 2–4, 8, 11–15, 19–22, 24, 28) that can be known without server state is rejected
 * here first, with a {@linkcode CommandError} that names the parameter.
 *
 * @example
 * ```ts
 * import { encodeCommand, subscribe } from "./command.ts";
 * encodeCommand(1, subscribe({ channels: ["orderbook_delta"], market_tickers: ["KXA-1"] }));
 * // '{"id":1,"cmd":"subscribe","params":{"channels":["orderbook_delta"],"market_tickers":["KXA-1"]}}'
 * ```
 *
 * @module
 */

import type { Channel, UpdateAction } from "./channel.ts";
import { CommandError } from "./errors.ts";

/** `subscribe` parameters, named as on the wire (see the protocol reference §4.1). */
export interface SubscribeParams {
  /** Channels to subscribe to (at least one); each gets its own `subscribed` reply and sid. */
  readonly channels: readonly Channel[];
  /** A single market (exclusive with `market_tickers`). */
  readonly market_ticker?: string;
  /** Several markets (at least one; exclusive with `market_ticker`). */
  readonly market_tickers?: readonly string[];
  /** A single market by UUID: `ticker` channel only, exclusive with every other market field. */
  readonly market_id?: string;
  /** Several markets by UUID: `ticker` channel only, exclusive with every other market field. */
  readonly market_ids?: readonly string[];
  /** `ticker` only: send one `ticker` message per requested market right away. */
  readonly send_initial_snapshot?: boolean;
  /** Later `ok` replies for this subscription omit the market lists. */
  readonly skip_ticker_ack?: boolean;
  /** `orderbook_delta` only: report NO-side levels at YES-leg prices. */
  readonly use_yes_price?: boolean;
  /** `communications` only: `"self"` limits RFQ events to RFQs you created. */
  readonly user_filter?: "" | "self";
  /** `communications` only: number of shards, 1..100. */
  readonly shard_factor?: number;
  /** `communications` only: this connection's shard, 0..shard_factor-1 (needs `shard_factor`). */
  readonly shard_key?: number;
  /** `cfbenchmarks_value`/`cfbenchmarks_value_5hz` only: index ids to seed (`["all"]` = every). */
  readonly index_ids?: readonly string[];
  /** `pyth_value` only: underlyings to seed (`["all"]` = every). */
  readonly underlying_tickers?: readonly string[];
}

/** `unsubscribe` parameters: the sids to cancel (at least one). */
export interface UnsubscribeParams {
  /** Subscription ids, each answered by one `unsubscribed` frame. */
  readonly sids: readonly number[];
}

/**
 * `update_subscription` parameters. Target exactly one subscription with `sid` or a one-element
 * `sids` (not both); which other fields are allowed depends on `action`.
 */
export interface UpdateSubscriptionParams {
  /** The subscription to update (alternative to `sids`). */
  readonly sid?: number;
  /** A one-element array holding the subscription to update (alternative to `sid`). */
  readonly sids?: readonly number[];
  /** What to do; see {@linkcode UPDATE_ACTIONS} and each channel's `updateActions`. */
  readonly action: UpdateAction;
  /** `add_markets`/`delete_markets`: a single market. */
  readonly market_ticker?: string;
  /** `add_markets`/`delete_markets`/`get_snapshot`: several markets. */
  readonly market_tickers?: readonly string[];
  /** `add_markets`/`delete_markets` on `ticker`: a single market by UUID. */
  readonly market_id?: string;
  /** `add_markets`/`delete_markets` on `ticker`: several markets by UUID. */
  readonly market_ids?: readonly string[];
  /** `add_markets` on `ticker`: send a `ticker` message for each added market. */
  readonly send_initial_snapshot?: boolean;
  /** `subscribe_indices`/`unsubscribe_indices`: CF Benchmarks index ids (`["all"]` = every). */
  readonly index_ids?: readonly string[];
  /** `subscribe_underlyings`/`unsubscribe_underlyings`: Pyth underlyings (`["all"]` = every). */
  readonly underlying_tickers?: readonly string[];
}

/** A `subscribe` command without its id. */
export interface SubscribeCommand {
  /** The command name. */
  readonly cmd: "subscribe";
  /** What to subscribe to. */
  readonly params: SubscribeParams;
}

/** An `unsubscribe` command without its id. */
export interface UnsubscribeCommand {
  /** The command name. */
  readonly cmd: "unsubscribe";
  /** Which subscriptions to cancel. */
  readonly params: UnsubscribeParams;
}

/** An `update_subscription` command without its id. */
export interface UpdateSubscriptionCommand {
  /** The command name. */
  readonly cmd: "update_subscription";
  /** Target subscription, action and its arguments. */
  readonly params: UpdateSubscriptionParams;
}

/** A `list_subscriptions` command without its id (it has no params). */
export interface ListSubscriptionsCommand {
  /** The command name. */
  readonly cmd: "list_subscriptions";
}

/**
 * A command without its `id`: what callers build and the session queues. The session allocates
 * the id per connection and encodes with {@linkcode encodeCommand}.
 */
export type CommandBody =
  | SubscribeCommand
  | UnsubscribeCommand
  | UpdateSubscriptionCommand
  | ListSubscriptionsCommand;

/** A command name (`cmd`). */
export type CommandName = CommandBody["cmd"];

/** Builds a `subscribe` command (validated when encoded). */
export function subscribe(params: SubscribeParams): SubscribeCommand {
  return { cmd: "subscribe", params };
}

/** Builds an `unsubscribe` command for `sids`. */
export function unsubscribe(sids: readonly number[]): UnsubscribeCommand {
  return { cmd: "unsubscribe", params: { sids: [...sids] } };
}

/** Builds an `update_subscription` command from raw params (prefer the specific builders). */
export function updateSubscription(params: UpdateSubscriptionParams): UpdateSubscriptionCommand {
  return { cmd: "update_subscription", params };
}

/** Options of {@linkcode addMarkets}. */
export interface AddMarketsOptions {
  /** `ticker` only: send a `ticker` message for each added market. */
  readonly sendInitialSnapshot?: boolean;
}

/** Builds `add_markets` for subscription `sid`: adds `tickers` (the reply lists all markets). */
export function addMarkets(
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
export function deleteMarkets(sid: number, tickers: readonly string[]): UpdateSubscriptionCommand {
  return {
    cmd: "update_subscription",
    params: { sid, action: "delete_markets", market_tickers: [...tickers] },
  };
}

/**
 * Builds `get_snapshot` for an `orderbook_delta` subscription: Kalshi re-sends an
 * `orderbook_snapshot` per ticker on the same sid (the gap-repair path), changing nothing else.
 */
export function getSnapshot(sid: number, tickers: readonly string[]): UpdateSubscriptionCommand {
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
export function updateIndices(
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
export function updateUnderlyings(
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
export function listSubscriptions(): ListSubscriptionsCommand {
  return { cmd: "list_subscriptions" };
}

/**
 * Checks `body` as Kalshi would, without server state, and throws {@linkcode CommandError}
 * naming the first problem.
 */
export function validateCommand(body: CommandBody): void {
  void body;
  throw new CommandError("Cannot validate command: not implemented yet");
}

/**
 * Checks `update_subscription` params against the channel of the target subscription (action
 * supported, market ids only on `ticker`), after {@linkcode validateCommand}'s checks.
 */
export function validateUpdate(channel: Channel, params: UpdateSubscriptionParams): void {
  void channel;
  void params;
  throw new CommandError("Cannot validate command: not implemented yet");
}

/** Validates `body` and returns the frame text `{"id":…,"cmd":…,"params":{…}}`. */
export function encodeCommand(id: number, body: CommandBody): string {
  validateCommand(body);
  return JSON.stringify({ id, ...body });
}
