import { test } from "node:test";
import assert from "node:assert/strict";
import { Backoff, backoffDelay, DEFAULT_BACKOFF } from "./backoff.ts";

test("Backoff.nextDelay() doubles from 1 s up to the 30 s cap with random fixed at 1", () => {
  const backoff = new Backoff({ random: () => 1 });
  const delays = Array.from({ length: 8 }, () => backoff.nextDelay());
  assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  assert.equal(backoff.attempt, 8);
});

test("Backoff.nextDelay() applies jitter as a fraction of the base delay", () => {
  const low = new Backoff({ random: () => 0 });
  assert.deepEqual([low.nextDelay(), low.nextDelay(), low.nextDelay()], [500, 1000, 2000]);
  const mid = new Backoff({ random: () => 0.5, jitter: 1 });
  assert.deepEqual([mid.nextDelay(), mid.nextDelay()], [500, 1000]);
  const none = new Backoff({ random: () => 0.123, jitter: 0 });
  assert.equal(none.nextDelay(), 1000);
});

test("Backoff.nextDelay() keeps the first attempt within about a second by default", () => {
  for (const r of [0, 0.25, 0.5, 0.999]) {
    const delay = new Backoff({ random: () => r }).nextDelay();
    assert.ok(delay >= 500 && delay <= 1000, `delay ${delay} for random ${r}`);
  }
});

test("Backoff.closed() resets the schedule after a stable period", () => {
  const backoff = new Backoff({ random: () => 1, stableAfterMs: 60_000 });
  backoff.nextDelay();
  backoff.nextDelay();
  backoff.nextDelay(); // next would be 8000
  backoff.opened(1_000);
  backoff.closed(61_000);
  assert.equal(backoff.attempt, 0);
  assert.equal(backoff.nextDelay(), 1000);
});

test("Backoff.closed() keeps growing after a short-lived connection", () => {
  const backoff = new Backoff({ random: () => 1, stableAfterMs: 60_000 });
  backoff.nextDelay();
  backoff.nextDelay();
  backoff.opened(1_000);
  backoff.closed(60_999);
  assert.equal(backoff.nextDelay(), 4000);
});

test("Backoff.checkStable() resets eagerly once the connection is stable", () => {
  const backoff = new Backoff({ random: () => 1, stableAfterMs: 10 });
  backoff.nextDelay();
  assert.equal(backoff.checkStable(0), false);
  backoff.opened(100);
  assert.equal(backoff.checkStable(109), false);
  assert.equal(backoff.attempt, 1);
  assert.equal(backoff.checkStable(110), true);
  assert.equal(backoff.attempt, 0);
});

test("Backoff honours custom options and reset()", () => {
  const backoff = new Backoff({
    initialDelayMs: 100,
    maxDelayMs: 250,
    multiplier: 3,
    jitter: 0,
  });
  assert.deepEqual([backoff.nextDelay(), backoff.nextDelay(), backoff.nextDelay()], [
    100,
    250,
    250,
  ]);
  backoff.reset();
  assert.equal(backoff.nextDelay(), 100);
});

test("backoffDelay() stays finite at the cap for huge attempt numbers", () => {
  assert.equal(backoffDelay(10_000, 1), DEFAULT_BACKOFF.maxDelayMs);
});

test("Backoff() rejects nonsensical options", () => {
  assert.throws(() => new Backoff({ jitter: 2 }), RangeError);
  assert.throws(() => new Backoff({ multiplier: 0.5 }), RangeError);
  assert.throws(() => new Backoff({ initialDelayMs: 5000, maxDelayMs: 1000 }), RangeError);
});
