import { test } from "node:test";
import assert from "node:assert/strict";
import { BookStore, OrderBook } from "@kalshi-ws/deno";
import { bookLine, BookView, type BookViewOptions } from "./book_view.ts";
import { Output } from "./output.ts";
import { MemoryStreams } from "./_test_streams.ts";

const SNAPSHOT = {
  market_ticker: "KXA",
  yes_dollars_fp: [["0.4200", "10.00"], ["0.4100", "25.00"]] as [string, string][],
  no_dollars_fp: [["0.5500", "7.00"]] as [string, string][],
};

function view(store: BookStore, streams: MemoryStreams, extra: Partial<BookViewOptions> = {}) {
  return new BookView(store, {
    out: new Output(streams, "normal"),
    format: "ndjson",
    intervalMs: 0,
    depth: 5,
    markets: [],
    title: "t",
    state: () => "open",
    color: false,
    ...extra,
  });
}

test("bookLine() uses Kalshi's snapshot format, ascending, with best prices", () => {
  const book = new OrderBook("KXA");
  book.applySnapshot(SNAPSHOT, false);
  assert.deepEqual(bookLine(book, 5, true), {
    type: "book",
    market_ticker: "KXA",
    yes_dollars_fp: [["0.4100", "25.00"], ["0.4200", "10.00"]],
    no_dollars_fp: [["0.5500", "7.00"]],
    best_yes_bid: "0.4200",
    best_yes_ask: "0.4500",
    spread: "0.0300",
    mid: "0.4350",
    t: 5,
    final: true,
  });
});

test("BookView prints a line per changed valid book and never an invalid one", async () => {
  const store = new BookStore();
  const streams = new MemoryStreams();
  const v = view(store, streams);
  v.start();
  store.applySnapshot(SNAPSHOT, false);
  v.touched("KXA");
  await Promise.resolve();
  store.applyDelta({
    market_ticker: "KXA",
    price_dollars: "0.4200",
    delta_fp: "-10.00",
    side: "yes",
  });
  store.applyDelta({
    market_ticker: "KXA",
    price_dollars: "0.4300",
    delta_fp: "1.00",
    side: "yes",
  });
  v.touched("KXA");
  await Promise.resolve();
  store.invalidate("KXA");
  v.touched("KXA");
  await Promise.resolve();
  const lines = streams.json();
  assert.equal(lines.length, 2, "one line per flush, none for the invalid book");
  assert.deepEqual(lines[1]!.yes_dollars_fp, [["0.4100", "25.00"], ["0.4300", "1.00"]]);
  assert.deepEqual(v.finish(), ["KXA"], "invalid at the end: named, not printed");
  assert.equal(streams.json().length, 2);
});

test("BookView.finish() prints a final line per valid book, in the requested market order", () => {
  const store = new BookStore();
  store.applySnapshot({ ...SNAPSHOT, market_ticker: "KXB" }, false);
  store.applySnapshot(SNAPSHOT, false);
  const streams = new MemoryStreams();
  const v = view(store, streams, { markets: ["KXA", "KXB", "KXC"], intervalMs: 1000 });
  assert.deepEqual(v.finish(), ["KXC"], "a market that never got a book is reported, not skipped");
  assert.deepEqual(streams.json().map((l) => [l.market_ticker, l.final]), [
    ["KXA", true],
    ["KXB", true],
  ]);
});

test("BookView reports a closed stdout once and stops writing", async () => {
  const store = new BookStore();
  const streams = new MemoryStreams();
  let closed = 0;
  const v = view(store, streams, { onClosed: () => closed++ });
  v.start();
  streams.broken = true;
  store.applySnapshot(SNAPSHOT, false);
  v.touched("KXA");
  await Promise.resolve();
  assert.equal(closed, 1);
  v.finish();
  assert.equal(closed, 1);
});

test("BookView draws the ladder on a terminal with cursor moves and restores the cursor", () => {
  const store = new BookStore();
  store.applySnapshot(SNAPSHOT, false);
  const streams = new MemoryStreams({ terminal: true });
  const v = view(store, streams, { format: "text", markets: ["KXA"], rows: 12 });
  v.start();
  v.finish();
  assert.ok(streams.stdout.startsWith("\x1b[?25l\x1b[2J\x1b[H"), "clear, hide cursor, home");
  assert.match(streams.stdout, /KXA/);
  assert.match(streams.stdout, /0\.4200 │ 0\.4500/);
  assert.ok(streams.stdout.endsWith("\x1b[?25h"));
});
