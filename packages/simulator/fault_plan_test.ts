import { test } from "node:test";
import assert from "node:assert/strict";
import { FaultSpecError, parseFaultSpec } from "./fault_plan.ts";

test("parseFaultSpec() reads every kind with its defaults and an @ delay", () => {
  assert.deepEqual(parseFaultSpec("disconnect@5"), { kind: "disconnect", atMs: 5_000 });
  assert.deepEqual(parseFaultSpec("hang-handshakes"), {
    kind: "hang-handshakes",
    count: 1,
    atMs: 0,
  });
  assert.deepEqual(parseFaultSpec("hang-handshakes-for:forever"), {
    kind: "hang-handshakes-for",
    forMs: Infinity,
    atMs: 0,
  });
  assert.deepEqual(parseFaultSpec("reject-handshakes:3"), {
    kind: "reject-handshakes",
    count: 3,
    status: 503,
    atMs: 0,
  });
  assert.deepEqual(parseFaultSpec("reject-handshakes-for:2.5:429@1"), {
    kind: "reject-handshakes-for",
    forMs: 2_500,
    status: 429,
    atMs: 1_000,
  });
  assert.deepEqual(parseFaultSpec("drop-before-reply:subscribe"), {
    kind: "drop-before-reply",
    cmd: "subscribe",
    atMs: 0,
  });
  assert.deepEqual(parseFaultSpec("error-storm:orderbook_delta:10:30@2"), {
    kind: "error-storm",
    channel: "orderbook_delta",
    code: 10,
    forMs: 30_000,
    atMs: 2_000,
  });
  const storm = parseFaultSpec("error-storm:trade");
  assert.ok(storm.kind === "error-storm" && storm.code === 25 && storm.forMs === Infinity);
});

test("parseFaultSpec() names the spec and the mistake", () => {
  for (
    const [spec, reason] of [
      ["explode", /unknown fault 'explode'/],
      ["hang-handshakes:0", /count must be a whole number/],
      ["reject-handshakes:2:200", /status must be 400–599/],
      ["reject-handshakes-for", /give seconds/],
      ["drop-before-reply:ping", /unknown command 'ping'/],
      ["error-storm:nope", /unknown channel 'nope'/],
      ["error-storm:trade:18", /25 or 10/],
      ["disconnect@soon", /the delay after @ must be/],
      ["disconnect:1", /at most 0 values/],
    ] as const
  ) {
    assert.throws(
      () => parseFaultSpec(spec),
      (error: Error) =>
        error instanceof FaultSpecError && error.message.includes(`'${spec}'`) &&
        reason.test(error.message),
      spec,
    );
  }
});
