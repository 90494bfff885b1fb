/**
 * End to end on loopback: a sender process (`_ws_sender.ts`) writes pre-encoded WebSocket
 * frames as fast as the socket takes them; each round, in alternating order,
 *
 * - Deno: our client (`@kalshi-ws/deno` transport, order books on, a `data` listener) against
 *   a bare Deno `WebSocket` that only `JSON.parse`s each frame;
 * - Node adapter: our client over the `ws` transport against a bare `ws` client that only
 *   `JSON.parse`s each frame, both in this Deno process (Deno's npm support) and, when `node` is
 *   on the PATH, on Node itself (`_node_client.ts`, bundled with `deno bundle`);
 *
 * receive the same stream (subscribed + 1 000 snapshots + N `orderbook_delta` frames). Time runs
 * from the first command sent to the last frame handled. A final pass per adapter samples the
 * added latency from the socket handing a frame over to the listener having it (1 frame in 16).
 *
 *   deno run -A --v8-flags=--expose-gc bench/loopback.ts            # 200 000 deltas
 *   deno run -A --v8-flags=--expose-gc bench/loopback.ts --full     # 1 000 000 deltas
 *
 * The last line is a JSON summary.
 *
 * @module
 */

import WebSocket from "ws";
import {
  connect,
  type KalshiWsClient,
  type SocketEvents,
  type Transport,
} from "../packages/client/mod.ts";
import { denoTransport } from "../packages/deno/deno_transport.ts";
import { nodeTransport } from "../packages/node/node_transport.ts";
import { median, quantile, round } from "./_pipeline_workload.ts";
import { benchFlags, collect, machine, printSummary } from "./_report.ts";

const flags = benchFlags(["frames", "markets", "only"]);
/** `--only deno` / `--only node`: run one adapter's pair (both by default). */
const only = flags.values.only;
if (only !== undefined && only !== "deno" && only !== "node") {
  throw new Error(`Cannot run --only "${only}": expected "deno" or "node"`);
}
const runDeno = only !== "node";
const runNode = only !== "deno";
const frames = Number(flags.values.frames ?? (flags.full ? 1_000_000 : 200_000));
const marketCount = Number(flags.values.markets ?? 1000);
const rounds = flags.rounds ?? 7;

// ---------------------------------------------------------------------------------------------
// Sender process

const sender = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "-A",
    new URL("./_ws_sender.ts", import.meta.url).pathname,
    "--frames",
    String(frames),
    "--markets",
    String(marketCount),
  ],
  stdout: "piped",
  stderr: "inherit",
}).spawn();
const reader = sender.stdout.pipeThrough(new TextDecoderStream()).getReader();
let line = "";
while (!line.includes("\n")) {
  const { value, done } = await reader.read();
  if (done) throw new Error("Cannot benchmark: the sender exited");
  line += value;
}
const info = JSON.parse(line.slice(0, line.indexOf("\n"))) as {
  port: number;
  frames: number;
  setup: number;
  bytes: number;
  markets: string[];
};
const url = `ws://127.0.0.1:${info.port}/trade-api/ws/v2`;
const total = info.setup + info.frames; // every frame the bare clients see
const dataEvents = info.setup - 1 + info.frames; // snapshots + deltas our client delivers
console.error(
  `sender on port ${info.port}: ${total} frames, ${(info.bytes / 1e6).toFixed(1)} MB per run`,
);

// ---------------------------------------------------------------------------------------------
// Contestants

/** Bare Deno WebSocket: JSON.parse per frame, nothing else. Resolves with ms. */
function bareDeno(): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new globalThis.WebSocket(url);
    let count = 0;
    let start = 0;
    let sink = 0;
    ws.onopen = () => {
      start = performance.now();
      ws.send('{"start":true}');
    };
    ws.onmessage = (event) => {
      sink += JSON.parse(event.data as string).sid;
      if (++count === total) {
        const ms = performance.now() - start;
        ws.onclose = () => resolve(sink === -1 ? 0 : ms);
        ws.close();
      }
    };
    ws.onerror = () => reject(new Error("Cannot benchmark: bare Deno socket failed"));
  });
}

/** Bare `ws` client: JSON.parse per frame, nothing else. Resolves with ms. */
function bareWs(): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let count = 0;
    let start = 0;
    let sink = 0;
    ws.on("open", () => {
      start = performance.now();
      ws.send('{"start":true}');
    });
    ws.on("message", (data: WebSocket.RawData) => {
      sink += JSON.parse((data as Buffer).toString("utf8")).sid;
      if (++count === total) {
        const ms = performance.now() - start;
        ws.once("close", () => resolve(sink === -1 ? 0 : ms));
        ws.close();
      }
    });
    ws.on("error", () => reject(new Error("Cannot benchmark: bare ws socket failed")));
  });
}

const signer = { sign: () => Promise.resolve("YmVuY2g=") };

/** A transport that samples how long the client holds each 16th frame (read → listener). */
function sampled(inner: Transport, samples: number[] | undefined): Transport {
  if (samples === undefined) return inner;
  return {
    name: inner.name,
    seesPings: inner.seesPings,
    open(target, headers, events): ReturnType<Transport["open"]> {
      let n = 0;
      const wrapped: SocketEvents = {
        open: () => events.open(),
        text: (data) => {
          if ((++n & 15) !== 0) return events.text(data);
          const start = performance.now();
          events.text(data);
          samples.push((performance.now() - start) * 1000);
        },
        ping: () => events.ping(),
        close: (code, reason) => events.close(code, reason),
        handshakeFailed: (status, message) => events.handshakeFailed(status, message),
      };
      return inner.open(target, headers, wrapped);
    },
  };
}

/** Our client with books: subscribe, count data events. Resolves with ms. */
async function ours(transport: Transport, samples?: number[]): Promise<number> {
  const client: KalshiWsClient = await connect({
    transport: sampled(transport, samples),
    endpoint: url,
    keyId: "bench",
    signer,
    books: true,
    reconnect: false,
  });
  let count = 0;
  let start = 0;
  let done!: (ms: number) => void;
  const finished = new Promise<number>((resolve) => done = resolve);
  let problems = 0;
  client.on("*", (event) => {
    if (event.type === "data") {
      if (++count === dataEvents) done(performance.now() - start);
    } else if (event.type === "gap" || event.type === "book_invalid") problems++;
  });
  start = performance.now();
  await client.subscribe(
    { channels: ["orderbook_delta"], market_tickers: info.markets },
    { buffer: false },
  );
  const ms = await finished;
  const books = client.books!;
  let valid = 0;
  for (const book of books.books()) if (book.valid) valid++;
  await client.close();
  if (problems > 0 || valid !== info.markets.length) {
    throw new Error(`Cannot benchmark: ${problems} problems, ${valid} valid books`);
  }
  return ms;
}

// ---------------------------------------------------------------------------------------------
// Rounds

const times = {
  denoBare: [] as number[],
  denoOurs: [] as number[],
  wsBare: [] as number[],
  wsOurs: [] as number[],
};
const ratios = { deno: [] as number[], node: [] as number[] };

// Warm-up: one of each, not recorded.
if (runDeno) {
  await bareDeno();
  await ours(denoTransport);
}
if (runNode) {
  await bareWs();
  await ours(nodeTransport);
}

for (let r = 0; r < rounds; r++) {
  const pairs: [keyof typeof times, () => Promise<number>][] = [];
  if (runDeno) pairs.push(["denoBare", bareDeno], ["denoOurs", () => ours(denoTransport)]);
  if (runNode) pairs.push(["wsBare", bareWs], ["wsOurs", () => ours(nodeTransport)]);
  if (r % 2 === 1) pairs.reverse();
  for (const [name, run] of pairs) {
    collect();
    times[name].push(await run());
  }
  if (runDeno) ratios.deno.push(times.denoBare.at(-1)! / times.denoOurs.at(-1)!);
  if (runNode) ratios.node.push(times.wsBare.at(-1)! / times.wsOurs.at(-1)!);
  console.error(
    `round ${r + 1}/${rounds}: deno ${round(ratios.deno.at(-1) ?? NaN, 2)}×, node adapter ${
      round(ratios.node.at(-1) ?? NaN, 2)
    }×`,
  );
}

// Latency: the same stream, sampled.
const latency = { deno: [] as number[], node: [] as number[] };
if (runDeno) await ours(denoTransport, latency.deno);
if (runNode) await ours(nodeTransport, latency.node);

const rate = (ms: number[]) => Math.round(total / (median(ms) / 1000));

// The Node adapter on Node itself: bundle `_node_client.ts` and run it with `node`, if present.
let onNode: { node: string; ratio: number; rate: number; baseline_rate: number } | undefined;
if (runNode && !flags.values.only) {
  try {
    const dir = await Deno.makeTempDir({ prefix: "kalshi-ws-bench-" });
    const bundle = `${dir}/node_client.mjs`;
    const bundled = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--platform",
        "node",
        new URL("./_node_client.ts", import.meta.url).pathname,
        "-o",
        bundle,
      ],
      stdout: "null",
      stderr: "null",
    }).output();
    if (!bundled.success) throw new Error("deno bundle failed");
    const run = await new Deno.Command("node", {
      args: [
        bundle,
        "--port",
        String(info.port),
        "--total",
        String(total),
        "--rounds",
        String(rounds),
        "--markets",
        info.markets.join(","),
      ],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    await Deno.remove(dir, { recursive: true });
    const result = JSON.parse(new TextDecoder().decode(run.stdout).trim().split("\n").at(-1)!) as {
      node: string;
      bare: number[];
      ours: number[];
    };
    onNode = {
      node: result.node,
      ratio: round(median(result.ours.map((t, i) => result.bare[i]! / t)), 3),
      rate: rate(result.ours),
      baseline_rate: rate(result.bare),
    };
  } catch (error) {
    console.error(`skipping the run on Node: ${(error as Error).message}`);
  }
}

sender.kill();
await sender.status;

const percentiles = (samples: number[]) => {
  const sorted = Float64Array.from(samples).sort();
  return {
    samples: sorted.length,
    p50_us: round(quantile(sorted, 0.5), 2),
    p99_us: round(quantile(sorted, 0.99), 2),
    p999_us: round(quantile(sorted, 0.999), 2),
  };
};
const summary = {
  bench: "loopback",
  deltas: info.frames,
  frames: total,
  markets: info.markets.length,
  mb_per_run: round(info.bytes / 1e6, 1),
  rounds,
  deno: {
    ratio: round(median(ratios.deno), 3),
    rate: rate(times.denoOurs),
    baseline_rate: rate(times.denoBare),
    added_latency: percentiles(latency.deno),
  },
  node_adapter: {
    ratio: round(median(ratios.node), 3),
    rate: rate(times.wsOurs),
    baseline_rate: rate(times.wsBare),
    added_latency: percentiles(latency.node),
    runtime: "deno (npm:ws)",
  },
  node_adapter_on_node: onNode ?? null,
  machine: machine(),
};
console.log(`\nEnd to end on loopback, ${total} frames, median of ${rounds} rounds:`);
console.log(
  `  deno:         ours ${summary.deno.rate} frames/s vs bare WebSocket + JSON.parse ${summary.deno.baseline_rate} → ${summary.deno.ratio}×`,
);
console.log(
  `  node adapter: ours ${summary.node_adapter.rate} frames/s vs bare ws + JSON.parse ${summary.node_adapter.baseline_rate} → ${summary.node_adapter.ratio}×`,
);
if (onNode !== undefined) {
  console.log(
    `  node adapter on Node ${onNode.node}: ours ${onNode.rate} frames/s vs bare ws + JSON.parse ${onNode.baseline_rate} → ${onNode.ratio}×`,
  );
}
console.log(
  `  added latency read → listener (µs, p50/p99/p99.9): deno ${summary.deno.added_latency.p50_us}/${summary.deno.added_latency.p99_us}/${summary.deno.added_latency.p999_us}, node adapter ${summary.node_adapter.added_latency.p50_us}/${summary.node_adapter.added_latency.p99_us}/${summary.node_adapter.added_latency.p999_us}`,
);
printSummary(summary);
