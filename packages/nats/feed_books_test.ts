import { test } from "node:test";
import assert from "node:assert/strict";
import { Header } from "./envelope.ts";
import { FeedBooks, type FeedGap } from "./feed_books.ts";

const OB = "kalshi.orderbook_delta.KXA";
const SNAP = "kalshi.snapshot.KXA";
const STATUS = "kalshi.book_status.KXA";

function h(epoch: string, bookSeq: number, valid = true): { get(name: string): string } {
  const values: Record<string, string> = {
    [Header.Epoch]: epoch,
    [Header.BookSeq]: String(bookSeq),
    [Header.BookValid]: String(valid),
  };
  return { get: (name) => values[name] ?? "" };
}
const snapshot = (yes: [string, string][]) =>
  JSON.stringify({
    type: "orderbook_snapshot",
    msg: { market_ticker: "KXA", yes_dollars_fp: yes },
  });
const delta = (price: string, size: string) =>
  JSON.stringify({
    type: "orderbook_delta",
    sid: 1,
    seq: 9,
    msg: { market_ticker: "KXA", price_dollars: price, delta_fp: size, side: "yes" },
  });
const notice = (reason: string) =>
  JSON.stringify({ type: "book_invalid", msg: { market_ticker: "KXA", reason } });

function follow(): { feed: FeedBooks; gaps: FeedGap[] } {
  const gaps: FeedGap[] = [];
  return { feed: new FeedBooks({ onGap: (g) => gaps.push(g) }), gaps };
}

test("FeedBooks applies a snapshot then the contiguous deltas of the same collector run", () => {
  const { feed, gaps } = follow();
  assert.equal(feed.apply(OB, h("e1", 1), delta("0.4200", "5.00")), false); // no snapshot yet
  feed.apply(OB, h("e1", 2), snapshot([["0.4200", "10.00"]]));
  assert.equal(feed.valid("KXA"), true);
  feed.apply(OB, h("e1", 3), delta("0.4200", "5.00"));
  feed.apply(OB, h("e1", 4), delta("0.4300", "1.00"));
  assert.deepEqual(feed.books.get("KXA")!.ladder("yes"), [["0.4200", "15.00"], ["0.4300", "1.00"]]);
  // A re-delivered delta is skipped, not applied twice.
  assert.equal(feed.apply(OB, h("e1", 4), delta("0.4300", "1.00")), false);
  assert.equal(feed.books.get("KXA")!.bidSize("yes", 0), 100);
  assert.deepEqual(gaps, []);
  // Other kinds of messages about the market are not book events.
  assert.equal(feed.apply("kalshi.trade.KXA", h("e1", 5), "{}"), false);
});

test("FeedBooks reports a missing book event and stays invalid until the next snapshot", () => {
  const { feed, gaps } = follow();
  feed.apply(OB, h("e1", 1), snapshot([["0.4200", "10.00"]]));
  feed.apply(OB, h("e1", 3), delta("0.4200", "5.00"), 77);
  assert.equal(feed.valid("KXA"), false);
  assert.deepEqual(gaps, [{
    market: "KXA",
    reason: "book_seq",
    expected: 2,
    received: 3,
    streamSeq: 77,
  }]);
  feed.apply(OB, h("e1", 4), delta("0.4200", "5.00"));
  assert.equal(gaps.length, 1, "one gap is reported once");
  // A collector snapshot (its own subject) makes it exact again.
  feed.apply(SNAP, h("e1", 4), snapshot([["0.4200", "20.00"]]));
  assert.equal(feed.valid("KXA"), true);
  feed.apply(OB, h("e1", 5), delta("0.4200", "-20.00"));
  assert.deepEqual(feed.books.get("KXA")!.ladder("yes"), []);
});

test("FeedBooks treats a delta from another collector run as a gap, and its snapshot as the new start", () => {
  const { feed, gaps } = follow();
  feed.apply(OB, h("old", 1), snapshot([["0.4200", "10.00"]]));
  feed.apply(OB, h("new", 1), delta("0.4200", "5.00"));
  assert.equal(gaps[0]?.reason, "collector_changed");
  feed.apply(OB, h("new", 2), snapshot([["0.5000", "1.00"]]));
  assert.equal(feed.valid("KXA"), true);
  // The old collector's last delta and farewell, stored late, do not touch the new run's book.
  assert.equal(feed.apply(OB, h("old", 2), delta("0.5000", "3.00")), false);
  feed.apply(STATUS, h("old", 3, false), notice("released"));
  assert.equal(feed.valid("KXA"), true);
  assert.deepEqual(feed.books.get("KXA")!.ladder("yes"), [["0.5000", "1.00"]]);
  assert.equal(gaps.length, 1);
  // A third run's delta before its snapshot is a gap again.
  feed.apply(OB, h("third", 9), delta("0.5000", "3.00"));
  assert.equal(gaps.length, 2);
  assert.equal(feed.valid("KXA"), false);
});

test("FeedBooks invalidates on its collector's book_invalid notice", () => {
  const { feed, gaps } = follow();
  feed.apply(OB, h("e1", 1), snapshot([["0.4200", "10.00"]]));
  feed.apply(STATUS, h("e1", 2, false), notice("disconnected"));
  assert.equal(feed.valid("KXA"), false);
  assert.equal(gaps[0]?.reason, "disconnected");
  feed.apply(OB, h("e1", 3), snapshot([["0.4200", "10.00"]]));
  assert.equal(feed.valid("KXA"), true);
});

test("FeedBooks reports book events a snapshot had to heal, and skips an older snapshot of the same run", () => {
  const { feed, gaps } = follow();
  feed.apply(OB, h("e1", 1), snapshot([["0.4200", "10.00"]]));
  feed.apply(OB, h("e1", 2), delta("0.4200", "1.00"));
  feed.apply(SNAP, h("e1", 6), snapshot([["0.4200", "30.00"]]));
  assert.deepEqual(gaps.map((g) => [g.reason, g.expected, g.received]), [["book_seq", 2, 6]]);
  assert.equal(feed.valid("KXA"), true);
  assert.equal(feed.apply(SNAP, h("e1", 5), snapshot([["0.4200", "99.00"]])), false);
  assert.deepEqual(feed.books.get("KXA")!.ladder("yes"), [["0.4200", "30.00"]]);
});

test("FeedBooks invalidates a book when a delta fails its integrity checks or a body is not JSON", () => {
  const { feed, gaps } = follow();
  feed.apply(OB, h("e1", 1), snapshot([["0.4200", "10.00"]]));
  feed.apply(OB, h("e1", 2), delta("0.4200", "-11.00"));
  assert.equal(feed.valid("KXA"), false);
  assert.equal(gaps[0]?.reason, "integrity");
  feed.apply(OB, h("e1", 3), snapshot([["0.4200", "10.00"]]));
  feed.apply(OB, h("e1", 4), "{not json");
  assert.equal(feed.valid("KXA"), false);
  assert.equal(gaps[1]?.reason, "integrity");
});

/** Headers of a batch of book events `first..last`. */
function hb(epoch: string, first: number, last: number): { get(name: string): string } {
  const values: Record<string, string> = {
    [Header.Epoch]: epoch,
    [Header.BookSeq]: `${first}-${last}`,
    [Header.BookValid]: "true",
    [Header.Batch]: String(last - first + 1),
  };
  return { get: (name) => values[name] ?? "" };
}

test("FeedBooks applies a batch message by message, mixed with single messages, and skips a re-delivered batch", () => {
  const { feed, gaps } = follow();
  feed.apply(OB, h("e1", 1), snapshot([["0.4200", "10.00"]]));
  const batch = [delta("0.4200", "5.00"), delta("0.4300", "1.00"), delta("0.4200", "-3.00")];
  assert.equal(feed.apply(OB, hb("e1", 2, 4), batch.join("\n")), true);
  feed.apply(OB, h("e1", 5), delta("0.4400", "2.00"));
  assert.deepEqual(feed.books.get("KXA")!.ladder("yes"), [
    ["0.4200", "12.00"],
    ["0.4300", "1.00"],
    ["0.4400", "2.00"],
  ]);
  assert.equal(feed.apply(OB, hb("e1", 2, 4), batch.join("\n")), false);
  assert.equal(feed.applied, 5);
  assert.deepEqual(gaps, []);
  assert.equal(feed.valid("KXA"), true);
});

test("FeedBooks reports a hole between batches, and a batch whose range does not match what it holds", () => {
  const { feed, gaps } = follow();
  feed.apply(OB, h("e1", 1), snapshot([["0.4200", "10.00"]]));
  feed.apply(OB, hb("e1", 2, 3), [delta("0.4200", "1.00"), delta("0.4200", "1.00")].join("\n"));
  feed.apply(OB, hb("e1", 6, 7), [delta("0.4200", "1.00"), delta("0.4200", "1.00")].join("\n"), 9);
  assert.deepEqual(gaps, [{
    market: "KXA",
    reason: "book_seq",
    expected: 4,
    received: 6,
    streamSeq: 9,
  }]);
  feed.apply(SNAP, h("e1", 7), snapshot([["0.4200", "10.00"]]));
  assert.equal(feed.valid("KXA"), true);
  // Three lines announced as two, and a range of three for two lines: neither is trusted.
  const two = [delta("0.4200", "1.00"), delta("0.4200", "1.00")].join("\n");
  feed.apply(OB, hb("e1", 8, 9), two + "\n" + delta("0.4200", "1.00"), 10);
  assert.equal(feed.valid("KXA"), false);
  assert.equal(gaps.at(-1)?.reason, "integrity");
  feed.apply(SNAP, h("e1", 9), snapshot([["0.4200", "10.00"]]));
  const headers = hb("e1", 10, 12);
  feed.applyFrames(OB, { get: (n) => n === Header.Batch ? "2" : headers.get(n) }, two.split("\n"));
  assert.equal(feed.valid("KXA"), false);
  assert.equal(gaps.length, 3);
});
