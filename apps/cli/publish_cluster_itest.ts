// NATS integration test on a real three-node JetStream cluster: three `nats-server` processes on
// loopback (configuration written by @kalshi-ws/nats/testing), the simulator, collectors as
// `kalshi-ws publish` processes and consumers, with a server and a collector SIGKILLed together
// mid-stream. Run with `deno task test:nats` (needs `nats-server` on the PATH; NATS_URL is not
// used: the test must own the servers it kills).
import { test } from "node:test";
import assert from "node:assert/strict";
import { startSimulator } from "@kalshi-ws/simulator";
import { connect as natsConnect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { leaseBucketName, preferredCollector, startBookConsumer } from "@kalshi-ws/nats";
import {
  auditStream,
  booksDiffering,
  removeFeed,
  startNatsCluster,
  testStreamNames,
  waitFor,
} from "@kalshi-ws/nats/testing";
import {
  type CliProcess,
  consumeArgs,
  coveredBy,
  linesShowBooks,
  publishArgs,
  startCli,
} from "./_nats_cli.ts";

/** Long enough for leases to outlive a leader election (2.9 elects within ~4-9 s). */
const LEASE_TTL_S = 15;

test("three-node JetStream cluster: an R3 stream and lease bucket carry the feed through a server and a collector SIGKILLed together mid-stream (the server restarted later) with no message lost or stored twice, and consumers' books equal the simulator's truth", async () => {
  await using cluster = await startNatsCluster(3);
  await using sim = await startSimulator({ seed: 21, activityRate: 150 });
  const markets = sim.truth.tickers();
  const { stream, prefix } = testStreamNames();
  const keyDir = await Deno.makeTempDir({ prefix: "kalshi-nats-cluster-itest-" });
  const keyFile = `${keyDir}/sim.key`;
  await Deno.writeTextFile(keyFile, sim.privateKeyPem, { mode: 0o600 });
  const nc = await natsConnect({
    servers: [...cluster.urls],
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
  });
  const jsm = await jetstreamManager(nc);
  const collector = (id: string, nats: string[]): CliProcess =>
    startCli(publishArgs({
      sim,
      keyFile,
      nats,
      id,
      leaseTtlSeconds: LEASE_TTL_S,
      snapshotIntervalSeconds: 2,
      stream,
      prefix,
      markets,
    }));
  // The servers both ways: comma-separated, and one --nats per server.
  const ids = ["collector-a", "collector-b"] as const;
  const a = collector(ids[0], ["--nats", cluster.urls.join(",")]);
  const b = collector(ids[1], cluster.urls.flatMap((url) => ["--nats", url]));
  try {
    await waitFor(
      "the markets shared by both collectors",
      () =>
        markets.every((m) => coveredBy(preferredCollector(m, ids) === ids[0] ? a : b).has(m)) &&
        coveredBy(a).size + coveredBy(b).size === markets.length,
      60_000,
    );
    assert.ok(coveredBy(a).size > 0 && coveredBy(b).size > 0, "each collector covers a share");
    // Created on a cluster: three copies of the stream and of the lease bucket.
    const info = await jsm.streams.info(stream);
    assert.equal(info.config.num_replicas, 3);
    assert.equal(info.cluster?.replicas?.length, 2);
    assert.equal((await (await new Kvm(nc).open(leaseBucketName(stream))).status()).replicas, 3);

    await using consumer = await startBookConsumer({ nats: nc, markets, stream, prefix });
    await using cliConsumer = startCli(
      consumeArgs(cluster.urls.join(","), stream, prefix, markets),
    );
    await waitFor("consumer books valid", () => markets.every((m) => consumer.valid(m)), 30_000);
    const seenBefore = consumer.messages;
    await waitFor("the feed flowing", () => consumer.messages > seenBefore + 200, 30_000);

    // Mid-stream: SIGKILL the stream's leader and collector-a together.
    const leader = info.cluster!.leader!;
    const node = cluster.node(leader);
    const killedAt = Date.now();
    a.kill("SIGKILL");
    await Promise.all([node.kill("SIGKILL"), a.done]);
    await waitFor(
      "another stream leader",
      async () => {
        const now = await jsm.streams.info(stream).catch(() => undefined);
        return now?.cluster?.leader !== undefined && now.cluster.leader !== leader;
      },
      30_000,
    );
    const electedMs = Date.now() - killedAt;
    await waitFor(
      "collector-b covering every market",
      () => coveredBy(b).size === markets.length,
      (LEASE_TTL_S + 45) * 1000,
    );
    const takenOverMs = Date.now() - killedAt;
    await waitFor(
      "consumer books valid after the failures",
      () => markets.every((m) => consumer.valid(m)),
      30_000,
    );
    // The server comes back on its store and catches up while the feed runs.
    await node.restart();
    await waitFor(
      "the restarted server current again",
      async () => {
        const now = await jsm.streams.info(stream).catch(() => undefined);
        const peers = [now?.cluster?.leader, ...(now?.cluster?.replicas ?? []).map((r) => r.name)];
        return peers.includes(leader) &&
          (now?.cluster?.replicas ?? []).every((r) => r.current && !r.offline);
      },
      30_000,
    );
    const afterRestart = consumer.messages;
    await waitFor("the feed flowing after", () => consumer.messages > afterRestart + 200, 30_000);
    sim.stopActivity();
    await waitFor(
      "consumer books equal the truth",
      () => booksDiffering(sim, consumer.books, markets).length === 0,
      30_000,
    );
    await waitFor(
      "the consume command's books equal the truth",
      () => linesShowBooks(cliConsumer, markets, (m) => sim.truth.book(m)),
      30_000,
    );

    b.kill("SIGINT");
    assert.equal(await b.done, 130);
    const stalls = b.lines.filter((l) => l.type === "publish_stalled").length;
    const resumed = b.lines.filter((l) => l.type === "publish_resumed").map((l) => l.stalledMs);
    console.log(
      `stream leader ${leader} and collector-a killed: new leader after ${electedMs} ms, ` +
        `collector-b covering everything after ${takenOverMs} ms; collector-b stalled ` +
        `${stalls} time(s), resumed after ${resumed.join(", ") || "-"} ms; consumer gaps ` +
        `${consumer.gaps} (${consumer.reader} reader)`,
    );
    // The survivor dropped nothing: every message it received is in the stream.
    assert.deepEqual(b.lines.filter((l) => l.type === "lagged"), []);
    assert.match(b.stderr(), /published, 0 dropped/);
    const audit = await auditStream(nc, stream);
    assert.deepEqual(audit.duplicateIds, []);
    assert.deepEqual(audit.duplicateTrades, []);
    assert.deepEqual(audit.repeatedBookSeqs, []);
    assert.deepEqual(audit.missingBookSeqs, []);
    assert.ok(audit.batches > 0, "the feed was batched");
    console.log(
      `stream: ${audit.messages} messages carrying ${audit.frames} (${audit.batches} batches)`,
    );
  } finally {
    await a[Symbol.asyncDispose]();
    await b[Symbol.asyncDispose]();
    await removeFeed(nc, stream);
    await nc.close();
    await Deno.remove(keyDir, { recursive: true });
  }
});
