import { test } from "node:test";
import assert from "node:assert/strict";
import { BookChange, BookProblem, formatMid, OrderBook } from "./order_book.ts";
import type { Side } from "./message_common.ts";
import type { OrderbookDeltaMsg, OrderbookSnapshotMsg } from "./message_orderbook.ts";
import { formatCount, formatPrice, ONE_DOLLAR } from "./fixed_point.ts";
import { seededRandom as prng } from "./random.ts";

const T = "KXDEMO-26JAN01-T50";

function snapshot(
  yes?: [string, string][],
  no?: [string, string][],
  extra: Partial<OrderbookSnapshotMsg> = {},
): OrderbookSnapshotMsg {
  return {
    market_ticker: T,
    ...extra,
    ...(yes === undefined ? {} : { yes_dollars_fp: yes }),
    ...(no === undefined ? {} : { no_dollars_fp: no }),
  };
}

function delta(side: Side, price: string, size: string): OrderbookDeltaMsg {
  return { market_ticker: T, price_dollars: price, delta_fp: size, side };
}

function bookOf(yes?: [string, string][], no?: [string, string][], useYesPrice = false) {
  const book = new OrderBook(T);
  assert.equal(book.applySnapshot(snapshot(yes, no), useYesPrice), true, book.problemDetail);
  return book;
}

// ---------------------------------------------------------------------------------------------
// Examples

test("OrderBook is invalid with no levels until its first snapshot", () => {
  const book = new OrderBook(T);
  assert.equal(book.valid, false);
  assert.equal(book.problem, BookProblem.NoSnapshot);
  assert.equal(book.bestYesBid, undefined);
  assert.equal(book.bestYesAsk, undefined);
  assert.equal(book.spread, undefined);
  assert.equal(book.mid, undefined);
  assert.deepEqual(book.toSnapshot(), { market_ticker: T });
});

test("applySnapshot() loads both ladders and derives best prices in default pricing", () => {
  const book = new OrderBook(T);
  const ok = book.applySnapshot(
    snapshot([["0.0800", "300.00"], ["0.2200", "333.00"]], [["0.5400", "20.00"], [
      "0.5600",
      "146.00",
    ]], { market_id: "0f0e" }),
    false,
  );
  assert.equal(ok, true);
  assert.equal(book.valid, true);
  assert.equal(book.problem, undefined);
  assert.equal(book.marketId, "0f0e");
  assert.equal(book.useYesPrice, false);
  assert.equal(book.bestYesBid, 2200);
  assert.equal(book.bestYesBidSize, 33300);
  assert.equal(book.bestNoBid, 5600);
  assert.equal(book.bestNoBidSize, 14600);
  assert.equal(book.bestYesAsk, 4400); // $1 − $0.56
  assert.equal(book.bestYesAskSize, 14600);
  assert.equal(book.bestNoAsk, 7800); // $1 − $0.22
  assert.equal(book.bestNoAskSize, 33300);
  assert.equal(book.spread, 2200);
  assert.equal(book.mid, 3300);
  assert.equal(book.levelCount("yes"), 2);
  assert.equal(book.totalSize("yes"), 63300);
  assert.equal(book.totalSize("no"), 16600);
});

test("bestYesAsk is $1 − best NO bid with its size in default pricing (observed ticker pair)", () => {
  // Observed: best NO bid 0.02 × 2500 ⇔ ticker yes_ask_dollars "0.9800", yes_ask_size_fp "2500.00".
  const book = bookOf([["0.0100", "5.00"]], [["0.0100", "1.00"], ["0.0200", "2500.00"]]);
  assert.equal(formatPrice(book.bestYesAsk!), "0.9800");
  assert.equal(formatCount(book.bestYesAskSize!), "2500.00");
});

test("bestYesAsk is the lowest NO level when use_yes_price is on", () => {
  // The same market as above, with NO bids reported at YES prices: 0.02 → 0.98, 0.01 → 0.99.
  const book = bookOf([["0.0100", "5.00"]], [["0.9800", "2500.00"], ["0.9900", "1.00"]], true);
  assert.equal(book.useYesPrice, true);
  assert.equal(formatPrice(book.bestYesAsk!), "0.9800");
  assert.equal(formatCount(book.bestYesAskSize!), "2500.00");
  assert.equal(book.bestNoBid, 200); // in NO-leg prices
  assert.equal(book.bestNoBidSize, 250000);
  assert.equal(book.bestNoAsk, 9900);
  assert.deepEqual(book.bids("no"), [{ price: 200, size: 250000 }, { price: 100, size: 100 }]);
  assert.deepEqual(book.asks("yes"), [{ price: 9800, size: 250000 }, { price: 9900, size: 100 }]);
  // Raw ladders keep the wire mode.
  assert.deepEqual(book.ladder("no"), [["0.9800", "2500.00"], ["0.9900", "1.00"]]);
});

test("applyDelta() adds, changes and removes levels exactly", () => {
  const book = bookOf([["0.4100", "25.00"], ["0.4200", "10.00"]], [["0.5500", "7.00"]]);
  assert.equal(book.applyDelta(delta("yes", "0.4200", "-4.00")), true);
  assert.equal(book.bestYesBidSize, 600);
  assert.equal(book.applyDelta(delta("yes", "0.4200", "-6.00")), true); // level reaches zero
  assert.equal(book.bestYesBid, 4100);
  assert.equal(book.levelCount("yes"), 1);
  assert.equal(book.applyDelta(delta("yes", "0.4300", "0.01")), true); // new level
  assert.equal(book.bestYesBid, 4300);
  assert.equal(book.bestYesBidSize, 1);
  assert.equal(book.applyDelta(delta("no", "0.5", "1.5")), true); // non-canonical text is fine
  assert.deepEqual(book.ladder("no"), [["0.5000", "1.50"], ["0.5500", "7.00"]]);
  assert.deepEqual(book.ladder("yes"), [["0.4100", "25.00"], ["0.4300", "0.01"]]);
  assert.equal(book.totalSize("yes"), 2501);
  assert.equal(book.valid, true);
});

test("applyDelta() keeps sizes beyond 2^32 exact", () => {
  const book = bookOf([["0.1000", "90000000000.00"]], []);
  assert.equal(book.applyDelta(delta("yes", "0.1000", "0.01")), true);
  assert.deepEqual(book.ladder("yes"), [["0.1000", "90000000000.01"]]);
});

test("applyDelta() refuses sizes whose side total would no longer be exact", () => {
  const max = formatCount(Number.MAX_SAFE_INTEGER);
  const book = bookOf([["0.1000", max]], []);
  assert.equal(book.totalSize("yes"), Number.MAX_SAFE_INTEGER);
  assert.equal(book.applyDelta(delta("yes", "0.2000", "0.01")), false);
  assert.equal(book.problem, BookProblem.Malformed);
  assert.match(book.problemDetail!, /total size would exceed/);
  assert.equal(
    new OrderBook(T).applySnapshot(snapshot([["0.1000", max], ["0.2000", "0.01"]]), false),
    false,
  );
});

test("mid is exact in half ticks and formatMid() prints them", () => {
  const book = bookOf([["0.4200", "1.00"]], [["0.5700", "1.00"]]); // ask 0.4300
  assert.equal(book.spread, 100);
  assert.equal(book.mid, 4250);
  assert.equal(formatMid(book.mid!), "0.4250");
  book.applyDelta(delta("yes", "0.4201", "1.00"));
  assert.equal(book.mid, 4250.5);
  assert.equal(formatMid(book.mid!), "0.42505");
  assert.equal(formatMid(0.5), "0.00005");
  assert.throws(() => formatMid(4250.25), RangeError);
});

test("bidPrice() and bidSize() walk depth best first without allocating", () => {
  const book = bookOf([["0.1000", "1.00"], ["0.2000", "2.00"], ["0.3000", "3.00"]], []);
  assert.equal(book.bidPrice("yes", 0), 3000);
  assert.equal(book.bidSize("yes", 2), 100);
  assert.equal(book.bidPrice("yes", 3), undefined);
  assert.equal(book.bidPrice("yes", -1), undefined);
  assert.equal(book.bidPrice("yes", 0.5), undefined);
  assert.deepEqual(book.bids("yes", 2), [{ price: 3000, size: 300 }, { price: 2000, size: 200 }]);
  assert.deepEqual(book.asks("no", 1), [{ price: 7000, size: 300 }]);
  assert.deepEqual(book.asks("yes"), []);
});

test("applySnapshot() accepts unsorted levels, drops zero sizes and replaces the old book", () => {
  const book = bookOf([["0.3000", "1.00"]], [["0.3000", "1.00"]]);
  assert.equal(
    book.applySnapshot(
      snapshot([["0.2000", "2.00"], ["0.1000", "0.00"], ["0.0500", "5.00"]]),
      false,
    ),
    true,
  );
  assert.deepEqual(book.toSnapshot(), {
    market_ticker: T,
    yes_dollars_fp: [["0.0500", "5.00"], ["0.2000", "2.00"]],
  });
  assert.equal(book.levelCount("no"), 0);
  assert.equal(book.totalSize("no"), 0);
});

test('applySnapshot() keeps the last non-empty market_id (observed "" on empty books)', () => {
  const book = new OrderBook(T);
  book.applySnapshot(snapshot(undefined, undefined, { market_id: "abc" }), false);
  book.applySnapshot(snapshot(undefined, undefined, { market_id: "" }), false);
  assert.equal(book.marketId, "abc");
  assert.deepEqual(book.toSnapshot(), { market_ticker: T, market_id: "abc" });
});

// ---------------------------------------------------------------------------------------------
// Integrity

test("applyDelta() refuses a delta before the first snapshot and stays invalid", () => {
  const book = new OrderBook(T);
  assert.equal(book.applyDelta(delta("yes", "0.4200", "5.00")), false);
  assert.equal(book.problem, BookProblem.NoSnapshot);
  assert.equal(book.levelCount("yes"), 0);
  assert.equal(book.lastChange, 0);
});

test("applyDelta() invalidates the book when a level would go negative", () => {
  const book = bookOf([["0.4200", "10.00"]], []);
  book.clearChanges();
  assert.equal(book.applyDelta(delta("yes", "0.4200", "-10.01")), false);
  assert.equal(book.problem, BookProblem.NegativeSize);
  assert.match(book.problemDetail!, /"-10\.01" at yes "0\.4200": only "10\.00" resting/);
  assert.equal(book.lastChange, BookChange.Validity);
  assert.equal(book.bestYesBidSize, 1000); // not applied
  // Every later delta is refused until a snapshot.
  assert.equal(book.applyDelta(delta("yes", "0.4200", "1.00")), false);
  assert.equal(book.bestYesBidSize, 1000);
  assert.equal(book.applySnapshot(snapshot([["0.4200", "1.00"]]), false), true);
  assert.equal(book.valid, true);
  assert.equal(book.lastChange, BookChange.Yes | BookChange.No | BookChange.Validity);
});

test("applyDelta() invalidates the book on a negative delta at a missing level", () => {
  const book = bookOf([["0.4200", "10.00"]], []);
  assert.equal(book.applyDelta(delta("no", "0.3000", "-1.00")), false);
  assert.equal(book.problem, BookProblem.NegativeSize);
  assert.equal(book.levelCount("no"), 0);
});

test("applyDelta() detects a crossed book in default pricing (YES bid + NO bid ≥ $1)", () => {
  const book = bookOf([["0.4200", "10.00"]], [["0.5700", "1.00"]]);
  assert.equal(book.applyDelta(delta("no", "0.5799", "1.00")), true); // 0.42 + 0.5799 < 1
  assert.equal(book.applyDelta(delta("no", "0.5800", "1.00")), false); // locked at $1
  assert.equal(book.problem, BookProblem.Crossed);
  assert.match(book.problemDetail!, /best YES bid "0\.4200" ≥ best YES ask "0\.4200"/);
  assert.equal(book.bestNoBid, 5800); // the delta itself was applied
});

test("applyDelta() detects a crossed book in yes-price mode (YES bid ≥ lowest NO level)", () => {
  const book = bookOf([["0.4200", "10.00"]], [["0.4300", "1.00"]], true);
  assert.equal(book.applyDelta(delta("yes", "0.4250", "1.00")), true);
  assert.equal(book.applyDelta(delta("no", "0.4251", "1.00")), true);
  assert.equal(book.applyDelta(delta("yes", "0.4251", "1.00")), false);
  assert.equal(book.problem, BookProblem.Crossed);
  // The same prices are fine in default pricing (0.4251 + 0.4300 < 1).
  const other = bookOf([["0.4251", "10.00"]], [["0.4300", "1.00"]], false);
  assert.equal(other.valid, true);
});

test("applyDelta() does not flag a cross when a removal leaves one side empty", () => {
  const book = bookOf([["0.4200", "10.00"]], [["0.5700", "1.00"]]);
  assert.equal(book.applyDelta(delta("no", "0.5700", "-1.00")), true);
  assert.equal(book.bestYesAsk, undefined);
  assert.equal(book.spread, undefined);
});

test("applySnapshot() rejects crossed, negative, duplicate and out-of-range snapshots", () => {
  const cases: [OrderbookSnapshotMsg, boolean, BookProblem][] = [
    [snapshot([["0.6000", "1.00"]], [["0.4000", "1.00"]]), false, BookProblem.Crossed],
    [snapshot([["0.6000", "1.00"]], [["0.6000", "1.00"]]), true, BookProblem.Crossed],
    [snapshot([["0.6000", "-1.00"]]), false, BookProblem.NegativeSize],
    [snapshot([["0.6000", "1.00"], ["0.6000", "2.00"]]), false, BookProblem.Malformed],
    [snapshot([["0.7000", "1.00"], ["0.6000", "2.00"], ["0.7000", "1.00"]]), false, "malformed"],
    [snapshot([["0.0000", "1.00"]]), false, BookProblem.Malformed],
    [snapshot([["1.0000", "1.00"]]), false, BookProblem.Malformed],
    [snapshot(undefined, [["0.42001", "1.00"]]), false, BookProblem.Malformed],
    [snapshot(undefined, [["0.4200", "1.001"]]), false, BookProblem.Malformed],
    [snapshot(undefined, [["abc", "1.00"]]), false, BookProblem.Malformed],
    [snapshot([["0.4200"]] as unknown as [string, string][]), false, BookProblem.Malformed],
    [snapshot([null] as unknown as [string, string][]), false, BookProblem.Malformed],
    [
      { market_ticker: T, yes_dollars_fp: "x" } as unknown as OrderbookSnapshotMsg,
      false,
      BookProblem.Malformed,
    ],
  ];
  for (const [msg, useYesPrice, problem] of cases) {
    const book = bookOf([["0.1000", "1.00"]], [["0.1000", "1.00"]]);
    assert.equal(book.applySnapshot(msg, useYesPrice), false, JSON.stringify(msg));
    assert.equal(book.problem, problem, JSON.stringify(msg));
    assert.ok(book.problemDetail?.startsWith("Cannot") || book.problemDetail?.startsWith("Book"));
    assert.equal(book.levelCount("yes") + book.levelCount("no"), 0, "a failed snapshot empties");
    assert.equal(book.lastChange & BookChange.Validity, BookChange.Validity);
  }
});

test("applyDelta() treats malformed numbers and sides as integrity failures, never throwing", () => {
  const bad: OrderbookDeltaMsg[] = [
    delta("yes", "0.42001", "1.00"),
    delta("yes", "0.4200", "1.001"),
    delta("yes", "abc", "1.00"),
    delta("yes", "", "1.00"),
    delta("yes", "1.0000", "1.00"),
    delta("yes", "0.0000", "1.00"),
    delta("maybe" as Side, "0.4200", "1.00"),
    { market_ticker: T, side: "yes", delta_fp: "1.00" } as unknown as OrderbookDeltaMsg,
  ];
  for (const msg of bad) {
    const book = bookOf([["0.4200", "10.00"]], []);
    assert.equal(book.applyDelta(msg), false, JSON.stringify(msg));
    assert.equal(book.problem, BookProblem.Malformed, JSON.stringify(msg));
    assert.deepEqual(book.ladder("yes"), [["0.4200", "10.00"]]);
  }
});

test("applyLevelDelta() rejects non-integer prices and unsafe deltas", () => {
  for (const [price, size] of [[4200.5, 1], [NaN, 1], [4200, 0.5], [4200, 2 ** 53]]) {
    const book = bookOf([["0.4200", "10.00"]], []);
    assert.equal(book.applyLevelDelta("yes", price!, size!), false);
    assert.equal(book.problem, BookProblem.Malformed);
  }
  const book = bookOf([["0.4200", "10.00"]], []);
  assert.equal(book.applyLevelDelta("yes", 4200, 0), true);
  assert.equal(book.lastChange, 0);
});

test("invalidate() marks the book invalid until the next snapshot, keeping its levels", () => {
  const book = bookOf([["0.4200", "10.00"]], []);
  book.clearChanges();
  book.invalidate();
  assert.equal(book.valid, false);
  assert.equal(book.problem, BookProblem.Invalidated);
  assert.equal(book.changes, BookChange.Validity);
  assert.equal(book.bestYesBid, 4200);
  assert.equal(book.applyDelta(delta("yes", "0.4200", "1.00")), false);
  assert.equal(book.bestYesBidSize, 1000);
  book.invalidate(); // already invalid: no new change, first problem kept
  assert.equal(book.lastChange, 0);
  assert.equal(book.applySnapshot(snapshot([["0.4300", "1.00"]]), false), true);
  assert.equal(book.valid, true);
  assert.equal(book.bestYesBid, 4300);
});

test("the first problem wins until the next snapshot", () => {
  const book = bookOf([["0.4200", "10.00"]], []);
  book.applyDelta(delta("yes", "0.4200", "-11.00"));
  book.invalidate();
  book.applyDelta(delta("yes", "bad", "1.00"));
  assert.equal(book.problem, BookProblem.NegativeSize);
});

// ---------------------------------------------------------------------------------------------
// Property tests against a naive reference model

/** The obvious model: a Map price → size per side, scanned in full for every question. */
class Reference {
  yes = new Map<number, number>();
  no = new Map<number, number>();
  valid = false;
  useYesPrice = false;

  side(side: Side): Map<number, number> {
    return side === "yes" ? this.yes : this.no;
  }

  /** Returns whether the snapshot should be accepted. */
  snapshot(yes: [number, number][], no: [number, number][], useYesPrice: boolean): boolean {
    this.useYesPrice = useYesPrice;
    this.yes = new Map(yes.filter(([, s]) => s !== 0));
    this.no = new Map(no.filter(([, s]) => s !== 0));
    this.valid = !this.crossed();
    if (!this.valid) {
      this.yes.clear();
      this.no.clear();
    }
    return this.valid;
  }

  /** Returns whether the delta should be accepted. */
  delta(side: Side, price: number, size: number): boolean {
    if (!this.valid) return false;
    const levels = this.side(side);
    const next = (levels.get(price) ?? 0) + size;
    if (next < 0) {
      this.valid = false;
      return false;
    }
    if (next === 0) levels.delete(price);
    else levels.set(price, next);
    if (this.crossed()) this.valid = false;
    return this.valid;
  }

  crossed(): boolean {
    if (this.yes.size === 0 || this.no.size === 0) return false;
    const yes = Math.max(...this.yes.keys());
    return this.useYesPrice
      ? yes >= Math.min(...this.no.keys())
      : yes + Math.max(...this.no.keys()) >= ONE_DOLLAR;
  }

  /** Bids of `side` best first in leg prices. */
  bids(side: Side): { price: number; size: number }[] {
    const levels = [...this.side(side)].map(([price, size]) => ({
      price: side === "no" && this.useYesPrice ? ONE_DOLLAR - price : price,
      size,
    }));
    return levels.sort((a, b) => b.price - a.price);
  }

  ladder(side: Side): [string, string][] {
    return [...this.side(side)].sort((a, b) => a[0] - b[0]).map((
      [p, s],
    ) => [formatPrice(p), formatCount(s)]);
  }

  total(side: Side): number {
    let sum = 0;
    for (const size of this.side(side).values()) sum += size;
    return sum;
  }
}

function assertMatches(book: OrderBook, ref: Reference, where: string): void {
  assert.equal(book.valid, ref.valid, `${where}: valid (${book.problemDetail})`);
  for (const side of ["yes", "no"] as const) {
    const bids = ref.bids(side);
    assert.equal(book.levelCount(side), bids.length, `${where}: ${side} level count`);
    assert.equal(book.totalSize(side), ref.total(side), `${where}: ${side} total`);
    for (let rank = 0; rank < bids.length; rank++) {
      assert.equal(book.bidPrice(side, rank), bids[rank]!.price, `${where}: ${side} #${rank}`);
      assert.equal(book.bidSize(side, rank), bids[rank]!.size, `${where}: ${side} #${rank} size`);
    }
    assert.deepEqual(book.ladder(side), ref.ladder(side), `${where}: ${side} ladder`);
  }
  const yesBid = ref.bids("yes")[0];
  const noBid = ref.bids("no")[0];
  assert.equal(book.bestYesBid, yesBid?.price, `${where}: best yes bid`);
  assert.equal(book.bestYesBidSize, yesBid?.size, `${where}: best yes bid size`);
  assert.equal(book.bestNoBid, noBid?.price, `${where}: best no bid`);
  assert.equal(book.bestNoBidSize, noBid?.size, `${where}: best no bid size`);
  assert.equal(book.bestYesAsk, noBid && ONE_DOLLAR - noBid.price, `${where}: best yes ask`);
  assert.equal(book.bestYesAskSize, noBid?.size, `${where}: best yes ask size`);
  assert.equal(book.bestNoAsk, yesBid && ONE_DOLLAR - yesBid.price, `${where}: best no ask`);
  assert.equal(book.bestNoAskSize, yesBid?.size, `${where}: best no ask size`);
  if (yesBid && noBid) {
    const ask = ONE_DOLLAR - noBid.price;
    assert.equal(book.spread, ask - yesBid.price, `${where}: spread`);
    assert.equal(book.mid! * 2, ask + yesBid.price, `${where}: mid`);
  } else {
    assert.equal(book.spread, undefined);
    assert.equal(book.mid, undefined);
  }
}

/** A random integer in [lo, hi]. */
function int(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

/** A random size: usually small, sometimes huge (still exact), never zero. */
function randomSize(rand: () => number): number {
  const r = rand();
  if (r < 0.05) return int(rand, 1, 2 ** 40); // beyond 2^32: needs float64
  if (r < 0.3) return int(rand, 1, 100); // fractional contracts
  return int(rand, 1, 10_000) * 100;
}

/**
 * Prices (raw, as on the wire in the chosen mode) that keep the book uncrossed around a fair
 * YES price `fair`: YES below it, NO on the other side of it.
 */
function randomPrice(rand: () => number, side: Side, fair: number, useYesPrice: boolean) {
  if (rand() < 0.02) return int(rand, 1, ONE_DOLLAR - 1); // anywhere: may cross
  if (side === "yes") return int(rand, Math.max(1, fair - 60), fair - 1);
  const yesAsk = int(rand, fair + 1, Math.min(ONE_DOLLAR - 1, fair + 60));
  return useYesPrice ? yesAsk : ONE_DOLLAR - yesAsk;
}

function randomLadder(rand: () => number, side: Side, fair: number, useYesPrice: boolean) {
  const levels = new Map<number, number>();
  const count = rand() < 0.1 ? 0 : int(rand, 1, 25);
  for (let i = 0; i < count; i++) {
    levels.set(randomPrice(rand, side, fair, useYesPrice), rand() < 0.03 ? 0 : randomSize(rand));
  }
  return [...levels].sort((a, b) => a[0] - b[0]);
}

function wire(levels: [number, number][], shuffle: boolean, rand: () => number) {
  const out: [string, string][] = levels.map(([p, s]) => [formatPrice(p), formatCount(s)]);
  if (shuffle) {
    for (let i = out.length - 1; i > 0; i--) {
      const j = int(rand, 0, i);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
  }
  return out;
}

test("OrderBook equals a naive Map model over thousands of random snapshot + delta runs", () => {
  const cases = 3000;
  let deltasApplied = 0;
  const failures = new Map<string, number>();
  for (let seed = 1; seed <= cases; seed++) {
    const rand = prng(seed);
    const book = new OrderBook(T);
    const ref = new Reference();
    let fair = int(rand, 100, ONE_DOLLAR - 100);
    let useYesPrice = rand() < 0.5;
    const steps = int(rand, 0, 300);
    for (let step = 0; step <= steps; step++) {
      const where = `seed ${seed} step ${step}`;
      const r = rand();
      if (step === 0 || r < 0.01) {
        // (Re)snapshot, sometimes switching the pricing mode and the fair price.
        if (step > 0 && rand() < 0.3) useYesPrice = !useYesPrice;
        if (step > 0 && rand() < 0.5) fair = int(rand, 100, ONE_DOLLAR - 100);
        const yes = randomLadder(rand, "yes", fair, useYesPrice);
        const no = randomLadder(rand, "no", fair, useYesPrice);
        const msg = snapshot(
          rand() < 0.1 && yes.length === 0 ? undefined : wire(yes, rand() < 0.1, rand),
          rand() < 0.1 && no.length === 0 ? undefined : wire(no, rand() < 0.1, rand),
        );
        assert.equal(
          book.applySnapshot(msg, useYesPrice),
          ref.snapshot(yes, no, useYesPrice),
          where,
        );
      } else if (r < 0.015) {
        book.invalidate();
        ref.valid = false;
      } else {
        const side: Side = rand() < 0.5 ? "yes" : "no";
        const existing = [...ref.side(side)];
        let price: number;
        let size: number;
        if (existing.length > 0 && rand() < 0.7) {
          const [p, resting] = existing[int(rand, 0, existing.length - 1)]!;
          price = p;
          const kind = rand();
          if (kind < 0.3) size = -resting; // removes the level
          else if (kind < 0.6) size = -int(rand, 1, resting); // partial (or full) decrease
          else if (kind < 0.62) size = -resting - int(rand, 1, 100); // diverged: negative
          else size = randomSize(rand);
        } else {
          price = randomPrice(rand, side, fair, ref.useYesPrice);
          size = rand() < 0.02 ? -randomSize(rand) : randomSize(rand);
        }
        const expected = ref.delta(side, price, size);
        const msg = delta(side, formatPrice(price), formatCount(size));
        assert.equal(book.applyDelta(msg), expected, `${where}: ${JSON.stringify(msg)}`);
        if (expected) deltasApplied++;
        else if (book.problem !== undefined) {
          failures.set(book.problem, (failures.get(book.problem) ?? 0) + 1);
        }
      }
      if (step % 16 === 0 || step === steps) assertMatches(book, ref, where);
      else {
        assert.equal(book.valid, ref.valid, where);
        assert.equal(book.bestYesBid, ref.bids("yes")[0]?.price, where);
        assert.equal(book.bestYesAsk, ref.bids("no")[0] && ONE_DOLLAR - ref.bids("no")[0]!.price);
      }
    }
  }
  // The generator must exercise both paths heavily, or the test proves little.
  assert.ok(deltasApplied > 100_000, `only ${deltasApplied} deltas applied`);
  for (const problem of [BookProblem.NegativeSize, BookProblem.Crossed, BookProblem.Invalidated]) {
    assert.ok((failures.get(problem) ?? 0) > 200, `${problem}: ${failures.get(problem)} refusals`);
  }
});

test("ladder() and toSnapshot() round-trip canonical snapshots exactly (both modes)", () => {
  for (let seed = 1; seed <= 2000; seed++) {
    const rand = prng(seed * 7919);
    const useYesPrice = rand() < 0.5;
    const fair = int(rand, 100, ONE_DOLLAR - 100);
    const yes = randomLadder(rand, "yes", fair, useYesPrice).filter(([, s]) => s > 0);
    const no = randomLadder(rand, "no", fair, useYesPrice).filter(([, s]) => s > 0);
    const ref = new Reference();
    if (!ref.snapshot(yes, no, useYesPrice)) continue; // crossed by the rare "anywhere" price
    const msg: OrderbookSnapshotMsg = {
      market_ticker: T,
      market_id: `id-${seed}`,
      ...(yes.length > 0 ? { yes_dollars_fp: wire(yes, false, rand) } : {}),
      ...(no.length > 0 ? { no_dollars_fp: wire(no, false, rand) } : {}),
    };
    const book = new OrderBook(T);
    assert.equal(book.applySnapshot(structuredClone(msg), useYesPrice), true, `seed ${seed}`);
    assert.deepEqual(book.toSnapshot(), msg, `seed ${seed}`);
    // And applying the output to a fresh book reproduces it.
    const copy = new OrderBook(T);
    copy.applySnapshot(book.toSnapshot(), useYesPrice);
    assertMatches(copy, ref, `seed ${seed} copy`);
  }
});

test("ladder() canonicalises non-canonical input strings", () => {
  const book = bookOf([["0.42", "10"], [".43", "1.5"], ["0.440000", "+2.000"]], []);
  assert.deepEqual(book.ladder("yes"), [["0.4200", "10.00"], ["0.4300", "1.50"], [
    "0.4400",
    "2.00",
  ]]);
});

test("Ladder growth and shrinking keep levels intact across many inserts and removals", () => {
  const book = bookOf([], []);
  const ref = new Reference();
  ref.snapshot([], [], false);
  for (let p = 1; p <= 4000; p += 3) {
    assert.equal(book.applyDelta(delta("yes", formatPrice(p), "1.00")), ref.delta("yes", p, 100));
  }
  assertMatches(book, ref, "after growth");
  for (let p = 1; p <= 4000; p += 6) {
    assert.equal(book.applyDelta(delta("yes", formatPrice(p), "-1.00")), ref.delta("yes", p, -100));
  }
  assertMatches(book, ref, "after removals");
  // A small snapshot after a big book shrinks storage and still reads right.
  book.applySnapshot(snapshot([["0.0100", "1.00"]]), false);
  ref.snapshot([[100, 100]], [], false);
  assertMatches(book, ref, "after shrink");
  book.applyDelta(delta("yes", "0.0200", "1.00"));
  ref.delta("yes", 200, 100);
  assertMatches(book, ref, "after regrowth");
});
