/**
 * Heap per resident order-book level at 10 000 markets × 20 levels a side, for `BookStore` and
 * for the naive `Map`-per-side baseline, fresh from snapshots and again after delta churn.
 *
 *   deno run --v8-flags=--expose-gc bench/book_memory.ts
 *
 * Bytes are `heapUsed + external` from `Deno.memoryUsage()` after full GCs, minus the same
 * before the books were built; the last stdout line is a JSON summary.
 *
 * @module
 */

import { BookStore } from "../packages/core/book_store.ts";
import { makeDeltaCycle, makeSnapshot, NaiveBook, prng } from "./_book_workload.ts";

const MARKETS = 10_000;
const LEVELS = 20;
const CHURN_DELTAS = 200;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  throw new Error("Cannot measure memory: run with --v8-flags=--expose-gc");
}

function used(): number {
  for (let i = 0; i < 4; i++) gc!();
  const m = Deno.memoryUsage();
  return m.heapUsed + m.external;
}

const tickers = Array.from({ length: MARKETS }, (_, i) => `KXBENCH-26JAN01-T${i}`);
const levels = MARKETS * LEVELS * 2;

function measureStore(churn: boolean): number {
  const before = used();
  const store = new BookStore();
  const rand = prng(1);
  for (const ticker of tickers) {
    const snapshot = makeSnapshot(ticker, rand, LEVELS);
    store.applySnapshot(snapshot, false);
    if (churn) {
      for (const delta of makeDeltaCycle(snapshot, rand, CHURN_DELTAS / 2)) {
        if (!store.applyDelta(delta)) throw new Error(`Cannot apply bench delta to ${ticker}`);
      }
    }
  }
  store.drainChanges(() => {});
  const bytes = used() - before;
  if (store.size !== MARKETS || store.get(tickers[0]!)?.levelCount("yes") !== LEVELS) {
    throw new Error("Cannot trust the measurement: the store lost levels");
  }
  return bytes;
}

function measureNaive(churn: boolean): number {
  const before = used();
  const books = new Map<string, NaiveBook>();
  const rand = prng(1);
  for (const ticker of tickers) {
    const snapshot = makeSnapshot(ticker, rand, LEVELS);
    const book = new NaiveBook();
    book.applySnapshot(snapshot);
    if (churn) {
      for (const delta of makeDeltaCycle(snapshot, rand, CHURN_DELTAS / 2)) {
        book.applyDelta(delta);
      }
    }
    books.set(ticker, book);
  }
  const bytes = used() - before;
  if (books.size !== MARKETS || books.get(tickers[0]!)!.yes.size !== LEVELS) {
    throw new Error("Cannot trust the measurement: the naive store lost levels");
  }
  return bytes;
}

const results = {
  bench: "book_memory",
  markets: MARKETS,
  levelsPerSide: LEVELS,
  residentLevels: levels,
  storeBytesPerLevel: Math.round(measureStore(false) / levels * 10) / 10,
  storeBytesPerLevelAfterChurn: Math.round(measureStore(true) / levels * 10) / 10,
  naiveBytesPerLevel: Math.round(measureNaive(false) / levels * 10) / 10,
  naiveBytesPerLevelAfterChurn: Math.round(measureNaive(true) / levels * 10) / 10,
  targetBytesPerLevel: 64,
};
console.error(
  `BookStore: ${results.storeBytesPerLevel} B/level fresh, ` +
    `${results.storeBytesPerLevelAfterChurn} B/level after ${CHURN_DELTAS} deltas/market; ` +
    `naive Map book: ${results.naiveBytesPerLevel} / ${results.naiveBytesPerLevelAfterChurn} B/level`,
);
console.log(JSON.stringify(results));
