/**
 * `@kalshi-ws/nats` installed from its npm tarball, under Node, against a real `nats-server`
 * (JetStream) and the simulator: a collector connected through the Node adapter publishes the
 * feed, a consumer rebuilds every book from the stream, the books equal the simulator's truth,
 * and no message id or trade is stored twice. `deno task test:node` passes `NATS_URL` (the
 * server it was given, or one it started). Written without `await using` (Node 20).
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { transport } from "@kalshi-ws/node";
import {
  type BookConsumer,
  type Collector,
  type CollectorEvent,
  leaseBucketName,
  startBookConsumer,
  startCollector,
} from "@kalshi-ws/nats";
import { startSimulator } from "@kalshi-ws/simulator";
import { connect as natsConnect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { auditStream, booksDiffering, waitFor } from "../../packages/nats/testing/feed_checks.ts";

test("nats on Node: a collector over the Node adapter publishes to JetStream, a consumer rebuilds every book equal to the simulator's truth, nothing is stored twice", async () => {
  const url = process.env.NATS_URL;
  assert.ok(
    url,
    "Set NATS_URL to a nats-server with JetStream (deno task test:node starts one when " +
      "nats-server is on the PATH: apt-get install nats-server)",
  );
  const sim = await startSimulator({ seed: 5, activityRate: 40 });
  const nats = await natsConnect({ servers: url });
  const tag = crypto.randomUUID().slice(0, 8);
  const stream = `NODE_${tag}`;
  const prefix = `node${tag}`;
  const markets = sim.truth.tickers();
  const events: CollectorEvent[] = [];
  let collector: Collector | undefined;
  let consumer: BookConsumer | undefined;
  try {
    collector = await startCollector({
      nats,
      kalshi: { transport, endpoint: sim.url, keyId: sim.keyId, privateKeyPem: sim.privateKeyPem },
      markets,
      stream,
      prefix,
      leaseTtlMs: 3_000,
      snapshotIntervalMs: 1_000,
      onEvent: (event) => events.push(event),
    });
    consumer = await startBookConsumer({ nats, markets, stream, prefix });
    const [c, k] = [collector, consumer];
    await waitFor("the collector to hold every market", () => c.markets.length === markets.length);
    await waitFor("every rebuilt book to be valid", () => markets.every((m) => k.valid(m)));
    sim.stopActivity();
    await c.flush();
    await waitFor(
      "the rebuilt books to equal the simulator's truth",
      () => booksDiffering(sim, k.books, markets).length === 0,
      20_000,
    );
    const audit = await auditStream(nats, stream);
    assert.ok(audit.messages > markets.length, `only ${audit.messages} messages in the stream`);
    assert.deepEqual(audit.duplicateIds, []);
    assert.deepEqual(audit.duplicateTrades, []);
    assert.deepEqual(audit.repeatedBookSeqs, []);
    assert.deepEqual(events.filter((e) => e.type === "error"), []);
  } finally {
    await consumer?.close();
    await collector?.close();
    const jsm = await jetstreamManager(nats);
    await jsm.streams.delete(stream).catch(() => {});
    await new Kvm(nats).open(leaseBucketName(stream)).then((kv) => kv.destroy()).catch(() => {});
    await nats.close();
    await sim.close();
  }
});
