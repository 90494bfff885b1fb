// NATS integration test of `kalshi-ws publish` and `consume`: a real nats-server (NATS_URL, or a
// child process), the simulator, and collectors as `kalshi-ws publish` processes so one can really
// be killed. Run with `deno task test:nats` (not part of `deno task test`: the file name does not
// end in `_test.ts`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { startSimulator } from "@kalshi-ws/simulator";
import { connect as natsConnect } from "@nats-io/transport-node";
import { preferredCollector, startBookConsumer } from "@kalshi-ws/nats";
import {
  auditStream,
  booksDiffering,
  removeFeed,
  testNatsServer,
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
