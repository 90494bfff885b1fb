/**
 * Kalshi's WebSocket error codes, in one table ({@linkcode KALSHI_ERRORS}): each code's name,
 * Kalshi's `msg.msg` text (verbatim: casing matters), and what it means for a subscription —
 * `terminal` (the sid is dead and must be re-created) and `retryable` (the command was refused
 * for a passing reason; a re-subscribe refused with it is tried again).
 *
 * {@linkcode ErrorCode} holds the names and numbers; everything else derives from the two: the
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

/**
 * Kalshi's error codes by name: `ErrorCode.UnknownSid` is 7. Code 29 (seen only in one
 * client's enum, in no Kalshi spec) is left out.
 */
export const ErrorCode = {
  /** 1: the frame is not valid JSON, or a field has an incompatible type. */
  UnableToProcess: 1,
  /** 2: `params` missing, or required subscription params missing. */
  ParamsRequired: 2,
  /** 3: `subscribe` without a non-empty `channels`. */
  ChannelsRequired: 3,
  /** 4: `unsubscribe` without `sids`. */
  SidsRequired: 4,
  /** 5: an unsupported `cmd`. */
  UnknownCommand: 5,
  /** 6: duplicate subscribe (retired: Kalshi merges duplicates since 2025-10-01). */
  AlreadySubscribed: 6,
  /** 7: a sid not active on this connection. */
  UnknownSid: 7,
  /** 8: `subscribe` with an unsupported channel. */
  UnknownChannel: 8,
  /** 9: the channel or action needs authentication or access that was not granted. */
  AuthenticationRequired: 9,
  /** 10: internal error starting or running a subscription: the sid is dead. */
  ChannelError: 10,
  /** 11: a malformed parameter value (e.g. an unknown market). */
  InvalidParameter: 11,
  /** 12: `update_subscription` with zero or several sids, or both `sid` and `sids`. */
  OneSidRequired: 12,
  /** 13: an action the subscription's channel does not support. */
  UnsupportedAction: 13,
  /** 14: the channel requires a market filter. */
  MarketTickerRequired: 14,
  /** 15: `update_subscription` without `params.action`. */
  ActionRequired: 15,
  /** 16: unknown market (retired 2026-09-10). */
  MarketNotFound: 16,
  /** 17: unexpected server error (retired 2026-09-10). */
  InternalError: 17,
  /** 18: the server timed out routing a command to an existing subscription. */
  CommandTimeout: 18,
  /** 19: `communications` subscribe with `shard_factor` below 1. */
  ShardFactorNotPositive: 19,
  /** 20: `shard_key` without `shard_factor`. */
  ShardFactorRequired: 20,
  /** 21: `shard_key` outside `0..shard_factor-1`. */
  ShardKeyOutOfRange: 21,
  /** 22: `shard_factor` above 100. */
  ShardFactorTooLarge: 22,
  /** 23: missing `match_ids` (a channel not in the public spec). */
  MatchIdsRequired: 23,
  /** 24: index actions without `index_ids`. */
  IndexIdsRequired: 24,
  /** 25: the subscription's buffer overflowed (slow reader or burst): the sid is dead. */
  BufferOverflow: 25,
  /** 26: adding markets would exceed the per-subscription market limit. */
  MarketLimitExceeded: 26,
  /** 27: the subscription exceeded its command rate limit. */
  TooManyRequests: 27,
  /** 28: underlying actions without `underlying_tickers`. */
  UnderlyingTickersRequired: 28,
} as const;

/** The name of a Kalshi error code (a key of {@linkcode ErrorCode}). */
export type ErrorName = keyof typeof ErrorCode;

/** A Kalshi error code number the library knows. */
export type ErrorCode = typeof ErrorCode[ErrorName];

/** One row of the table. */
function row(
  code: number,
  text: string,
  flags: { terminal?: boolean; retryable?: boolean; retired?: boolean } = {},
): KalshiErrorInfo {
  return {
    code,
    text,
    terminal: flags.terminal ?? false,
    retryable: flags.retryable ?? false,
    retired: flags.retired ?? false,
  };
}

/** One row per Kalshi error code, by name (protocol reference §5): its text and meaning. */
export const KALSHI_ERRORS: { readonly [N in ErrorName]: KalshiErrorInfo } = {
  UnableToProcess: row(ErrorCode.UnableToProcess, "Unable to process message"),
  ParamsRequired: row(ErrorCode.ParamsRequired, "Params required"),
  ChannelsRequired: row(ErrorCode.ChannelsRequired, "Channels required"),
  SidsRequired: row(ErrorCode.SidsRequired, "Subscription IDs required"),
  UnknownCommand: row(ErrorCode.UnknownCommand, "Unknown command"),
  AlreadySubscribed: row(ErrorCode.AlreadySubscribed, "Already subscribed", { retired: true }),
  UnknownSid: row(ErrorCode.UnknownSid, "Unknown subscription ID"),
  UnknownChannel: row(ErrorCode.UnknownChannel, "Unknown channel name"),
  AuthenticationRequired: row(ErrorCode.AuthenticationRequired, "Authentication required"),
  ChannelError: row(ErrorCode.ChannelError, "Channel error", { terminal: true, retryable: true }),
  InvalidParameter: row(ErrorCode.InvalidParameter, "Invalid parameter"),
  OneSidRequired: row(ErrorCode.OneSidRequired, "Exactly one subscription ID is required"),
  UnsupportedAction: row(ErrorCode.UnsupportedAction, "Unsupported action"),
  MarketTickerRequired: row(ErrorCode.MarketTickerRequired, "Market Ticker required"),
  ActionRequired: row(ErrorCode.ActionRequired, "Action required"),
  MarketNotFound: row(ErrorCode.MarketNotFound, "Market not found", { retired: true }),
  InternalError: row(ErrorCode.InternalError, "Internal error", { retryable: true, retired: true }),
  CommandTimeout: row(ErrorCode.CommandTimeout, "Command timeout", { retryable: true }),
  ShardFactorNotPositive: row(ErrorCode.ShardFactorNotPositive, "shard_factor must be > 0"),
  ShardFactorRequired: row(
    ErrorCode.ShardFactorRequired,
    "shard_factor is required when shard_key is set",
  ),
  ShardKeyOutOfRange: row(
    ErrorCode.ShardKeyOutOfRange,
    "shard_key must be >= 0 and < shard_factor",
  ),
  ShardFactorTooLarge: row(ErrorCode.ShardFactorTooLarge, "shard_factor must be <= 100"),
  MatchIdsRequired: row(ErrorCode.MatchIdsRequired, "Match IDs required"),
  IndexIdsRequired: row(ErrorCode.IndexIdsRequired, "Index IDs required"),
  BufferOverflow: row(ErrorCode.BufferOverflow, "Subscription buffer overflow", {
    terminal: true,
    retryable: true,
  }),
  MarketLimitExceeded: row(ErrorCode.MarketLimitExceeded, "Subscription market limit exceeded"),
  TooManyRequests: row(ErrorCode.TooManyRequests, "Too many requests", { retryable: true }),
  UnderlyingTickersRequired: row(
    ErrorCode.UnderlyingTickersRequired,
    "Underlying tickers required",
  ),
};

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
