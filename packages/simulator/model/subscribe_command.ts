/**
 * `subscribe` and `unsubscribe`: checking a subscribe's parameters in Kalshi's order (each
 * failure with its error code), creating one subscription per new channel, Kalshi's idempotent
 * re-subscribe (a second subscribe to a channel adds its markets to the existing sid, answers
 * `ok` and snapshots only the new markets), and ending subscriptions by sid.
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
import { errorFrame } from "./envelope.ts";
import type { OutFrame } from "./outbox.ts";
import {
  type Channel,
  ErrorCode,
  isChannel,
  MARKET_CHANNELS,
  PRIVATE_CHANNELS,
} from "./protocol.ts";
import { readShards } from "./routing.ts";
import { sendInitialData, sendOk } from "./subscription_replies.ts";
import { nextSeq } from "./subscription_table.ts";

/** Handles `subscribe` (see the module doc); throws {@linkcode CommandFailure} on bad params. */
export function subscribe(
  ctx: CommandContext,
  id: number | undefined,
  params: Params,
  now: number,
  out: OutFrame[],
): void {
  const channels = params.channels;
  if (
    channels === undefined || channels === null ||
    (Array.isArray(channels) && channels.length === 0)
  ) {
    throw new CommandFailure(ErrorCode.ChannelsRequired);
  }
  if (!isStringArray(channels)) throw new CommandFailure(ErrorCode.UnableToProcess);
  for (const channel of channels) {
    if (!isChannel(channel)) throw new CommandFailure(ErrorCode.UnknownChannel);
  }
  const wanted = [...new Set(channels as Channel[])];
  if (ctx.userId === undefined && wanted.some((c) => PRIVATE_CHANNELS.has(c))) {
    throw new CommandFailure(ErrorCode.AuthenticationRequired);
  }
  const useYesPrice = optionalBoolean(params.use_yes_price);
  const skipTickerAck = optionalBoolean(params.skip_ticker_ack);
  const initialTicker = optionalBoolean(params.send_initial_snapshot);
  const markets = readMarkets(
    ctx.exchange,
    params,
    wanted.length === 1 && wanted[0] === "ticker",
  );
  if (markets === undefined && wanted.includes("orderbook_delta")) {
    throw new CommandFailure(ErrorCode.MarketTickerRequired);
  }
  const shards = wanted.includes("communications") ? readShards(params) : undefined;
  if (typeof shards === "number") throw new CommandFailure(shards);
  if (
    params.user_filter !== undefined && params.user_filter !== "" && params.user_filter !== "self"
  ) {
    throw new CommandFailure(
      typeof params.user_filter === "string"
        ? ErrorCode.InvalidParameter
        : ErrorCode.UnableToProcess,
    );
  }
  const indexIds = optionalStringArray(params.index_ids);
  const underlyings = optionalStringArray(params.underlying_tickers);
  if (markets !== undefined && markets.tickers.length > ctx.marketLimit) {
    throw new CommandFailure(ErrorCode.MarketLimitExceeded);
  }

  for (const channel of wanted) {
    const marketChannel = MARKET_CHANNELS.has(channel);
    const existing = ctx.subs.ofChannel(channel);
    if (existing !== undefined) {
      // Idempotent re-subscribe: add new markets, answer `ok`, snapshot only the new ones.
      const added: string[] = [];
      if (marketChannel && !existing.allMarkets) {
        if (markets === undefined) {
          existing.allMarkets = true;
          existing.tickers.clear();
        } else {
          for (const ticker of markets.tickers) {
            if (!existing.tickers.has(ticker)) added.push(ticker);
          }
          if (existing.tickers.size + added.length > ctx.marketLimit) {
            throw new CommandFailure(ErrorCode.MarketLimitExceeded);
          }
          for (const ticker of added) existing.tickers.add(ticker);
        }
      }
      sendOk(ctx, id, existing, out);
      sendInitialData(ctx, existing, added, initialTicker, undefined, now, out);
      continue;
    }
    const sub = ctx.subs.create({
      channel,
      allMarkets: !marketChannel || markets === undefined,
      tickers: new Set(marketChannel && markets !== undefined ? markets.tickers : []),
      byId: markets?.byId ?? false,
      useYesPrice: channel === "orderbook_delta" && useYesPrice,
      skipTickerAck,
      ids: channel === "pyth_value"
        ? underlyings ?? []
        : channel.startsWith("cfbenchmarks")
        ? indexIds ?? []
        : [],
      ownRfqsOnly: channel === "communications" && params.user_filter === "self",
      shardFactor: channel === "communications" ? shards?.factor : undefined,
      shardKey: channel === "communications" ? shards?.key : undefined,
    });
    ctx.outbox.push(out, {
      text: JSON.stringify({
        ...(id === undefined ? {} : { id }),
        type: "subscribed",
        msg: { channel, sid: sub.sid },
      }),
    });
    sendInitialData(ctx, sub, [...sub.tickers], initialTicker, undefined, now, out);
  }
}

/** Handles `unsubscribe`: each live sid ends with `unsubscribed`, an unknown one answers 7. */
export function unsubscribe(
  ctx: CommandContext,
  id: number | undefined,
  params: Params,
  out: OutFrame[],
): void {
  const sids = params.sids;
  if (sids === undefined || sids === null || (Array.isArray(sids) && sids.length === 0)) {
    throw new CommandFailure(ErrorCode.SidsRequired);
  }
  if (!Array.isArray(sids) || !sids.every((s) => Number.isSafeInteger(s))) {
    throw new CommandFailure(ErrorCode.UnableToProcess);
  }
  for (const sid of sids as number[]) {
    const sub = ctx.subs.get(sid);
    if (sub === undefined) {
      ctx.outbox.push(out, { text: errorFrame(ErrorCode.UnknownSid, id) });
      continue;
    }
    ctx.subs.delete(sid);
    const seq = nextSeq(sub);
    ctx.outbox.push(out, {
      text: JSON.stringify({
        ...(id === undefined ? {} : { id }),
        type: "unsubscribed",
        sid,
        seq,
      }),
      sid,
      seq,
    });
  }
}
