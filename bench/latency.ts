/**
 * Per-frame processing time in-process: each `orderbook_delta` frame timed on its own, from
 * `Session.receiveText` to its event polled (session), and from the socket handing the frame to
 * the client to a `data` listener having it (`KalshiWsClient` over an in-memory transport, books
 * on). Reported as p50/p99/p99.9/max in µs, raw and minus the timer's own cost (the median of
 * timing an empty body, measured in the same run).
 *
 *   deno run -A --v8-flags=--expose-gc bench/latency.ts            # 200 000 frames
 *   deno run -A --v8-flags=--expose-gc bench/latency.ts --full     # 1 000 000 frames
 *
 * The added latency over a real socket is in `loopback.ts`. The last line is a JSON summary.
 *
 * @module
 */

import { connect, type SocketEvents, type Transport } from "../packages/client/mod.ts";
import { makeDeltaWorkload, quantile, readyBookSession, round } from "./_pipeline_workload.ts";
import { benchFlags, collect, machine, printSummary } from "./_report.ts";

const flags = benchFlags(["frames", "markets"]);
const count = Number(flags.values.frames ?? (flags.full ? 1_000_000 : 200_000));
const workload = makeDeltaWorkload(count, Number(flags.values.markets ?? 1000));
const frames = workload.frames;

/** Timer cost: timing an empty body. */
function timerOverhead(): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    out[i] = performance.now() - start;
  }
  return out.sort();
}

function sessionTimes(): Float64Array {
  const { session } = readyBookSession(workload);
  const out = new Float64Array(count);
  collect();
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    session.receiveText(frames[i]!, i >>> 10);
    while (session.pollEvent() !== undefined);
    out[i] = performance.now() - start;
  }
  return out.sort();
}

async function clientTimes(): Promise<Float64Array> {
  let events!: SocketEvents;
  const transport: Transport = {
    name: "latency-bench",
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
  client.on("data", () => delivered++);
  const subscribing = client.subscribe(
    { channels: ["orderbook_delta"], market_tickers: workload.markets },
    { buffer: false },
  );
  for (const frame of workload.setup) events.text(frame);
  await subscribing;
  const out = new Float64Array(count);
  collect();
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    events.text(frames[i]!);
    out[i] = performance.now() - start;
  }
  await client.close();
  if (delivered !== workload.setup.length - 1 + count) throw new Error("Cannot trust: lost data");
  return out.sort();
}

function stats(sorted: Float64Array, overhead: number) {
  const us = (ms: number) => round(ms * 1000, 2);
  const q = (p: number) => quantile(sorted, p);
  return {
    p50_us: us(q(0.5)),
    p99_us: us(q(0.99)),
    p999_us: us(q(0.999)),
    max_us: us(sorted[sorted.length - 1]!),
    net_p50_us: us(Math.max(0, q(0.5) - overhead)),
    net_p99_us: us(Math.max(0, q(0.99) - overhead)),
    net_p999_us: us(Math.max(0, q(0.999) - overhead)),
  };
}

// Warm up both paths, then measure.
sessionTimes();
await clientTimes();
const overheadSorted = timerOverhead();
const overhead = quantile(overheadSorted, 0.5);
const session = stats(sessionTimes(), overhead);
const client = stats(await clientTimes(), overhead);

const summary = {
  bench: "latency",
  frames: count,
  markets: workload.markets.length,
  timer_overhead_us: round(overhead * 1000, 3),
  session,
  client,
  target_p99_us: 20,
  machine: machine(),
};
console.log(`\nPer-frame processing time, ${count} orderbook_delta frames (µs):`);
console.log(`  timer overhead (median, subtracted in net): ${summary.timer_overhead_us}`);
for (const [name, s] of [["Session", session], ["KalshiWsClient", client]] as const) {
  console.log(
    `  ${name.padEnd(15)} p50 ${s.p50_us}  p99 ${s.p99_us}  p99.9 ${s.p999_us}  max ${s.max_us}` +
      `   (net p50 ${s.net_p50_us}  p99 ${s.net_p99_us}  p99.9 ${s.net_p999_us})`,
  );
}
printSummary(summary);
