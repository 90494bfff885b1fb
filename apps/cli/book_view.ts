/**
 * Shows a {@linkcode BookStore}: on a terminal, a ladder per market redrawn a few times a second
 * (see `render_book.ts`); otherwise NDJSON `book` lines, each time a market's book changed, at
 * most once per market per interval, and a final line per market at the end. Only valid books
 * are printed as lines; an invalid one waits for its repair.
 *
 * Used by `book`, `demo` and `replay`.
 *
 * @module
 */

import type { BookStore, Clock, OrderBook, PriceLevel, TimerHandle } from "@kalshi-ws/client";
import { formatMid, formatPrice } from "@kalshi-ws/client";
import type { OutputFormat } from "./args.ts";
import { BookLineWriter } from "./book_lines.ts";
import type { Output } from "./output.ts";
import { type MarketPanel, renderBooks } from "./render_book.ts";

/** An NDJSON `book` line: Kalshi's snapshot format plus best prices. */
export interface BookLine {
  /** Always `"book"`. */
  readonly type: "book";
  /** The market. */
  readonly market_ticker: string;
  /** YES bids, ascending by price, as `[price_dollars, count_fp]` strings. */
  readonly yes_dollars_fp: PriceLevel[];
  /** NO bids, ascending by price (NO-leg prices unless `use_yes_price`). */
  readonly no_dollars_fp: PriceLevel[];
  /** Best YES bid (`"0.4200"`) or null. */
  readonly best_yes_bid: string | null;
  /** Best YES ask ($1 − best NO bid) or null. */
  readonly best_yes_ask: string | null;
  /** Ask − bid, or null. */
  readonly spread: string | null;
  /** YES mid (5 decimals on a half tick), or null. */
  readonly mid: string | null;
  /** Whether NO levels are at YES prices. */
  readonly use_yes_price?: true;
  /** Wall-clock time of the line (Unix ms). */
  readonly t: number;
  /** Present (true) on the lines printed at exit. */
  readonly final?: true;
}

/**
 * Builds the NDJSON line of a (valid) book. The view prints the same bytes through
 * `BookLineWriter` (`book_lines.ts`), which writes them without this object.
 */
export function bookLine(book: OrderBook, t: number, final = false): BookLine {
  const nullable = (value: number | undefined): string | null =>
    value === undefined ? null : formatPrice(value);
  return {
    type: "book",
    market_ticker: book.marketTicker,
    yes_dollars_fp: book.ladder("yes"),
    no_dollars_fp: book.ladder("no"),
    best_yes_bid: nullable(book.bestYesBid),
    best_yes_ask: nullable(book.bestYesAsk),
    spread: nullable(book.spread),
    mid: book.mid === undefined ? null : formatMid(book.mid),
    ...(book.useYesPrice ? { use_yes_price: true as const } : {}),
    t,
    ...(final ? { final: true as const } : {}),
  };
}

/** Options of a {@linkcode BookView}. */
export interface BookViewOptions {
  /** Where to write. */
  readonly out: Output;
  /** `text`: redrawn ladder; `ndjson`: book lines. */
  readonly format: OutputFormat;
  /** NDJSON: minimum ms between two lines of one market (0: every change). */
  readonly intervalMs: number;
  /** Levels per side on the ladder. */
  readonly depth: number;
  /** Markets in display order (empty: every book in the store, in order of arrival). */
  readonly markets: readonly string[];
  /** Ladder title line. */
  readonly title: string;
  /** Current connection state for the title line. */
  readonly state: () => string;
  /** Terminal rows (the ladder shrinks its depth to fit), when known. */
  readonly rows?: number;
  /** Colour the ladder. */
  readonly color: boolean;
  /** Called once when stdout turns out to be closed (the run should stop). */
  readonly onClosed?: () => void;
  /** The timers of redraws and intervals (the runtime's clock; `setTimeout` by default). */
  readonly timers?: Pick<Clock, "setTimer" | "clearTimer">;
}

const TIMEOUTS: Pick<Clock, "setTimer" | "clearTimer"> = {
  setTimer: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

const REDRAW_MS = 250;
/** The final books are written in pieces of about this size. */
const FINAL_WRITE_BYTES = 1 << 16;

/** Throttled output of a book store; call `touched()` on every book message. */
export class BookView {
  readonly #store: BookStore;
  readonly #options: BookViewOptions;
  /** The markets shown (empty: all), as a set for the per-line check. */
  readonly #markets: ReadonlySet<string>;
  readonly #updatedAt = new Map<string, number>();
  #touchWall = Number.NaN;
  #touchMonotonic = 0;
  readonly #pending = new Set<string>();
  readonly #lines = new BookLineWriter();
  #written: Promise<boolean> = Promise.resolve(true);
  #timer: TimerHandle | undefined;
  #immediate = false;
  #running = false;
  #notice: { text: string; warning: boolean; at: number } | undefined;
  #undivert: (() => void) | undefined;

  /** Shows `store` as `options` say; nothing is written before `start()`. */
  constructor(store: BookStore, options: BookViewOptions) {
    this.#store = store;
    this.#options = options;
    this.#markets = new Set(options.markets);
  }

  /** Settles once the lines of `finish({ background: true })` are written (false: stdout closed). */
  get written(): Promise<boolean> {
    return this.#written;
  }

  /** Starts periodic output (the terminal view clears the screen and hides the cursor). */
  start(): void {
    this.#running = true;
    if (this.#options.format === "text") {
      this.#undivert = this.#options.out.divertStatus((text, warning) => {
        this.#notice = { text, warning, at: performance.now() };
      });
      this.#options.out.raw("\x1b[?25l\x1b[2J");
      this.#draw();
    }
    this.#schedule();
  }

  /** Notes that `ticker`'s book just changed (for ages, and immediate lines at interval 0). */
  touched(ticker: string): void {
    if (this.#options.format === "text") this.#updatedAt.set(ticker, this.#touchTime());
    else if (this.#running && this.#options.intervalMs === 0) {
      if (!this.#immediate) {
        this.#immediate = true;
        queueMicrotask(() => {
          this.#immediate = false;
          if (this.#running) this.#flush();
        });
      }
    }
  }

  /**
   * The time of a book message, for the ages the terminal view shows: `performance.now()` is a
   * runtime call costing a good part of a frame, so it is read only when `Date.now()` (a cheap
   * builtin) moved on — at most 1 ms stale, invisible in an age shown to the 100 ms.
   */
  #touchTime(): number {
    const wall = Date.now();
    if (wall !== this.#touchWall) {
      this.#touchWall = wall;
      this.#touchMonotonic = performance.now();
    }
    return this.#touchMonotonic;
  }

  /** Stops periodic output. */
  stop(): void {
    this.#running = false;
    this.#undivert?.();
    this.#undivert = undefined;
    if (this.#timer !== undefined) (this.#options.timers ?? TIMEOUTS).clearTimer(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Stops and writes the end state: NDJSON, a `final` line for every valid book (invalid ones are
   * named on stderr); text, a last redraw and the cursor back. Returns the markets left invalid.
   * With `background`, the NDJSON lines drain into stdout while the caller goes on (unsubscribe,
   * close): await {@linkcode BookView.written} before the process exits.
   */
  finish(options: { readonly background?: boolean } = {}): string[] {
    this.stop();
    const { out } = this.#options;
    const books = this.#books();
    // A market that never got its snapshot (stopped before subscribing) is not valid either.
    const present = new Set(books.map((b) => b.marketTicker));
    const invalid = this.#options.markets.filter((t) => !present.has(t));
    if (this.#options.format === "text") {
      if (!out.closed) {
        this.#draw();
        out.raw("\x1b[?25h");
      }
      for (const book of books) if (!book.valid) invalid.push(book.marketTicker);
      return invalid;
    }
    const t = Date.now();
    if (options.background) {
      // All lines in one buffer (sized for them up front), handed to the background write.
      let size = 0;
      for (const book of books) {
        size += 256 + 6 * book.marketTicker.length +
          24 * (book.levelCount("yes") + book.levelCount("no"));
      }
      const lines = new BookLineWriter(size);
      for (const book of books) {
        if (book.valid) lines.add(book, t, true);
        else invalid.push(book.marketTicker);
      }
      this.#written = out.bytesInBackground(lines.take());
      return invalid;
    }
    // ~1 MB for 1 000 books, written in 64 KiB pieces: the buffer stays in cache, and the
    // reader drains one piece while the next is written.
    const lines = this.#lines;
    for (const book of books) {
      if (!book.valid) invalid.push(book.marketTicker);
      else {
        lines.add(book, t, true);
        if (lines.size >= FINAL_WRITE_BYTES) out.bytes(lines.take());
      }
    }
    out.bytes(lines.take());
    return invalid;
  }

  #schedule(): void {
    if (!this.#running) return;
    const { format, intervalMs } = this.#options;
    if (format === "ndjson" && intervalMs === 0) return; // driven by touched()
    const delay = format === "text" ? REDRAW_MS : intervalMs;
    this.#timer = (this.#options.timers ?? TIMEOUTS).setTimer(() => {
      this.#timer = undefined;
      if (this.#options.format === "text") this.#draw();
      else this.#flush();
      this.#schedule();
    }, delay);
  }

  /** NDJSON: one line per changed valid book (the timer spacing enforces the interval). */
  #flush(): void {
    const pending = this.#pending;
    this.#store.drainChanges((book) => pending.add(book.marketTicker));
    if (pending.size === 0) return;
    const t = Date.now();
    const lines = this.#lines;
    for (const ticker of pending) {
      const book = this.#store.get(ticker);
      if (book?.valid && this.#wanted(ticker)) {
        lines.add(book, t);
        if (!this.#options.out.bytes(lines.take())) return this.#closed();
      }
    }
    pending.clear();
  }

  #wanted(ticker: string): boolean {
    return this.#markets.size === 0 || this.#markets.has(ticker);
  }

  #books(): OrderBook[] {
    const markets = this.#options.markets;
    if (markets.length === 0) return [...this.#store.books()];
    const books: OrderBook[] = [];
    for (const ticker of markets) {
      const book = this.#store.get(ticker);
      if (book !== undefined) books.push(book);
    }
    return books;
  }

  #draw(): void {
    const { out, markets } = this.#options;
    this.#store.drainChanges(() => {});
    const tickers = markets.length > 0
      ? markets
      : [...this.#store.books()].map((b) => b.marketTicker);
    const panels: MarketPanel[] = tickers.map((ticker) => ({
      ticker,
      book: this.#store.get(ticker),
      updatedAt: this.#updatedAt.get(ticker),
    }));
    let depth = this.#options.depth;
    const rows = this.#options.rows;
    if (rows !== undefined && panels.length > 0) {
      // Title, column header and the last line; per market: blank (or the notice), ticker,
      // summary, depth rows.
      depth = Math.max(1, Math.min(depth, Math.floor((rows - 3) / panels.length) - 3));
    }
    const text = renderBooks(panels, {
      depth,
      now: performance.now(),
      title: this.#options.title,
      state: this.#options.state(),
      color: this.#options.color,
      ...(this.#notice === undefined ? {} : { notice: this.#notice }),
    });
    const body = text.replace(/\n$/, "").split("\n").map((line) => `${line}\x1b[K`).join("\n");
    if (!out.raw(`\x1b[H${body}\n\x1b[J`)) this.#closed();
  }

  #closed(): void {
    this.stop();
    this.#options.onClosed?.();
  }
}
