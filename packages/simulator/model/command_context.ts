/**
 * What a command handler works with — the exchange, the connection's user, its subscriptions
 * and outbox — and how it fails: it throws a {@linkcode CommandFailure} with Kalshi's error
 * code, and the connection answers with that error frame. The readers here check one kind of
 * parameter each and fail with the code Kalshi uses for it (1: wrong type, 11: invalid or
 * unknown value).
 *
 * @module
 */

import type { Exchange } from "./exchange.ts";
import { isObject } from "./envelope.ts";
import type { Outbox } from "./outbox.ts";
import { ErrorCode } from "./protocol.ts";
import type { SubscriptionTable } from "./subscription_table.ts";

/** The connection state a command handler reads and changes. */
export interface CommandContext {
  /** The exchange whose markets and books the connection serves. */
  readonly exchange: Exchange;
  /** The authenticated user; undefined for an anonymous connection. */
  readonly userId: string | undefined;
  /** Most markets one subscription may hold before code 26. */
  readonly marketLimit: number;
  /** The connection's subscriptions. */
  readonly subs: SubscriptionTable;
  /** Where its frames go (drift mode and frame faults apply there). */
  readonly outbox: Outbox;
}

/** A command's `params` object. */
export type Params = Record<string, unknown>;

/** Thrown inside command handling to answer with an error frame. */
export class CommandFailure {
  /** Kalshi's error code. */
  readonly code: ErrorCode;
  /** Extra fields of the error's `msg` (e.g. the unknown `market_tickers`). */
  readonly extra: Record<string, unknown> | undefined;
  /** A failure answered with `code` (and `extra` in `msg`). */
  constructor(code: ErrorCode, extra?: Record<string, unknown>) {
    this.code = code;
    this.extra = extra;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is an array of strings. */
export function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}

/** The command's `params`: code 2 when missing, 1 when not an object. */
export function requireParams(command: { readonly params: unknown }): Params {
  const params = command.params;
  if (params === undefined || params === null) throw new CommandFailure(ErrorCode.ParamsRequired);
  if (!isObject(params)) throw new CommandFailure(ErrorCode.UnableToProcess);
  return params;
}

/** An optional boolean parameter (false when absent; code 1 when not a boolean). */
export function optionalBoolean(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") throw new CommandFailure(ErrorCode.UnableToProcess);
  return value;
}

/** An optional string-array parameter (code 1 when not one). */
export function optionalStringArray(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isStringArray(value)) throw new CommandFailure(ErrorCode.UnableToProcess);
  return value;
}

/** Markets named by a command, as known tickers; `byId` when given as `market_id(s)`. */
export interface MarketsParam {
  /** Known tickers, without repeats. */
  readonly tickers: string[];
  /** True when the command named them by id. */
  readonly byId: boolean;
}

/**
 * Reads `market_ticker(s)` (and `market_id(s)` when `idsAllowed`) into known tickers;
 * undefined when no market field is present. Codes: 1 wrong type, 11 invalid/unknown.
 */
export function readMarkets(
  exchange: Exchange,
  params: Params,
  idsAllowed: boolean,
): MarketsParam | undefined {
  const fields = ["market_ticker", "market_tickers", "market_id", "market_ids"].filter((f) =>
    params[f] !== undefined && params[f] !== null
  );
  if (fields.length === 0) return undefined;
  if (fields.length > 1) throw new CommandFailure(ErrorCode.InvalidParameter);
  const field = fields[0]!;
  const raw = params[field];
  let values: string[];
  if (field.endsWith("s")) {
    if (!isStringArray(raw)) throw new CommandFailure(ErrorCode.UnableToProcess);
    if (raw.length === 0) throw new CommandFailure(ErrorCode.InvalidParameter);
    values = raw;
  } else {
    if (typeof raw !== "string") throw new CommandFailure(ErrorCode.UnableToProcess);
    values = [raw];
  }
  if (field.startsWith("market_id")) {
    if (!idsAllowed) throw new CommandFailure(ErrorCode.InvalidParameter);
    const tickers: string[] = [];
    const unknown: string[] = [];
    for (const value of values) {
      const market = UUID.test(value)
        ? exchange.markets().find((m) => m.marketId === value.toLowerCase())
        : undefined;
      if (market === undefined) unknown.push(value);
      else tickers.push(market.ticker);
    }
    if (unknown.length > 0) throw new CommandFailure(ErrorCode.InvalidParameter);
    return { tickers: [...new Set(tickers)], byId: true };
  }
  const unknown = values.filter((t) => exchange.market(t) === undefined);
  if (unknown.length > 0) {
    throw new CommandFailure(
      11,
      unknown.length === 1 ? { market_ticker: unknown[0] } : { market_tickers: unknown },
    );
  }
  return { tickers: [...new Set(values)], byId: false };
}
