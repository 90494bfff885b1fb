import { test } from "node:test";
import assert from "node:assert/strict";
import { BookStore, type DataMessage, type SidInfo } from "@kalshi-ws/core";
import { ClientMetrics, type MetricsView } from "./client_metrics.ts";
import { LAG_BUCKETS_SECONDS, LagHistogram } from "./lag_histogram.ts";

function delta(tsMs: number | undefined): DataMessage {
  return {
    type: "orderbook_delta",
    sid: 1,
    seq: 2,
    msg: {
      market_ticker: "KXA-1",
      market_id: "m",
      price_dollars: "0.5000",
      delta_fp: "1.00",
      side: "yes",
      ...(tsMs === undefined ? {} : { ts_ms: tsMs }),
    },
  } as unknown as DataMessage;
}

const ticker = {
  type: "ticker",
  sid: 2,
  msg: { market_ticker: "KXA-1" },
} as unknown as DataMessage;

interface Sub {
  key: number;
  channels: string[];
  sids: SidInfo[];
}

function view(state: string, subscriptions: Sub[], books?: BookStore): MetricsView {
  return { state, books, dropped: 3, subscriptions: () => subscriptions };
}

test("messages count per channel (snapshot and delta both orderbook_delta), the age from the last one", () => {
  let now = 1_000_000;
  const metrics = new ClientMetrics(() => now);
  metrics.message({ ...delta(undefined), type: "orderbook_snapshot" } as DataMessage, now);
  metrics.message(delta(undefined), now);
  metrics.message(ticker, now);
  metrics.message(delta(undefined), now); // back to a type seen before
  metrics.message(ticker, now);
  now += 2_500;
  const snapshot = metrics.snapshot(view("open", []));
  assert.deepEqual(snapshot.messages, { orderbook_delta: 3, ticker: 2 });
  assert.equal(snapshot.lastMessageAgeSeconds, 2.5);
  assert.equal(snapshot.dropped, 3);
  assert.equal(snapshot.connected, true);
});

test("before any message the age counts from the start, so a feed that never sends alerts too", () => {
  let now = 5_000;
  const metrics = new ClientMetrics(() => now);
  now += 61_000;
  assert.equal(metrics.snapshot(view("open", [])).lastMessageAgeSeconds, 61);
});

test("lag is receive time minus ts_ms, bucketed; frames without ts_ms are not observed", () => {
  const metrics = new ClientMetrics(() => 0);
  metrics.message(delta(1_000), 1_003); // 3 ms
  metrics.message(delta(1_000), 1_200); // 200 ms
  metrics.message(delta(1_000), 31_000); // 30 s: above every bound
  metrics.message(delta(undefined), 5_000);
  const lag = metrics.snapshot(view("open", [])).lag;
  assert.equal(lag.count, 3);
  assert.ok(Math.abs(lag.sum - 30.203) < 1e-9);
  assert.deepEqual(lag.bounds, LAG_BUCKETS_SECONDS);
  const counts = [...lag.counts];
  assert.equal(counts[0], 1, "3 ms <= 5 ms");
  assert.equal(counts[LAG_BUCKETS_SECONDS.indexOf(0.25)], 1, "200 ms in (0.1, 0.25]");
  assert.equal(counts[LAG_BUCKETS_SECONDS.length], 1, "30 s in +Inf");
});

test("a negative lag (clocks apart) counts as zero", () => {
  const histogram = new LagHistogram();
  histogram.observe(-40);
  assert.equal(histogram.snapshot().counts[0], 1);
  assert.equal(histogram.snapshot().sum, 0);
});

test("events count: gaps, resyncs, reconnect attempts, decode errors", () => {
  const metrics = new ClientMetrics(() => 0);
  metrics.gap();
  metrics.gap();
  metrics.resynced();
  metrics.reconnecting();
  metrics.reconnecting();
  metrics.reconnecting();
  metrics.decodeError();
  const s = metrics.snapshot(view("reconnecting", []));
  assert.deepEqual([s.gaps, s.resyncs, s.reconnects, s.decodeErrors], [2, 1, 3, 1]);
  assert.equal(s.connected, false);
});

test("subscription states: pending until first live, live with every sid on an open link, then restoring", () => {
  const metrics = new ClientMetrics(() => 0);
  const sub: Sub = { key: 1, channels: ["orderbook_delta", "ticker"], sids: [] };
  assert.equal(metrics.snapshot(view("open", [sub])).subscriptions[0]!.state, "pending");
  sub.sids = [{ sid: 1, channel: "orderbook_delta" }] as SidInfo[];
  assert.equal(metrics.snapshot(view("open", [sub])).subscriptions[0]!.state, "pending");
  sub.sids = [
    { sid: 1, channel: "orderbook_delta" },
    { sid: 2, channel: "ticker" },
  ] as SidInfo[];
  assert.equal(metrics.snapshot(view("open", [sub])).subscriptions[0]!.state, "live");
  assert.equal(metrics.snapshot(view("reconnecting", [sub])).subscriptions[0]!.state, "restoring");
  sub.sids = [];
  assert.equal(metrics.snapshot(view("open", [sub])).subscriptions[0]!.state, "restoring");
  const other: Sub = { key: 2, channels: ["trade"], sids: [] };
  metrics.live(2); // a `subscribed` event seen while no snapshot was taken
  assert.equal(metrics.snapshot(view("open", [other])).subscriptions[0]!.state, "restoring");
});

test("books: valid and invalid counted, the invalid markets named", () => {
  const books = new BookStore();
  books.applySnapshot({
    market_ticker: "KXA-1",
    market_id: "a",
    yes_dollars_fp: [["0.4000", "10.00"]],
  } as never, false);
  books.applySnapshot({ market_ticker: "KXB-1", market_id: "b" } as never, false);
  books.invalidate("KXB-1");
  const s = new ClientMetrics(() => 0).snapshot(view("open", [], books));
  assert.deepEqual(s.books, { valid: 1, invalid: 1 });
  assert.deepEqual(s.invalidBooks, ["KXB-1"]);
});
