import { test } from "node:test";
import assert from "node:assert/strict";
import type { BookKeeper, BookSlot } from "./book_keeper.ts";
import { BookStore } from "./book_store.ts";
import { parseCount, parsePrice } from "./fixed_point.ts";
import type { OrderbookDeltaMsg } from "./message_orderbook.ts";
import { BookChange, type BookChangeMask, BookProblem, type OrderBook } from "./order_book.ts";
import { seededRandom as prng } from "./random.ts";

function delta(
  market: string,
  side: "yes" | "no",
  price: string,
  size: string,
): OrderbookDeltaMsg {
  return { market_ticker: market, price_dollars: price, delta_fp: size, side };
}

function drain(store: BookStore): [string, BookChangeMask][] {
  const seen: [string, BookChangeMask][] = [];
  store.drainChanges((book, changes) => seen.push([book.marketTicker, changes]));
  return seen;
}

const ALL = BookChange.Yes | BookChange.No | BookChange.Validity;

test("BookStore keeps one book per market and serves best prices by ticker", () => {
  const store = new BookStore();
  assert.equal(
    store.applySnapshot({ market_ticker: "A", yes_dollars_fp: [["0.4200", "10.00"]] }, false),
    true,
  );
  assert.equal(
    store.applySnapshot({ market_ticker: "B", no_dollars_fp: [["0.3000", "1.00"]] }, true),
    true,
  );
  assert.equal(store.applyDelta(delta("A", "yes", "0.4300", "5.00")), true);
  assert.equal(store.size, 2);
  assert.equal(store.get("A")?.bestYesBid, 4300);
  assert.equal(store.get("A")?.valid, true);
  assert.equal(store.get("B")?.bestYesAsk, 3000); // yes-price mode, per book
  assert.equal(store.get("C"), undefined);
  assert.deepEqual([...store.books()].map((b) => b.marketTicker), ["A", "B"]);
});

test("BookStore.applyDelta() refuses deltas for markets without a snapshot", () => {
  const store = new BookStore();
  assert.equal(store.applyDelta(delta("A", "yes", "0.4200", "1.00")), false);
  assert.equal(store.get("A"), undefined);
  assert.equal(store.pendingChanges, 0);
});

test("BookStore never throws on malformed numbers: the book becomes invalid", () => {
  const store = new BookStore();
  assert.equal(
    store.applySnapshot({ market_ticker: "A", yes_dollars_fp: [["0.42x", "1.00"]] }, false),
    false,
  );
  assert.equal(store.get("A")?.problem, BookProblem.Malformed);
  store.applySnapshot({ market_ticker: "A", yes_dollars_fp: [["0.4200", "1.00"]] }, false);
  assert.equal(store.applyDelta(delta("A", "yes", "0.4200", "1.0001")), false);
  assert.equal(store.get("A")?.problem, BookProblem.Malformed);
  assert.match(store.get("A")!.problemDetail!, /Cannot apply delta: Cannot parse fixed-point/);
});

test("BookStore.invalidate() and invalidateAll() hold books invalid until their next snapshot", () => {
  const store = new BookStore();
  store.applySnapshot({ market_ticker: "A" }, false);
  store.applySnapshot({ market_ticker: "B" }, false);
  store.invalidate("A");
  store.invalidate("nope"); // unknown markets are ignored
  assert.equal(store.get("A")?.problem, BookProblem.Invalidated);
  assert.equal(store.get("B")?.valid, true);
  assert.equal(store.applyDelta(delta("A", "yes", "0.4200", "1.00")), false);
  store.invalidateAll();
  assert.equal(store.get("B")?.valid, false);
  assert.equal(store.applySnapshot({ market_ticker: "A" }, false), true);
  assert.equal(store.get("A")?.valid, true);
  assert.equal(store.applyDelta(delta("A", "yes", "0.4200", "1.00")), true);
});

test("drainChanges() reports each changed market once with the union of its changes", () => {
  const store = new BookStore();
  store.applySnapshot({ market_ticker: "A" }, false);
  store.applySnapshot({ market_ticker: "B" }, false);
  store.applyDelta(delta("A", "yes", "0.4200", "1.00"));
  assert.equal(store.pendingChanges, 2);
  assert.deepEqual(drain(store), [["A", ALL], ["B", ALL]]);
  assert.deepEqual(drain(store), []);

  for (let i = 0; i < 100; i++) store.applyDelta(delta("B", "no", "0.1000", "1.00"));
  store.applyDelta(delta("A", "yes", "0.4200", "1.00"));
  assert.deepEqual(drain(store), [["B", BookChange.No], ["A", BookChange.Yes]]);

  store.applyDelta(delta("A", "yes", "0.4200", "-5.00")); // negative: invalid
  store.applyDelta(delta("A", "yes", "0.4200", "1.00")); // refused: no change
  assert.deepEqual(drain(store), [["A", BookChange.Validity]]);
  store.invalidate("A"); // already invalid: nothing to report
  assert.deepEqual(drain(store), []);
  store.invalidate("B");
  assert.deepEqual(drain(store), [["B", BookChange.Validity]]);
});

test("drainChanges() reports removed books once with the Removed flag", () => {
  const store = new BookStore();
  store.applySnapshot({ market_ticker: "A" }, false);
  store.applySnapshot({ market_ticker: "B" }, false);
  drain(store);
  store.remove("A");
  store.remove("A"); // already gone
  assert.equal(store.get("A"), undefined);
  assert.equal(store.size, 1);
  assert.deepEqual(drain(store), [["A", BookChange.Validity | BookChange.Removed]]);

  // Removed and re-created before the reader drains: the old book, then the new one.
  store.remove("B");
  store.applySnapshot({ market_ticker: "B" }, false);
  const seen: [OrderBook, BookChangeMask][] = [];
  store.drainChanges((book, changes) => seen.push([book, changes]));
  assert.equal(seen.length, 2);
  assert.equal(seen[0]![1], BookChange.Validity | BookChange.Removed);
  assert.equal(seen[0]![0].valid, false);
  assert.equal(seen[1]![0], store.get("B"));
  assert.equal(seen[1]![1], ALL);

  store.clear();
  assert.equal(store.size, 0);
  assert.deepEqual(drain(store), [["B", BookChange.Validity | BookChange.Removed]]);
});

test("drainChanges() queues changes made during the visit for the next drain", () => {
  const store = new BookStore();
  store.applySnapshot({ market_ticker: "A" }, false);
  const count = store.drainChanges(() => {
    store.applyDelta(delta("A", "yes", "0.4200", "1.00"));
  });
  assert.equal(count, 1);
  assert.deepEqual(drain(store), [["A", BookChange.Yes]]);
});

test("BookStore onChange hears every change as it happens", () => {
  const heard: [string, BookChangeMask][] = [];
  const store = new BookStore({
    onChange: (book, change) => heard.push([book.marketTicker, change]),
  });
  store.applySnapshot({ market_ticker: "A" }, false);
  store.applyDelta(delta("A", "yes", "0.4200", "1.00"));
  store.applyDelta(delta("A", "yes", "0.4200", "1.00"));
  store.applyDelta(delta("A", "no", "0.5000", "0.00")); // zero delta: no change
  store.applyDelta(delta("A", "no", "0.5800", "1.00")); // crosses
  store.applyDelta(delta("A", "no", "0.1000", "1.00")); // refused: no change
  store.remove("A");
  assert.deepEqual(heard, [
    ["A", ALL],
    ["A", BookChange.Yes],
    ["A", BookChange.Yes],
    ["A", BookChange.No | BookChange.Validity],
    ["A", BookChange.Removed],
  ]);
});

test("BookStore is a BookKeeper", () => {
  const keeper: BookKeeper = new BookStore();
  assert.equal(keeper.applySnapshot({ market_ticker: "A" }, false), true);
  keeper.invalidate("A");
  keeper.remove("A");
});

test("drainChanges() agrees with a per-book model over random interleavings", () => {
  const markets = ["A", "B", "C", "D", "E"];
  for (let seed = 1; seed <= 500; seed++) {
    const rand = prng(seed);
    const pick = () => markets[Math.floor(rand() * markets.length)]!;
    let heard = 0;
    const store = new BookStore({ onChange: () => heard++ });
    // Model: each book gets a key "market@generation" (a removed market's next snapshot makes a
    // new book); per book, whether it is valid and the flags expected since the last drain.
    let generation = 0;
    const current = new Map<string, string>(); // market → key of its book in the store
    const keyOf = new Map<OrderBook, string>();
    const valid = new Map<string, boolean>();
    let expected = new Map<string, number>();
    const note = (key: string, flags: number) => {
      if (flags !== 0) expected.set(key, (expected.get(key) ?? 0) | flags);
    };
    let changes = 0;
    for (let step = 0; step < 200; step++) {
      const m = pick();
      const key = current.get(m);
      const r = rand();
      const where = `seed ${seed} step ${step}`;
      if (r < 0.1) {
        assert.equal(store.applySnapshot({ market_ticker: m }, false), true, where);
        const k = key ?? `${m}@${++generation}`;
        current.set(m, k);
        keyOf.set(store.get(m)!, k);
        note(k, BookChange.Yes | BookChange.No | (valid.get(k) ? 0 : BookChange.Validity));
        valid.set(k, true);
        changes++;
      } else if (r < 0.75) {
        const side = rand() < 0.5 ? "yes" : "no";
        const price = side === "yes" ? "0.1000" : "0.2000";
        const accepted = store.applyDelta(delta(m, side, price, "1.00"));
        assert.equal(accepted, key !== undefined && valid.get(key) === true, where);
        if (accepted) {
          note(key!, side === "yes" ? BookChange.Yes : BookChange.No);
          changes++;
        }
      } else if (r < 0.85) {
        store.invalidate(m);
        if (key !== undefined && valid.get(key)) {
          note(key, BookChange.Validity);
          valid.set(key, false);
          changes++;
        }
      } else if (r < 0.9) {
        store.remove(m);
        if (key !== undefined) {
          note(key, BookChange.Removed | (valid.get(key) ? BookChange.Validity : 0));
          valid.set(key, false);
          current.delete(m);
          changes++;
        }
      } else {
        const seen = new Map<string, number>();
        store.drainChanges((book, flags) => {
          const k = keyOf.get(book)!;
          assert.equal(seen.has(k), false, `${where}: ${k} drained twice`);
          seen.set(k, flags);
        });
        assert.deepEqual(seen, expected, where);
        expected = new Map();
      }
      assert.equal(store.get(m)?.valid ?? false, valid.get(current.get(m) ?? "") === true, where);
    }
    assert.equal(heard, changes, `seed ${seed}: onChange calls`);
  }
});

test("BookStore.applyLevelDelta() does what applyDelta() does with the strings parsed", () => {
  const parsed = new BookStore();
  const strings = new BookStore();
  for (const store of [parsed, strings]) {
    store.applySnapshot({ market_ticker: "A", yes_dollars_fp: [["0.4200", "10.00"]] }, false);
    store.applySnapshot({ market_ticker: "B", no_dollars_fp: [["0.3000", "1.00"]] }, true);
  }
  const steps: [string, "yes" | "no", string, string][] = [
    ["A", "yes", "0.4300", "5.00"],
    ["A", "yes", "0.4200", "-10.00"],
    ["B", "no", "0.3000", "2.50"],
    ["C", "yes", "0.1000", "1.00"], // no book
    ["A", "no", "0.5000", "3.00"], // crosses: invalid
    ["A", "yes", "0.4300", "1.00"], // refused while invalid
  ];
  for (const [market, side, price, size] of steps) {
    assert.equal(
      parsed.applyLevelDelta(market, side, parsePrice(price), parseCount(size)),
      strings.applyDelta(delta(market, side, price, size)),
      `${market} ${side} ${price} ${size}`,
    );
    assert.deepEqual(drain(parsed), drain(strings));
  }
  for (const market of ["A", "B"]) {
    const [p, s] = [parsed.get(market)!, strings.get(market)!];
    assert.deepEqual([p.valid, p.problem, p.problemDetail], [s.valid, s.problem, s.problemDetail]);
    assert.deepEqual([...p.bids("yes")], [...s.bids("yes")]);
    assert.deepEqual([...p.bids("no")], [...s.bids("no")]);
  }
});

test("BookStore.applyLevelDelta() with a slot remembers the book only while it is current", () => {
  const levels = (book: OrderBook) => book.bids("yes").map((l) => [l.price, l.size]);
  const store = new BookStore();
  const other = new BookStore();
  const snapshot = (s: BookStore, level: string) =>
    s.applySnapshot({ market_ticker: "A", yes_dollars_fp: [[level, "10.00"]] }, false);
  snapshot(store, "0.4200");
  snapshot(other, "0.4200");
  const slot: BookSlot = { book: undefined, keeper: undefined, epoch: 0 };
  const first = store.get("A")!;
  assert.equal(store.applyLevelDelta("A", "yes", 4300, 500, slot), true);
  assert.equal(slot.book, first);
  assert.equal(store.applyLevelDelta("A", "yes", 4300, 100, slot), true);
  assert.deepEqual(levels(first), [[4300, 600], [4200, 1000]]);
  // Another store does not trust this store's slot: it applies to its own book.
  assert.equal(other.applyLevelDelta("A", "yes", 4100, 100, slot), true);
  assert.deepEqual(levels(other.get("A")!), [[4200, 1000], [4100, 100]]);
  assert.deepEqual(levels(first), [[4300, 600], [4200, 1000]]);
  assert.equal(slot.book, other.get("A"));
  // Removed: the slot is stale, the delta finds no book; a new snapshot makes a new book.
  store.applyLevelDelta("A", "yes", 4300, 100, slot);
  store.remove("A");
  assert.equal(store.applyLevelDelta("A", "yes", 4300, 100, slot), false);
  assert.deepEqual(levels(first), [[4300, 700], [4200, 1000]]);
  snapshot(store, "0.3000");
  const second = store.get("A")!;
  assert.notEqual(second, first);
  assert.equal(store.applyLevelDelta("A", "yes", 3100, 100, slot), true);
  assert.equal(slot.book, second);
  assert.deepEqual(levels(second), [[3100, 100], [3000, 1000]]);
  assert.deepEqual(levels(first), [[4300, 700], [4200, 1000]]);
  // Removing another market also makes the slot look the book up again (still the same one).
  store.applySnapshot({ market_ticker: "B", yes_dollars_fp: [["0.1000", "1.00"]] }, false);
  store.remove("B");
  assert.equal(store.applyLevelDelta("A", "yes", 3100, -100, slot), true);
  assert.equal(slot.book, second);
  store.clear();
  assert.equal(store.applyLevelDelta("A", "yes", 3100, 100, slot), false);
});
