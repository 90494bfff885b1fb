/**
 * Order-book speed: delta application and best-price reads, each against the naive
 * `Map<price string, size>`-per-side book measured in the same run (Deno prints the ratio).
 *
 *   deno bench -A bench/order_book_bench.ts
 *
 * Every delta bench replays a cycle of 2 × 5 000 deltas (forward, then inverse) that leaves each
 * book as it started, so iterations are identical; divide the time per iteration by the deltas
 * it applies for a per-delta cost. Memory lives in `book_memory.ts`.
 *
 * @module
 */

import { BookStore } from "../packages/core/book_store.ts";
import { OrderBook } from "../packages/core/order_book.ts";
import { parseCount, parsePrice } from "../packages/core/fixed_point.ts";
import type { OrderbookDeltaMsg } from "../packages/core/message_orderbook.ts";
import { makeDeltaCycle, makeSnapshot, NaiveBook, prng } from "./_book_workload.ts";

const rand = prng(42);

// One market: 20 levels a side, 10 000 deltas per iteration.
const snapshot = makeSnapshot("KXBENCH-ONE", rand, 20);
const cycle = makeDeltaCycle(snapshot, rand, 5_000);
const parsed = cycle.map((d) => ({
  side: d.side,
  price: parsePrice(d.price_dollars),
  delta: parseCount(d.delta_fp),
}));

const book = new OrderBook(snapshot.market_ticker);
book.applySnapshot(snapshot, false);
const naive = new NaiveBook();
naive.applySnapshot(snapshot);

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`Cannot benchmark: ${what} refused a delta`);
}

Deno.bench({
  name: "naive Map book: apply 10k deltas",
  group: "delta, one market",
  baseline: true,
  fn() {
    for (let i = 0; i < cycle.length; i++) check(naive.applyDelta(cycle[i]!), "naive book");
  },
});

Deno.bench({
  name: "OrderBook.applyDelta: 10k deltas",
  group: "delta, one market",
  fn() {
    for (let i = 0; i < cycle.length; i++) check(book.applyDelta(cycle[i]!), "OrderBook");
  },
});

Deno.bench({
  name: "OrderBook.applyLevelDelta (pre-parsed): 10k deltas",
  group: "delta, one market",
  fn() {
    for (let i = 0; i < parsed.length; i++) {
      const d = parsed[i]!;
      check(book.applyLevelDelta(d.side, d.price, d.delta), "OrderBook");
    }
  },
});

// 1 000 markets behind a ticker lookup, deltas interleaved across markets.
const MARKETS = 1_000;
const store = new BookStore();
const naiveStore = new Map<string, NaiveBook>();
const streams: OrderbookDeltaMsg[][] = [];
for (let m = 0; m < MARKETS; m++) {
  const snap = makeSnapshot(`KXBENCH-26JAN01-T${m}`, rand, 20);
  store.applySnapshot(snap, false);
  const nb = new NaiveBook();
  nb.applySnapshot(snap);
  naiveStore.set(snap.market_ticker, nb);
  streams.push(makeDeltaCycle(snap, rand, 10));
}
const interleaved: OrderbookDeltaMsg[] = [];
for (let i = 0; i < streams[0]!.length; i++) for (const s of streams) interleaved.push(s[i]!);

Deno.bench({
  name: "naive Map store: apply 20k deltas over 1k markets",
  group: "delta, 1k markets",
  baseline: true,
  fn() {
    for (let i = 0; i < interleaved.length; i++) {
      const d = interleaved[i]!;
      check(naiveStore.get(d.market_ticker)!.applyDelta(d), "naive store");
    }
  },
});

Deno.bench({
  name: "BookStore.applyDelta: 20k deltas over 1k markets",
  group: "delta, 1k markets",
  fn() {
    for (let i = 0; i < interleaved.length; i++) check(store.applyDelta(interleaved[i]!), "store");
    store.drainChanges(() => {});
  },
});

// Best-price reads: best YES bid and best YES ask of every market.
const books = [...store.books()];
const naiveBooks = [...naiveStore.values()];
let sink = 0;

Deno.bench({
  name: "naive Map book: best bid + ask of 1k markets (scan)",
  group: "best prices, 1k markets",
  baseline: true,
  fn() {
    for (let i = 0; i < naiveBooks.length; i++) {
      const b = naiveBooks[i]!;
      sink += b.best("yes") + (10_000 - b.best("no"));
    }
  },
});

Deno.bench({
  name: "OrderBook getters: best bid + ask (+ sizes) of 1k markets",
  group: "best prices, 1k markets",
  fn() {
    for (let i = 0; i < books.length; i++) {
      const b = books[i]!;
      sink += b.bestYesBid! + b.bestYesAsk! + b.bestYesBidSize! + b.bestYesAskSize!;
    }
  },
});

Deno.bench({
  name: "BookStore.get(ticker) + best bid + ask of 1k markets",
  group: "best prices, 1k markets",
  fn() {
    for (let i = 0; i < books.length; i++) {
      const b = store.get(books[i]!.marketTicker)!;
      sink += b.bestYesBid! + b.bestYesAsk!;
    }
  },
});

globalThis.addEventListener("unload", () => {
  if (Number.isNaN(sink)) throw new Error("Cannot happen: keeps reads from being optimised out");
});
