/**
 * Soak: the simulator streams to a connected client for minutes while we sample its heap, RSS and
 * CPU; memory and CPU must stay flat. Not a timed test — run it by hand:
 *
 *   deno run -A --v8-flags=--expose-gc bench/simulator_soak.ts [--minutes 3] [--rate 2000]
 *
 * The client (a `ws` socket in the same process) subscribes to every data channel on every
 * market, checks that each sid's `seq` is contiguous, and rebuilds every book; at the end the
 * books must equal the simulator's truth. Samples go to stderr as a table; the last stdout line
 * is a JSON summary with the verdict.
 *
 * @module
 */

import { parseArgs } from "node:util";
import process from "node:process";
import NodeWebSocket from "ws";
import { parseCount, parsePrice } from "@kalshi-ws/core";
import { signHandshake, startSimulator } from "@kalshi-ws/simulator";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    minutes: { type: "string", default: "3" },
    rate: { type: "string", default: "2000" },
    sample: { type: "string", default: "10" },
    seed: { type: "string", default: "1" },
  },
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
const sampleMs = Number(values.sample) * 1000;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error("soak: run with --v8-flags=--expose-gc for stable heap figures");
}

const sim = await startSimulator({
  seed: Number(values.seed),
  activityRate: rate,
  autoStart: false,
});
const tickers = sim.truth.tickers();
const ws = new NodeWebSocket(sim.url, {
  headers: signHandshake(sim.keyId, sim.privateKeyPem, Date.now()),
});
await new Promise((resolve, reject) => {
  ws.once("open", resolve);
  ws.once("error", reject);
});

type Book = { yes: Map<number, number>; no: Map<number, number> };
const books = new Map<string, Book>();
const lastSeq = new Map<number, number>();
let frames = 0;
let bytes = 0;
let gaps = 0;
ws.on("message", (data: Buffer) => {
  frames++;
  bytes += data.length;
  const frame = JSON.parse(data.toString());
  if (frame.seq !== undefined && frame.sid !== undefined) {
    const previous = lastSeq.get(frame.sid) ?? 0;
    if (frame.seq !== previous + 1) gaps++;
    lastSeq.set(frame.sid, frame.seq);
  }
  if (frame.type === "orderbook_snapshot") {
    const ladder = (levels: string[][] = []): Map<number, number> =>
      new Map(levels.map(([p, c]) => [parsePrice(p!), parseCount(c!)]));
    books.set(frame.msg.market_ticker, {
      yes: ladder(frame.msg.yes_dollars_fp),
      no: ladder(frame.msg.no_dollars_fp),
    });
  } else if (frame.type === "orderbook_delta") {
    const ladder = books.get(frame.msg.market_ticker)![frame.msg.side as "yes" | "no"];
    const price = parsePrice(frame.msg.price_dollars);
    const size = (ladder.get(price) ?? 0) + parseCount(frame.msg.delta_fp);
    if (size === 0) ladder.delete(price);
    else ladder.set(price, size);
  }
});
ws.send(JSON.stringify({
  id: 1,
  cmd: "subscribe",
  params: { channels: ["orderbook_delta"], market_tickers: tickers },
}));
ws.send(JSON.stringify({
  id: 2,
  cmd: "subscribe",
  params: {
    channels: ["ticker", "trade", "fill", "user_orders", "market_positions", "market_lifecycle_v2"],
  },
}));

interface Sample {
  readonly t: number;
  readonly heapMB: number;
  readonly rssMB: number;
  readonly cpuPct: number;
  readonly framesPerS: number;
  readonly levels: number;
}
const samples: Sample[] = [];
const mb = (n: number): number => Math.round((n / 1048576) * 10) / 10;
const started = performance.now();
let lastCpu = process.cpuUsage();
let lastWall = started;
let lastFrames = 0;
console.error("   t(s)  heap MB   rss MB   cpu %   frames/s   book levels");
sim.startActivity(rate);
await new Promise<void>((resolve) => {
  const timer = setInterval(() => {
    gc?.();
    const now = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    const memory = Deno.memoryUsage();
    const levels = tickers.reduce((n, t) => {
      const book = sim.truth.bookScaled(t);
      return n + book.yes.length + book.no.length;
    }, 0);
    const sample: Sample = {
      t: Math.round((now - started) / 1000),
      heapMB: mb(memory.heapUsed),
      rssMB: mb(memory.rss),
      cpuPct: Math.round(((cpu.user + cpu.system) / 1000 / (now - lastWall)) * 1000) / 10,
      framesPerS: Math.round(((frames - lastFrames) * 1000) / (now - lastWall)),
      levels,
    };
    samples.push(sample);
    console.error(
      `${String(sample.t).padStart(7)} ${String(sample.heapMB).padStart(8)} ${
        String(sample.rssMB).padStart(8)
      } ` +
        `${String(sample.cpuPct).padStart(7)} ${String(sample.framesPerS).padStart(10)} ${
          String(levels).padStart(13)
        }`,
    );
    lastCpu = process.cpuUsage();
    lastWall = now;
    lastFrames = frames;
    if (now - started >= minutes * 60_000) {
      clearInterval(timer);
      resolve();
    }
  }, sampleMs);
});

// Drain: stop the market, wait for the client to hold the last frame of sid 1, compare books.
sim.stopActivity();
const finalSeq = sim.connections()[0]!.subscriptions.find((s) => s.sid === 1)!.seq;
while ((lastSeq.get(1) ?? 0) < finalSeq) await new Promise((resolve) => setTimeout(resolve, 20));
let mismatched = 0;
for (const ticker of tickers) {
  const truth = sim.truth.bookScaled(ticker);
  const book = books.get(ticker)!;
  const same = (
    ladder: Map<number, number>,
    levels: readonly (readonly [number, number])[],
  ): boolean => ladder.size === levels.length && levels.every(([p, c]) => ladder.get(p) === c);
  if (!same(book.yes, truth.yes) || !same(book.no, truth.no)) mismatched++;
}
ws.close();
await sim.close();

// Verdict: compare the second quarter (after warm-up) with the last quarter.
const quarter = Math.max(1, Math.floor(samples.length / 4));
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const early = samples.slice(quarter, 2 * quarter);
const late = samples.slice(-quarter);
const heapEarly = mean(early.map((s) => s.heapMB));
const heapLate = mean(late.map((s) => s.heapMB));
const cpuEarly = mean(early.map((s) => s.cpuPct));
const cpuLate = mean(late.map((s) => s.cpuPct));
const memoryFlat = heapLate <= heapEarly * 1.15 + 2;
const cpuFlat = cpuLate <= cpuEarly * 1.3 + 2;
const summary = {
  minutes,
  rate,
  frames,
  megabytes: mb(bytes),
  gaps,
  booksMatchTruth: mismatched === 0,
  heapMB: { early: Math.round(heapEarly * 10) / 10, late: Math.round(heapLate * 10) / 10 },
  rssMB: {
    early: Math.round(mean(early.map((s) => s.rssMB)) * 10) / 10,
    late: Math.round(mean(late.map((s) => s.rssMB)) * 10) / 10,
  },
  cpuPct: { early: Math.round(cpuEarly * 10) / 10, late: Math.round(cpuLate * 10) / 10 },
  memoryFlat,
  cpuFlat,
  ok: memoryFlat && cpuFlat && gaps === 0 && mismatched === 0,
};
console.log(JSON.stringify(summary));
if (!summary.ok) Deno.exit(1);
