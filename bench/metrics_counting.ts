/**
 * What counting for `/metrics` costs a frame: the delta pipeline (`Session.receiveText`, then
 * every event out of `pollEvent`) with and without `ClientMetrics.message()` on each data event
 * (a per-type counter, the last-message time and, for frames carrying Kalshi's `ts_ms`, one lag
 * histogram bucket), in alternating rounds of the same run. Frames with `ts_ms` (as Kalshi has
 * sent since 2026-04) and without.
 *
 *   deno run -A --v8-flags=--expose-gc bench/metrics_counting.ts           # 200 000 deltas
 *   deno run -A --v8-flags=--expose-gc bench/metrics_counting.ts --full    # 1 000 000
 *
 * @module
 */

import { ClientMetrics } from "../packages/client/client_metrics.ts";
import { makeDeltaWorkload, readyBookSession } from "./_pipeline_workload.ts";
import {
  benchFlags,
  canCollect,
  collect,
  machine,
  printSummary,
  ratio,
  Series,
} from "./_report.ts";

const flags = benchFlags();
const count = flags.full ? 1_000_000 : 200_000;
const rounds = 7;
const stamped = makeDeltaWorkload(count); // its deltas carry ts_ms, as Kalshi's do
const plain = { ...stamped, frames: stamped.frames.map((f) => f.replace(/,"ts_ms":\d+/, "")) };

function pipeline(workload: typeof stamped, metrics: ClientMetrics | undefined): () => void {
  return () => {
    const { session } = readyBookSession(workload);
    const wall = Date.now();
    for (const frame of workload.frames) {
      session.receiveText(frame, 0);
      for (let e = session.pollEvent(); e !== undefined; e = session.pollEvent()) {
        if (e.type === "data" && metrics !== undefined) metrics.message(e.message, wall);
      }
    }
  };
}

const rows: Record<string, number> = {};
for (const [name, workload] of [["no ts_ms", plain], ["ts_ms", stamped]] as const) {
  const base = new Series(`pipeline (${name})`, count);
  const counted = new Series(`pipeline + metrics (${name})`, count);
  const metrics = new ClientMetrics();
  for (let r = 0; r < rounds; r++) {
    if (canCollect()) collect();
    base.run(pipeline(workload, undefined));
    if (canCollect()) collect();
    counted.run(pipeline(workload, metrics));
  }
  const nsBase = 1e9 / base.rate;
  const nsCounted = 1e9 / counted.rate;
  console.log(
    `${name.padEnd(9)} pipeline ${nsBase.toFixed(0)} ns/frame, with metrics ` +
      `${nsCounted.toFixed(0)} ns/frame: ${ratio(counted, base)}× the pipeline's rate ` +
      `(+${(nsCounted - nsBase).toFixed(0)} ns)`,
  );
  rows[name] = ratio(counted, base);
  const lag = metrics.snapshot({
    state: "open",
    books: undefined,
    dropped: 0,
    subscriptions: () => [],
  }).lag;
  if (name === "ts_ms" && lag.count === 0) throw new Error("ts_ms frames observed no lag");
}
printSummary({ bench: "metrics_counting", count, rounds, ratios: rows, machine: machine() });
