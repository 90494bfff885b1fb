import { test } from "node:test";
import assert from "node:assert/strict";
import { BookStore } from "@kalshi-ws/deno";
import type { RecordingEntry } from "./recording.ts";
import { ReplayBooks, type ReplayNote } from "./replay_books.ts";

const frame = (value: unknown, t = 0): RecordingEntry => ({ t, frame: JSON.stringify(value) });
const sent = (value: unknown): RecordingEntry => ({ t: 0, sent: JSON.stringify(value) });
const snapshot = (seq: number, yes: [string, string][], id?: number) =>
  frame({
    type: "orderbook_snapshot",
    ...(id === undefined ? {} : { id }),
    sid: 1,
    seq,
    msg: { market_ticker: "KXA", yes_dollars_fp: yes, no_dollars_fp: [["0.5000", "1.00"]] },
  });
const delta = (seq: number, price: string, d: string) =>
  frame({
    type: "orderbook_delta",
    sid: 1,
    seq,
    msg: { market_ticker: "KXA", price_dollars: price, delta_fp: d, side: "yes" },
  });

function start(useYesPrice = false): { store: BookStore; books: ReplayBooks; notes: ReplayNote[] } {
  const store = new BookStore();
  const notes: ReplayNote[] = [];
  const books = new ReplayBooks(store, (n) => notes.push(n));
  books.apply({ t: 0, event: "connected", url: "u" });
  books.apply(sent({
    id: 1,
    cmd: "subscribe",
    params: { channels: ["orderbook_delta"], market_tickers: ["KXA"], use_yes_price: useYesPrice },
  }));
  books.apply(frame({ id: 1, type: "subscribed", msg: { channel: "orderbook_delta", sid: 1 } }));
  return { store, books, notes };
}

test("ReplayBooks applies snapshots and deltas in sequence", () => {
  const { store, books } = start();
  assert.equal(books.apply(snapshot(1, [["0.4000", "5.00"]])), "KXA");
  assert.equal(books.apply(delta(2, "0.4100", "2.00")), "KXA");
  const book = store.get("KXA")!;
  assert.ok(book.valid);
  assert.deepEqual(book.ladder("yes"), [["0.4000", "5.00"], ["0.4100", "2.00"]]);
  assert.equal(book.useYesPrice, false);
});

test("ReplayBooks invalidates a book on a gap until the recorded repair snapshot", () => {
  const { store, books, notes } = start();
  books.apply(snapshot(1, [["0.4000", "5.00"]]));
  books.apply(delta(3, "0.4100", "2.00")); // seq 2 lost
  assert.deepEqual(notes.at(-1), { type: "gap", sid: 1, expected: 2, received: 3 });
  assert.equal(store.get("KXA")!.valid, false);
  books.apply(delta(4, "0.4000", "1.00"));
  assert.equal(store.get("KXA")!.valid, false, "deltas do not apply to an invalid book");
  books.apply(snapshot(5, [["0.4200", "9.00"]], 2));
  assert.ok(store.get("KXA")!.valid);
  assert.deepEqual(store.get("KXA")!.ladder("yes"), [["0.4200", "9.00"]]);
});

test("ReplayBooks skips duplicate frames and takes use_yes_price from the recorded subscribe", () => {
  const { store, books } = start(true);
  books.apply(snapshot(1, [["0.4000", "5.00"]]));
  books.apply(delta(2, "0.4000", "1.00"));
  books.apply(delta(2, "0.4000", "1.00")); // duplicate
  assert.deepEqual(store.get("KXA")!.ladder("yes"), [["0.4000", "6.00"]]);
  assert.equal(store.get("KXA")!.useYesPrice, true);
});

test("ReplayBooks invalidates every book on a dropped connection but not on a clean close", () => {
  const { store, books, notes } = start();
  books.apply(snapshot(1, [["0.4000", "5.00"]]));
  books.apply({ t: 0, event: "disconnected", code: 1000, reason: "client closed" });
  assert.ok(store.get("KXA")!.valid);
  books.apply({ t: 0, event: "disconnected", code: 1006, reason: "" });
  assert.equal(store.get("KXA")!.valid, false);
  assert.deepEqual(notes.filter((n) => n.type === "disconnected").map((n) => n.type), [
    "disconnected",
    "disconnected",
  ]);
});

test("ReplayBooks reports undecodable frames and carries on", () => {
  const { books, notes } = start();
  assert.equal(books.apply({ t: 0, frame: "not json" }), undefined);
  assert.equal(notes.at(-1)?.type, "decode_error");
});
