/**
 * NDJSON `book` lines written straight into bytes: the same bytes as
 * `printableJson(bookLine(book, t, final))` (`book_view.ts`), without an object, two strings and
 * an array per level, `JSON.stringify` and the UTF-8 encoding of the result. At the end of a run
 * `book` prints every market's final book — 1 000 markets are ~50 000 levels and ~1 MB — and
 * building and encoding that text took ~40–60 ms of a CLI process; the bytes take a few.
 *
 * Prices and sizes are written from the book's integers the way `formatPrice`/`formatCount`
 * format them; only the ticker comes from the server, and it goes through `printableJson`.
 *
 * @module
 */

import type { OrderBook, Side } from "@kalshi-ws/client";
import { formatCount, formatMid, formatPrice, ONE_DOLLAR } from "@kalshi-ws/client";
import { printableJson } from "./printable.ts";

const QUOTE = 0x22;
const COMMA = 0x2c;
const DOT = 0x2e;
const MINUS = 0x2d;
const ZERO = 0x30;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const NEWLINE = 0x0a;
/** The most bytes one level takes: `,["` + 17 digits + `.` + … + `"]` (safe integers). */
const LEVEL_BYTES = 64;

const encoder = new TextEncoder();
/** The ASCII bytes of the fixed parts of a line. */
const ascii = (text: string): Uint8Array => encoder.encode(text);
const HEAD = ascii('{"type":"book","market_ticker":');
const YES = ascii(',"yes_dollars_fp":[');
const NO = ascii('],"no_dollars_fp":[');
const BEST_BID = ascii('],"best_yes_bid":');
const BEST_ASK = ascii(',"best_yes_ask":');
const SPREAD = ascii(',"spread":');
const MID = ascii(',"mid":');
const USE_YES_PRICE = ascii(',"use_yes_price":true');
const T = ascii(',"t":');
const FINAL = ascii(',"final":true');
const NULL = ascii("null");

/** Decimal digits of a non-negative integer (at least 1). */
function digitCount(value: number): number {
  let digits = 1;
  while (value >= 10_000) {
    value = Math.floor(value / 10_000);
    digits += 4;
  }
  return value < 10 ? digits : value < 100 ? digits + 1 : value < 1_000 ? digits + 2 : digits + 3;
}

/**
 * Appends `book` lines (each ending in a newline) to one growing buffer; {@linkcode take} hands
 * the bytes over for one write.
 */
export class BookLineWriter {
  #buf: Uint8Array;
  #at = 0;

  /** A writer whose buffer starts at `initialBytes` (it grows as needed). */
  constructor(initialBytes = 1 << 17) {
    this.#buf = new Uint8Array(initialBytes);
  }

  /** Appends the line of `book` (a valid book) stamped `t`; `final` marks an end-of-run line. */
  add(book: OrderBook, t: number, final = false): void {
    this.#bytes(HEAD);
    this.#text(printableJson(book.marketTicker));
    this.#bytes(YES);
    this.#ladder(book, "yes");
    this.#bytes(NO);
    this.#ladder(book, "no");
    this.#bytes(BEST_BID);
    this.#price(book.bestYesBid);
    this.#bytes(BEST_ASK);
    this.#price(book.bestYesAsk);
    this.#bytes(SPREAD);
    this.#price(book.spread);
    this.#bytes(MID);
    const mid = book.mid;
    if (mid === undefined) this.#bytes(NULL);
    else this.#text(`"${formatMid(mid)}"`);
    if (book.useYesPrice) this.#bytes(USE_YES_PRICE);
    this.#bytes(T);
    this.#text(JSON.stringify(t) ?? "null");
    if (final) this.#bytes(FINAL);
    this.#room(2);
    this.#buf[this.#at++] = 0x7d; // }
    this.#buf[this.#at++] = NEWLINE;
  }

  /** Bytes appended since the last {@linkcode take}. */
  get size(): number {
    return this.#at;
  }

  /** The lines appended since the last call (a view: valid until the next `add`). */
  take(): Uint8Array {
    const bytes = this.#buf.subarray(0, this.#at);
    this.#at = 0;
    return bytes;
  }

  /**
   * One side's levels as `book.ladder(side)` lists them: ascending by the price on the wire
   * (NO bids at YES prices under `use_yes_price` ascend from the best bid, at $1 − its price).
   */
  #ladder(book: OrderBook, side: Side): void {
    const count = book.levelCount(side);
    const yesPrices = side === "no" && book.useYesPrice;
    for (let i = 0; i < count; i++) {
      // Ascending wire price: the worst bid first, or under use_yes_price the best NO bid.
      const rank = yesPrices ? i : count - 1 - i;
      const price = book.bidPrice(side, rank)!;
      this.#room(LEVEL_BYTES);
      const buf = this.#buf;
      if (i > 0) buf[this.#at++] = COMMA;
      buf[this.#at++] = OPEN;
      this.#quoted(yesPrices ? ONE_DOLLAR - price : price, 4);
      buf[this.#at++] = COMMA;
      this.#quoted(book.bidSize(side, rank)!, 2);
      buf[this.#at++] = CLOSE;
    }
  }

  /** A price in quotes, or `null`. */
  #price(price: number | undefined): void {
    if (price === undefined) return this.#bytes(NULL);
    this.#room(LEVEL_BYTES);
    this.#quoted(price, 4);
  }

  /**
   * `"<value / 10^decimals with exactly `decimals` places>"`, as `formatPrice` (4) and
   * `formatCount` (2) write it; anything but a safe integer goes through them (they throw).
   * The caller made room for it.
   */
  #quoted(value: number, decimals: 2 | 4): void {
    const buf = this.#buf;
    if (!Number.isSafeInteger(value)) {
      const text = decimals === 4 ? formatPrice(value) : formatCount(value);
      this.#text(`"${text}"`);
      return;
    }
    buf[this.#at++] = QUOTE;
    if (value < 0) {
      buf[this.#at++] = MINUS;
      value = -value;
    }
    const scale = decimals === 4 ? 10_000 : 100;
    // Every price and nearly every size fits int32 arithmetic; larger sizes (up to 2^53) divide
    // exactly in doubles.
    const small = value <= 0x7fffffff;
    let whole = small ? (value / scale) | 0 : Math.floor(value / scale);
    let fraction = value - whole * scale;
    let at = this.#at + digitCount(whole); // where the dot goes
    this.#at = at + decimals + 1;
    buf[at] = DOT;
    for (let i = decimals; i > 0; i--) {
      const next = (fraction / 10) | 0;
      buf[at + i] = ZERO + fraction - next * 10;
      fraction = next;
    }
    do {
      const next = small ? (whole / 10) | 0 : Math.floor(whole / 10);
      buf[--at] = ZERO + whole - next * 10;
      whole = next;
    } while (whole > 0);
    buf[this.#at++] = QUOTE;
  }

  /** Appends fixed bytes. */
  #bytes(bytes: Uint8Array): void {
    this.#room(bytes.length);
    this.#buf.set(bytes, this.#at);
    this.#at += bytes.length;
  }

  /** Appends text as UTF-8. */
  #text(text: string): void {
    this.#room(text.length * 3);
    this.#at += encoder.encodeInto(text, this.#buf.subarray(this.#at)).written;
  }

  /** Grows the buffer (doubling) until `bytes` more fit. */
  #room(bytes: number): void {
    if (this.#at + bytes <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#at + bytes) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#buf.subarray(0, this.#at));
    this.#buf = grown;
  }
}
