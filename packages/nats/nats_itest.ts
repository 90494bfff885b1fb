// NATS integration tests: a real nats-server (NATS_URL, or a child process) and the simulator.
// Run with `deno task test:nats` (not part of `deno task test`: the file name does not end in
// `_test.ts`). Collectors run as `kalshi-ws publish` processes so one can really be killed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { transport } from "@kalshi-ws/deno";
import { startSimulator } from "@kalshi-ws/simulator";
import { connect as natsConnect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { AckSender } from "./ack_sender.ts";
import { type CollectorEvent, startCollector } from "./collector.ts";
import { startBookConsumer } from "./consumer.ts";
import { preferredCollector } from "./shares.ts";
import { ensureFeedStream, leaseBucketName } from "./stream.ts";
import {
  type CliProcess,
  consumeArgs,
  coveredBy,
  linesShowBooks,
  publishArgs,
  startCli,
} from "./testing/cli_process.ts";
import {
  auditStream,
  booksDiffering,
  removeFeed,
  testStreamNames,
  waitFor,
} from "./testing/feed_checks.ts";
import { testNatsServer } from "./testing/nats_server.ts";
import { startTcpProxy } from "./testing/tcp_proxy.ts";

const LEASE_TTL_MS = 3_000;
const TICK_MS = LEASE_TTL_MS / 5;
const names = testStreamNames;
const cleanUp = removeFeed;

test("publish: three collectors share the markets, the others take over a killed one's markets within the lease time and a stopped one's at once, and books rebuilt from the stream equal the simulator's truth with no duplicates", async () => {
  await using server = await testNatsServer();
  await using sim = await startSimulator({ seed: 11, activityRate: 40 });
  const markets = sim.truth.tickers();
  const { stream, prefix } = names();
  const keyDir = await Deno.makeTempDir({ prefix: "kalshi-nats-itest-" });
  const keyFile = `${keyDir}/sim.key`;
  await Deno.writeTextFile(keyFile, sim.privateKeyPem, { mode: 0o600 });
  const nc = await natsConnect({ servers: server.url });
  const ids = ["collector-a", "collector-b", "collector-c"];
  const processes = new Map<string, CliProcess>();
  try {
    for (const id of ids) {
      processes.set(
        id,
        startCli(publishArgs({
          sim,
          keyFile,
          nats: ["--nats", server.url],
          id,
          leaseTtlSeconds: LEASE_TTL_MS / 1000,
          snapshotIntervalSeconds: 1,
          stream,
          prefix,
          markets,
        })),
      );
    }
    // Each market ends up with its rendezvous-preferred collector, and every collector has some.
    const expected = (live: readonly string[]): string =>
      JSON.stringify(live.map((id) => markets.filter((m) => preferredCollector(m, live) === id)));
    const actual = (live: readonly string[]): string =>
      JSON.stringify(live.map((id) => markets.filter((m) => coveredBy(processes.get(id)!).has(m))));
    await waitFor(
      "the markets shared by all three collectors",
      () => actual(ids) === expected(ids),
      30_000,
    );
    for (const id of ids) assert.ok(coveredBy(processes.get(id)!).size > 0, `${id} covers nothing`);

    await using consumer = await startBookConsumer({ nats: nc, markets, stream, prefix });
    await using cliConsumer = startCli(consumeArgs(server.url, stream, prefix, markets));
    await waitFor("consumer books valid", () => markets.every((m) => consumer.valid(m)));
    sim.stopActivity();
    await waitFor(
      "consumer books equal the truth",
      () => booksDiffering(sim, consumer.books, markets).length === 0,
    );

    // Kill the collector with the most markets (SIGKILL: no hand-over, its leases must expire).
    sim.startActivity(40);
    const victim = ids.reduce((a, b) =>
      coveredBy(processes.get(b)!).size > coveredBy(processes.get(a)!).size ? b : a
    );
    const victimMarkets = [...coveredBy(processes.get(victim)!)];
    const killedAt = Date.now();
    processes.get(victim)!.kill("SIGKILL");
    await processes.get(victim)!.done;
    const survivors = ids.filter((id) => id !== victim);
    await waitFor(
      "the killed collector's markets taken over",
      () => actual(survivors) === expected(survivors),
      LEASE_TTL_MS * 4,
    );
    const takenAt = Math.max(...victimMarkets.map((m) => {
      const times = survivors.flatMap((id) =>
        processes.get(id)!.lines.filter((l) => l.type === "lease_acquired" && l.market === m)
          .map((l) => l.t as number)
      );
      return Math.max(...times);
    }));
    const takeoverMs = takenAt - killedAt;
    console.log(`take-over of ${victimMarkets.length} markets: ${takeoverMs} ms after the kill`);
    assert.ok(
      takeoverMs <= LEASE_TTL_MS + 2 * TICK_MS,
      `take-over took ${takeoverMs} ms: more than the lease time (${LEASE_TTL_MS} ms) plus two ticks`,
    );

    await waitFor(
      "consumer books valid after the take-over",
      () => markets.every((m) => consumer.valid(m)),
    );
    sim.stopActivity();
    await waitFor(
      "consumer books equal the truth after the take-over",
      () => booksDiffering(sim, consumer.books, markets).length === 0,
    );
    // The CLI consumer shows the same books (its last NDJSON line per market).
    await waitFor(
      "the consume command's books equal the truth",
      () => linesShowBooks(cliConsumer, markets, (m) => sim.truth.book(m)),
    );

    // A clean stop (Ctrl-C) hands the markets over at once: no waiting for the lease to expire.
    sim.startActivity(40);
    const [leaving, last] = survivors as [string, string];
    const stoppedAt = Date.now();
    processes.get(leaving)!.kill("SIGINT");
    assert.equal(await processes.get(leaving)!.done, 130);
    await waitFor(
      "the last collector covering every market",
      () => actual([last]) === JSON.stringify([markets]),
      LEASE_TTL_MS,
    );
    const handOverMs = Date.now() - stoppedAt;
    assert.ok(handOverMs < LEASE_TTL_MS, `hand-over took ${handOverMs} ms`);
    console.log(`hand-over on Ctrl-C: ${handOverMs} ms; consumer gaps so far: ${consumer.gaps}`);
    await waitFor(
      "consumer books valid after the hand-over",
      () => markets.every((m) => consumer.valid(m)),
    );
    sim.stopActivity();
    await waitFor(
      "consumer books equal the truth after the hand-over",
      () => booksDiffering(sim, consumer.books, markets).length === 0,
    );
    processes.get(last)!.kill("SIGINT");
    assert.equal(await processes.get(last)!.done, 130);
    const audit = await auditStream(nc, stream);
    assert.deepEqual(audit.duplicateIds, []);
    assert.deepEqual(audit.duplicateTrades, []);
    assert.deepEqual(audit.repeatedBookSeqs, []);
    assert.ok((audit.subjects.get("orderbook_delta") ?? 0) > 0);
    assert.ok((audit.subjects.get("snapshot") ?? 0) > 0);
    assert.ok((audit.subjects.get("events") ?? 0) > 0);
  } finally {
    for (const p of processes.values()) await p[Symbol.asyncDispose]();
    await cleanUp(nc, stream);
    await nc.close();
    await Deno.remove(keyDir, { recursive: true });
  }
});

test("startCollector() buffers within its bound while JetStream is unreachable, reports the lag, and consumers' books are exact again after the outage", async () => {
  await using server = await testNatsServer();
  await using sim = await startSimulator({ seed: 5, activityRate: 200 });
  const markets = sim.truth.tickers();
  const { stream, prefix } = names();
  await using proxy = startTcpProxy(server.url);
  const nc = await natsConnect({ servers: server.url });
  const collectorNc = await natsConnect({ servers: proxy.url, reconnectTimeWait: 250 });
  const events: CollectorEvent[] = [];
  const collector = await startCollector({
    nats: collectorNc,
    id: "only",
    kalshi: { transport, endpoint: sim.url, keyId: sim.keyId, privateKeyPem: sim.privateKeyPem },
    markets,
    stream,
    prefix,
    leaseTtlMs: 10_000,
    bufferSize: 200,
    publishTimeoutMs: 500,
    snapshotIntervalMs: 60_000,
    onEvent: (e) => events.push(e),
  });
  try {
    await waitFor("every market covered", () => collector.markets.length === markets.length);
    await using consumer = await startBookConsumer({ nats: nc, markets, stream, prefix });
    await waitFor("consumer books valid", () => markets.every((m) => consumer.valid(m)));

    proxy.pause();
    await waitFor("the stall reported", () => events.some((e) => e.type === "publish_stalled"));
    await waitFor("the overflow reported", () => events.some((e) => e.type === "lagged"));
    await waitFor(
      "the lag reported",
      () => events.some((e) => e.type === "lag" && e.lagMs >= 1_000),
    );
    assert.ok(collector.stats().queued <= 200, `buffered ${collector.stats().queued} > 200`);
    const lag = events.find((e) => e.type === "lagged");
    assert.ok(lag !== undefined && lag.type === "lagged" && lag.dropped > 0);
    proxy.resume();
    await waitFor(
      "the resumption reported",
      () => events.some((e) => e.type === "publish_resumed"),
    );

    await waitFor("consumer saw the gap", () => consumer.gaps > 0);
    sim.stopActivity();
    await waitFor(
      "consumer books equal the truth after the outage",
      () => booksDiffering(sim, consumer.books, markets).length === 0,
      20_000,
    );
    const audit = await auditStream(nc, stream);
    assert.deepEqual(audit.duplicateIds, []);
    assert.deepEqual(audit.repeatedBookSeqs, []);
  } finally {
    await collector.close();
    await collectorNc.close();
    await cleanUp(nc, stream);
    await nc.close();
  }
});

test("startCollector() refuses a lease bucket created with another lease TTL", async () => {
  await using server = await testNatsServer();
  await using sim = await startSimulator({ seed: 2, autoStart: false });
  const { stream, prefix } = names();
  const nc = await natsConnect({ servers: server.url });
  try {
    await new Kvm(nc).create(leaseBucketName(stream), { ttl: 3_000, history: 1 });
    await assert.rejects(
      startCollector({
        nats: nc,
        kalshi: {
          transport,
          endpoint: sim.url,
          keyId: sim.keyId,
          privateKeyPem: sim.privateKeyPem,
        },
        markets: sim.truth.tickers(),
        stream,
        prefix,
        leaseTtlMs: 5_000,
      }),
      /lease TTL is 3000 ms, not 5000 ms/,
    );
  } finally {
    await cleanUp(nc, stream);
    await nc.close();
  }
});

test("startCollector() hands its markets over and ends with the error when its Kalshi client gives up", async () => {
  await using server = await testNatsServer();
  await using sim = await startSimulator({ seed: 4, activityRate: 20 });
  const markets = sim.truth.tickers();
  const { stream, prefix } = names();
  const nc = await natsConnect({ servers: server.url });
  const collector = await startCollector({
    nats: nc,
    id: "doomed",
    kalshi: {
      transport,
      endpoint: sim.url,
      keyId: sim.keyId,
      privateKeyPem: sim.privateKeyPem,
      reconnect: { initialDelayMs: 10, maxDelayMs: 50, maxHandshakeRejections: 2 },
    },
    markets,
    stream,
    prefix,
    leaseTtlMs: 5_000,
  });
  try {
    await waitFor("every market covered", () => collector.markets.length === markets.length);
    sim.faults.rejectHandshakes(10, 401);
    sim.faults.disconnect();
    const failure = await collector.ended;
    assert.match(String(failure?.message), /401|rejected/i);
    assert.deepEqual(collector.markets, []);
    // Its leases are gone at once (not left to expire), so others can take the markets.
    const kv = await new Kvm(nc).open(leaseBucketName(stream));
    const keys: string[] = [];
    for await (const key of await kv.keys("lease.>")) keys.push(key);
    assert.deepEqual(keys, []);
  } finally {
    await collector.close();
    await cleanUp(nc, stream);
    await nc.close();
  }
});

test("AckSender resolves on JetStream's ack, stores a repeated id once, and rejects what no stream captures", async () => {
  await using server = await testNatsServer();
  const { stream, prefix } = names();
  const nc = await natsConnect({ servers: server.url });
  const sender = new AckSender(nc, 2_000);
  try {
    await ensureFeedStream(nc, { stream, prefix });
    const message = { subject: `${prefix}.trade.KXA`, data: "{}", msgId: "m-1", headers: {} };
    await sender.send(message);
    await sender.send(message);
    const info = await (await jetstreamManager(nc)).streams.info(stream);
    assert.equal(info.state.messages, 1);
    await assert.rejects(
      sender.send({ subject: `elsewhere${prefix}.x`, data: "{}", msgId: "m-2", headers: {} }),
      /did not store|status 503/,
    );
  } finally {
    sender.close();
    await cleanUp(nc, stream);
    await nc.close();
  }
});
