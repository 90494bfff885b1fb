import { test } from "node:test";
import assert from "node:assert/strict";
import { healthOf } from "./health.ts";
import { snapshotWith } from "./_fake_source.ts";

test("connected, every subscription live, every book valid: ok with no reasons", () => {
  const health = healthOf(snapshotWith());
  assert.equal(health.status, "ok");
  assert.deepEqual(health.reasons, []);
  assert.deepEqual(health.subscriptions, { live: 1 });
});

test("before the client exists: unhealthy, starting", () => {
  const health = healthOf(undefined);
  assert.equal(health.status, "unhealthy");
  assert.deepEqual(health.reasons, ["not connected yet (starting)"]);
});

test("every problem is a reason: the link, each subscription not live, the invalid books", () => {
  const health = healthOf(snapshotWith({
    state: "reconnecting",
    connected: false,
    subscriptions: [
      { key: 1, channels: ["orderbook_delta", "ticker"], state: "restoring" },
      { key: 4, channels: ["trade"], state: "pending" },
    ],
    books: { valid: 0, invalid: 2 },
    invalidBooks: ["KXA-1", "KXB-1"],
  }));
  assert.equal(health.status, "unhealthy");
  assert.deepEqual(health.reasons, [
    "not connected (reconnecting)",
    "subscription 1 (orderbook_delta, ticker) restoring",
    "subscription 4 (trade) pending",
    "2 book(s) invalid: KXA-1, KXB-1",
  ]);
});

test("many invalid books: ten named, the rest counted", () => {
  const invalidBooks = Array.from({ length: 13 }, (_, i) => `KX-${i}`);
  const health = healthOf(snapshotWith({ invalidBooks, books: { valid: 0, invalid: 13 } }));
  assert.match(health.reasons[0]!, /^13 book\(s\) invalid: KX-0, .*KX-9 and 3 more$/);
});

test("a collector whose JetStream stalls is unhealthy", () => {
  const nats = {
    markets: [],
    offered: 0,
    published: 0,
    batches: 0,
    dropped: 0,
    queued: 9,
    lagMs: 0,
    stalled: true,
  };
  assert.deepEqual(healthOf(snapshotWith(), nats).reasons, [
    "NATS JetStream is not acknowledging (publishing stalled)",
  ]);
});
