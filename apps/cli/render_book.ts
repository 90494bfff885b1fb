/**
 * The live order-book ladder shown on a terminal, as plain text: pure (no I/O, no clock), so it
 * is tested without a TTY. The caller supplies the time and connection state and writes the
 * result with its own cursor moves.
 *
 * @module
 */

import { formatCount, formatMid, formatPrice, type OrderBook } from "@kalshi-ws/client";
import { printable } from "./printable.ts";

/** One market to draw. */
export interface MarketPanel {
  /** The market ticker (shown even before its book exists). */
  readonly ticker: string;
  /** Its local book, once a snapshot arrived. */
  readonly book: OrderBook | undefined;
  /** When it last changed (same clock as `RenderOptions.now`, ms). */
  readonly updatedAt: number | undefined;
}

/** How to draw. */
export interface RenderOptions {
  /** Price levels shown per side. */
  readonly depth: number;
  /** The current time (ms, same clock as `updatedAt`). */
  readonly now: number;
  /** First line: what is shown and where from (URL, state). */
  readonly title: string;
  /** Connection state shown on the title line (`open`, `reconnecting`, ...). */
  readonly state: string;
  /** ANSI colours (bids green, asks red, problems yellow). */
  readonly color: boolean;
  /** The latest status line (reconnects, gaps, ...), shown above the first market. */
  readonly notice?: { readonly text: string; readonly warning: boolean; readonly at: number };
}

const LEFT = 22;

/**
 * Renders every market as a two-sided ladder under one column header: YES bids (size, price) on
 * the left, YES asks (price, size; the NO bids seen from the YES side) on the right, best prices
 * on the first row; above them the market's best prices, spread, mid, level counts and the age
 * of its last update. Lines end without trailing spaces. Tickers, title and notice come from the
 * server or the user and are shown with their control characters escaped.
 */
export function renderBooks(panels: readonly MarketPanel[], options: RenderOptions): string {
  const paint = (code: number, text: string): string =>
    options.color ? `\x1b[${code}m${text}\x1b[0m` : text;
  const lines: string[] = [];
  const stateText = printable(options.state);
  const state = options.state === "open" ? paint(32, stateText) : paint(33, stateText);
  lines.push(`${printable(options.title)}  [${state}]`);
  lines.push(
    `${pad("size", 10)} ${pad("YES bid", 10)} │ ${"YES ask".padEnd(10)} ${"size".padStart(10)}`,
  );
  const notice = options.notice;
  for (let p = 0; p < panels.length; p++) {
    const panel = panels[p]!;
    if (p === 0 && notice !== undefined) {
      // The latest status line takes the blank line above the first market.
      const text = `${printable(notice.text)} (${formatAge(options.now - notice.at)} ago)`;
      lines.push(notice.warning ? paint(33, text) : paint(2, text));
    } else lines.push("");
    const book = panel.book;
    const age = panel.updatedAt === undefined
      ? ""
      : `updated ${formatAge(options.now - panel.updatedAt)} ago`;
    const ticker = printable(panel.ticker);
    lines.push(joinEnds(paint(1, ticker), age, LEFT * 2 + 3, ticker.length));
    if (book === undefined) {
      lines.push(paint(2, "  waiting for the first snapshot…"));
      continue;
    }
    if (book.valid) {
      const summary = [
        `bid ${price(book.bestYesBid)}`,
        `ask ${price(book.bestYesAsk)}`,
        `spread ${price(book.spread)}`,
        `mid ${book.mid === undefined ? "—" : formatMid(book.mid)}`,
        `levels ${book.levelCount("yes")}/${book.levelCount("no")}`,
      ].join("  ");
      lines.push(`  ${summary}`);
    } else {
      // Same height as the summary it replaces, so the screen does not jump.
      const problem = printable(book.problem ?? "invalid");
      lines.push(paint(33, `  resyncing (${problem}): last known levels below`));
    }
    const bids = book.bids("yes", options.depth);
    const asks = book.asks("yes", options.depth);
    const rows = Math.max(bids.length, asks.length, 1);
    for (let i = 0; i < rows; i++) {
      const bid = bids[i];
      const ask = asks[i];
      const left = bid === undefined
        ? " ".repeat(LEFT - 1)
        : `${pad(formatCount(bid.size), 10)} ${paint(32, pad(formatPrice(bid.price), 10))}`;
      const right = ask === undefined
        ? ""
        : `${paint(31, formatPrice(ask.price).padEnd(10))} ${pad(formatCount(ask.size), 10)}`;
      lines.push(`${left} │ ${right}`.trimEnd());
    }
  }
  return lines.join("\n") + "\n";
}

/** `0.4200`, or an em dash when the side is empty. */
function price(value: number | undefined): string {
  return value === undefined ? "—" : formatPrice(value);
}

function pad(text: string, width: number): string {
  return text.padStart(width);
}

/** Left text, then right text aligned to `width` (by visible length of the left part). */
function joinEnds(left: string, right: string, width: number, leftLength: number): string {
  if (right === "") return left;
  return `${left}${" ".repeat(Math.max(2, width - leftLength - right.length))}${right}`;
}

/** `0.4 s`, `12 s`, `3 min`: how long ago, coarse enough to read while it updates. */
export function formatAge(ms: number): string {
  const value = Math.max(0, ms);
  if (value < 10_000) return `${(value / 1000).toFixed(1)} s`;
  if (value < 120_000) return `${Math.round(value / 1000)} s`;
  return `${Math.round(value / 60_000)} min`;
}
