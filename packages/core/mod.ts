/**
 * `@kalshi-ws/core`: a pure, I/O-free engine for Kalshi's WebSocket API (Trade API v2).
 *
 * No sockets, no timers, no clock reads: frames and the current time go in; frames to send,
 * events and the next deadline come out. Adapters supply the I/O.
 *
 * @example
 * ```ts
 * import { parsePrice } from "@kalshi-ws/core";
 * parsePrice("0.4200"); // 4200 (1/10 000 dollar)
 * ```
 *
 * @module
 */

export {
  type Count,
  COUNT_DECIMALS,
  formatCount,
  formatDollars,
  formatPrice,
  type Micros,
  MICROS_DECIMALS,
  ONE_DOLLAR,
  parseCount,
  parseDollars,
  parsePrice,
  type Price,
  PRICE_DECIMALS,
} from "./fixed_point.ts";
export {
  CommandError,
  DecodeError,
  FixedPointError,
  KalshiWsError,
  ServerError,
} from "./errors.ts";
