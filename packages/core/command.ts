/**
 * Client → server commands as types, named as on the wire: the parameters of each command and
 * {@linkcode CommandBody}, a command without its `id`.
 *
 * The words for "a command" across the core:
 * - a **command** is one wire command (`cmd` + `params`); a {@linkcode CommandBody} is one
 *   without its per-connection `id`, built by `command_builders.ts` and turned into frame text by
 *   `encodeCommand` (`command_validation.ts`), which refuses anything Kalshi would reject;
 * - a **pending command** (`PendingCommand`, `subscriptions.ts`) is a sent command awaiting its
 *   answers on one connection;
 * - a **purpose** (`session_requests.ts`) says why the session sent a command;
 * - a **request** (`RequestId`) is what the user asked the session for; it may take several
 *   commands, or none, and is settled by exactly one `command_result` event.
 * - the connection lifecycle's `LifecycleCommand`s are instructions to the client's driver
 *   (open or close a socket), never sent to Kalshi.
 *
 * @module
 */

import type { Channel } from "./channel.ts";
import type { CommandName, UpdateAction } from "./command_actions.ts";

export type { CommandName };

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
