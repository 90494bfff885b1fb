import { test } from "node:test";
import assert from "node:assert/strict";
import { checkCloseTimeout, CloseDeadline } from "./close_deadline.ts";

test("CloseDeadline.wait() is true for work that settles in time (fulfilled or rejected)", async () => {
  const deadline = new CloseDeadline(60_000);
  assert.equal(await deadline.wait(Promise.resolve()), true);
  assert.equal(await deadline.wait(Promise.reject(new Error("failed in time"))), true);
  assert.equal(deadline.passed, false);
  deadline.clear();
});

test("CloseDeadline.wait() is false at the deadline for work that never settles, and at once after it", async () => {
  const deadline = new CloseDeadline(10);
  const never = new Promise<void>(() => {});
  assert.equal(await deadline.wait(never), false);
  assert.equal(deadline.passed, true);
  assert.equal(await deadline.wait(Promise.resolve()), false, "no waiting past the deadline");
  deadline.clear();
});

test("checkCloseTimeout() names the option and the value it refuses", () => {
  assert.equal(checkCloseTimeout("closeTimeoutMs", 0), 0);
  assert.equal(checkCloseTimeout("closeTimeoutMs", 1_500), 1_500);
  assert.throws(
    () => checkCloseTimeout("closeTimeoutMs", -1),
    /Set closeTimeoutMs to 0 or more \(ms\): got -1/,
  );
  assert.throws(() => checkCloseTimeout("timeoutMs", NaN), /Set timeoutMs .* got NaN/);
});
