import { test } from "node:test";
import assert from "node:assert/strict";
import { RequestDeadlines } from "./request_deadlines.ts";

test("RequestDeadlines.due() lists open requests whose deadline passed, earliest via next()", () => {
  const deadlines = new RequestDeadlines();
  deadlines.track(1, "subscribe", 1_000);
  deadlines.track(2, "list_subscriptions", 500);
  assert.equal(deadlines.next(), 500);
  assert.deepEqual(deadlines.due(499), []);
  assert.deepEqual(deadlines.due(1_000), [
    { request: 1, command: "subscribe" },
    { request: 2, command: "list_subscriptions" },
  ]);
  assert.equal(deadlines.size, 2, "due() does not settle");
});

test("RequestDeadlines.settle() settles a request once", () => {
  const deadlines = new RequestDeadlines();
  deadlines.track(7, "unsubscribe", 10);
  assert.equal(deadlines.isOpen(7), true);
  assert.equal(deadlines.settle(7), true);
  assert.equal(deadlines.settle(7), false);
  assert.equal(deadlines.isOpen(7), false);
  assert.equal(deadlines.next(), undefined);
  assert.equal(deadlines.settle(8), false, "unknown requests are not open");
});
