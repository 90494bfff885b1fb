/**
 * In-process pipeline throughput: text frames through `Session.receiveText` (decode, sequence
 * check, book update) and out of `pollEvent` (event delivery), against a bare `JSON.parse` loop
 * over the same strings, measured in alternating rounds of the same run.
 *
 *   deno run -A --v8-flags=--expose-gc bench/pipeline.ts            # 200 000 frames per type
 *   deno run -A --v8-flags=--expose-gc bench/pipeline.ts --full     # 1 000 000 frames per type
 *
 * Workloads (`_pipeline_workload.ts`): `orderbook_delta` frames of ~266 bytes over 1 000
 * markets on one sid (20 levels a side each, books kept valid), `ticker` frames (~480 bytes,
 * no seq) and `trade` frames (~370 bytes, seq). A reference row shows what `JSON.parse` plus the
 * naive `Map` book and a seq check achieve, and a client row runs the deltas through the whole
 * `KalshiWsClient` (an in-memory transport handing each frame to the client as a socket would,
 * books on, a `data` listener): the client's own cost without any socket. The last line is a
 * JSON summary.
 *
 * @module
 */

import type { OrderbookDeltaMsg } from "../packages/core/message_orderbook.ts";
import { NaiveBook } from "./_book_workload.ts";
import {
  makeDeltaWorkload,
  makeTickerFrames,
  makeTradeFrames,
  readyBookSession,
  readyTickerTradeSession,
  round,
} from "./_pipeline_workload.ts";
import {
  benchFlags,
  canCollect,
  collect,
  formatRate,
  machine,
  printSummary,
  ratio,
  Series,
} from "./_report.ts";
import type { Session } from "../packages/core/session.ts";
import { connect, type SocketEvents, type Transport } from "../packages/client/mod.ts";

const flags = benchFlags(["frames", "markets"]);
const count = Number(flags.values.frames ?? (flags.full ? 1_000_000 : 200_000));
const markets = Number(flags.values.markets ?? 1000);
const rounds = flags.rounds ?? 7;

console.error(`building ${count} frames of each type over ${markets} markets…`);
const deltas = makeDeltaWorkload(count, markets);
const tickers = makeTickerFrames(count, markets);
const trades = makeTradeFrames(count, markets);
const meanBytes = (frames: readonly string[]) =>
  frames.reduce((sum, f) => sum + f.length, 0) / frames.length;

let sink = 0;

/** The baseline: parse every frame, touch one field so nothing is optimised away. */
function bareParse(frames: readonly string[], from: number, to: number): void {
  let s = 0;
  for (let i = from; i < to; i++) s += JSON.parse(frames[i]!).sid;
  sink += s;
}

/** Runs frames through a session and delivers every event to a consumer. */
function pipeline(session: Session, frames: readonly string[], from: number, to: number): void {
  let data = 0;
  for (let i = from; i < to; i++) {
    session.receiveText(frames[i]!, i >>> 10);
    for (let e = session.pollEvent(); e !== undefined; e = session.pollEvent()) {
      if (e.type === "data") data++;
      else throw new Error(`Cannot benchmark: unexpected ${e.type} event`);
    }
  }
  if (data !== to - from) throw new Error(`Cannot benchmark: ${to - from - data} frames lost`);
}

/** Reference: JSON.parse + seq check + naive Map book per market (what a first version does). */
function naivePipeline(
  state: { books: Map<string, NaiveBook>; last: number },
  frames: readonly string[],
  from: number,
  to: number,
): void {
  for (let i = from; i < to; i++) {
    const m = JSON.parse(frames[i]!);
    if (m.seq !== state.last + 1) throw new Error("Cannot benchmark: naive seq gap");
    state.last = m.seq;
    const msg = m.msg as OrderbookDeltaMsg;
    if (!state.books.get(msg.market_ticker)!.applyDelta(msg)) throw new Error("naive refused");
  }
}

function naiveBooks(): { books: Map<string, NaiveBook>; last: number } {
  const books = new Map<string, NaiveBook>();
  for (const frame of deltas.setup.slice(1)) {
    const m = JSON.parse(frame);
    const book = new NaiveBook();
    book.applySnapshot(m.msg);
    books.set(m.msg.market_ticker, book);
  }
  return { books, last: deltas.setup.length - 1 };
}

/**
 * A client connected over an in-memory transport, subscribed to the delta workload's markets
 * with its snapshots loaded; the runner hands frames to it as a socket's `text` events would
 * and checks every one reached the `data` listener. `close` ends it.
 */
async function readyClient(): Promise<
  { run: (from: number, to: number) => void; close: () => Promise<void> }
> {
  let events!: SocketEvents;
  const transport: Transport = {
    name: "memory-bench",
    seesPings: false,
    open(_url, _headers, socketEvents) {
      events = socketEvents;
      queueMicrotask(() => socketEvents.open());
      return { send() {}, close: () => queueMicrotask(() => socketEvents.close(1000, "")) };
    },
  };
  const client = await connect({
    transport,
    endpoint: "ws://127.0.0.1:1/trade-api/ws/v2",
    keyId: "bench",
    signer: { sign: () => Promise.resolve("YmVuY2g=") },
    books: true,
    reconnect: false,
  });
  let data = 0;
  let problems = 0;
  client.on("data", () => data++);
  client.on("gap", () => problems++);
  client.on("book_invalid", () => problems++);
  const subscribing = client.subscribe(
    { channels: ["orderbook_delta"], market_tickers: [...deltas.markets] },
    { buffer: false },
  );
  for (const frame of deltas.setup) events.text(frame);
  await subscribing;
  const frames = deltas.frames;
  return {
    run: (from, to) => {
      const before = data;
      for (let i = from; i < to; i++) events.text(frames[i]!);
      if (data - before !== to - from || problems !== 0) {
        throw new Error(`Cannot benchmark: the client delivered ${data - before} of ${to - from}`);
      }
    },
    close: () => client.close(),
  };
}

/** A variant: fresh state per round, then chunks of the frames. */
interface Variant {
  readonly series: Series;
  prepare(): (from: number, to: number) => void;
}

/**
 * One round over `frames`: every variant processes every frame, in chunks of `CHUNK` frames
 * taken in turn (order rotating per chunk), so machine load drifting during the round hits all
 * variants alike. Each variant's round time is the sum of its chunk times.
 */
const CHUNK = 20_000;
function interleavedRound(frames: readonly string[], variants: readonly Variant[]): void {
  const runs = variants.map((v) => v.prepare());
  const totals = variants.map(() => 0);
  collect();
  for (let from = 0, c = 0; from < frames.length; from += CHUNK, c++) {
    const to = Math.min(frames.length, from + CHUNK);
    for (let k = 0; k < runs.length; k++) {
      const j = (k + c) % runs.length;
      const start = performance.now();
      runs[j]!(from, to);
      totals[j]! += performance.now() - start;
    }
  }
  variants.forEach((v, j) => v.series.times.push(totals[j]!));
}

const series = {
  deltaBare: new Series("orderbook_delta: bare JSON.parse", count),
  deltaOurs: new Series("orderbook_delta: Session + BookStore + events", count),
  deltaNaive: new Series("orderbook_delta: JSON.parse + seq + naive Map book", count),
  deltaClient: new Series("orderbook_delta: client (memory socket, books, listener)", count),
  tickerBare: new Series("ticker: bare JSON.parse", count),
  tickerOurs: new Series("ticker: Session + events", count),
  tradeBare: new Series("trade: bare JSON.parse", count),
  tradeOurs: new Series("trade: Session + seq + events", count),
};

const bare = (s: Series, frames: readonly string[]): Variant => ({
  series: s,
  prepare: () => (from, to) => bareParse(frames, from, to),
});
const ours = (s: Series, frames: readonly string[], make: () => Session): Variant => ({
  series: s,
  prepare: () => {
    const session = make();
    return (from, to) => pipeline(session, frames, from, to);
  },
});

for (let r = 0; r < rounds; r++) {
  const client = await readyClient();
  interleavedRound(deltas.frames, [
    bare(series.deltaBare, deltas.frames),
    ours(series.deltaOurs, deltas.frames, () => readyBookSession(deltas).session),
    {
      series: series.deltaNaive,
      prepare: () => {
        const state = naiveBooks();
        return (from, to) => naivePipeline(state, deltas.frames, from, to);
      },
    },
    { series: series.deltaClient, prepare: () => client.run },
  ]);
  await client.close();
  interleavedRound(tickers, [
    bare(series.tickerBare, tickers),
    ours(series.tickerOurs, tickers, readyTickerTradeSession),
  ]);
  interleavedRound(trades, [
    bare(series.tradeBare, trades),
    ours(series.tradeOurs, trades, readyTickerTradeSession),
  ]);
  const last = (a: Series, b: Series) => round(b.times.at(-1)! / a.times.at(-1)!, 2);
  console.error(
    `round ${r + 1}/${rounds}: delta ${last(series.deltaOurs, series.deltaBare)}× (naive ${
      last(series.deltaNaive, series.deltaBare)
    }×, client ${last(series.deltaClient, series.deltaBare)}×), ticker ${
      last(series.tickerOurs, series.tickerBare)
    }×, trade ${last(series.tradeOurs, series.tradeBare)}×`,
  );
}

const rows = [
  [series.deltaOurs, series.deltaBare],
  [series.deltaNaive, series.deltaBare],
  [series.deltaClient, series.deltaBare],
  [series.tickerOurs, series.tickerBare],
  [series.tradeOurs, series.tradeBare],
] as const;
console.log(`\nIn-process pipeline, ${count} frames per type, median of ${rounds} rounds:`);
for (const [candidate, baseline] of rows) {
  console.log(
    `  ${candidate.name.padEnd(52)} ${formatRate(candidate.rate).padStart(11)}  ` +
      `${ratio(candidate, baseline).toFixed(2)}× ${baseline.name} (${formatRate(baseline.rate)})`,
  );
}
if (sink === 0.5) console.log(sink);

printSummary({
  bench: "pipeline",
  frames: count,
  markets,
  rounds,
  gc_between_rounds: canCollect(),
  bytes_per_frame: {
    orderbook_delta: round(deltas.meanBytes, 1),
    ticker: round(meanBytes(tickers), 1),
    trade: round(meanBytes(trades), 1),
  },
  orderbook_delta: {
    ratio: ratio(series.deltaOurs, series.deltaBare),
    rate: Math.round(series.deltaOurs.rate),
    baseline_rate: Math.round(series.deltaBare.rate),
    naive_ratio: ratio(series.deltaNaive, series.deltaBare),
    client_ratio: ratio(series.deltaClient, series.deltaBare),
    client_rate: Math.round(series.deltaClient.rate),
  },
  ticker: {
    ratio: ratio(series.tickerOurs, series.tickerBare),
    rate: Math.round(series.tickerOurs.rate),
    baseline_rate: Math.round(series.tickerBare.rate),
  },
  trade: {
    ratio: ratio(series.tradeOurs, series.tradeBare),
    rate: Math.round(series.tradeOurs.rate),
    baseline_rate: Math.round(series.tradeBare.rate),
  },
  machine: machine(),
});
