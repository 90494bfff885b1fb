import { test } from "node:test";
import assert from "node:assert/strict";
import { flushMicrotasks } from "./testing/manual_clock.ts";
import { ackSubscribe, open } from "./testing/memory_client.ts";

function snapshot(seq: number) {
  return {
    type: "orderbook_snapshot",
    sid: 1,
    seq,
    msg: { market_ticker: "M1", market_id: "m", yes_dollars_fp: [["0.4000", "10.00"]] },
  };
}

function delta(seq: number, tsMs?: number) {
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
      ...(tsMs === undefined ? {} : { ts_ms: tsMs }),
    },
  };
}

test("client.metrics(): the client counts messages, lag, a gap and its repair, and reads states", async () => {
  const h = await open({ books: true });
  const pending = h.client.subscribe({ channels: ["orderbook_delta"], market_tickers: ["M1"] });
  await flushMicrotasks();
  assert.equal(h.client.metrics().subscriptions[0]?.state, "pending");
  ackSubscribe(h.socket(), 1);
  h.socket().receive(snapshot(1));
  await pending;
  h.socket().receive(delta(2, h.clock.wallTime() - 50));
  await flushMicrotasks();
  let m = h.client.metrics();
  assert.deepEqual(m.messages, { orderbook_delta: 2 });
  assert.equal(m.connected, true);
  assert.equal(m.subscriptions[0]!.state, "live");
  assert.deepEqual(m.books, { valid: 1, invalid: 0 });
  assert.equal(m.lag.count, 1);
  assert.equal(m.lag.sum, 0.05, "receive time on the client's clock minus ts_ms");

  h.socket().receive(delta(4)); // seq 3 lost
  await flushMicrotasks();
  m = h.client.metrics();
  assert.equal(m.gaps, 1);
  assert.deepEqual(m.invalidBooks, ["M1"]);
  h.socket().receive({ ...snapshot(5), id: h.socket().commands("get_snapshot").at(-1)?.id });
  await flushMicrotasks();
  m = h.client.metrics();
  assert.equal(m.resyncs, 1, JSON.stringify(h.events.map((e) => e.type)));
  assert.deepEqual(m.books, { valid: 1, invalid: 0 });

  h.socket().receive("{not json");
  await flushMicrotasks();
  assert.equal(h.client.metrics().decodeErrors, 1);
  await h.client.close();
});
