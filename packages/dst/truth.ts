/**
 * The truth a client's book must equal: each market's true book *as of the last frame of that
 * market the client received*, not as of now (frames are in flight). The simulated server
 * (`memory_network.ts`) numbers every exchange event and records each book change here; the
 * checks (`invariants.ts`) advance a market when one of its frames is delivered; a valid client
 * book must then equal the market's tracked book exactly.
 *
 * @module
 */

import type { OrderBook } from "@kalshi-ws/core";
import type { Exchange, Side } from "@kalshi-ws/simulator/model";

interface Change {
  readonly index: number;
  readonly side: Side;
  readonly price: number;
  readonly delta: number;
}

interface MarketTruth {
  /** The event index the ladders reflect. */
  index: number;
  readonly yes: Map<number, number>;
  readonly no: Map<number, number>;
  /** Recorded changes not applied yet, oldest first (from `head`). */
  pending: Change[];
  head: number;
}

/** True books per market at a chosen event index (see the module doc). */
export class TruthTracker {
  readonly #markets = new Map<string, MarketTruth>();

  /** Starts from the exchange's current books (event index 0). */
  constructor(exchange: Exchange) {
    for (const market of exchange.markets()) {
      const ladder = (side: Side) => new Map(market.book.ladder(side));
      this.#markets.set(market.ticker, {
        index: 0,
        yes: ladder("yes"),
        no: ladder("no"),
        pending: [],
        head: 0,
      });
    }
  }

  /** Records that event `index` changed `ticker`'s book by `delta` at `side`/`price`. */
  record(index: number, ticker: string, side: Side, price: number, delta: number): void {
    this.#markets.get(ticker)?.pending.push({ index, side, price, delta });
  }

  /** Brings `ticker`'s book to event `index` (never backwards). */
  advance(ticker: string, index: number): void {
    const truth = this.#markets.get(ticker);
    if (truth === undefined || index <= truth.index) return;
    const pending = truth.pending;
    let head = truth.head;
    while (head < pending.length && pending[head]!.index <= index) {
      const change = pending[head++]!;
      const ladder = change.side === "yes" ? truth.yes : truth.no;
      const size = (ladder.get(change.price) ?? 0) + change.delta;
      if (size === 0) ladder.delete(change.price);
      else ladder.set(change.price, size);
    }
    if (head === pending.length) {
      truth.pending = [];
      truth.head = 0;
    } else if (head > 256 && head * 2 > pending.length) {
      truth.pending = pending.slice(head);
      truth.head = 0;
    } else truth.head = head;
    truth.index = index;
  }

  /** Changes recorded but not applied yet, over all markets (a memory bound check). */
  get pending(): number {
    let n = 0;
    for (const truth of this.#markets.values()) n += truth.pending.length - truth.head;
    return n;
  }

  /**
   * Compares a client book with `ticker`'s tracked truth: `undefined` when equal, else a short
   * description of the first difference.
   */
  diff(ticker: string, book: OrderBook): string | undefined {
    const truth = this.#markets.get(ticker);
    if (truth === undefined) return `unknown market ${ticker}`;
    for (const side of ["yes", "no"] as const) {
      const ladder = side === "yes" ? truth.yes : truth.no;
      const levels = book.levelCount(side);
      if (levels !== ladder.size) {
        return `${side} has ${levels} levels, truth has ${ladder.size} (event ${truth.index})`;
      }
      for (let rank = 0; rank < levels; rank++) {
        const price = book.bidPrice(side, rank)!;
        const size = book.bidSize(side, rank)!;
        const want = ladder.get(price);
        if (want !== size) {
          return `${side} ${price}: client ${size}, truth ${want ?? 0} (event ${truth.index})`;
        }
      }
    }
    return undefined;
  }

  /** The tracked truth of `ticker` as text (for failure messages). */
  show(ticker: string): string {
    const truth = this.#markets.get(ticker);
    if (truth === undefined) return "-";
    const side = (m: Map<number, number>) =>
      [...m].sort((a, b) => a[0] - b[0]).map(([p, s]) => `${p}:${s}`).join(",");
    return `@${truth.index} yes[${side(truth.yes)}] no[${side(truth.no)}]`;
  }
}
