/**
 * Memory: heap per resident book level with everything a real client holds (books loaded
 * through `Session.receiveText`, the session's market sets, the decoder's caches), and heap
 * growth over a long stream at constant book size through the whole client (in-memory socket,
 * `KalshiWsClient` with books, a `data` listener and a subscription stream read by `for await`).
 *
 *   deno run -A --v8-flags=--expose-gc bench/memory.ts                 # 10 000 markets, 3 min
 *   deno run -A --v8-flags=--expose-gc bench/memory.ts --minutes 30    # the 30-minute run
 *
 * Growth: the stream replays per-market delta cycles (each returns its book to the snapshot),
 * so book size is constant; heap (`heapUsed + external` after forced GCs) is sampled every
 * 10 s after a warm-up and a least-squares slope is fitted. The last line is a JSON summary.
 *
 * @module
 */

import { connect, type SocketEvents, type Transport } from "../packages/client/mod.ts";
import { BookStore } from "../packages/core/book_store.ts";
import { Session } from "../packages/core/session.ts";
import { makeDeltaCycle, makeSnapshot, prng } from "./_book_workload.ts";
import { round, tickerOf } from "./_pipeline_workload.ts";
import { benchFlags, canCollect, collect, machine, printSummary } from "./_report.ts";

if (!canCollect()) throw new Error("Cannot measure memory: run with --v8-flags=--expose-gc");

const flags = benchFlags(["markets", "minutes", "stream-markets"]);
const markets = Number(flags.values.markets ?? 10_000);
const minutes = Number(flags.values.minutes ?? (flags.full ? 30 : 3));
const streamMarkets = Number(flags.values["stream-markets"] ?? 1000);
const LEVELS = 20;

function heap(): number {
  collect();
  collect();
  const m = Deno.memoryUsage();
  return m.heapUsed + m.external;
}

// ---------------------------------------------------------------------------------------------
// 1. Resident levels through the session

function snapshotFrames(count: number, seed: number): { tickers: string[]; frames: string[] } {
  const rand = prng(seed);
  const tickers: string[] = [];
  const frames: string[] = [];
  for (let m = 0; m < count; m++) {
    const ticker = tickerOf(m);
    tickers.push(ticker);
    frames.push(JSON.stringify({
      type: "orderbook_snapshot",
      sid: 1,
      seq: m + 1,
      msg: makeSnapshot(ticker, rand, LEVELS),
    }));
  }
  return { tickers, frames };
}

const residentLevels = markets * LEVELS * 2;

/** Heap held by `markets` books loaded through a session, per resident level. */
function measureResident(): number {
  // Baseline before the input exists, and the input dropped before the final reading: GC
  // leftovers of building the input cannot blur the difference.
  const before = heap();
  const resident = snapshotFrames(markets, 3);
  const books = new BookStore();
  const session = new Session({ books });
  session.subscribe({ channels: ["orderbook_delta"], market_tickers: resident.tickers }, 0);
  session.opened(0);
  while (session.pollTransmit() !== undefined);
  session.receiveText(
    '{"type":"subscribed","id":1,"msg":{"channel":"orderbook_delta","sid":1}}',
    0,
  );
  for (const frame of resident.frames) session.receiveText(frame, 0);
  while (session.pollEvent() !== undefined);
  books.drainChanges(() => {});
  resident.frames.length = 0; // input, not state (the tickers stay: the subscription uses them)
  const bytes = heap() - before;
  let held = 0;
  for (const book of books.books()) held += book.levelCount("yes") + book.levelCount("no");
  if (held !== residentLevels || !session.connected) {
    throw new Error(`Cannot trust the measurement: ${held} levels held`);
  }
  return bytes / residentLevels;
}

const bytesPerLevel = round(measureResident(), 1);
console.error(
  `resident: ${markets} markets × ${LEVELS} levels × 2 sides through Session + BookStore: ` +
    `${bytesPerLevel} B/level (target ≤ 64)`,
);

// ---------------------------------------------------------------------------------------------
// 2. Growth over a long stream through the client

const rand = prng(5);
const streamTickers: string[] = [];
const setup: string[] = [];
const cycles: string[][] = []; // per market: frame text after `"seq":`
for (let m = 0; m < streamMarkets; m++) {
  const ticker = tickerOf(m);
  streamTickers.push(ticker);
  const snapshot = makeSnapshot(ticker, rand, LEVELS);
  setup.push(JSON.stringify({ type: "orderbook_snapshot", sid: 1, seq: m + 1, msg: snapshot }));
  cycles.push(
    makeDeltaCycle(snapshot, rand, 50).map((d) =>
      JSON.stringify({ msg: { ...d, ts: "2026-08-27T13:56:23.996443Z", ts_ms: 1787838983996 } })
        .slice(1) // `"msg":{…}}`
    ),
  );
}

let events!: SocketEvents;
const transport: Transport = {
  name: "memory-bench",
  seesPings: false,
  open(_url, _headers, socketEvents) {
    events = socketEvents;
    queueMicrotask(() => socketEvents.open());
    return {
      send() {},
      close() {
        queueMicrotask(() => socketEvents.close(1000, ""));
      },
    };
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
let delivered = 0;
const problems: string[] = [];
client.on("*", (event) => {
  if (event.type === "data") delivered++;
  else if (event.type !== "subscribed") problems.push(event.type);
});
const subscribing = client.subscribe({
  channels: ["orderbook_delta"],
  market_tickers: streamTickers,
});
events.text('{"type":"subscribed","id":1,"msg":{"channel":"orderbook_delta","sid":1}}');
for (const frame of setup) events.text(frame);
const subscription = await subscribing;
let streamed = 0;
let lagged = 0;
const stream = subscription.events();
const reading = (async () => {
  for await (const event of stream) {
    if (event.type === "data") streamed++;
    else if (event.type === "lagged") lagged++;
  }
})();

let seq = setup.length;
let frames = 0;
const next = new Array<number>(streamMarkets).fill(0);
/** Feeds `count` frames (random markets, each walking its cycle), then yields to the reader. */
async function feed(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const m = Math.floor(rand() * streamMarkets);
    const cycle = cycles[m]!;
    const k = next[m]!;
    next[m] = k + 1 === cycle.length ? 0 : k + 1;
    events.text(`{"type":"orderbook_delta","sid":1,"seq":${++seq},${cycle[k]!}`);
    frames++;
  }
  await new Promise((resolve) => setTimeout(resolve, 0));
}

/** Feeds until every market is back at its snapshot (all cycles at 0): book size as at start. */
async function feedUntilAligned(deadline: number): Promise<void> {
  while (performance.now() < deadline) await feed(2000);
  let sinceYield = 0;
  for (let m = 0; m < streamMarkets; m++) {
    const cycle = cycles[m]!;
    while (next[m] !== 0) {
      events.text(`{"type":"orderbook_delta","sid":1,"seq":${++seq},${cycle[next[m]!]!}`);
      next[m] = next[m]! + 1 === cycle.length ? 0 : next[m]! + 1;
      frames++;
      // Let the stream's reader keep up (its buffer holds 4 096 messages).
      if (++sinceYield === 2000) {
        sinceYield = 0;
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 0));
}

const warmupMs = Math.min(30_000, minutes * 60_000 / 6);
await feedUntilAligned(performance.now() + warmupMs);
const samples: { t: number; bytes: number; frames: number }[] = [];
const start = performance.now();
const end = start + minutes * 60_000;
samples.push({ t: 0, bytes: heap(), frames });
console.error(`growth: warm-up done, sampling every 10 s for ${minutes} min…`);
while (performance.now() < end) {
  await feedUntilAligned(Math.min(end, performance.now() + 10_000));
  samples.push({ t: (performance.now() - start) / 1000, bytes: heap(), frames });
  const last = samples.at(-1)!;
  if (samples.length % 6 === 1) {
    console.error(
      `  ${last.t.toFixed(0)} s: heap ${(last.bytes / 1e6).toFixed(2)} MB, ${last.frames} frames`,
    );
  }
}
const rss = Deno.memoryUsage().rss;
if (problems.length > 0) throw new Error(`Cannot trust the stream: ${problems.join(", ")} events`);
await client.close();
await reading;

// Least-squares slope of heap over time (bytes per minute).
const n = samples.length;
const meanT = samples.reduce((s, x) => s + x.t, 0) / n;
const meanB = samples.reduce((s, x) => s + x.bytes, 0) / n;
let num = 0;
let den = 0;
for (const x of samples) {
  num += (x.t - meanT) * (x.bytes - meanB);
  den += (x.t - meanT) ** 2;
}
const slopePerMinute = den === 0 ? 0 : num / den * 60;
const first = samples[0]!;
const last = samples.at(-1)!;

const summary = {
  bench: "memory",
  resident: {
    markets,
    levels_per_side: LEVELS,
    resident_levels: residentLevels,
    bytes_per_level: bytesPerLevel,
    target_bytes_per_level: 64,
  },
  growth: {
    minutes,
    markets: streamMarkets,
    levels_per_side: LEVELS,
    frames: last.frames - first.frames,
    frames_per_second: Math.round((last.frames - first.frames) / Math.max(1e-9, last.t)),
    delivered_to_listener: delivered,
    delivered_to_stream: streamed,
    stream_lagged_events: lagged,
    stream_dropped: stream.dropped,
    heap_after_warmup_mb: round(first.bytes / 1e6, 3),
    heap_at_end_mb: round(last.bytes / 1e6, 3),
    heap_min_mb: round(Math.min(...samples.map((s) => s.bytes)) / 1e6, 3),
    heap_max_mb: round(Math.max(...samples.map((s) => s.bytes)) / 1e6, 3),
    growth_kb: round((last.bytes - first.bytes) / 1e3, 1),
    slope_kb_per_minute: round(slopePerMinute / 1e3, 2),
    samples: n,
    rss_mb: round(rss / 1e6, 1),
  },
  machine: machine(),
};
console.log(
  `\nMemory: ${bytesPerLevel} B per resident level (${markets} markets × ${LEVELS} × 2); ` +
    `stream of ${summary.growth.frames} frames over ${minutes} min: heap ` +
    `${summary.growth.heap_after_warmup_mb} → ${summary.growth.heap_at_end_mb} MB ` +
    `(slope ${summary.growth.slope_kb_per_minute} kB/min)`,
);
printSummary(summary);
