/**
 * Kalshi's command vocabulary in one table: the commands (`cmd`) the WebSocket API knows and,
 * for `update_subscription`, every action with the parameters it takes and requires
 * ({@linkcode UPDATE_ACTION_INFO}). Which channel supports which action is a channel fact
 * (`CHANNEL_INFO[channel].updateActions`); the validator, the builders and the simulator derive
 * from these two tables.
 *
 * Source: the official AsyncAPI (`*CommandPayload` schemas) and the protocol reference §4.
 *
 * @example
 * ```ts
 * import { UPDATE_ACTION_INFO } from "./command_actions.ts";
 * UPDATE_ACTION_INFO.get_snapshot.requires; // ["market_tickers"]
 * ```
 *
 * @module
 */

/** The commands Kalshi's WebSocket API knows (`cmd`), in the spec's order. */
export const COMMAND_NAMES = [
  "subscribe",
  "unsubscribe",
  "update_subscription",
  "list_subscriptions",
] as const;

/** A command name (`cmd`). */
export type CommandName = typeof COMMAND_NAMES[number];

/** Whether `name` is a command Kalshi knows (a type guard for untrusted input). */
export function isCommandName(name: unknown): name is CommandName {
  return typeof name === "string" && (COMMAND_NAMES as readonly string[]).includes(name);
}

/** A parameter of an `update_subscription` action (besides `sid`/`sids`/`action`). */
export type UpdateActionParam =
  | "market_ticker"
  | "market_tickers"
  | "market_id"
  | "market_ids"
  | "send_initial_snapshot"
  | "index_ids"
  | "underlying_tickers";

/** What one `update_subscription` action takes. */
export interface UpdateActionInfo {
  /** The parameters it accepts besides `sid`/`sids`/`action`. */
  readonly params: readonly UpdateActionParam[];
  /** It needs at least one of these (empty: none needed). */
  readonly requires: readonly UpdateActionParam[];
  /** Whether it changes the subscription's filter (false: it only asks for data). */
  readonly changesFilter: boolean;
}

/** The market fields, in the order messages name them. */
export const MARKET_PARAMS = [
  "market_ticker",
  "market_tickers",
  "market_id",
  "market_ids",
] as const;

/**
 * One row per `update_subscription` action, in the spec's order (market actions, CF Benchmarks
 * index actions, Pyth underlying actions).
 */
export const UPDATE_ACTION_INFO = {
  /** Adds markets; the `ok` lists all markets afterwards (snapshots follow on order books). */
  add_markets: {
    params: [...MARKET_PARAMS, "send_initial_snapshot"],
    requires: MARKET_PARAMS,
    changesFilter: true,
  },
  /** Removes markets. */
  delete_markets: { params: MARKET_PARAMS, requires: MARKET_PARAMS, changesFilter: true },
  /** Re-sends an `orderbook_snapshot` per market (the gap-repair path); changes nothing. */
  get_snapshot: { params: ["market_tickers"], requires: ["market_tickers"], changesFilter: false },
  /** Adds CF Benchmarks index ids. */
  subscribe_indices: { params: ["index_ids"], requires: ["index_ids"], changesFilter: true },
  /** Removes CF Benchmarks index ids. */
  unsubscribe_indices: { params: ["index_ids"], requires: ["index_ids"], changesFilter: true },
  /** Lists the available index ids. */
  indexlist: { params: [], requires: [], changesFilter: false },
  /** Adds Pyth underlyings. */
  subscribe_underlyings: {
    params: ["underlying_tickers"],
    requires: ["underlying_tickers"],
    changesFilter: true,
  },
  /** Removes Pyth underlyings. */
  unsubscribe_underlyings: {
    params: ["underlying_tickers"],
    requires: ["underlying_tickers"],
    changesFilter: true,
  },
  /** Lists the recently streamed underlyings. */
  underlying_list: { params: [], requires: [], changesFilter: false },
} as const satisfies { readonly [action: string]: UpdateActionInfo };

/** An `update_subscription` `params.action` value. */
export type UpdateAction = keyof typeof UPDATE_ACTION_INFO;

/** Every `update_subscription` action Kalshi documents, across all channels (table order). */
export const UPDATE_ACTIONS: readonly UpdateAction[] = Object.keys(
  UPDATE_ACTION_INFO,
) as UpdateAction[];

/** Whether `action` is an `update_subscription` action Kalshi documents. */
export function isUpdateAction(action: unknown): action is UpdateAction {
  return typeof action === "string" && Object.hasOwn(UPDATE_ACTION_INFO, action);
}
