/**
 * `update_subscription`: one sid (`sid`, or `sids` with exactly one), an action the channel
 * supports (code 13 otherwise), and the action — add or delete markets, `get_snapshot`, add or
 * remove value-feed index ids/underlyings, or list them.
 *
 * @module
 */

import {
  type CommandContext,
  CommandFailure,
  isStringArray,
  optionalBoolean,
  optionalStringArray,
  type Params,
  readMarkets,
} from "./command_context.ts";
import type { OutFrame } from "./outbox.ts";
import { CF_INDEX_IDS, CHANNEL_ACTIONS, ErrorCode, PYTH_UNDERLYINGS } from "./protocol.ts";
import { sendInitialData, sendOk } from "./subscription_replies.ts";
import { nextSeq, type Subscription } from "./subscription_table.ts";

/** Handles `update_subscription` (see the module doc); throws {@linkcode CommandFailure}. */
export function updateSubscription(
  ctx: CommandContext,
  id: number | undefined,
  params: Params,
  now: number,
  out: OutFrame[],
): void {
  const sub = ctx.subs.get(targetSid(params));
  const action = params.action;
  if (action === undefined || action === null || action === "") {
    throw new CommandFailure(ErrorCode.ActionRequired);
  }
  if (typeof action !== "string") throw new CommandFailure(ErrorCode.UnableToProcess);
  if (sub === undefined) throw new CommandFailure(ErrorCode.UnknownSid);
  if (!(CHANNEL_ACTIONS[sub.channel] ?? []).includes(action)) {
    throw new CommandFailure(ErrorCode.UnsupportedAction);
  }

  switch (action) {
    case "add_markets":
    case "delete_markets":
      return changeMarkets(ctx, id, sub, action, params, now, out);
    case "get_snapshot":
      return getSnapshot(ctx, id, sub, params, now, out);
    case "subscribe_indices":
    case "unsubscribe_indices":
    case "subscribe_underlyings":
    case "unsubscribe_underlyings":
      return changeFeedIds(ctx, id, sub, action, params, out);
    case "indexlist":
    case "underlying_list":
      return listFeedIds(ctx, id, sub, action, out);
  }
}

/** The one sid of the command: code 12 unless exactly one of `sid`/`sids` names one. */
function targetSid(params: Params): number {
  const hasSid = params.sid !== undefined && params.sid !== null;
  const hasSids = params.sids !== undefined && params.sids !== null;
  if (hasSid === hasSids) throw new CommandFailure(ErrorCode.OneSidRequired);
  if (hasSid) {
    if (!Number.isSafeInteger(params.sid)) throw new CommandFailure(ErrorCode.UnableToProcess);
    return params.sid as number;
  }
  const sids = params.sids;
  if (!Array.isArray(sids) || !sids.every((s) => Number.isSafeInteger(s))) {
    throw new CommandFailure(ErrorCode.UnableToProcess);
  }
  if (sids.length !== 1) throw new CommandFailure(ErrorCode.OneSidRequired);
  return sids[0] as number;
}

function changeMarkets(
  ctx: CommandContext,
  id: number | undefined,
  sub: Subscription,
  action: "add_markets" | "delete_markets",
  params: Params,
  now: number,
  out: OutFrame[],
): void {
  const markets = readMarkets(ctx.exchange, params, sub.channel === "ticker");
  if (markets === undefined) throw new CommandFailure(ErrorCode.MarketTickerRequired);
  if (action === "add_markets") {
    const added = sub.allMarkets ? [] : markets.tickers.filter((t) => !sub.tickers.has(t));
    if (sub.tickers.size + added.length > ctx.marketLimit) {
      throw new CommandFailure(ErrorCode.MarketLimitExceeded);
    }
    for (const ticker of added) sub.tickers.add(ticker);
    if (markets.byId) sub.byId = true;
    sendOk(ctx, id, sub, out);
    sendInitialData(
      ctx,
      sub,
      added,
      optionalBoolean(params.send_initial_snapshot),
      undefined,
      now,
      out,
    );
  } else {
    if (!sub.allMarkets) { for (const ticker of markets.tickers) sub.tickers.delete(ticker); }
    sendOk(ctx, id, sub, out);
  }
}

function getSnapshot(
  ctx: CommandContext,
  id: number | undefined,
  sub: Subscription,
  params: Params,
  now: number,
  out: OutFrame[],
): void {
  if (
    params.market_ticker !== undefined || params.market_id !== undefined ||
    params.market_ids !== undefined
  ) {
    throw new CommandFailure(ErrorCode.InvalidParameter);
  }
  const tickers = params.market_tickers;
  if (
    tickers === undefined || tickers === null ||
    (Array.isArray(tickers) && tickers.length === 0)
  ) {
    throw new CommandFailure(ErrorCode.MarketTickerRequired);
  }
  if (!isStringArray(tickers)) throw new CommandFailure(ErrorCode.UnableToProcess);
  const missing = tickers.filter((t) =>
    !sub.tickers.has(t) || ctx.exchange.market(t) === undefined
  );
  if (missing.length > 0) {
    throw new CommandFailure(ErrorCode.InvalidParameter, { market_tickers: missing });
  }
  sendInitialData(ctx, sub, tickers, false, id, now, out);
}

function changeFeedIds(
  ctx: CommandContext,
  id: number | undefined,
  sub: Subscription,
  action: string,
  params: Params,
  out: OutFrame[],
): void {
  const indices = action.endsWith("_indices");
  const values = optionalStringArray(indices ? params.index_ids : params.underlying_tickers);
  if (values === undefined || values.length === 0) {
    throw new CommandFailure(
      indices ? ErrorCode.IndexIdsRequired : ErrorCode.UnderlyingTickersRequired,
    );
  }
  if (action.startsWith("subscribe")) {
    sub.ids = values.includes("all")
      ? ["all"]
      : [...new Set([...sub.ids.filter((v) => v !== "all"), ...values])];
  } else {
    sub.ids = values.includes("all") ? [] : sub.ids.filter((v) => !values.includes(v));
  }
  sendOk(ctx, id, sub, out, indices ? { index_ids: sub.ids } : { underlying_tickers: sub.ids });
}

function listFeedIds(
  ctx: CommandContext,
  id: number | undefined,
  sub: Subscription,
  action: "indexlist" | "underlying_list",
  out: OutFrame[],
): void {
  const seq = nextSeq(sub);
  const indices = action === "indexlist";
  ctx.outbox.push(out, {
    text: JSON.stringify({
      type: indices ? `${sub.channel}_indexlist` : "pyth_value_underlying_list",
      ...(id === undefined ? {} : { id }),
      sid: sub.sid,
      seq,
      msg: indices ? { index_ids: CF_INDEX_IDS } : { underlying_tickers: PYTH_UNDERLYINGS },
    }),
    sid: sub.sid,
    seq,
  });
}
