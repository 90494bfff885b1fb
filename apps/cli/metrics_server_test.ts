import { test } from "node:test";
import assert from "node:assert/strict";
import { BookStore } from "@kalshi-ws/client";
import { ConsumeMetrics } from "./consume_metrics.ts";
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
  let up = true;
  const metrics = new ConsumeMetrics(() => up);
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
  assert.deepEqual(snapshot.books, { valid: 1, invalid: 0 });
  up = false;
  assert.equal(metrics.snapshot()!.connected, false);
});
