/**
 * End-to-end throughput over NATS JetStream: simulator → collector → JetStream → consumer,
 * against the collector's Kalshi side alone. Each round, in alternating order, a fresh
 * simulator (same seed) is driven through the same number of generator steps as fast as it can
 * send, and the clock stops when
 *
 * - alone: a client with the collector's subscriptions and order books has received every
 *   sequenced frame (its last `seq` per sid equals the simulator's);
 * - end to end: a collector (`@kalshi-ws/nats`, one market set, leases in KV) has received them,
 *   JetStream has acknowledged everything it published, and a `BookConsumer` following every
 *   market has read up to the stream's last message about each.
 *
 * The ratio is the end-to-end rate over the collector-alone rate (1 = publishing and consuming
 * cost nothing). Simulator, collector and consumer share this process; `nats-server` (from
 * `NATS_URL`, else a child process) is its own.
 *
 *   deno run -A bench/nats_bench.ts                 # 20 000 steps × 3 rounds
 *   deno run -A bench/nats_bench.ts --full          # 100 000 steps × 5 rounds
 *
 * The last line is a JSON summary.
 *
 * @module
 */

import {
  type Channel,
  CHANNEL_INFO,
  connect,
  type KalshiWsClient,
} from "../packages/client/mod.ts";
import { transport } from "../packages/deno/mod.ts";
import { startSimulator } from "../packages/simulator/mod.ts";
import { connect as natsConnect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { startCollector } from "../packages/nats/collector.ts";
import { startBookConsumer } from "../packages/nats/consumer.ts";
import { leaseBucketName } from "../packages/nats/stream.ts";
import { testNatsServer } from "../packages/nats/testing/nats_server.ts";
import { median, round } from "./_pipeline_workload.ts";
import { benchFlags, formatRate, machine, printSummary } from "./_report.ts";

const flags = benchFlags(["steps"]);
const steps = Number(flags.values.steps ?? (flags.full ? 100_000 : 20_000));
const rounds = flags.rounds ?? (flags.full ? 5 : 3);
const CHUNK = 200;
const PER_MARKET: readonly Channel[] = ["orderbook_delta", "ticker"];
const WIDE: readonly Channel[] = ["trade", "market_lifecycle_v2"];

type Simulator = Awaited<ReturnType<typeof startSimulator>>;

/** Drives `steps` generator steps in chunks, letting the sockets drain between chunks. */
async function drive(sim: Simulator): Promise<void> {
  for (let done = 0; done < steps; done += CHUNK) {
    sim.step(Math.min(CHUNK, steps - done));
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

/** Resolves once `client` has every sequenced frame the simulator sent on its connection. */
async function caughtUpWithSimulator(
  sim: Simulator,
  lastSeq: Map<number, number>,
): Promise<void> {
  while (true) {
    const connection = sim.connections().at(-1);
    // Channels whose data carry `seq` (a ticker sid's counter only moves on `ok` replies).
    const behind = connection?.subscriptions.some((s) =>
      CHANNEL_INFO[s.channel].sequenced && s.seq > 0 && (lastSeq.get(s.sid) ?? 0) < s.seq
    );
    if (connection !== undefined && !behind) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

function trackSeqs(client: KalshiWsClient): { lastSeq: Map<number, number>; frames: () => number } {
  const lastSeq = new Map<number, number>();
  let frames = 0;
  client.on("data", (event) => {
    frames++;
    const seq = (event.message as { seq?: number }).seq;
    if (event.sid !== undefined && seq !== undefined) lastSeq.set(event.sid, seq);
  });
  return { lastSeq, frames: () => frames };
}

async function runAlone(seed: number): Promise<{ ms: number; frames: number }> {
  await using sim = await startSimulator({ seed, autoStart: false, pingIntervalMs: 0 });
  const markets = sim.truth.tickers();
  await using client = await connect({
    transport,
    endpoint: sim.url,
    keyId: sim.keyId,
    privateKeyPem: sim.privateKeyPem,
    books: true,
  });
  const seen = trackSeqs(client);
  await client.subscribe({ channels: WIDE }, { buffer: false });
  await client.subscribe({ channels: PER_MARKET, market_tickers: markets }, { buffer: false });
  const start = performance.now();
  await drive(sim);
  await caughtUpWithSimulator(sim, seen.lastSeq);
  return { ms: performance.now() - start, frames: seen.frames() };
}

async function runEndToEnd(
  seed: number,
  natsUrl: string,
): Promise<{ ms: number; frames: number; published: number; consumed: number }> {
  await using sim = await startSimulator({ seed, autoStart: false, pingIntervalMs: 0 });
  const markets = sim.truth.tickers();
  const tag = crypto.randomUUID().slice(0, 8);
  const stream = `BENCH_${tag}`;
  const prefix = `bench${tag}`;
  const collectorNc = await natsConnect({ servers: natsUrl });
  const consumerNc = await natsConnect({ servers: natsUrl });
  const collector = await startCollector({
    nats: collectorNc,
    kalshi: { transport, endpoint: sim.url, keyId: sim.keyId, privateKeyPem: sim.privateKeyPem },
    markets,
    channels: [...PER_MARKET, "trade"],
    stream,
    prefix,
    leaseTtlMs: 2_000,
    bufferSize: 1_000_000,
    snapshotIntervalMs: 1_000,
  });
  try {
    while (collector.markets.length < markets.length) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const consumer = await startBookConsumer({ nats: consumerNc, markets, stream, prefix });
    while (!markets.every((m) => consumer.valid(m))) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const seen = trackSeqs(collector.client!);
    const before = collector.stats().published;
    const consumedBefore = consumer.messages;
    const start = performance.now();
    await drive(sim);
    await caughtUpWithSimulator(sim, seen.lastSeq);
    await collector.flush();
    await consumer.caughtUp();
    const ms = performance.now() - start;
    const result = {
      ms,
      frames: seen.frames(),
      published: collector.stats().published - before,
      consumed: consumer.messages - consumedBefore,
    };
    await consumer.close();
    return result;
  } finally {
    await collector.close();
    const jsm = await jetstreamManager(consumerNc);
    await jsm.streams.delete(stream).catch(() => {});
    await new Kvm(consumerNc).open(leaseBucketName(stream)).then((kv) => kv.destroy()).catch(
      () => {},
    );
    await collectorNc.close();
    await consumerNc.close();
  }
}

await using server = await testNatsServer();
const alone: number[] = [];
const e2e: number[] = [];
const ratios: number[] = [];
let frames = 0;
let published = 0;
let consumed = 0;
console.error(`nats_bench: ${steps} steps × ${rounds} rounds, nats ${server.url}`);
for (let r = 0; r < rounds; r++) {
  const seed = 1 + r;
  let a: { ms: number; frames: number };
  let e: Awaited<ReturnType<typeof runEndToEnd>>;
  if (r % 2 === 0) {
    a = await runAlone(seed);
    e = await runEndToEnd(seed, server.url);
  } else {
    e = await runEndToEnd(seed, server.url);
    a = await runAlone(seed);
  }
  alone.push(a.ms);
  e2e.push(e.ms);
  ratios.push(a.ms / e.ms);
  frames = a.frames;
  published = e.published;
  consumed = e.consumed;
  console.error(
    `round ${r + 1}: alone ${a.ms.toFixed(0)} ms (${a.frames} frames), end to end ` +
      `${e.ms.toFixed(0)} ms (${e.frames} frames, ${e.published} published, ` +
      `${e.consumed} consumed): ratio ${(a.ms / e.ms).toFixed(3)}`,
  );
}
const aloneRate = frames / (median(alone) / 1000);
const e2eRate = frames / (median(e2e) / 1000);
console.error(
  `collector alone ${formatRate(aloneRate)}, end to end ${formatRate(e2eRate)} frames/s; ` +
    `ratio ${round(median(ratios), 3)}`,
);
printSummary({
  bench: "nats",
  steps,
  rounds,
  frames,
  published,
  consumed,
  alone_frames_per_s: Math.round(aloneRate),
  e2e_frames_per_s: Math.round(e2eRate),
  ratio: round(median(ratios), 3),
  machine: machine(),
});
