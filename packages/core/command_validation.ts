/**
 * Validation and encoding of client → server commands: {@linkcode encodeCommand} turns a
 * {@linkcode CommandBody} into frame text or throws a {@linkcode CommandError} naming the
 * parameter. Everything Kalshi would reject with a user error (codes 2–4, 8, 11–15, 19–22, 24,
 * 28) that can be known without server state is rejected here first; which parameters a channel
 * or an action accepts comes from the tables (`CHANNEL_INFO`, `UPDATE_ACTION_INFO`).
 *
 * @example
 * ```ts
 * import { encodeCommand } from "./command_validation.ts";
 * encodeCommand(7, { cmd: "list_subscriptions" }); // '{"id":7,"cmd":"list_subscriptions"}'
 * ```
 *
 * @module
 */

import { type Channel, CHANNEL_INFO, type ChannelOption, CHANNELS, isChannel } from "./channel.ts";
import {
  type CommandName,
  isUpdateAction,
  MARKET_PARAMS,
  UPDATE_ACTION_INFO,
  UPDATE_ACTIONS,
  type UpdateAction,
  type UpdateActionParam,
} from "./command_actions.ts";
import type { CommandBody, SubscribeParams, UpdateSubscriptionParams } from "./command.ts";
import { CommandError } from "./errors.ts";

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

/** Every parameter `update_subscription` accepts, across actions. */
const UPDATE_KEYS: ReadonlySet<string> = new Set(
  [
    "sid",
    "sids",
    "action",
    ...UPDATE_ACTIONS.flatMap((action) => UPDATE_ACTION_INFO[action].params),
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
    const key = MARKET_PARAMS.find((k) => params[k] !== undefined);
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
  if (!isUpdateAction(action)) {
    throw new CommandError(`${context}: unknown action ${show(action)}`);
  }
  const info = UPDATE_ACTION_INFO[action as UpdateAction];
  const allowed: readonly string[] = info.params;
  for (const key in params) {
    if (key === "sid" || key === "sids" || key === "action") continue;
    if (!allowed.includes(key)) {
      throw new CommandError(`${context}: "${key}" is not a parameter of action "${action}"`);
    }
  }
  if (MARKET_PARAMS.some((key) => allowed.includes(key))) checkMarketFields(params, context);
  checkList(params, "index_ids", context, checkName);
  checkList(params, "underlying_tickers", context, checkName);
  const requires: readonly UpdateActionParam[] = info.requires;
  if (requires.length > 0 && !requires.some((key) => params[key] !== undefined)) {
    throw new CommandError(`${context}: action "${action}" requires ${orList(requires)}`);
  }
  checkBoolean(params, "send_initial_snapshot", context);
}

/** `"a"`, `"a" or "b"`, `"a", "b" or "c"`. */
function orList(names: readonly string[]): string {
  const quoted = names.map((name) => `"${name}"`);
  return quoted.length === 1
    ? quoted[0]
    : `${quoted.slice(0, -1).join(", ")} or ${quoted[quoted.length - 1]}`;
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
