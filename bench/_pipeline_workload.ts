/**
 * Wire-level workloads for the pipeline, latency, memory-stream and end-to-end benchmarks:
 * realistic text frames (`orderbook_delta` of about 260 bytes over many markets on one sid,
 * `ticker`, `trade`), the frames that set a session up (subscribed + snapshots), and a helper
 * that builds a ready `Session` + `BookStore` for them.
 *
 * Frames go through `JSON.stringify`, so every string is flat, as a socket would hand it over.
 *
 * @module
 */

import { BookStore } from "../packages/core/book_store.ts";
import { formatCount, formatPrice } from "../packages/core/fixed_point.ts";
import { Session } from "../packages/core/session.ts";
import { makeDeltaCycle, makeSnapshot, prng } from "./_book_workload.ts";

/** Series of plausible Kalshi tickers (event prefix + date + strike). */
const SERIES = ["KXBTCD", "KXETHD", "KXHIGHNY", "KXINXU", "KXFED", "KXNBAGAME", "KXCPI"];

/** A deterministic, realistic market ticker (`KXBTCD-26AUG2717-T113999.99` and alike). */
export function tickerOf(index: number): string {
  const series = SERIES[index % SERIES.length]!;
  const day = 10 + (index % 18);
  return `${series}-26AUG${day}17-T${100_000 + index * 7}.99`;
}

/** Everything a benchmark needs to replay one `orderbook_delta` stream. */
export interface DeltaWorkload {
  /** Market tickers, in subscription order. */
  readonly markets: readonly string[];
  /** `subscribed` (sid 1) then one `orderbook_snapshot` per market (seq 1..markets). */
  readonly setup: readonly string[];
  /** The delta frames, seq continuing after the snapshots. */
  readonly frames: readonly string[];
  /** Mean frame length in UTF-16 units (= bytes: the frames are ASCII). */
  readonly meanBytes: number;
}

/**
 * `count` `orderbook_delta` frames over `markets` markets (20 levels a side each), one sid,
 * seq strictly increasing, every book staying valid. Markets are picked at random per frame;
 * each market walks its own valid delta cycle.
 */
export function makeDeltaWorkload(count: number, markets = 1000, seed = 7): DeltaWorkload {
  const rand = prng(seed);
  const tickers: string[] = [];
  const setup: string[] = [
    JSON.stringify({ type: "subscribed", id: 1, msg: { channel: "orderbook_delta", sid: 1 } }),
  ];
  const cycles: { market_id?: string; price_dollars: string; delta_fp: string; side: string }[][] =
    [];
  const perMarket = Math.min(Math.ceil(count / markets), 2000);
  let seq = 0;
  for (let m = 0; m < markets; m++) {
    const ticker = tickerOf(m);
    tickers.push(ticker);
    const snapshot = makeSnapshot(ticker, rand, 20);
    setup.push(JSON.stringify({ type: "orderbook_snapshot", sid: 1, seq: ++seq, msg: snapshot }));
    cycles.push(makeDeltaCycle(snapshot, rand, Math.ceil(perMarket / 2)));
  }
  const next = new Array<number>(markets).fill(0);
  const frames: string[] = new Array(count);
  let bytes = 0;
  let tsMs = 1_787_838_983_996;
  for (let i = 0; i < count; i++) {
    const m = Math.floor(rand() * markets);
    const cycle = cycles[m]!;
    const d = cycle[next[m]!++ % cycle.length]!; // a cycle returns its book to the start
    tsMs += rand() < 0.7 ? 0 : 1;
    const frame = JSON.stringify({
      type: "orderbook_delta",
      sid: 1,
      seq: ++seq,
      msg: {
        market_ticker: tickers[m],
        market_id: d.market_id,
        price_dollars: d.price_dollars,
        delta_fp: d.delta_fp,
        side: d.side,
        ts: new Date(tsMs).toISOString().replace("Z", "443Z"),
        ts_ms: tsMs,
      },
    });
    frames[i] = frame;
    bytes += frame.length;
  }
  return { markets: tickers, setup, frames, meanBytes: bytes / count };
}

/** `count` `ticker` frames (sid 2, no seq) over `markets` markets, as Kalshi sends them. */
export function makeTickerFrames(count: number, markets = 1000, seed = 11): string[] {
  const rand = prng(seed);
  const frames: string[] = new Array(count);
  let ts = 1_787_838_983_996;
  for (let i = 0; i < count; i++) {
    const m = Math.floor(rand() * markets);
    const bid = 100 * (10 + Math.floor(rand() * 80));
    ts += rand() < 0.5 ? 0 : 1;
    frames[i] = JSON.stringify({
      type: "ticker",
      sid: 2,
      msg: {
        market_id: "3f2a7c1e-9b4d-4e8a-a1c2-5d6e7f809a1b",
        market_ticker: tickerOf(m),
        price_dollars: formatPrice(bid + 100),
        yes_bid_dollars: formatPrice(bid),
        yes_ask_dollars: formatPrice(bid + 200),
        yes_bid_size_fp: formatCount(Math.floor(rand() * 5000) * 100),
        yes_ask_size_fp: formatCount(Math.floor(rand() * 5000) * 100),
        last_trade_size_fp: formatCount(Math.floor(rand() * 100) * 100),
        volume_fp: formatCount(Math.floor(rand() * 1e6) * 100),
        open_interest_fp: formatCount(Math.floor(rand() * 1e6) * 100),
        dollar_volume: Math.floor(rand() * 1e6),
        dollar_open_interest: Math.floor(rand() * 1e6),
        ts: Math.floor(ts / 1000),
        ts_ms: ts,
      },
    });
  }
  return frames;
}

/** `count` `trade` frames (sid 3, seq 1..count) over `markets` markets. */
export function makeTradeFrames(count: number, markets = 1000, seed = 13): string[] {
  const rand = prng(seed);
  const frames: string[] = new Array(count);
  let ts = 1_787_838_983_996;
  for (let i = 0; i < count; i++) {
    const m = Math.floor(rand() * markets);
    const yes = 100 * (1 + Math.floor(rand() * 98));
    const taker = rand() < 0.5 ? "yes" : "no";
    ts += rand() < 0.5 ? 0 : 1;
    let id = "";
    for (let k = 0; k < 32; k++) id += Math.floor(rand() * 16).toString(16);
    frames[i] = JSON.stringify({
      type: "trade",
      sid: 3,
      seq: i + 1,
      msg: {
        trade_id: `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${
          id.slice(20)
        }`,
        market_ticker: tickerOf(m),
        yes_price_dollars: formatPrice(yes),
        no_price_dollars: formatPrice(10_000 - yes),
        count_fp: formatCount((1 + Math.floor(rand() * 500)) * 100),
        taker_side: taker,
        taker_outcome_side: taker,
        taker_book_side: taker === "yes" ? "bid" : "ask",
        is_block_trade: false,
        ts: Math.floor(ts / 1000),
        ts_ms: ts,
      },
    });
  }
  return frames;
}

/** A connected session subscribed to `orderbook_delta` (sid 1) on `markets`, snapshots loaded. */
export function readyBookSession(
  workload: DeltaWorkload,
): { session: Session; books: BookStore } {
  const books = new BookStore();
  const session = new Session({ books });
  session.subscribe({ channels: ["orderbook_delta"], market_tickers: [...workload.markets] }, 0);
  session.opened(0);
  while (session.pollTransmit() !== undefined);
  for (const frame of workload.setup) session.receiveText(frame, 0);
  let data = 0;
  for (let e = session.pollEvent(); e !== undefined; e = session.pollEvent()) {
    if (e.type === "data") data++;
    else if (e.type !== "connected" && e.type !== "subscribed" && e.type !== "command_result") {
      throw new Error(`Cannot set up the benchmark session: unexpected ${e.type} event`);
    }
  }
  if (data !== workload.markets.length) {
    throw new Error(`Cannot set up the benchmark session: ${data} snapshots delivered`);
  }
  return { session, books };
}

/** A connected session with `ticker` (sid 2) and `trade` (sid 3) subscriptions. */
export function readyTickerTradeSession(): Session {
  const session = new Session();
  session.subscribe({ channels: ["ticker"] }, 0);
  session.subscribe({ channels: ["trade"] }, 0);
  session.opened(0);
  while (session.pollTransmit() !== undefined);
  session.receiveText('{"type":"subscribed","id":1,"msg":{"channel":"ticker","sid":2}}', 0);
  session.receiveText('{"type":"subscribed","id":2,"msg":{"channel":"trade","sid":3}}', 0);
  while (session.pollEvent() !== undefined);
  return session;
}

/** Median of a list of numbers (copies). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Value at quantile `q` (0..1) of an ascending-sorted array (nearest rank). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/** Rounds to `digits` significant decimals for JSON output. */
export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
