// NATS integration tests: a real nats-server (NATS_URL, or a child process) and the simulator.
// Run with `deno task test:nats` (not part of `deno task test`: the file name does not end in
// `_test.ts`). Collectors running as `kalshi-ws publish` processes (one really killed) are tested
// in apps/cli/publish_itest.ts, where the CLI may be used.
import { test } from "node:test";
import assert from "node:assert/strict";
import { transport } from "@kalshi-ws/deno";
import { startSimulator } from "@kalshi-ws/simulator";
import { connect as natsConnect, type NatsConnection } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { AckSender } from "./ack_sender.ts";
import { DEFAULT_COLLECTOR_CLOSE_TIMEOUT_MS } from "./close_deadline.ts";
import { type Collector, type CollectorEvent, startCollector } from "./collector.ts";
import { startBookConsumer } from "./consumer.ts";
import { ensureFeedStream, leaseBucketName } from "./stream.ts";
import { decodeToken } from "./subjects.ts";
import {
  auditStream,
  booksDiffering,
  removeFeed,
  testStreamNames,
  waitFor,
} from "./testing/feed_checks.ts";
import { testNatsServer } from "./testing/nats_server.ts";
import { startTcpProxy } from "./testing/tcp_proxy.ts";

const names = testStreamNames;
const cleanUp = removeFeed;

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

/** Lease keys (markets) in `stream`'s lease bucket. */
async function leasesIn(nc: NatsConnection, stream: string): Promise<string[]> {
  const kv = await new Kvm(nc).open(leaseBucketName(stream));
  const keys: string[] = [];
  for await (const key of await kv.keys("lease.>")) keys.push(decodeToken(key.slice(6)));
  return keys.sort();
}

test("Collector.close() while JetStream answers: everything buffered is published, every lease handed over together, well before the deadline", async () => {
  await using server = await testNatsServer();
  await using sim = await startSimulator({ seed: 6, activityRate: 100 });
  const markets = sim.truth.tickers();
  const { stream, prefix } = names();
  const nc = await natsConnect({ servers: server.url });
  const events: CollectorEvent[] = [];
  const collector = await startCollector({
    nats: nc,
    id: "tidy",
    kalshi: { transport, endpoint: sim.url, keyId: sim.keyId, privateKeyPem: sim.privateKeyPem },
    markets,
    stream,
    prefix,
    leaseTtlMs: 10_000,
    onEvent: (e) => events.push(e),
  });
  try {
    await waitFor("every market covered", () => collector.markets.length === markets.length);
    await waitFor("messages published", () => collector.stats().published > 0);
    assert.deepEqual(await leasesIn(nc, stream), [...markets].sort());
    const report = await collector.close();
    assert.equal(report.complete, true, JSON.stringify(report));
    assert.deepEqual([...report.released].sort(), [...markets].sort());
    assert.deepEqual(report.expiring, []);
    assert.equal(report.unpublished, 0);
    assert.ok(report.durationMs < DEFAULT_COLLECTOR_CLOSE_TIMEOUT_MS, `${report.durationMs} ms`);
    assert.deepEqual(await leasesIn(nc, stream), [], "every lease deleted");
    assert.deepEqual(events.at(-1), { type: "closed", ...report }, "closed is the last event");
    assert.equal(collector.stats().unpublished, 0);
    assert.equal(await collector.ended, undefined);
    assert.equal(await collector.close(), report, "a second close returns the first report");
    // Each market's book ends with the hand-over notice, stored before its lease was deleted.
    const audit = await auditStream(nc, stream);
    assert.deepEqual(audit.duplicateIds, []);
    assert.deepEqual(audit.missingBookSeqs, []);
  } finally {
    await collector.close();
    await cleanUp(nc, stream);
    await nc.close();
  }
});

test("Collector.close() while JetStream does not answer resolves by its deadline, names the leases left and the messages unpublished, and another collector takes the markets over once the leases expire", async () => {
  await using server = await testNatsServer();
  await using sim = await startSimulator({ seed: 8, activityRate: 100 });
  const markets = sim.truth.tickers();
  const { stream, prefix } = names();
  const ttlMs = 3_000;
  const timeoutMs = 800;
  await using proxy = startTcpProxy(server.url);
  const nc = await natsConnect({ servers: server.url });
  const collectorNc = await natsConnect({ servers: proxy.url, reconnectTimeWait: 250 });
  const events: CollectorEvent[] = [];
  const first = await startCollector({
    nats: collectorNc,
    id: "stranded",
    kalshi: { transport, endpoint: sim.url, keyId: sim.keyId, privateKeyPem: sim.privateKeyPem },
    markets,
    stream,
    prefix,
    leaseTtlMs: ttlMs,
    closeTimeoutMs: timeoutMs,
    onEvent: (e) => events.push(e),
  });
  let second: Collector | undefined;
  try {
    await waitFor("every market covered", () => first.markets.length === markets.length);
    await waitFor("messages published", () => first.stats().published > 0);
    // JetStream stops answering (the link stays open): messages pile up unacknowledged.
    proxy.pause();
    await waitFor("messages buffered", () => first.stats().queued > 0);
    const closing = performance.now();
    const report = await first.close();
    const tookMs = performance.now() - closing;
    // Within the deadline (plus the event loop's slack on a loaded machine), not 5 s per lease.
    assert.ok(tookMs < timeoutMs + 700, `close took ${Math.round(tookMs)} ms`);
    assert.equal(report.complete, false);
    assert.deepEqual(report.released, []);
    assert.deepEqual([...report.expiring].sort(), [...markets].sort());
    assert.ok(report.unpublished > 0, JSON.stringify(report));
    assert.equal(first.stats().unpublished, report.unpublished);
    assert.deepEqual(events.at(-1), { type: "closed", ...report });
    assert.equal(events.some((e) => e.type === "lease_released"), false);
    // The leases are still there (nothing deleted them) and expire on their own: a second
    // collector, with JetStream reachable, claims every market within the TTL and two ticks.
    assert.deepEqual(await leasesIn(nc, stream), [...markets].sort());
    const taken = performance.now();
    second = await startCollector({
      nats: nc,
      id: "successor",
      kalshi: {
        transport,
        endpoint: sim.url,
        keyId: sim.keyId,
        privateKeyPem: sim.privateKeyPem,
      },
      markets,
      stream,
      prefix,
      leaseTtlMs: ttlMs,
    });
    const s = second;
    await waitFor(
      "the successor covering every market",
      () => s.markets.length === markets.length,
      ttlMs * 3,
    );
    // Not by deletion: only once the leases expired.
    assert.ok(performance.now() - taken > ttlMs / 2, "taken over before the leases could expire");
  } finally {
    await first.close();
    await second?.close();
    proxy.resume();
    await collectorNc.close();
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
