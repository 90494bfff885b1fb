/**
 * When the client reads the clock for inbound frames: per frame, or — over a transport that
 * `readsInRuns` (hands the frames of one socket read over synchronously) — once per run, at its
 * first frame. The lag metric (receive time minus Kalshi's `ts_ms`) shows which time a frame got.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "./client.ts";
import type { Clock } from "./clock.ts";
import { fakeSigner } from "./testing/memory_client.ts";
import { flushMicrotasks } from "./testing/manual_clock.ts";
import type { SocketEvents, Transport } from "./transport.ts";

const EPOCH = 1_767_225_600_000;

/** A clock the test moves synchronously (timers are armed, never fired). */
function steppedClock(): Clock & { step(ms: number): void } {
  let now = 1_000;
  return {
    now: () => now,
    wallTime: () => EPOCH + now,
    setTimer: () => ({}),
    clearTimer: () => {},
    step: (ms) => void (now += ms),
  };
}

/** A transport whose one socket the test feeds synchronously, frame after frame. */
function runTransport(readsInRuns: boolean) {
  let events: SocketEvents | undefined;
  const sent: Record<string, unknown>[] = [];
  const transport: Transport = {
    name: "runs",
    seesPings: false,
    readsInRuns,
    open(_url, _headers, socketEvents) {
      events = socketEvents;
      queueMicrotask(() => socketEvents.open());
      return {
        send: (text) => void sent.push(JSON.parse(text)),
        close: (code = 1000, reason = "") => queueMicrotask(() => socketEvents.close(code, reason)),
      };
    },
  };
  const feed = (frame: Record<string, unknown>) => events!.text(JSON.stringify(frame));
  return { transport, sent, feed };
}

function delta(seq: number, tsMs: number) {
  return {
    type: "orderbook_delta",
    sid: 1,
    seq,
    msg: {
      market_ticker: "M1",
      market_id: "m",
      price_dollars: "0.4000",
      delta_fp: "1.00",
      side: "yes",
      ts_ms: tsMs,
    },
  };
}

/** A client with one live book of M1 over a `runTransport`; frames are fed from seq 2 on. */
async function bookClient(readsInRuns: boolean) {
  const clock = steppedClock();
  const { transport, sent, feed } = runTransport(readsInRuns);
  const client = await connect({
    transport,
    endpoint: "ws://sim.test/trade-api/ws/v2",
    keyId: "key-1",
    signer: fakeSigner(),
    clock,
    books: true,
    reconnect: false,
  });
  const subscribed = client.subscribe({ channels: ["orderbook_delta"], market_tickers: ["M1"] });
  await flushMicrotasks();
  const command = sent.find((frame) => frame.cmd === "subscribe")!;
  feed({ id: command.id, type: "subscribed", msg: { channel: "orderbook_delta", sid: 1 } });
  feed({
    type: "orderbook_snapshot",
    sid: 1,
    seq: 1,
    msg: { market_ticker: "M1", market_id: "m", yes_dollars_fp: [["0.4000", "10.00"]] },
  });
  await subscribed;
  await flushMicrotasks();
  return { client, clock, feed };
}

test("frames of one synchronous run take the time of its first frame when the transport readsInRuns; the next run reads the clock again", async () => {
  const { client, clock, feed } = await bookClient(true);
  const wall = clock.wallTime();
  feed(delta(2, wall - 50)); // read at `wall`: 50 ms behind
  clock.step(30);
  feed(delta(3, wall - 50)); // same run, same read: 50 ms behind, not 80
  await flushMicrotasks(); // the run ended
  clock.step(100);
  feed(delta(4, clock.wallTime() - 20)); // a new run reads the clock: 20 ms behind
  const { lag, messages, books } = client.metrics();
  assert.equal(lag.count, 3);
  assert.ok(Math.abs(lag.sum - 0.12) < 1e-9, `lag sum ${lag.sum} s`);
  assert.deepEqual(messages, { orderbook_delta: 4 });
  assert.deepEqual(books, { valid: 1, invalid: 0 });
  assert.equal(client.books.get("M1")!.bestYesBidSize, 1_300);
  await client.close();
});

test("every frame reads the clock when the transport does not readsInRuns", async () => {
  const { client, clock, feed } = await bookClient(false);
  const wall = clock.wallTime();
  feed(delta(2, wall - 50));
  clock.step(30);
  feed(delta(3, wall - 50)); // read 30 ms later: 80 ms behind
  await flushMicrotasks();
  clock.step(100);
  feed(delta(4, clock.wallTime() - 20));
  const { lag } = client.metrics();
  assert.equal(lag.count, 3);
  assert.ok(Math.abs(lag.sum - 0.15) < 1e-9, `lag sum ${lag.sum} s`);
  await client.close();
});

test("a run's time is the wall time of the metrics snapshot's clock: the last message's age counts from it", async () => {
  const { client, clock, feed } = await bookClient(true);
  feed(delta(2, clock.wallTime()));
  clock.step(2_500);
  assert.equal(client.metrics().lastMessageAgeSeconds, 2.5);
  await client.close();
});
