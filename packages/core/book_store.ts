/**
 * The order books of many markets, keyed by market ticker, fed by a session.
 *
 * A {@linkcode BookStore} implements {@linkcode BookKeeper} (what the session calls) and adds
 * what readers need: `get(ticker)` for allocation-free best-price reads, and change tracking
 * that suits a display refreshing at most once per market per interval — each book that
 * changed is queued once, with the flags of what changed, until the reader drains the queue —
 * plus an optional synchronous listener per change.
 *
 * @example
 * ```ts
 * import { BookStore } from "./book_store.ts";
 * const store = new BookStore();
 * store.applySnapshot({ market_ticker: "KXA", yes_dollars_fp: [["0.4200", "10.00"]] }, false);
 * store.applyDelta({ market_ticker: "KXA", price_dollars: "0.4300", delta_fp: "5.00", side: "yes" });
 * store.get("KXA")?.bestYesBid; // 4300
 * store.drainChanges((book, change) => {
 *   // called once for "KXA" with BookChange.Yes | BookChange.No | BookChange.Validity
 * });
 * ```
 *
 * @module
 */

import type { BookKeeper, BookSlot } from "./book_keeper.ts";
import type { Count, Price } from "./fixed_point.ts";
import type { Side } from "./message_common.ts";
import type { OrderbookDeltaMsg, OrderbookSnapshotMsg } from "./message_orderbook.ts";
import { BookChange, type BookChangeMask, OrderBook } from "./order_book.ts";

/** Called synchronously after each change to a book, with the flags of that change. */
export type BookChangeListener = (book: OrderBook, change: BookChangeMask) => void;

/** Options of a {@linkcode BookStore}. */
export interface BookStoreOptions {
  /** Called after every change (each applied snapshot or delta, each validity change). */
  readonly onChange?: BookChangeListener;
}

/**
 * Books of many markets. Snapshots create books; deltas for a market without a book are
 * refused (false). Never throws on malformed numbers: they invalidate the market's book.
 */
export class BookStore implements BookKeeper {
  readonly #books = new Map<string, OrderBook>();
  /** Books with pending changes, each once, in order of first change. */
  #dirty: OrderBook[] = [];
  readonly #onChange: BookChangeListener | undefined;
  /**
   * Books removed so far: a {@linkcode BookSlot} written at an earlier count may name a book
   * this store no longer holds, so it is looked up again. (Books are never replaced otherwise:
   * a snapshot for a held market updates its book in place.)
   */
  #removed = 0;

  /** Creates an empty store; `options.onChange` hears every change as it happens. */
  constructor(options: BookStoreOptions = {}) {
    this.#onChange = options.onChange;
  }

  /** Number of books held (valid or not). */
  get size(): number {
    return this.#books.size;
  }

  /** The book of `marketTicker`, or undefined when no snapshot ever arrived for it. */
  get(marketTicker: string): OrderBook | undefined {
    return this.#books.get(marketTicker);
  }

  /** Every book held, in order of creation. */
  books(): IterableIterator<OrderBook> {
    return this.#books.values();
  }

  /** Replaces (or creates) the book of `msg.market_ticker`; false if the snapshot is bad. */
  applySnapshot(msg: OrderbookSnapshotMsg, useYesPrice: boolean): boolean {
    const ticker = msg.market_ticker;
    let book = this.#books.get(ticker);
    if (book === undefined) {
      book = new OrderBook(ticker);
      this.#books.set(ticker, book);
    }
    const before = book.changes;
    const ok = book.applySnapshot(msg, useYesPrice);
    this.#changed(book, before);
    return ok;
  }

  /**
   * Applies a delta to its market's book. False when there is no book for the market yet, the
   * book is invalid, or the delta fails the integrity checks (which invalidates the book).
   */
  applyDelta(msg: OrderbookDeltaMsg): boolean {
    const book = this.#books.get(msg.market_ticker);
    if (book === undefined) return false;
    const before = book.changes;
    const ok = book.applyDelta(msg);
    this.#changed(book, before);
    return ok;
  }

  /**
   * {@linkcode BookStore.applyDelta} for a delta already parsed: adds `delta` (1/100 contract)
   * at `price` (1/10 000 $) on `side` of `marketTicker`'s book (see `OrderBook.applyLevelDelta`).
   * With `slot` (the market's, see {@linkcode BookSlot}), the book is remembered there and the
   * next delta of the market skips the lookup, until a book leaves the store.
   */
  applyLevelDelta(
    marketTicker: string,
    side: Side,
    price: Price,
    delta: Count,
    slot?: BookSlot,
  ): boolean {
    let book: OrderBook | undefined;
    if (slot !== undefined && slot.keeper === this && slot.epoch === this.#removed) {
      book = slot.book as OrderBook;
    } else {
      book = this.#books.get(marketTicker);
      if (book === undefined) return false;
      if (slot !== undefined) {
        slot.book = book;
        slot.keeper = this;
        slot.epoch = this.#removed;
      }
    }
    const before = book.changes;
    const ok = book.applyLevelDelta(side, price, delta);
    this.#changed(book, before);
    return ok;
  }

  /** Marks a market's book invalid until its next snapshot (no-op for unknown markets). */
  invalidate(marketTicker: string): void {
    const book = this.#books.get(marketTicker);
    if (book === undefined) return;
    const before = book.changes;
    book.invalidate();
    this.#changed(book, before);
  }

  /** Marks every book invalid until its next snapshot (e.g. after the connection dropped). */
  invalidateAll(): void {
    for (const book of this.#books.values()) {
      const before = book.changes;
      book.invalidate();
      this.#changed(book, before);
    }
  }

  /**
   * Forgets a market's book and invalidates it. Readers hear of it once more, with the
   * `Removed` flag (plus `Validity` if it was valid); `get()` no longer finds it.
   */
  remove(marketTicker: string): void {
    const book = this.#books.get(marketTicker);
    if (book === undefined) return;
    this.#books.delete(marketTicker);
    this.#removed++; // every remembered slot is stale now
    const before = book.changes;
    book.invalidate();
    if (before === 0) this.#dirty.push(book);
    this.#onChange?.(book, book.lastChange | BookChange.Removed);
  }

  /** Forgets every book (each is reported as removed, like {@linkcode BookStore.remove}). */
  clear(): void {
    for (const ticker of [...this.#books.keys()]) this.remove(ticker);
  }

  /**
   * Calls `visit` once for each book that changed since the last drain, in order of first
   * change, with the union of its changes (see {@linkcode BookChange}; `Removed` when the store
   * no longer holds it), and clears them. Returns how many books it visited. A book changed
   * from inside `visit` is queued for the next drain.
   */
  drainChanges(visit: (book: OrderBook, changes: BookChangeMask) => void): number {
    const dirty = this.#dirty;
    this.#dirty = [];
    for (let i = 0; i < dirty.length; i++) {
      const book = dirty[i]!;
      const removed = this.#books.get(book.marketTicker) !== book;
      const changes = book.changes | (removed ? BookChange.Removed : 0);
      book.clearChanges();
      visit(book, changes);
    }
    return dirty.length;
  }

  /** Number of books waiting to be drained. */
  get pendingChanges(): number {
    return this.#dirty.length;
  }

  /** Queues `book` on its first change since the last drain and tells the listener. */
  #changed(book: OrderBook, before: BookChangeMask): void {
    const change = book.lastChange;
    if (change === 0) return;
    if (before === 0) this.#dirty.push(book);
    this.#onChange?.(book, change);
  }
}
