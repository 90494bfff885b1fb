/**
 * The seam between the session and local order books.
 *
 * The session decides *when* a book may be trusted (sequence gaps, resyncs, reconnects); the
 * keeper decides *whether* a book is internally consistent (negative sizes, crossed books). The
 * core's `BookStore` implements this interface; tests use a fake.
 *
 * @module
 */

import type { Count, Price } from "./fixed_point.ts";
import type { Side } from "./message_common.ts";
import type { OrderbookDeltaMsg, OrderbookSnapshotMsg } from "./message_orderbook.ts";

/**
 * Where a keeper may remember a market's book between that market's deltas: the session's delta
 * scanner holds one per remembered market (in its template) and hands it over with each delta it
 * read, so the keeper can skip looking the market up. The keeper owns the contents: it must
 * check they are its own and still current (a removed or replaced book) before trusting them.
 */
export interface BookSlot {
  /** The keeper's remembered book (opaque to everyone else). */
  book: unknown;
  /** Which keeper wrote it. */
  keeper: unknown;
  /** The keeper's own marker of when it wrote it (e.g. a count of books removed). */
  epoch: number;
}

/** What the session needs from local order books (implemented by the core's BookStore). */
export interface BookKeeper {
  /** Replaces a market's book; returns false if the snapshot itself fails integrity checks. */
  applySnapshot(msg: OrderbookSnapshotMsg, useYesPrice: boolean): boolean;
  /**
   * Applies a delta; returns false on an integrity failure (negative size, crossed book, or
   * no snapshot yet), which leaves the book invalid.
   */
  applyDelta(msg: OrderbookDeltaMsg): boolean;
  /**
   * Optional: the same for a delta whose numbers the session already parsed (`price` in 1/10 000
   * $, `delta` in 1/100 contract, exactly what `parsePrice` and `parseCount` make of the frame's
   * strings), so the keeper need not parse them again. Without it, `applyDelta` is used. `slot`,
   * when given, is the market's {@linkcode BookSlot}: the keeper may remember the book there.
   */
  applyLevelDelta?(
    marketTicker: string,
    side: Side,
    price: Price,
    delta: Count,
    slot?: BookSlot,
  ): boolean;
  /** Marks a market's book invalid (gap, disconnect) until its next snapshot. */
  invalidate(marketTicker: string): void;
  /** Forgets a market (unsubscribed / deleted). */
  remove(marketTicker: string): void;
}
