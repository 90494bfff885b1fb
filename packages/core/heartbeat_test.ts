import { test } from "node:test";
import assert from "node:assert/strict";
import { deadAt, Liveness, probeDueAt } from "./heartbeat.ts";

test("Liveness.due() asks for a probe at exactly the idle window", () => {
  const liveness = new Liveness({ idleMs: 25_000, probeTimeoutMs: 5_000 });
  liveness.start(1_000);
  assert.equal(liveness.deadline(), 26_000);
  assert.equal(liveness.due(25_999), undefined);
  assert.equal(liveness.due(26_000), "probe");
});

test("Liveness.due() declares death at exactly idle window plus probe timeout", () => {
  const liveness = new Liveness({ idleMs: 25_000, probeTimeoutMs: 5_000 });
  liveness.start(0);
  liveness.probeSent(25_000);
  assert.equal(liveness.deadline(), 30_000);
  assert.equal(liveness.due(29_999), undefined);
  assert.equal(liveness.due(30_000), "dead");
});

test("Liveness.activity() answers an outstanding probe and moves the window", () => {
  const liveness = new Liveness();
  liveness.start(0);
  liveness.probeSent(25_000);
  liveness.activity(27_000);
  assert.equal(liveness.probing, false);
  assert.equal(liveness.deadline(), 52_000);
  assert.equal(liveness.due(30_000), undefined);
});

test("Liveness.activity() never moves the window backwards", () => {
  const liveness = new Liveness({ idleMs: 10 });
  liveness.start(100);
  liveness.activity(50);
  assert.equal(liveness.deadline(), 110);
});

test("Liveness.due() probes first when the caller wakes long after the deadline", () => {
  const liveness = new Liveness({ idleMs: 10, probeTimeoutMs: 5 });
  liveness.start(0);
  assert.equal(liveness.due(1_000_000), "probe");
});

test("Liveness has no deadline while stopped", () => {
  const liveness = new Liveness();
  assert.equal(liveness.deadline(), undefined);
  assert.equal(liveness.due(1e12), undefined);
  liveness.start(0);
  liveness.stop();
  liveness.activity(5);
  liveness.probeSent(5);
  assert.equal(liveness.deadline(), undefined);
  assert.equal(liveness.running, false);
});

test("probeDueAt() and deadAt() add the configured durations", () => {
  assert.equal(probeDueAt(100, 25_000), 25_100);
  assert.equal(deadAt(25_100, 5_000), 30_100);
});

test("Liveness() rejects non-positive durations", () => {
  assert.throws(() => new Liveness({ idleMs: 0 }), RangeError);
  assert.throws(() => new Liveness({ probeTimeoutMs: -1 }), RangeError);
});
