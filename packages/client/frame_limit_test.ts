import { test } from "node:test";
import assert from "node:assert/strict";
import { DecodeError } from "@kalshi-ws/core";
import { connect } from "./client.ts";
import type { ClientEvent } from "./client_event.ts";
import { DEFAULT_MAX_FRAME_BYTES, oversizeFrame } from "./frame_limit.ts";
import { flushMicrotasks, ManualClock } from "./testing/manual_clock.ts";
import { MemoryTransport } from "./testing/memory_transport.ts";

test("oversizeFrame() counts UTF-8 bytes, not characters, and only for frames that could be large", () => {
  assert.equal(oversizeFrame("x".repeat(100), 100), undefined);
  assert.match(
    oversizeFrame("x".repeat(101), 100)!.message,
    /at least 101 bytes exceeds .*\(100\)/,
  );
  assert.equal(oversizeFrame("é".repeat(50), 100), undefined, "100 bytes fit");
  assert.match(oversizeFrame("é".repeat(51), 100)!.message, /frame of 102 bytes exceeds/);
  assert.match(oversizeFrame("😀".repeat(26), 100)!.message, /frame of 104 bytes/);
  const error = oversizeFrame("y".repeat(10_000), 100)!;
  assert.ok(error instanceof DecodeError);
  assert.equal(error.frame.length, 200, "keeps an excerpt, not the frame");
  assert.ok(DEFAULT_MAX_FRAME_BYTES < 64 * 1024 * 1024, "below Deno's own limit");
});

test("the client skips a frame above maxFrameBytes with a decode_error and carries on", async () => {
  const transport = new MemoryTransport({ seesPings: false });
  const connecting = connect({
    transport,
    endpoint: "ws://sim.test/trade-api/ws/v2",
    keyId: "key-1",
    signer: { sign: () => Promise.resolve("c2ln") },
    clock: new ManualClock(),
    maxFrameBytes: 1_000,
  });
  await flushMicrotasks();
  transport.last.accept();
  const client = await connecting;
  const events: ClientEvent[] = [];
  client.on("*", (event) => events.push(event));
  transport.last.receive(JSON.stringify({ type: "ticker", sid: 1, pad: "x".repeat(5_000) }));
  await flushMicrotasks();
  const [oversize] = events.filter((e) => e.type === "decode_error");
  assert.ok(oversize?.type === "decode_error");
  assert.match(oversize.error.message, /exceeds maxFrameBytes \(1000\); skipped/);
  const listing = client.listSubscriptions();
  const command = transport.last.commands("list_subscriptions").at(-1)!;
  transport.last.receive({ id: command.id, type: "ok", msg: [] });
  assert.deepEqual(await listing, [], "later frames still go through");
  assert.equal(client.state, "open", "no disconnect");
  await client.close();
  await assert.rejects(
    connect({
      transport,
      keyId: "k",
      signer: { sign: () => Promise.resolve("") },
      maxFrameBytes: 0,
    }),
    /maxFrameBytes/,
  );
});
