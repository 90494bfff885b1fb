/**
 * Test fixture: one trigger per documented error code, shared by the pure state-machine tests
 * and the loopback tests so both prove the same table.
 *
 * Each case runs on a connection prepared with {@linkcode ERROR_SETUP} (sid 1 `orderbook_delta`
 * on {@linkcode BOOK_TICKER}, sid 2 `trade`, sid 3 `cfbenchmarks_value`, sid 4 `pyth_value`) and
 * a market limit of {@linkcode MARKET_LIMIT}.
 *
 * @module
 */

import { ErrorCode } from "@kalshi-ws/core";

/** The market the setup's orderbook subscription holds. */
export const BOOK_TICKER = "KXFED-26DEC-T4.25";
/** Another default market, not in the setup's orderbook subscription. */
export const OTHER_TICKER = "KXHIGHNY-26NOV25-B53.5";
/** Per-subscription market limit the cases assume (code 26 beyond it). */
export const MARKET_LIMIT = 3;

/** Commands that create sids 1–4 before the cases run. */
export const ERROR_SETUP: readonly string[] = [
  JSON.stringify({
    id: 1,
    cmd: "subscribe",
    params: { channels: ["orderbook_delta"], market_ticker: BOOK_TICKER },
  }),
  JSON.stringify({ id: 2, cmd: "subscribe", params: { channels: ["trade"] } }),
  JSON.stringify({ id: 3, cmd: "subscribe", params: { channels: ["cfbenchmarks_value"] } }),
  JSON.stringify({ id: 4, cmd: "subscribe", params: { channels: ["pyth_value"] } }),
];

/** One error trigger: the text to send and the code (and message) it must produce. */
export interface ErrorCase {
  /** What the case does. */
  readonly name: string;
  /** The frame to send (a JSON command, or deliberately not one). */
  readonly send: string;
  /** Expected `msg.code`. */
  readonly code: number;
  /** Expected top-level `id` (undefined when the frame has none or cannot be parsed). */
  readonly id?: number;
  /** Extra fields expected inside `msg`. */
  readonly extra?: Readonly<Record<string, unknown>>;
}

const cmd = (id: number, body: Record<string, unknown>): string => JSON.stringify({ id, ...body });

/** The table: every code the simulator emits for a command, with its trigger. */
export const ERROR_CASES: readonly ErrorCase[] = [
  { name: "frame is not JSON", send: "{not json", code: ErrorCode.UnableToProcess },
  { name: "frame is a JSON array", send: "[1,2]", code: ErrorCode.UnableToProcess },
  {
    name: "channels is not an array",
    send: cmd(101, { cmd: "subscribe", params: { channels: "ticker" } }),
    code: ErrorCode.UnableToProcess,
    id: 101,
  },
  {
    name: "subscribe without params",
    send: cmd(102, { cmd: "subscribe" }),
    code: ErrorCode.ParamsRequired,
    id: 102,
  },
  {
    name: "unsubscribe without params",
    send: cmd(103, { cmd: "unsubscribe" }),
    code: ErrorCode.ParamsRequired,
    id: 103,
  },
  {
    name: "update_subscription without params",
    send: cmd(104, { cmd: "update_subscription" }),
    code: ErrorCode.ParamsRequired,
    id: 104,
  },
  {
    name: "subscribe without channels",
    send: cmd(105, { cmd: "subscribe", params: {} }),
    code: ErrorCode.ChannelsRequired,
    id: 105,
  },
  {
    name: "subscribe with empty channels",
    send: cmd(106, { cmd: "subscribe", params: { channels: [] } }),
    code: ErrorCode.ChannelsRequired,
    id: 106,
  },
  {
    name: "unsubscribe without sids",
    send: cmd(107, { cmd: "unsubscribe", params: {} }),
    code: ErrorCode.SidsRequired,
    id: 107,
  },
  {
    name: "unknown command",
    send: cmd(108, { cmd: "subscribe_all", params: {} }),
    code: ErrorCode.UnknownCommand,
    id: 108,
  },
  {
    name: "unsubscribe an unknown sid",
    send: cmd(109, { cmd: "unsubscribe", params: { sids: [99] } }),
    code: ErrorCode.UnknownSid,
    id: 109,
  },
  {
    name: "update an unknown sid",
    send: cmd(110, {
      cmd: "update_subscription",
      params: { sid: 99, action: "add_markets", market_ticker: OTHER_TICKER },
    }),
    code: ErrorCode.UnknownSid,
    id: 110,
  },
  {
    name: "unknown channel",
    send: cmd(111, { cmd: "subscribe", params: { channels: ["orderbook"] } }),
    code: ErrorCode.UnknownChannel,
    id: 111,
  },
  {
    name: "market_ticker and market_tickers together",
    send: cmd(112, {
      cmd: "subscribe",
      params: { channels: ["ticker"], market_ticker: BOOK_TICKER, market_tickers: [OTHER_TICKER] },
    }),
    code: ErrorCode.InvalidParameter,
    id: 112,
  },
  {
    name: "unknown market ticker",
    send: cmd(113, {
      cmd: "subscribe",
      params: { channels: ["ticker"], market_ticker: "KXNOPE-1" },
    }),
    code: ErrorCode.InvalidParameter,
    id: 113,
    extra: { market_ticker: "KXNOPE-1" },
  },
  {
    name: "market_id on a channel other than ticker",
    send: cmd(114, {
      cmd: "subscribe",
      params: { channels: ["trade"], market_id: "9b0f6b43-5b68-4f9f-9f02-9a2d1b8ac1a1" },
    }),
    code: ErrorCode.InvalidParameter,
    id: 114,
  },
  {
    name: "get_snapshot for a market the sid does not hold",
    send: cmd(115, {
      cmd: "update_subscription",
      params: { sid: 1, action: "get_snapshot", market_tickers: [OTHER_TICKER] },
    }),
    code: ErrorCode.InvalidParameter,
    id: 115,
    extra: { market_tickers: [OTHER_TICKER] },
  },
  {
    name: "update_subscription with sid and sids",
    send: cmd(116, {
      cmd: "update_subscription",
      params: { sid: 1, sids: [1], action: "add_markets", market_ticker: OTHER_TICKER },
    }),
    code: ErrorCode.OneSidRequired,
    id: 116,
  },
  {
    name: "update_subscription without sid",
    send: cmd(117, {
      cmd: "update_subscription",
      params: { action: "add_markets", market_ticker: OTHER_TICKER },
    }),
    code: ErrorCode.OneSidRequired,
    id: 117,
  },
  {
    name: "update_subscription with two sids",
    send: cmd(118, {
      cmd: "update_subscription",
      params: { sids: [1, 2], action: "add_markets", market_ticker: OTHER_TICKER },
    }),
    code: ErrorCode.OneSidRequired,
    id: 118,
  },
  {
    name: "add_markets on the trade channel",
    send: cmd(119, {
      cmd: "update_subscription",
      params: { sid: 2, action: "add_markets", market_ticker: OTHER_TICKER },
    }),
    code: ErrorCode.UnsupportedAction,
    id: 119,
  },
  {
    name: "unknown action",
    send: cmd(120, { cmd: "update_subscription", params: { sid: 1, action: "pause" } }),
    code: ErrorCode.UnsupportedAction,
    id: 120,
  },
  {
    name: "orderbook_delta without a market",
    send: cmd(121, { cmd: "subscribe", params: { channels: ["orderbook_delta"] } }),
    code: ErrorCode.MarketTickerRequired,
    id: 121,
  },
  {
    name: "add_markets without a market",
    send: cmd(122, { cmd: "update_subscription", params: { sid: 1, action: "add_markets" } }),
    code: ErrorCode.MarketTickerRequired,
    id: 122,
  },
  {
    name: "update_subscription without action",
    send: cmd(123, {
      cmd: "update_subscription",
      params: { sid: 1, market_ticker: OTHER_TICKER },
    }),
    code: ErrorCode.ActionRequired,
    id: 123,
  },
  {
    name: "action at the top level instead of in params",
    send: cmd(124, {
      cmd: "update_subscription",
      action: "add_markets",
      params: { sids: [1], market_ticker: OTHER_TICKER },
    }),
    code: ErrorCode.ActionRequired,
    id: 124,
  },
  {
    name: "shard_factor 0",
    send: cmd(125, { cmd: "subscribe", params: { channels: ["communications"], shard_factor: 0 } }),
    code: ErrorCode.ShardFactorNotPositive,
    id: 125,
  },
  {
    name: "shard_key without shard_factor",
    send: cmd(126, { cmd: "subscribe", params: { channels: ["communications"], shard_key: 1 } }),
    code: ErrorCode.ShardFactorRequired,
    id: 126,
  },
  {
    name: "shard_key not below shard_factor",
    send: cmd(127, {
      cmd: "subscribe",
      params: { channels: ["communications"], shard_factor: 2, shard_key: 2 },
    }),
    code: ErrorCode.ShardKeyOutOfRange,
    id: 127,
  },
  {
    name: "shard_factor above 100",
    send: cmd(128, {
      cmd: "subscribe",
      params: { channels: ["communications"], shard_factor: 101 },
    }),
    code: ErrorCode.ShardFactorTooLarge,
    id: 128,
  },
  {
    name: "subscribe_indices without index_ids",
    send: cmd(129, { cmd: "update_subscription", params: { sid: 3, action: "subscribe_indices" } }),
    code: ErrorCode.IndexIdsRequired,
    id: 129,
  },
  {
    name: "more markets than the per-subscription limit",
    send: cmd(130, {
      cmd: "subscribe",
      params: {
        channels: ["ticker"],
        market_tickers: [
          "KXHIGHNY-26NOV25-B53.5",
          "KXBTCD-26NOV2517-T98999.99",
          "KXFED-26DEC-T4.25",
          "KXCPI-26DEC-T0.3",
        ],
      },
    }),
    code: ErrorCode.MarketLimitExceeded,
    id: 130,
  },
  {
    name: "subscribe_underlyings without underlying_tickers",
    send: cmd(131, {
      cmd: "update_subscription",
      params: { sid: 4, action: "subscribe_underlyings", underlying_tickers: [] },
    }),
    code: ErrorCode.UnderlyingTickersRequired,
    id: 131,
  },
];
