/**
 * Kalshi's WebSocket error codes, in one table ({@linkcode KALSHI_ERRORS}): each code's name,
 * Kalshi's `msg.msg` text (verbatim: casing matters), and what it means for a subscription —
 * `terminal` (the sid is dead and must be re-created) and `retryable` (the command was refused
 * for a passing reason; a re-subscribe refused with it is tried again).
 *
 * Everything else derives from this table: the named constants ({@linkcode ErrorCode}), the
 * session's healing rules ({@linkcode isTerminalError}, {@linkcode isRetryableError}), the
 * simulator's error frames and the CLI's replay server. Source: the protocol reference §5
 * (current spec: terminal 10 and 25; 6, 16 and 17 retired but reserved).
 *
 * @example
 * ```ts
 * import { ErrorCode, errorText, isTerminalError } from "./error_codes.ts";
 * ErrorCode.BufferOverflow; // 25
 * errorText(ErrorCode.BufferOverflow); // "Subscription buffer overflow"
 * isTerminalError(25); // true
 * ```
 *
 * @module
 */

/** What the library knows about one Kalshi error code. */
export interface KalshiErrorInfo {
  /** The numeric code (`msg.code`). */
  readonly code: number;
  /** Kalshi's `msg.msg` text, verbatim. */
  readonly text: string;
  /** The sid it arrives on is dead (the subscription must be re-created). */
  readonly terminal: boolean;
  /** A refusal for a passing reason: a re-subscribe refused with it is retried after a pause. */
  readonly retryable: boolean;
  /** Documented as retired (the number stays reserved; Kalshi no longer sends it). */
  readonly retired: boolean;
}

/** One row of the table (the code and text keep their literal types). */
function row<C extends number, T extends string>(
  code: C,
  text: T,
  flags: { terminal?: boolean; retryable?: boolean; retired?: boolean } = {},
): { readonly code: C; readonly text: T } & KalshiErrorInfo {
  return {
    code,
    text,
    terminal: flags.terminal ?? false,
    retryable: flags.retryable ?? false,
    retired: flags.retired ?? false,
  };
}

/**
 * One row per Kalshi error code, by name (protocol reference §5). Code 29 (seen only in one
 * client's enum, in no Kalshi spec) is left out.
 */
export const KALSHI_ERRORS = {
  /** 1: the frame is not valid JSON, or a field has an incompatible type. */
  UnableToProcess: row(1, "Unable to process message"),
  /** 2: `params` missing, or required subscription params missing. */
  ParamsRequired: row(2, "Params required"),
  /** 3: `subscribe` without a non-empty `channels`. */
  ChannelsRequired: row(3, "Channels required"),
  /** 4: `unsubscribe` without `sids`. */
  SidsRequired: row(4, "Subscription IDs required"),
  /** 5: an unsupported `cmd`. */
  UnknownCommand: row(5, "Unknown command"),
  /** 6: duplicate subscribe (retired: Kalshi merges duplicates since 2025-10-01). */
  AlreadySubscribed: row(6, "Already subscribed", { retired: true }),
  /** 7: a sid not active on this connection. */
  UnknownSid: row(7, "Unknown subscription ID"),
  /** 8: `subscribe` with an unsupported channel. */
  UnknownChannel: row(8, "Unknown channel name"),
  /** 9: the channel or action needs authentication or access that was not granted. */
  AuthenticationRequired: row(9, "Authentication required"),
  /** 10: internal error starting or running a subscription: the sid is dead. */
  ChannelError: row(10, "Channel error", { terminal: true, retryable: true }),
  /** 11: a malformed parameter value (e.g. an unknown market). */
  InvalidParameter: row(11, "Invalid parameter"),
  /** 12: `update_subscription` with zero or several sids, or both `sid` and `sids`. */
  OneSidRequired: row(12, "Exactly one subscription ID is required"),
  /** 13: an action the subscription's channel does not support. */
  UnsupportedAction: row(13, "Unsupported action"),
  /** 14: the channel requires a market filter. */
  MarketTickerRequired: row(14, "Market Ticker required"),
  /** 15: `update_subscription` without `params.action`. */
  ActionRequired: row(15, "Action required"),
  /** 16: unknown market (retired 2026-09-10). */
  MarketNotFound: row(16, "Market not found", { retired: true }),
  /** 17: unexpected server error (retired 2026-09-10). */
  InternalError: row(17, "Internal error", { retryable: true, retired: true }),
  /** 18: the server timed out routing a command to an existing subscription. */
  CommandTimeout: row(18, "Command timeout", { retryable: true }),
  /** 19: `communications` subscribe with `shard_factor` below 1. */
  ShardFactorNotPositive: row(19, "shard_factor must be > 0"),
  /** 20: `shard_key` without `shard_factor`. */
  ShardFactorRequired: row(20, "shard_factor is required when shard_key is set"),
  /** 21: `shard_key` outside `0..shard_factor-1`. */
  ShardKeyOutOfRange: row(21, "shard_key must be >= 0 and < shard_factor"),
  /** 22: `shard_factor` above 100. */
  ShardFactorTooLarge: row(22, "shard_factor must be <= 100"),
  /** 23: missing `match_ids` (a channel not in the public spec). */
  MatchIdsRequired: row(23, "Match IDs required"),
  /** 24: index actions without `index_ids`. */
  IndexIdsRequired: row(24, "Index IDs required"),
  /** 25: the subscription's buffer overflowed (slow reader or burst): the sid is dead. */
  BufferOverflow: row(25, "Subscription buffer overflow", { terminal: true, retryable: true }),
  /** 26: adding markets would exceed the per-subscription market limit. */
  MarketLimitExceeded: row(26, "Subscription market limit exceeded"),
  /** 27: the subscription exceeded its command rate limit. */
  TooManyRequests: row(27, "Too many requests", { retryable: true }),
  /** 28: underlying actions without `underlying_tickers`. */
  UnderlyingTickersRequired: row(28, "Underlying tickers required"),
} as const;

/** The name of a Kalshi error code (a key of {@linkcode KALSHI_ERRORS}). */
export type ErrorName = keyof typeof KALSHI_ERRORS;

/** A Kalshi error code number the library knows. */
export type ErrorCode = typeof KALSHI_ERRORS[ErrorName]["code"];

/** Kalshi's error codes by name: `ErrorCode.UnknownSid` is 7 (derived from the table). */
export const ErrorCode: { readonly [N in ErrorName]: typeof KALSHI_ERRORS[N]["code"] } = Object
  .fromEntries(
    Object.entries(KALSHI_ERRORS).map(([name, info]) => [name, info.code]),
  ) as { readonly [N in ErrorName]: typeof KALSHI_ERRORS[N]["code"] };

const BY_CODE: ReadonlyMap<number, KalshiErrorInfo> = new Map(
  Object.values(KALSHI_ERRORS).map((info) => [info.code, info]),
);

/** The table row of `code`, or `undefined` for a code the library does not know. */
export function errorInfo(code: number): KalshiErrorInfo | undefined {
  return BY_CODE.get(code);
}

/** Kalshi's text for a known `code` (what the server puts in `msg.msg`). */
export function errorText(code: ErrorCode): string {
  return BY_CODE.get(code)!.text;
}

/** Whether `code` is one the library knows (a type guard for untrusted input). */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === "number" && BY_CODE.has(code);
}

/** Codes after which a subscription is dead (the `terminal` rows: 10 and 25). */
export const TERMINAL_ERROR_CODES: ReadonlySet<number> = new Set(
  [...BY_CODE.values()].filter((info) => info.terminal).map((info) => info.code),
);

/** Codes that refuse a command for a passing reason (the `retryable` rows: 10, 17, 18, 25, 27). */
export const RETRYABLE_ERROR_CODES: ReadonlySet<number> = new Set(
  [...BY_CODE.values()].filter((info) => info.retryable).map((info) => info.code),
);

/** Whether error `code` ends the subscription it concerns. */
export function isTerminalError(code: number): boolean {
  return TERMINAL_ERROR_CODES.has(code);
}

/** Whether error `code` refuses a command for a passing reason (worth retrying after a pause). */
export function isRetryableError(code: number): boolean {
  return RETRYABLE_ERROR_CODES.has(code);
}
