import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_RESUBSCRIBE_BACKOFF, ResubscribeBackoff } from "./resubscribe_backoff.ts";

test("ResubscribeBackoff.next() waits 250–500 ms first, then doubles up to 15–30 s", () => {
  const low = new ResubscribeBackoff<number>({ random: () => 0 });
  const high = new ResubscribeBackoff<number>({ random: () => 1 });
  const lows = Array.from({ length: 9 }, () => low.next(1).delayMs);
  const highs = Array.from({ length: 9 }, () => high.next(1).delayMs);
  assert.deepEqual(lows, [250, 500, 1_000, 2_000, 4_000, 8_000, 15_000, 15_000, 15_000]);
  assert.deepEqual(highs, [500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  assert.equal(low.next(1).attempt, 10);
});

test("ResubscribeBackoff keeps one schedule per subscription", () => {
  const pacing = new ResubscribeBackoff<string>({ random: () => 1 });
  pacing.next("a");
  pacing.next("a");
  assert.deepEqual(pacing.next("b"), { attempt: 1, delayMs: 500 });
  assert.deepEqual(pacing.next("a"), { attempt: 3, delayMs: 2_000 });
  pacing.forget("a");
  assert.deepEqual(pacing.next("a"), { attempt: 1, delayMs: 500 });
});

test("ResubscribeBackoff.unhealthy() starts over only after stableAfterMs of health", () => {
  const pacing = new ResubscribeBackoff<number>({ random: () => 1 });
  pacing.next(1);
  pacing.next(1);
  pacing.healthy(1, 0);
  pacing.unhealthy(1, DEFAULT_RESUBSCRIBE_BACKOFF.stableAfterMs - 1);
  assert.equal(pacing.next(1).attempt, 3, "a short healthy spell does not reset");
  pacing.healthy(1, 20_000);
  pacing.unhealthy(1, 30_000);
  assert.deepEqual(pacing.next(1), { attempt: 1, delayMs: 500 });
});

test("new ResubscribeBackoff() refuses options that make no sense and keeps defaults for undefined", () => {
  assert.throws(() => new ResubscribeBackoff({ jitter: 2 }), RangeError);
  const pacing = new ResubscribeBackoff<number>({ initialDelayMs: undefined, random: () => 1 });
  assert.equal(pacing.next(1).delayMs, 500);
});
