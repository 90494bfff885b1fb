/**
 * The frames a command sends on a subscription besides `subscribed`/`unsubscribed`: the `ok`
 * acknowledgement (it consumes a `seq` and lists the subscription's markets), the orderbook
 * snapshots of newly added markets (also `get_snapshot`'s answer, then with the command's
 * `id`), and the initial `ticker` frames of `send_initial_snapshot`.
 *
 * @module
 */

import type { CommandContext } from "./command_context.ts";
import type { OutFrame } from "./outbox.ts";
import { MARKET_CHANNELS } from "./protocol.ts";
import { nextSeq, type Subscription } from "./subscription_table.ts";

/** The `ok` acknowledgement on `sub`: `msg`, else the full market list (unless skipped). */
export function sendOk(
  ctx: CommandContext,
  id: number | undefined,
  sub: Subscription,
  out: OutFrame[],
  msg?: Record<string, unknown>,
): void {
  const seq = nextSeq(sub);
  let body = msg;
  if (
    body === undefined && MARKET_CHANNELS.has(sub.channel) && !sub.allMarkets &&
    !sub.skipTickerAck
  ) {
    const tickers = [...sub.tickers];
    body = sub.byId
      ? {
        market_tickers: tickers,
        market_ids: tickers.map((t) => ctx.exchange.market(t)!.marketId),
      }
      : { market_tickers: tickers };
  }
  ctx.outbox.push(out, {
    text: JSON.stringify({
      ...(id === undefined ? {} : { id }),
      type: "ok",
      sid: sub.sid,
      seq,
      ...(body === undefined ? {} : { msg: body }),
    }),
    sid: sub.sid,
    seq,
  });
}

/**
 * Snapshots of `tickers` on an orderbook subscription (with the command `id` when given), or
 * their current ticker on a ticker subscription when `initialTicker`.
 */
export function sendInitialData(
  ctx: CommandContext,
  sub: Subscription,
  tickers: readonly string[],
  initialTicker: boolean,
  id: number | undefined,
  now: number,
  out: OutFrame[],
): void {
  if (sub.channel === "orderbook_delta") {
    for (const ticker of tickers) {
      const seq = nextSeq(sub);
      const msg = JSON.stringify(ctx.exchange.snapshotMsg(ticker, sub.useYesPrice));
      const idPart = id === undefined ? "" : `"id":${id},`;
      ctx.outbox.push(out, {
        text: `{"type":"orderbook_snapshot",${idPart}"sid":${sub.sid},"seq":${seq},"msg":${msg}}`,
        sid: sub.sid,
        seq,
      });
    }
  } else if (sub.channel === "ticker" && initialTicker) {
    for (const ticker of tickers) {
      const msg = JSON.stringify(ctx.exchange.tickerMsg(ticker, now));
      ctx.outbox.push(out, {
        text: `{"type":"ticker","sid":${sub.sid},"msg":${msg}}`,
        sid: sub.sid,
      });
    }
  }
}
