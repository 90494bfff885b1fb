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

import {
  type Channel,
  CHANNEL_INFO,
  type ChannelOption,
  CHANNELS,
  isChannel,
  UPDATE_ACTIONS,
  type UpdateAction,
} from "./channel.ts";
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
 * {@linkcode validateCommand} to fail early).
 */
export function subscribe(params: SubscribeParams): SubscribeCommand {
  return { cmd: "subscribe", params: copyParams(params) };
}

/** Builds an `unsubscribe` command for `sids`. */
export function unsubscribe(sids: readonly number[]): UnsubscribeCommand {
  return { cmd: "unsubscribe", params: { sids: [...sids] } };
}

/** Builds an `update_subscription` command from raw params (prefer the specific builders). */
export function updateSubscription(params: UpdateSubscriptionParams): UpdateSubscriptionCommand {
  return { cmd: "update_subscription", params: copyParams(params) };
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

// ---------------------------------------------------------------------------------------------
// Validation and encoding

type Obj = Record<string, unknown>;

const SUBSCRIBE = "Cannot subscribe";
const UNSUBSCRIBE = "Cannot unsubscribe";
const UPDATE = "Cannot update subscription";
const ENCODE = "Cannot encode command";

const SUBSCRIBE_KEYS: ReadonlySet<string> = new Set(
  [
    "channels",
    "market_ticker",
    "market_tickers",
    "market_id",
    "market_ids",
    "send_initial_snapshot",
    "skip_ticker_ack",
    "use_yes_price",
    "user_filter",
    "shard_factor",
    "shard_key",
    "index_ids",
    "underlying_tickers",
  ] satisfies (keyof SubscribeParams)[],
);

const MARKET_KEYS = ["market_ticker", "market_tickers", "market_id", "market_ids"] as const;

/** Parameters each update action accepts besides `sid`/`sids`/`action`. */
const ACTION_KEYS: { readonly [A in UpdateAction]: readonly (keyof UpdateSubscriptionParams)[] } = {
  add_markets: [...MARKET_KEYS, "send_initial_snapshot"],
  delete_markets: MARKET_KEYS,
  get_snapshot: ["market_tickers"],
  subscribe_indices: ["index_ids"],
  unsubscribe_indices: ["index_ids"],
  indexlist: [],
  subscribe_underlyings: ["underlying_tickers"],
  unsubscribe_underlyings: ["underlying_tickers"],
  underlying_list: [],
};

const UPDATE_KEYS: ReadonlySet<string> = new Set(
  [
    "sid",
    "sids",
    "action",
    ...MARKET_KEYS,
    "send_initial_snapshot",
    "index_ids",
    "underlying_tickers",
  ] satisfies (keyof UpdateSubscriptionParams)[],
);

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const NO_WHITESPACE = /^\S+$/;

function isObject(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Quotes a value for an error message (`"abc"`, `3`, `null`, `an array`). */
function show(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object" && value !== null) return "an object";
  if (value === undefined) return "undefined";
  if (typeof value === "bigint" || typeof value === "symbol" || typeof value === "function") {
    return `a ${typeof value}`;
  }
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

function quoteList(names: readonly string[]): string {
  return names.map((name) => `"${name}"`).join(", ");
}

/**
 * A plain snapshot of the own enumerable fields of `params` (arrays copied element by element,
 * `undefined` fields dropped): what is validated is exactly what is serialized, whatever
 * getters, prototypes or later mutation the caller's object has.
 */
function snapshot(params: unknown, context: string): Obj {
  if (!isObject(params)) {
    throw new CommandError(`${context}: "params" must be an object, got ${show(params)}`);
  }
  const out: Obj = {};
  for (const key of Object.keys(params)) {
    const value = params[key];
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      const copy: unknown[] = new Array(value.length);
      for (let i = 0; i < value.length; i++) copy[i] = value[i];
      out[key] = copy;
    } else {
      out[key] = value;
    }
  }
  return out;
}

function checkKeys(params: Obj, known: ReadonlySet<string>, context: string): void {
  for (const key in params) {
    if (!known.has(key)) throw new CommandError(`${context}: unknown parameter ${show(key)}`);
  }
}

function checkPositiveId(value: unknown, name: string, context: string): void {
  if (!Number.isSafeInteger(value) || (value as number) < 1) {
    throw new CommandError(`${context}: ${name} must be a positive integer, got ${show(value)}`);
  }
}

function checkBoolean(params: Obj, key: string, context: string): void {
  const value = params[key];
  if (value !== undefined && typeof value !== "boolean") {
    throw new CommandError(`${context}: "${key}" must be a boolean, got ${show(value)}`);
  }
}

/** A non-empty identifier without whitespace (market ticker, index id, underlying). */
function checkName(value: unknown, name: string, context: string): void {
  if (typeof value !== "string" || !NO_WHITESPACE.test(value)) {
    throw new CommandError(
      `${context}: ${name} must be a non-empty string without whitespace, got ${show(value)}`,
    );
  }
}

function checkUuid(value: unknown, name: string, context: string): void {
  if (typeof value !== "string" || !UUID.test(value)) {
    throw new CommandError(`${context}: ${name} must be a market UUID, got ${show(value)}`);
  }
}

/** A non-empty array whose every element passes `check`. */
function checkList(
  params: Obj,
  key: string,
  context: string,
  check: (value: unknown, name: string, context: string) => void,
): void {
  const value = params[key];
  if (value === undefined) return;
  if (!Array.isArray(value)) {
    throw new CommandError(`${context}: "${key}" must be an array, got ${show(value)}`);
  }
  if (value.length === 0) throw new CommandError(`${context}: "${key}" must not be empty`);
  for (let i = 0; i < value.length; i++) check(value[i], `"${key}"[${i}]`, context);
}

/** Market fields: exclusive forms and well-formed values (which channels accept them is separate). */
function checkMarketFields(params: Obj, context: string): void {
  if (params.market_ticker !== undefined && params.market_tickers !== undefined) {
    throw new CommandError(
      `${context}: "market_ticker" and "market_tickers" are mutually exclusive`,
    );
  }
  if (params.market_id !== undefined && params.market_ids !== undefined) {
    throw new CommandError(`${context}: "market_id" and "market_ids" are mutually exclusive`);
  }
  const byTicker = params.market_ticker !== undefined || params.market_tickers !== undefined;
  const byId = params.market_id !== undefined || params.market_ids !== undefined;
  if (byTicker && byId) {
    throw new CommandError(
      `${context}: "market_id"/"market_ids" cannot be combined with "market_ticker"/"market_tickers"`,
    );
  }
  if (params.market_ticker !== undefined) {
    checkName(params.market_ticker, `"market_ticker"`, context);
  }
  checkList(params, "market_tickers", context, checkName);
  if (params.market_id !== undefined) checkUuid(params.market_id, `"market_id"`, context);
  checkList(params, "market_ids", context, checkUuid);
}

/** Channels accepting `option`, for "applies only to" messages. */
function channelsAccepting(option: ChannelOption): string {
  return quoteList(CHANNELS.filter((channel) => CHANNEL_INFO[channel].options.includes(option)));
}

function validateSubscribeParams(params: Obj): void {
  const context = SUBSCRIBE;
  checkKeys(params, SUBSCRIBE_KEYS, context);
  const channels = params.channels;
  if (!Array.isArray(channels) || channels.length === 0) {
    throw new CommandError(`${context}: "channels" must list at least one channel`);
  }
  const seen = new Set<Channel>();
  const options = new Set<ChannelOption>();
  let filtered = false;
  for (const channel of channels) {
    if (!isChannel(channel)) throw new CommandError(`${context}: unknown channel ${show(channel)}`);
    if (seen.has(channel)) {
      throw new CommandError(`${context}: channel "${channel}" is listed twice`);
    }
    seen.add(channel);
    const info = CHANNEL_INFO[channel];
    if (info.marketFilter !== "none") filtered = true;
    for (const option of info.options) options.add(option);
  }

  checkMarketFields(params, context);
  const byTicker = params.market_ticker !== undefined || params.market_tickers !== undefined;
  const byId = params.market_id !== undefined || params.market_ids !== undefined;
  if ((byTicker || byId) && !filtered) {
    const key = MARKET_KEYS.find((k) => params[k] !== undefined);
    throw new CommandError(
      `${context}: no requested channel accepts "${key}" (${
        quoteList([...seen])
      } stream every market)`,
    );
  }
  if (byId && !seen.has("ticker")) {
    throw new CommandError(
      `${context}: "market_id"/"market_ids" are accepted by the "ticker" channel only`,
    );
  }
  for (const channel of seen) {
    if (CHANNEL_INFO[channel].marketFilter === "required" && !byTicker) {
      throw new CommandError(
        `${context}: channel "${channel}" requires "market_ticker" or "market_tickers"`,
      );
    }
  }

  checkBoolean(params, "send_initial_snapshot", context);
  checkBoolean(params, "skip_ticker_ack", context);
  checkBoolean(params, "use_yes_price", context);
  if (
    params.user_filter !== undefined && params.user_filter !== "" && params.user_filter !== "self"
  ) {
    throw new CommandError(
      `${context}: "user_filter" must be "" or "self", got ${show(params.user_filter)}`,
    );
  }
  const factor = params.shard_factor;
  if (
    factor !== undefined &&
    (!Number.isSafeInteger(factor) || (factor as number) < 1 || (factor as number) > 100)
  ) {
    throw new CommandError(
      `${context}: "shard_factor" must be an integer from 1 to 100, got ${show(factor)}`,
    );
  }
  const key = params.shard_key;
  if (key !== undefined) {
    if (factor === undefined) {
      throw new CommandError(`${context}: "shard_key" requires "shard_factor"`);
    }
    const max = (factor as number) - 1;
    if (!Number.isSafeInteger(key) || (key as number) < 0 || (key as number) > max) {
      throw new CommandError(
        `${context}: "shard_key" must be an integer from 0 to ${max} (shard_factor - 1), got ${
          show(key)
        }`,
      );
    }
  }
  checkList(params, "index_ids", context, checkName);
  checkList(params, "underlying_tickers", context, checkName);

  for (const option of OPTION_KEYS) {
    if (params[option] !== undefined && !options.has(option)) {
      throw new CommandError(
        `${context}: "${option}" applies only to ${channelsAccepting(option)}, not to ${
          quoteList([...seen])
        }`,
      );
    }
  }
}

const OPTION_KEYS: readonly ChannelOption[] = [
  "send_initial_snapshot",
  "skip_ticker_ack",
  "use_yes_price",
  "user_filter",
  "shard_factor",
  "shard_key",
  "index_ids",
  "underlying_tickers",
];

function validateUnsubscribeParams(params: Obj): void {
  const context = UNSUBSCRIBE;
  for (const key in params) {
    if (key !== "sids") throw new CommandError(`${context}: unknown parameter ${show(key)}`);
  }
  const sids = params.sids;
  if (!Array.isArray(sids) || sids.length === 0) {
    throw new CommandError(`${context}: "sids" must list at least one sid`);
  }
  const seen = new Set<number>();
  for (let i = 0; i < sids.length; i++) {
    checkPositiveId(sids[i], `"sids"[${i}]`, context);
    if (seen.has(sids[i])) throw new CommandError(`${context}: sid ${sids[i]} is listed twice`);
    seen.add(sids[i]);
  }
}

function validateUpdateParams(params: Obj): void {
  const context = UPDATE;
  checkKeys(params, UPDATE_KEYS, context);
  const { sid, sids, action } = params;
  if (sid !== undefined && sids !== undefined) {
    throw new CommandError(`${context}: give "sid" or "sids", not both`);
  }
  if (sid === undefined && sids === undefined) {
    throw new CommandError(`${context}: "sid" or "sids" is required`);
  }
  if (sid !== undefined) checkPositiveId(sid, `"sid"`, context);
  if (sids !== undefined) {
    if (!Array.isArray(sids) || sids.length !== 1) {
      throw new CommandError(
        `${context}: "sids" must hold exactly one sid, got ${
          Array.isArray(sids) ? `${sids.length}` : show(sids)
        }`,
      );
    }
    checkPositiveId(sids[0], `"sids"[0]`, context);
  }
  if (action === undefined) throw new CommandError(`${context}: "action" is required`);
  if (!(UPDATE_ACTIONS as readonly unknown[]).includes(action)) {
    throw new CommandError(`${context}: unknown action ${show(action)}`);
  }
  const allowed = ACTION_KEYS[action as UpdateAction];
  for (const key in params) {
    if (key === "sid" || key === "sids" || key === "action") continue;
    if (!(allowed as readonly string[]).includes(key)) {
      throw new CommandError(`${context}: "${key}" is not a parameter of action "${action}"`);
    }
  }
  switch (action as UpdateAction) {
    case "add_markets":
    case "delete_markets": {
      checkMarketFields(params, context);
      if (!MARKET_KEYS.some((key) => params[key] !== undefined)) {
        throw new CommandError(
          `${context}: action "${action}" requires "market_ticker", "market_tickers", "market_id" or "market_ids"`,
        );
      }
      checkBoolean(params, "send_initial_snapshot", context);
      break;
    }
    case "get_snapshot":
      requireList(params, "market_tickers", action, context);
      break;
    case "subscribe_indices":
    case "unsubscribe_indices":
      requireList(params, "index_ids", action, context);
      break;
    case "subscribe_underlyings":
    case "unsubscribe_underlyings":
      requireList(params, "underlying_tickers", action, context);
      break;
    case "indexlist":
    case "underlying_list":
      break;
  }
}

/** Checks that `action` carries the non-empty name list `key` it needs. */
function requireList(
  params: Record<string, unknown>,
  key: "market_tickers" | "index_ids" | "underlying_tickers",
  action: unknown,
  context: string,
): void {
  if (params[key] === undefined) {
    throw new CommandError(`${context}: action "${String(action)}" requires "${key}"`);
  }
  checkList(params, key, context, checkName);
}

/** A validated command: its name and the snapshot of its params (`undefined`: none). */
interface Checked {
  readonly cmd: CommandName;
  readonly params: Obj | undefined;
}

/** Validates a body once and returns exactly what to serialize. */
function checkBody(body: unknown): Checked {
  if (!isObject(body)) {
    throw new CommandError(`${ENCODE}: expected a command object, got ${show(body)}`);
  }
  const cmd = body.cmd;
  for (const key in body) {
    if (key !== "cmd" && key !== "params") {
      throw new CommandError(
        `${ENCODE}: unexpected field ${show(key)}${
          key === "id" ? " (pass the id to encodeCommand)" : ""
        }`,
      );
    }
  }
  switch (cmd) {
    case "subscribe": {
      const params = snapshot(body.params, SUBSCRIBE);
      validateSubscribeParams(params);
      return { cmd, params };
    }
    case "unsubscribe": {
      const params = snapshot(body.params, UNSUBSCRIBE);
      validateUnsubscribeParams(params);
      return { cmd, params };
    }
    case "update_subscription": {
      const params = snapshot(body.params, UPDATE);
      validateUpdateParams(params);
      return { cmd, params };
    }
    case "list_subscriptions":
      if (body.params !== undefined) {
        throw new CommandError(`${ENCODE}: "list_subscriptions" takes no params`);
      }
      return { cmd, params: undefined };
    default:
      throw new CommandError(`${ENCODE}: unknown cmd ${show(cmd)}`);
  }
}

/**
 * Checks `body` as Kalshi would, without server state, and throws {@linkcode CommandError}
 * naming the first problem: empty or unknown channels, conflicting market fields, options on
 * channels that do not take them, sharding bounds, sid/sids rules, action arguments, malformed
 * tickers, ids and UUIDs. Unknown parameters are rejected too (typos would be silently ignored
 * by Kalshi).
 */
export function validateCommand(body: CommandBody): void {
  checkBody(body);
}

/**
 * Checks `update_subscription` params against the channel of the target subscription, which only
 * the caller knows: the action must be one the channel supports (else Kalshi answers code 13),
 * `market_id(s)` and `send_initial_snapshot` only on `ticker`. Runs {@linkcode validateCommand}'s
 * checks first.
 */
export function validateUpdate(channel: Channel, params: UpdateSubscriptionParams): void {
  const checked = checkBody({ cmd: "update_subscription", params }).params as Obj;
  if (!isChannel(channel)) throw new CommandError(`${UPDATE}: unknown channel ${show(channel)}`);
  const info = CHANNEL_INFO[channel];
  const action = checked.action as UpdateAction;
  if (!info.updateActions.includes(action)) {
    const supported = info.updateActions.length === 0 ? "none" : quoteList(info.updateActions);
    throw new CommandError(
      `${UPDATE}: channel "${channel}" does not support action "${action}" (supported: ${supported})`,
    );
  }
  if ((checked.market_id !== undefined || checked.market_ids !== undefined) && !info.marketIds) {
    throw new CommandError(
      `${UPDATE}: "market_id"/"market_ids" are accepted by the "ticker" channel only, not "${channel}"`,
    );
  }
  if (checked.send_initial_snapshot !== undefined && channel !== "ticker") {
    throw new CommandError(
      `${UPDATE}: "send_initial_snapshot" applies only to "ticker", not "${channel}"`,
    );
  }
}

/**
 * Validates `body` and returns the frame text: `{"id":…,"cmd":…,"params":{…}}` (no `params` for
 * `list_subscriptions`). `id` is the per-connection command id (a positive integer). Whatever the
 * input, the result is a valid command or a {@linkcode CommandError} is thrown.
 */
export function encodeCommand(id: number, body: CommandBody): string {
  checkPositiveId(id, "id", ENCODE);
  const { cmd, params } = checkBody(body);
  return params === undefined
    ? `{"id":${id},"cmd":"${cmd}"}`
    : `{"id":${id},"cmd":"${cmd}","params":${JSON.stringify(params)}}`;
}
