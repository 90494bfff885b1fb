/**
 * End to end on loopback: a sender process (`_ws_sender.ts`) writes pre-encoded WebSocket
 * frames (subscribed + 1 000 snapshots + N `orderbook_delta` frames, ~300 k by default) as fast
 * as the socket takes them, and every contestant receives the same stream, one after the other,
 * in an order that rotates each round:
 *
 * - Deno's built-in `WebSocket`: bare receive (the `onmessage` ceiling: count, nothing else),
 *   bare receive + `JSON.parse` (**the baseline**), and our client over it
 *   (`@kalshi-ws/deno/web-socket`, books on, a `data` listener);
 * - the Deno adapter's own socket (`packages/deno/tcp_websocket.ts`, every frame of a read in
 *   one turn): bare + `JSON.parse`, and our client over its default `tcpTransport`;
 * - the CLI's `book` command (`main()` of `apps/cli/main.ts` in this process, on the Deno
 *   adapter's default transport: key import, connect, subscribe, its loop, `--max-messages`,
 *   unsubscribe and close; books exact at the end);
 * - `ws` (npm) in this Deno process: bare receive, bare + `JSON.parse`, our client over the Node
 *   adapter's transport;
 * - on Node itself when `node` is on the PATH (`_node_client.ts`, bundled with `deno bundle`):
 *   bare `ws` receive, bare `ws` + `JSON.parse` (the Node baseline) and the Node adapter, read
 *   by a `data` listener and by `for await (const event of sub)` (the README's way).
 *
 * Time runs from opening the socket (the CLI: from calling `main()`) to the last frame handled
 * (the bare sockets and the CLI: to the socket closed). Ratios are per round, baseline time /
 * contestant time (> 1: faster than the baseline), and the medians over rounds are reported.
 * A final pass per adapter samples the added latency from the socket handing a frame over to the
 * listener having it (1 frame in 16).
 *
 *   deno run -A --v8-flags=--expose-gc bench/loopback.ts            # 300 000 deltas, 7 rounds
 *   deno run -A --v8-flags=--expose-gc bench/loopback.ts --full     # 1 000 000 deltas
 *   deno run -A bench/loopback.ts --only deno|tcp|cli|ws|node --rounds 9
 *
 * The last line is a JSON summary.
 *
 * @module
 */

import WebSocket from "ws";
import { bookArgs, writeBenchKey } from "./_cli_book.ts";
import { startSender } from "./_sender_process.ts";
import {
  connect,
  type KalshiWsClient,
  type SocketEvents,
  type Transport,
} from "../packages/client/mod.ts";
import { denoTransport } from "../packages/deno/deno_transport.ts";
import { nodeTransport } from "../packages/node/node_transport.ts";
import { main as cliMain } from "../apps/cli/main.ts";
import { openStreamSocket } from "../packages/deno/tcp_websocket.ts";
import { tcpTransport } from "../packages/deno/tcp_transport.ts";
import { median, quantile, round } from "./_pipeline_workload.ts";
import { benchFlags, collect, machine, printSummary } from "./_report.ts";

const flags = benchFlags(["frames", "markets", "only"]);
/**
 * `--only deno|ws|node|cli|tcp`: run one group (all by default; `cli` and `tcp` run with the bare
 * Deno baseline).
 */
const only = flags.values.only;
if (only !== undefined && !["deno", "ws", "node", "cli", "tcp"].includes(only)) {
  throw new Error(`Cannot run --only "${only}": expected "deno", "ws", "node", "cli" or "tcp"`);
}
const frames = Number(flags.values.frames ?? (flags.full ? 1_000_000 : 300_000));
const marketCount = Number(flags.values.markets ?? 1000);
const rounds = flags.rounds ?? 7;

// ---------------------------------------------------------------------------------------------
// Sender process

const info = await startSender(frames, marketCount);
const sender = info.process;
const url = info.url;
const total = info.setup + info.frames; // every frame the bare clients see
const dataEvents = info.setup - 1 + info.frames; // snapshots + deltas our client delivers
console.error(
  `sender on port ${info.port}: ${total} frames, ${(info.bytes / 1e6).toFixed(1)} MB per run`,
);

// ---------------------------------------------------------------------------------------------
// Bare sockets

let sink = 0;

/** Bare Deno WebSocket; `parse`: JSON.parse per frame. Resolves with ms. */
function bareDeno(parse: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const ws = new globalThis.WebSocket(url);
    let count = 0;
    ws.onopen = () => ws.send('{"start":true}');
    ws.onmessage = parse
      ? (event) => {
        sink += JSON.parse(event.data as string).sid;
        if (++count === total) finish();
      }
      : () => {
        if (++count === total) finish();
      };
    const finish = () => {
      const ms = performance.now() - start;
      ws.onclose = () => resolve(ms);
      ws.close();
    };
    ws.onerror = () => reject(new Error("Cannot benchmark: bare Deno socket failed"));
  });
}

/** Bare `ws` client; `parse`: JSON.parse per frame. Resolves with ms. */
function bareWs(parse: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let count = 0;
    ws.on("open", () => ws.send('{"start":true}'));
    ws.on(
      "message",
      parse
        ? (data: WebSocket.RawData) => {
          sink += JSON.parse((data as Buffer).toString("utf8")).sid;
          if (++count === total) finish();
        }
        : () => {
          if (++count === total) finish();
        },
    );
    const finish = () => {
      const ms = performance.now() - start;
      ws.once("close", () => resolve(ms));
      ws.close();
    };
    ws.on("error", () => reject(new Error("Cannot benchmark: bare ws socket failed")));
  });
}

/** Bare WebSocket of `packages/deno/tcp_websocket.ts` + JSON.parse per frame. Resolves with ms. */
function bareTcp(): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    let count = 0;
    let ms = 0;
    const ws = openStreamSocket(url, {}, {
      open: () => ws.send('{"start":true}'),
      text: (data) => {
        sink += JSON.parse(data).sid;
        if (++count === total) {
          ms = performance.now() - start;
          ws.close();
        }
      },
      ping: () => {},
      close: () => count === total ? resolve(ms) : reject(new Error("Cannot benchmark: closed")),
      handshakeFailed: (_status, message) => reject(new Error(`Cannot benchmark: ${message}`)),
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Our client

const signer = { sign: () => Promise.resolve("YmVuY2g=") };

/** A transport that samples how long the client holds each 16th frame (read → listener). */
function sampled(inner: Transport, samples: number[] | undefined): Transport {
  if (samples === undefined) return inner;
  return {
    name: inner.name,
    seesPings: inner.seesPings,
    open(target, headers, events, options): ReturnType<Transport["open"]> {
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
      return inner.open(target, headers, wrapped, options);
    },
  };
}

/** Our client with books and a data listener. Resolves with ms; throws unless books are exact. */
async function ours(transport: Transport, samples?: number[]): Promise<number> {
  const start = performance.now();
  const client: KalshiWsClient = await connect({
    transport: sampled(transport, samples),
    endpoint: url,
    keyId: "bench",
    signer,
    books: true,
    reconnect: false,
  });
  let count = 0;
  let done!: (ms: number) => void;
  const finished = new Promise<number>((resolve) => done = resolve);
  let problems = 0;
  client.on("data", () => {
    if (++count === dataEvents) done(performance.now() - start);
  });
  client.on("gap", () => problems++);
  client.on("book_invalid", () => problems++);
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
// The CLI's book command, in this process

const keyDir = await Deno.makeTempDir({ prefix: "kalshi-ws-bench-" });
const keyFile = await writeBenchKey(keyDir);
const cliArgs = bookArgs(url, keyFile, dataEvents, info.markets);

/**
 * `kalshi-ws book` for every market until `--max-messages` (every snapshot and delta), then
 * its clean stop. Resolves with ms; throws unless it exited 0 with every book printed (valid).
 */
async function cliBook(): Promise<number> {
  const out: string[] = [];
  const err: string[] = [];
  const text = new TextDecoder();
  const start = performance.now();
  const code = await cliMain(cliArgs, {
    writeOut: (bytes) => (out.push(text.decode(bytes)), bytes.length),
    writeErr: (bytes) => (err.push(text.decode(bytes)), bytes.length),
    outIsTerminal: false,
    errIsTerminal: false,
    noColor: true,
  });
  const ms = performance.now() - start;
  const lines = out.join("").split("\n").filter((l) => l.startsWith("{"));
  const valid = lines.filter((l) => JSON.parse(l).final === true).length;
  if (code !== 0 || valid !== info.markets.length || err.join("") !== "") {
    throw new Error(
      `Cannot benchmark the CLI: exit ${code}, ${valid} books printed, stderr ${err.join("")}`,
    );
  }
  return ms;
}

// ---------------------------------------------------------------------------------------------
// Rounds

interface Contestant {
  readonly name: string;
  readonly label: string;
  /** The contestant whose time in the same round is the ratio's numerator. */
  readonly baseline: string;
  readonly group: "deno" | "ws" | "cli" | "tcp";
  readonly run: () => Promise<number>;
}

const contestants: Contestant[] = [
  {
    name: "deno_receive",
    label: "Deno WebSocket, bare receive",
    baseline: "deno_parse",
    group: "deno",
    run: () => bareDeno(false),
  },
  {
    name: "deno_parse",
    label: "Deno WebSocket + JSON.parse",
    baseline: "deno_parse",
    group: "deno",
    run: () => bareDeno(true),
  },
  {
    name: "deno_client",
    label: "client over the built-in WebSocket",
    baseline: "deno_parse",
    group: "deno",
    run: () => ours(denoTransport),
  },
  {
    name: "cli_book",
    label: "CLI book (main() in-process, books exact)",
    baseline: "deno_parse",
    group: "cli",
    run: cliBook,
  },
  {
    name: "tcp_parse",
    label: "tcp_websocket.ts + JSON.parse",
    baseline: "deno_parse",
    group: "tcp",
    run: bareTcp,
  },
  {
    name: "tcp_client",
    label: "client, Deno adapter (tcpTransport)",
    baseline: "deno_parse",
    group: "tcp",
    run: () => ours(tcpTransport),
  },
  {
    name: "ws_receive",
    label: "ws under Deno, bare receive",
    baseline: "ws_parse",
    group: "ws",
    run: () => bareWs(false),
  },
  {
    name: "ws_parse",
    label: "ws under Deno + JSON.parse",
    baseline: "ws_parse",
    group: "ws",
    run: () => bareWs(true),
  },
  {
    name: "ws_client",
    label: "client, Node adapter under Deno",
    baseline: "ws_parse",
    group: "ws",
    run: () => ours(nodeTransport),
  },
];
const active = contestants.filter((c) =>
  only === undefined || c.group === only ||
  ((only === "cli" || only === "tcp") && c.name === "deno_parse") ||
  (only === "deno" && c.group === "cli")
);
const runNode = only === undefined || only === "node";

const times = new Map<string, number[]>(active.map((c) => [c.name, []]));
const ratios = new Map<string, number[]>(active.map((c) => [c.name, []]));

// Warm-up: one of each, not recorded.
for (const c of active) await c.run();

for (let r = 0; r < rounds; r++) {
  // Rotate and alternate the order, so no contestant always follows the same one.
  const order = active.map((_, i) => active[(i + r) % active.length]!);
  if (r % 2 === 1) order.reverse();
  for (const c of order) {
    collect();
    times.get(c.name)!.push(await c.run());
  }
  const parts: string[] = [];
  for (const c of active) {
    const base = times.get(c.baseline)?.at(-1);
    if (base === undefined || c.name === c.baseline) continue;
    const ratio = base / times.get(c.name)!.at(-1)!;
    ratios.get(c.name)!.push(ratio);
    parts.push(`${c.name} ${round(ratio, 2)}×`);
  }
  console.error(`round ${r + 1}/${rounds}: ${parts.join(", ")}`);
}

// Latency: the same stream, sampled.
const latency = { deno: [] as number[], tcp: [] as number[], ws: [] as number[] };
if (active.some((c) => c.name === "deno_client")) await ours(denoTransport, latency.deno);
if (active.some((c) => c.name === "tcp_client")) await ours(tcpTransport, latency.tcp);
if (active.some((c) => c.name === "ws_client")) await ours(nodeTransport, latency.ws);

const rate = (ms: readonly number[]) => Math.round(total / (median(ms) / 1000));

// On Node itself: bundle `_node_client.ts` and run it with `node`, if present.
interface NodeResult {
  node: string;
  receive: number[];
  parse: number[];
  client: number[];
  iterated: number[];
}
let onNode: NodeResult | undefined;
if (runNode) {
  try {
    const bundle = `${keyDir}/node_client.mjs`;
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
      stderr: "inherit",
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
    if (!run.success) throw new Error(`node exited with ${run.code}`);
    onNode = JSON.parse(new TextDecoder().decode(run.stdout).trim().split("\n").at(-1)!);
  } catch (error) {
    console.error(`skipping the run on Node: ${(error as Error).message}`);
  }
}

sender.kill();
await sender.status;
await Deno.remove(keyDir, { recursive: true });

const percentiles = (samples: number[]) => {
  const sorted = Float64Array.from(samples).sort();
  return {
    samples: sorted.length,
    p50_us: round(quantile(sorted, 0.5), 2),
    p99_us: round(quantile(sorted, 0.99), 2),
    p999_us: round(quantile(sorted, 0.999), 2),
  };
};

const rows: Record<string, { rate: number; ratio?: number; vs?: string }> = {};
for (const c of active) {
  rows[c.name] = {
    rate: rate(times.get(c.name)!),
    ...(c.name === c.baseline
      ? {}
      : { ratio: round(median(ratios.get(c.name)!), 3), vs: c.baseline }),
  };
}
let node: Record<string, unknown> | null = null;
if (onNode !== undefined) {
  const per = (xs: number[]) => round(median(xs.map((t, i) => onNode!.parse[i]! / t)), 3);
  node = {
    node: onNode.node,
    ws_receive: { rate: rate(onNode.receive), ratio: per(onNode.receive), vs: "ws_parse" },
    ws_parse: { rate: rate(onNode.parse) },
    node_client: { rate: rate(onNode.client), ratio: per(onNode.client), vs: "ws_parse" },
    node_for_await: {
      rate: rate(onNode.iterated),
      ratio: per(onNode.iterated),
      vs: "ws_parse",
    },
  };
}

console.log(`\nEnd to end on loopback, ${total} frames, median of ${rounds} rounds:`);
for (const c of active) {
  const row = rows[c.name]!;
  console.log(
    `  ${c.label.padEnd(44)} ${String(row.rate).padStart(8)} frames/s` +
      (row.ratio === undefined ? "  (baseline)" : `  ${row.ratio.toFixed(3)}× ${row.vs}`),
  );
}
if (node !== null) {
  const n = node as Record<string, { rate: number; ratio?: number }>;
  console.log(`  on Node ${onNode!.node}:`);
  console.log(`    bare ws receive ${n.ws_receive!.rate} frames/s  ${n.ws_receive!.ratio}×`);
  console.log(`    bare ws + JSON.parse ${n.ws_parse!.rate} frames/s  (baseline)`);
  console.log(
    `    Node adapter, data listener ${n.node_client!.rate} frames/s  ${n.node_client!.ratio}×`,
  );
  console.log(
    `    Node adapter, for await of sub ${n.node_for_await!.rate} frames/s  ` +
      `${n.node_for_await!.ratio}×`,
  );
}
for (const [name, samples] of Object.entries(latency)) {
  if (samples.length === 0) continue;
  const p = percentiles(samples);
  console.log(
    `  added latency read → listener, ${name} (µs, p50/p99/p99.9): ${p.p50_us}/${p.p99_us}/${p.p999_us}`,
  );
}
if (sink === 0.5) console.log(sink);

printSummary({
  bench: "loopback",
  deltas: info.frames,
  frames: total,
  markets: info.markets.length,
  mb_per_run: round(info.bytes / 1e6, 1),
  rounds,
  deno: rows,
  added_latency: {
    deno: percentiles(latency.deno),
    tcp: percentiles(latency.tcp),
    ws: percentiles(latency.ws),
  },
  on_node: node,
  load: Deno.loadavg(),
  machine: machine(),
});
