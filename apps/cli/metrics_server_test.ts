import { test } from "node:test";
import assert from "node:assert/strict";
import { BookStore } from "@kalshi-ws/client";
import { healthOf } from "@kalshi-ws/metrics";
import { ConsumeMetrics, type NatsLinkState } from "./consume_metrics.ts";
import { FeedMetrics } from "./metrics_server.ts";

const stats = {
  markets: ["KXA-1"],
  offered: 3,
  published: 2,
  batches: 1,
  dropped: 0,
  queued: 1,
  batching: 0,
  lagMs: 10,
  stalled: false,
};

test("only publish's server has a NATS side, read from the collector it watches", () => {
  assert.equal(new FeedMetrics(false).nats, undefined, "no NATS metrics for other commands");
  const feed = new FeedMetrics(true);
  assert.equal(feed.nats!(), undefined, "before the collector starts");
  assert.equal(feed.snapshot(), undefined);
  feed.watchCollector({ client: undefined, stats: () => stats });
  assert.deepEqual(feed.nats!(), stats);
});

test("consume counts messages by the subject's channel token (bounded: others are 'other')", () => {
  let link: NatsLinkState = "open";
  const metrics = new ConsumeMetrics(["KXA-1"], () => link);
  assert.equal(metrics.snapshot(), undefined, "before the consumer starts");
  const books = new BookStore();
  books.applySnapshot({ market_ticker: "KXA-1", market_id: "a" } as never, false);
  metrics.watch({ books, gaps: 2 });
  metrics.message("kalshi.orderbook_delta.KXA-1");
  metrics.message("kalshi.orderbook_delta.KXA-1");
  metrics.message("kalshi.snapshot.KXA-1");
  metrics.message("kalshi.made_up_by_someone.KXA-1");
  const snapshot = metrics.snapshot()!;
  assert.deepEqual(snapshot.messages, { orderbook_delta: 2, snapshot: 1, other: 1 });
  assert.equal(snapshot.gaps, 2);
  assert.equal(snapshot.connected, true);
  assert.equal(snapshot.state, "open");
  assert.deepEqual(snapshot.books, { valid: 1, invalid: 0 });
  link = "reconnecting";
  assert.equal(metrics.snapshot()!.connected, false);
  assert.equal(healthOf(metrics.snapshot()).reasons[0], "not connected (reconnecting)");
  link = "closed";
  assert.equal(metrics.snapshot()!.state, "closed");
});

test("consume: a market whose book is not exact yet (no snapshot read) is invalid, so unhealthy", () => {
  const metrics = new ConsumeMetrics(["KXA-1", "KXB-2", "KXA-1"], () => "open");
  const books = new BookStore();
  metrics.watch({ books, gaps: 0 });
  assert.deepEqual(metrics.snapshot()!.books, { valid: 0, invalid: 2 });
  assert.deepEqual(healthOf(metrics.snapshot()).reasons, ["2 book(s) invalid: KXA-1, KXB-2"]);
  books.applySnapshot({ market_ticker: "KXA-1", market_id: "a" } as never, false);
  books.applySnapshot({ market_ticker: "KXB-2", market_id: "b" } as never, false);
  assert.deepEqual(metrics.snapshot()!.books, { valid: 2, invalid: 0 });
  assert.equal(healthOf(metrics.snapshot()).status, "ok");
});
