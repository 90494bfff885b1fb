// NATS integration test of `--metrics-port` on `kalshi-ws publish` and `consume`: the real CLI
// as child processes, the simulator, a real nats-server (NATS_URL, or a child process) reached
// through a TCP proxy the test can stall or cut, and the metrics servers read over loopback as
// Prometheus and a probe would. Run with `deno task test:nats`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startSimulator } from "@kalshi-ws/simulator";
import { connect as natsConnect } from "@nats-io/transport-node";
import {
  removeFeed,
  startTcpProxy,
  testNatsServer,
  testStreamNames,
} from "@kalshi-ws/nats/testing";
import { type CliProcess, consumeArgs, publishArgs, startCli } from "./_nats_cli.ts";
import { eventually, type Family, health, metricsUrlIn, sample, scrape } from "./_metrics_probe.ts";

/** The collector's publish buffer bound (`startCollector`'s default `bufferSize`). */
const BUFFER_BOUND = 10_000;
/** What the CLI promises between a stop and its exit. */
const STOP_BUDGET_MS = 2_000;
/** What `/healthz` says while JetStream does not acknowledge. */
const STALLED_REASON = "NATS JetStream is not acknowledging (publishing stalled)";

const KALSHI_METRICS = [
  "kalshi_ws_messages_total",
  "kalshi_ws_gaps_total",
  "kalshi_ws_resyncs_total",
  "kalshi_ws_reconnects_total",
  "kalshi_ws_decode_errors_total",
  "kalshi_ws_dropped_messages_total",
  "kalshi_ws_connected",
  "kalshi_ws_subscriptions",
  "kalshi_ws_books",
  "kalshi_ws_last_message_age_seconds",
  "kalshi_ws_message_lag_seconds",
];
const NATS_METRICS = [
  "kalshi_ws_nats_published_total",
  "kalshi_ws_nats_acked_total",
  "kalshi_ws_nats_dropped_total",
  "kalshi_ws_nats_stalled",
  "kalshi_ws_nats_buffered_messages",
  "kalshi_ws_nats_buffer_age_seconds",
  "kalshi_ws_nats_leases",
];

/** The NATS side of one scrape. */
function natsSide(f: Map<string, Family>) {
  const value = (name: string): number => {
    const v = sample(f, name);
    assert.ok(v !== undefined && Number.isFinite(v), `${name} missing`);
    return v;
  };
  return {
    published: value("kalshi_ws_nats_published_total"),
    acked: value("kalshi_ws_nats_acked_total"),
    dropped: value("kalshi_ws_nats_dropped_total"),
    stalled: value("kalshi_ws_nats_stalled"),
    buffered: value("kalshi_ws_nats_buffered_messages"),
    bufferAge: value("kalshi_ws_nats_buffer_age_seconds"),
    leases: value("kalshi_ws_nats_leases"),
  };
}

/** A simulator with activity, a fresh stream, a key file, a NATS connection for clean-up. */
async function feedFixture(seed: number) {
  const server = await testNatsServer();
  const sim = await startSimulator({ seed, activityRate: 40 });
  const { stream, prefix } = testStreamNames();
  const keyDir = await Deno.makeTempDir({ prefix: "kalshi-nats-metrics-itest-" });
  const keyFile = `${keyDir}/sim.key`;
  await Deno.writeTextFile(keyFile, sim.privateKeyPem, { mode: 0o600 });
  const nc = await natsConnect({ servers: server.url });
  return {
    server,
    sim,
    stream,
    prefix,
    markets: sim.truth.tickers(),
    /** `kalshi-ws publish` of every market to `nats` (one collector: it holds every lease). */
    publish: (nats: string, extra: readonly string[] = []): CliProcess =>
      startCli([
        ...publishArgs({
          sim,
          keyFile,
          nats: ["--nats", nats],
          id: `metrics-${seed}`,
          // Longer than any outage below: the leases outlive it.
          leaseTtlSeconds: 30,
          snapshotIntervalSeconds: 1,
          stream,
          prefix,
          markets: sim.truth.tickers(),
        }),
        ...extra,
      ]),
    async [Symbol.asyncDispose]() {
      await removeFeed(nc, stream);
      await nc.close();
      await sim.close();
      await server.close();
      await Deno.remove(keyDir, { recursive: true });
    },
  };
}

/** The base URL of a CLI's metrics server, once it printed it. */
function metricsUrlOf(cli: CliProcess): Promise<string> {
  return eventually("the metrics URL", () => Promise.resolve(metricsUrlIn(cli.stderr())));
}

/** Stops a CLI with Ctrl-C and checks it ended as Ctrl-C does (130). */
async function interrupt(cli: CliProcess): Promise<void> {
  cli.kill("SIGINT");
  assert.equal(await cli.done, 130, cli.stderr());
}

test("publish --metrics-port against JetStream: Kalshi and NATS metrics move, a stalled JetStream turns /healthz 503 (buffer growing, bounded) and 200 once the backlog is acknowledged; Ctrl-C while JetStream is away exits within 2 s", async () => {
  await using fx = await feedFixture(31);
  await using proxy = startTcpProxy(fx.server.url);
  await using collector = fx.publish(proxy.url, ["--metrics-port", "0"]);
  const base = await metricsUrlOf(collector);
  await eventually("/healthz 200", async () => (await health(base)).status === 200);

  // Healthy: every metric listed, one collector holding every market's lease, data flowing.
  const first = await eventually("every lease held and messages acknowledged", async () => {
    const f = await scrape(base);
    const nats = natsSide(f);
    return nats.leases === fx.markets.length && nats.published > 0 && f;
  });
  for (const name of [...KALSHI_METRICS, ...NATS_METRICS]) assert.ok(first.has(name), name);
  assert.equal(sample(first, "kalshi_ws_connected"), 1);
  assert.equal(sample(first, "kalshi_ws_books", { state: "valid" }), fx.markets.length);
  assert.equal(sample(first, "kalshi_ws_nats_stalled"), 0);
  const before = natsSide(first);
  assert.ok(before.acked >= 1 && before.acked <= before.published, JSON.stringify(before));
  const deltas = (f: Map<string, Family>) =>
    sample(f, "kalshi_ws_messages_total", { channel: "orderbook_delta" }) ?? 0;
  const moved = await eventually("published, acked and received counters rising", async () => {
    const f = await scrape(base);
    const nats = natsSide(f);
    return nats.published > before.published && nats.acked > before.acked &&
      deltas(f) > deltas(first) && f;
  });
  const healthy = natsSide(moved);
  assert.equal(healthy.dropped, 0);
  assert.equal(healthy.stalled, 0);
  assert.ok(healthy.buffered <= BUFFER_BOUND, `buffered ${healthy.buffered}`);
  assert.ok(healthy.acked <= healthy.published, JSON.stringify(healthy));

  // JetStream stops answering (the link stays open, nothing comes back): the publish timeout
  // (5 s) marks the collector stalled; Kalshi's side stays connected.
  proxy.pause();
  const stalled = await eventually("kalshi_ws_nats_stalled 1", async () => {
    const f = await scrape(base);
    return natsSide(f).stalled === 1 && f;
  });
  const atStall = natsSide(stalled);
  assert.equal(sample(stalled, "kalshi_ws_connected"), 1, "the Kalshi side is still up");
  const outage = await health(base);
  assert.equal(outage.status, 503);
  assert.equal(outage.body.status, "unhealthy");
  assert.deepEqual(outage.body.reasons, [STALLED_REASON]);
  const growing = await eventually("the buffer growing and ageing", async () => {
    const nats = natsSide(await scrape(base));
    return nats.buffered > atStall.buffered && nats.bufferAge >= 1 && nats;
  });
  assert.equal(growing.published, atStall.published, "nothing acknowledged while stalled");
  assert.ok(growing.buffered <= BUFFER_BOUND, `buffered ${growing.buffered}`);

  // JetStream answers again: the probe gets its ack, the backlog is acknowledged, health is back.
  proxy.resume();
  await eventually("/healthz 200 after the stall", async () => (await health(base)).status === 200);
  const caughtUp = await eventually("the backlog acknowledged", async () => {
    const nats = natsSide(await scrape(base));
    return nats.stalled === 0 && nats.published >= growing.published + growing.buffered &&
      nats.buffered < growing.buffered && nats;
  });
  assert.ok(caughtUp.acked > growing.acked);
  assert.equal(caughtUp.leases, fx.markets.length, "the leases outlived the outage");

  // Ctrl-C while JetStream is away again still ends the run within the CLI's stop budget: the
  // hand-over is cut short (every lease operation would wait for its timeout) and the leases
  // expire instead, as after a crash.
  proxy.pause();
  const stopping = performance.now();
  await interrupt(collector);
  const stopMs = performance.now() - stopping;
  assert.ok(stopMs < STOP_BUDGET_MS, `the stop took ${Math.round(stopMs)} ms`);
  // The warning names what the collector's close left: the leases to expire.
  assert.match(
    collector.stderr(),
    new RegExp(
      `hand-over cut short after \\d+ ms \\(NATS not answering\\): ${fx.markets.length} markets left to expire`,
    ),
  );
});

test("consume --metrics-port against JetStream: messages and valid books counted, /healthz 503 while NATS is unreachable and 200 once reconnected", async () => {
  await using fx = await feedFixture(32);
  await using collector = fx.publish(fx.server.url);
  await using proxy = startTcpProxy(fx.server.url);
  await using consumer = startCli([
    ...consumeArgs(proxy.url, fx.stream, fx.prefix, fx.markets),
    "--metrics-port",
    "0",
  ]);
  const base = await metricsUrlOf(consumer);
  const messages = (f: Map<string, Family>) =>
    sample(f, "kalshi_ws_messages_total", { channel: "orderbook_delta" }) ?? 0;

  await eventually("/healthz 200", async () => (await health(base)).status === 200);
  const first = await scrape(base);
  for (const name of KALSHI_METRICS) assert.ok(first.has(name), name);
  assert.ok(![...first.keys()].some((n) => n.startsWith("kalshi_ws_nats")), "no collector side");
  assert.equal(sample(first, "kalshi_ws_connected"), 1);
  assert.equal(sample(first, "kalshi_ws_books", { state: "valid" }), fx.markets.length);
  await eventually("messages counted", async () => {
    const f = await scrape(base);
    return messages(f) > messages(first) &&
      sample(f, "kalshi_ws_last_message_age_seconds")! < 5;
  });

  // The consumer's link to NATS is cut and refused: not connected, 503 naming it.
  proxy.sever();
  const outage = await eventually("/healthz 503 while NATS is unreachable", async () => {
    const h = await health(base);
    return h.status === 503 && h;
  });
  assert.ok(
    outage.body.reasons.some((r) => r.startsWith("not connected")),
    JSON.stringify(outage.body),
  );
  const cut = await scrape(base);
  assert.equal(sample(cut, "kalshi_ws_connected"), 0);

  // NATS reachable again: the consumer reconnects, its books are exact again, messages move.
  proxy.resume();
  await eventually(
    "/healthz 200 once reconnected",
    async () => (await health(base)).status === 200,
  );
  await eventually("messages counted after the reconnect", async () => {
    const f = await scrape(base);
    return sample(f, "kalshi_ws_connected") === 1 && messages(f) > messages(cut) &&
      sample(f, "kalshi_ws_books", { state: "valid" }) === fx.markets.length;
  });
  await interrupt(consumer);
  await interrupt(collector);
});
