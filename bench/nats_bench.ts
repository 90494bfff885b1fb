/**
 * End-to-end throughput over NATS JetStream against the limits of the machine, in one run:
 *
 * - **alone**: a client with the collector's subscriptions and order books receives every
 *   sequenced frame of a fresh simulator driven through a fixed number of generator steps as
 *   fast as it can send (its last `seq` per sid equals the simulator's);
 * - **end to end**: the same with a collector (`@kalshi-ws/nats`, leases in KV) publishing
 *   to JetStream and a `BookConsumer` following every market: the clock stops when the
 *   collector has every frame, JetStream acknowledged everything it published and the consumer
 *   read up to the stream's last message. Once with the default batching (5 ms) and once with
 *   one Kalshi message per JetStream message (`batchLatencyMs: 0`);
 * - **raw JetStream**: acknowledged publishes of single-frame messages (a real delta with the
 *   collector's headers and a `Nats-Msg-Id`, file store, 256 in flight) and an ordered consumer
 *   reading them back: the ceiling of one message per frame on this machine.
 *
 * Each round runs the four in a rotating order; ratios are end-to-end rate over collector-alone
 * rate within a round (1 = publishing and consuming cost nothing), reported as medians.
 * Simulator, collector and consumer share this process; `nats-server` (from `NATS_URL`, else a
 * child process) is its own.
 *
 *   deno run -A bench/nats_bench.ts                 # 20 000 steps × 5 rounds
 *   deno run -A bench/nats_bench.ts --full          # 100 000 steps × 7 rounds
 *   deno run -A bench/nats_bench.ts --mode readers --markets 200   # consumer designs compared
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
import type { MarketSpec } from "../packages/simulator/model/markets.ts";
import { connect as natsConnect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { AckSender } from "../packages/nats/ack_sender.ts";
import { startCollector } from "../packages/nats/collector.ts";
import { type ConsumerReader, startBookConsumer } from "../packages/nats/consumer.ts";
import { Header } from "../packages/nats/envelope.ts";
import { ensureFeedStream, leaseBucketName } from "../packages/nats/stream.ts";
import { testNatsServer } from "../packages/nats/testing/nats_server.ts";
import { median, round } from "./_pipeline_workload.ts";
import { benchFlags, formatRate, machine, printSummary } from "./_report.ts";

const flags = benchFlags(["steps", "markets", "mode"]);
const readersMode = flags.values.mode === "readers";
const steps = Number(flags.values.steps ?? (flags.full ? 100_000 : 20_000));
const rounds = flags.rounds ?? (flags.full ? 7 : 5);
const marketCount = flags.values.markets === undefined ? undefined : Number(flags.values.markets);
const CHUNK = 200;
const PER_MARKET: readonly Channel[] = ["orderbook_delta", "ticker"];
const WIDE: readonly Channel[] = ["trade", "market_lifecycle_v2"];
const RAW_MESSAGES = 20_000;
const RAW_WINDOW = 256;

type Simulator = Awaited<ReturnType<typeof startSimulator>>;

/** `--markets N`: N generated markets instead of the simulator's handful. */
function marketSpecs(): MarketSpec[] | undefined {
  if (marketCount === undefined) return undefined;
  return Array.from({ length: marketCount }, (_, i) => ({
    ticker: `KXBENCH-${i}`,
    fairPrice: 1_000 + (i * 373) % 8_000,
  }));
}

function simulator(seed: number): Promise<Simulator> {
  const markets = marketSpecs();
  return startSimulator({
    seed,
    autoStart: false,
    pingIntervalMs: 0,
    ...(markets === undefined ? {} : { markets }),
  });
}

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
  await using sim = await simulator(seed);
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

function names(kind: string): { stream: string; prefix: string } {
  const tag = crypto.randomUUID().slice(0, 8);
  return { stream: `${kind.toUpperCase()}_${tag}`, prefix: `${kind}${tag}` };
}

async function cleanUp(nc: NatsConnection, stream: string): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(stream).catch(() => {});
  await new Kvm(nc).open(leaseBucketName(stream)).then((kv) => kv.destroy()).catch(() => {});
}

interface EndToEnd {
  readonly ms: number;
  readonly frames: number;
  /** Kalshi messages the collector published, and JetStream messages they took. */
  readonly published: number;
  readonly batches: number;
  readonly consumed: number;
  readonly reader: string;
  readonly markets: number;
}

async function runEndToEnd(
  seed: number,
  natsUrl: string,
  batchLatencyMs: number,
  reader: ConsumerReader = "auto",
) {
  await using sim = await simulator(seed);
  const markets = sim.truth.tickers();
  const { stream, prefix } = names("bench");
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
    batchLatencyMs,
  });
  try {
    while (collector.markets.length < markets.length) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const consumer = await startBookConsumer({
      nats: consumerNc,
      markets,
      stream,
      prefix,
      reader,
    });
    while (!markets.every((m) => consumer.valid(m))) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const seen = trackSeqs(collector.client!);
    const before = collector.stats();
    const consumedBefore = consumer.messages;
    const start = performance.now();
    await drive(sim);
    await caughtUpWithSimulator(sim, seen.lastSeq);
    await collector.flush();
    await consumer.caughtUp();
    const ms = performance.now() - start;
    const after = collector.stats();
    const result: EndToEnd = {
      ms,
      frames: seen.frames(),
      published: after.published - before.published,
      batches: after.batches - before.batches,
      consumed: consumer.messages - consumedBefore,
      reader: consumer.reader,
      markets: markets.length,
    };
    await consumer.close();
    return result;
  } finally {
    await collector.close();
    await cleanUp(consumerNc, stream);
    await collectorNc.close();
    await consumerNc.close();
  }
}

/** JetStream alone: acknowledged publishes of single-frame messages, then reading them back. */
async function runRaw(natsUrl: string): Promise<{ publishPerS: number; consumePerS: number }> {
  const nc = await natsConnect({ servers: natsUrl });
  const { stream, prefix } = names("raw");
  const sender = new AckSender(nc, 10_000);
  try {
    await ensureFeedStream(nc, { stream, prefix });
    const data = JSON.stringify({
      type: "orderbook_delta",
      sid: 2,
      seq: 123_456,
      msg: {
        market_ticker: "KXFED-26DEC-T4.25",
        market_id: "9b0f6b43-5b68-4f6a-8a39-8d2f7c1e5a10",
        price_dollars: "0.4200",
        delta_fp: "-54.00",
        side: "yes",
        ts: "2026-11-25T17:03:12.345678Z",
        ts_ms: 1_795_626_192_345,
      },
    });
    const subject = `${prefix}.orderbook_delta.KXFED-26DEC-T4=2E25`;
    let sent = 0;
    const start = performance.now();
    const worker = async (): Promise<void> => {
      while (sent < RAW_MESSAGES) {
        const n = ++sent;
        await sender.send({
          subject,
          data,
          msgId: `raw.${n}`,
          headers: {
            [Header.ReceivedMs]: String(Date.now()),
            [Header.Collector]: "bench",
            [Header.Epoch]: "bench-1",
            [Header.Sid]: "2",
            [Header.Seq]: String(n),
            [Header.BookSeq]: String(n),
            [Header.BookValid]: "true",
          },
        });
      }
    };
    await Promise.all(Array.from({ length: RAW_WINDOW }, worker));
    const publishPerS = RAW_MESSAGES / ((performance.now() - start) / 1000);
    const readStart = performance.now();
    const consumer = await jetstream(nc).consumers.get(stream, { filter_subjects: `${prefix}.>` });
    const messages = await consumer.consume({ max_messages: 256, expires: 5_000 });
    let read = 0;
    for await (const m of messages) {
      m.string();
      if (++read === RAW_MESSAGES) break;
    }
    await messages.close();
    const consumePerS = RAW_MESSAGES / ((performance.now() - readStart) / 1000);
    return { publishPerS, consumePerS };
  } finally {
    sender.close();
    await cleanUp(nc, stream);
    await nc.close();
  }
}

/**
 * Consumer designs compared live: each round runs the end-to-end pipeline once per reader
 * (alternating order) and the collector alone, so each reader's cost shows in its ratio.
 */
async function compareReaders(natsUrl: string): Promise<void> {
  const readers: ConsumerReader[] = ["wide", "per-market"];
  const alone: number[] = [];
  const times = new Map<ConsumerReader, number[]>(readers.map((r) => [r, []]));
  const ratios = new Map<ConsumerReader, number[]>(readers.map((r) => [r, []]));
  let frames = 0;
  let markets = 0;
  let messages = "";
  for (let r = 0; r < rounds; r++) {
    const seed = 1 + r;
    const a = await runAlone(seed);
    alone.push(a.ms);
    frames = a.frames;
    for (const reader of r % 2 === 0 ? readers : [...readers].reverse()) {
      const e = await runEndToEnd(seed, natsUrl, 5, reader);
      times.get(reader)!.push(e.ms);
      ratios.get(reader)!.push(a.ms / e.ms);
      markets = e.markets;
      messages = `${e.published} in ${e.batches} messages`;
      console.error(`round ${r + 1}: ${reader} ${e.ms.toFixed(0)} ms: ${(a.ms / e.ms).toFixed(3)}`);
    }
  }
  const rate = (ms: number[]): number => frames / (median(ms) / 1000);
  const summary: Record<string, unknown> = { bench: "nats_readers", steps, rounds, markets };
  console.error(
    `${markets} markets, ${messages}; collector alone ${formatRate(rate(alone))} frames/s`,
  );
  for (const reader of readers) {
    const key = reader.replace("-", "_");
    console.error(
      `${reader}: end to end ${formatRate(rate(times.get(reader)!))} frames/s, ratio ` +
        `${round(median(ratios.get(reader)!), 3)}`,
    );
    summary[`${key}_frames_per_s`] = Math.round(rate(times.get(reader)!));
    summary[`${key}_ratio`] = round(median(ratios.get(reader)!), 3);
  }
  printSummary({ ...summary, alone_frames_per_s: Math.round(rate(alone)), machine: machine() });
}

await using server = await testNatsServer();
if (readersMode) {
  await compareReaders(server.url);
} else {
  const alone: number[] = [];
  const batched: number[] = [];
  const single: number[] = [];
  const ratios: number[] = [];
  const ratiosSingle: number[] = [];
  const rawPublish: number[] = [];
  const rawConsume: number[] = [];
  let frames = 0;
  let lastBatched: EndToEnd | undefined;
  let lastSingle: EndToEnd | undefined;
  console.error(`nats_bench: ${steps} steps × ${rounds} rounds, nats ${server.url}`);
  for (let r = 0; r < rounds; r++) {
    const seed = 1 + r;
    let a: { ms: number; frames: number } | undefined;
    const phases = [
      async () => a = await runAlone(seed),
      async () => lastBatched = await runEndToEnd(seed, server.url, 5),
      async () => lastSingle = await runEndToEnd(seed, server.url, 0),
      async () => {
        const raw = await runRaw(server.url);
        rawPublish.push(raw.publishPerS);
        rawConsume.push(raw.consumePerS);
      },
    ];
    for (let i = 0; i < phases.length; i++) await phases[(i + r) % phases.length]!();
    const [b, s] = [lastBatched!, lastSingle!];
    alone.push(a!.ms);
    batched.push(b.ms);
    single.push(s.ms);
    ratios.push(a!.ms / b.ms);
    ratiosSingle.push(a!.ms / s.ms);
    frames = a!.frames;
    console.error(
      `round ${r + 1}: alone ${a!.ms.toFixed(0)} ms (${a!.frames} frames); ` +
        `batched ${b.ms.toFixed(0)} ms (${b.published} in ${b.batches} messages, ${b.consumed} ` +
        `consumed, ${b.reader}): ${(a!.ms / b.ms).toFixed(3)}; one per message ` +
        `${s.ms.toFixed(0)} ms: ${(a!.ms / s.ms).toFixed(3)}; raw JetStream ` +
        `publishes ${formatRate(rawPublish.at(-1)!)}, reads ${formatRate(rawConsume.at(-1)!)}`,
    );
  }
  const rate = (ms: number[]): number => frames / (median(ms) / 1000);
  console.error(
    `frames: collector alone ${formatRate(rate(alone))}; end to end batched ` +
      `${formatRate(rate(batched))} (ratio ${round(median(ratios), 3)}), one per message ` +
      `${formatRate(rate(single))} (ratio ${round(median(ratiosSingle), 3)}); raw JetStream: ` +
      `acknowledged publishes ${formatRate(median(rawPublish))}, ` +
      `ordered reads ${formatRate(median(rawConsume))}`,
  );
  printSummary({
    bench: "nats",
    steps,
    rounds,
    frames,
    frames_per_message: round(lastBatched!.published / Math.max(1, lastBatched!.batches), 1),
    reader: lastBatched!.reader,
    alone_frames_per_s: Math.round(rate(alone)),
    e2e_frames_per_s: Math.round(rate(batched)),
    e2e_unbatched_frames_per_s: Math.round(rate(single)),
    ratio: round(median(ratios), 3),
    ratio_unbatched: round(median(ratiosSingle), 3),
    raw_publish_per_s: Math.round(median(rawPublish)),
    raw_consume_per_s: Math.round(median(rawConsume)),
    machine: machine(),
  });
}
