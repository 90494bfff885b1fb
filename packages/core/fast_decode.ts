/**
 * A validated fast path for the hottest frame, `orderbook_delta`: a hand-written scanner for the
 * exact shape Kalshi sends that builds the same message {@linkcode decodeMessage} would, without
 * a generic parse.
 *
 * {@linkcode DeltaScanner}'s `scan()` accepts only compact frames of the form
 * `{"type":"orderbook_delta","sid":N,"seq":N,"msg":{…}}` whose `msg` holds the documented keys
 * (`market_ticker`, `market_id`, `price_dollars`, `delta_fp`, `side`, `client_order_id`,
 * `subaccount`, `ts`, `ts_ms`, in any order, each once) with plain values: strings without
 * escapes, non-negative integers of at most 15 digits. For those it returns an object equal to
 * `decodeMessage(text)` (same keys in the same order, same values); for anything else —
 * whitespace, escapes, an unknown or repeated key, a number where a string belongs, a missing
 * field, a different frame type — it returns `undefined` and the caller uses `decodeMessage`,
 * which decodes or rejects it. The two are property-tested against each other.
 *
 * A {@linkcode DeltaScanner} remembers what it validated (each market's fixed part, the last
 * sid's head, the last timestamp's minute) so later frames of the same market are checked with a
 * few string comparisons. That memory belongs to the scanner, never to the module: each session
 * (and each reader in `@kalshi-ws/nats`) owns one, so sessions in one process share nothing.
 *
 * Long string values are slices of the frame (V8 keeps a reference to it while they live).
 *
 * @example
 * ```ts
 * import { DeltaScanner } from "./fast_decode.ts";
 * import { decodeMessage } from "./message.ts";
 * const scanner = new DeltaScanner();
 * const text = '{"type":"orderbook_delta","sid":1,"seq":2,"msg":{"market_ticker":"KXA",' +
 *   '"price_dollars":"0.4200","delta_fp":"-4.00","side":"yes"}}';
 * const message = scanner.scan(text) ?? decodeMessage(text);
 * message.type; // "orderbook_delta"
 * ```
 *
 * @module
 */

import type { BookSlot } from "./book_keeper.ts";
import type { OrderbookDeltaMessage, OrderbookDeltaMsg } from "./message_orderbook.ts";

const PREFIX = '{"type":"orderbook_delta","sid":';
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const CLOSE = 125;
const ZERO = 48;
const NINE = 57;
const LETTER_Y = 121;

/**
 * End of the JSON string whose content starts at `start` (index of its closing quote), or -1
 * when it has escapes or control characters (left to `JSON.parse`) or no end.
 */
function stringEnd(text: string, start: number): number {
  const length = text.length;
  for (let i = start; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i;
    if (c < 32 || c === BACKSLASH) return -1;
  }
  return -1;
}

/**
 * End of the non-negative JSON integer at `start` (index of the `,` or `}` after it), or -1 for
 * anything else (sign, fraction, exponent, leading zero, more than 15 digits).
 */
function intEnd(text: string, start: number): number {
  let i = start;
  let c = text.charCodeAt(i);
  if (c === ZERO) {
    c = text.charCodeAt(++i);
  } else {
    while (c >= ZERO && c <= NINE) c = text.charCodeAt(++i);
    if (i === start || i - start > 15) return -1;
  }
  return c === COMMA || c === CLOSE ? i : -1;
}

/** Value of the digits `text[start, end)` (already checked by {@linkcode intEnd}). */
function intValue(text: string, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) value = value * 10 + (text.charCodeAt(i) - ZERO);
  return value;
}

// Key codes, in Kalshi's documented order. `order` accumulates them (4 bits each) to recognise
// the usual layouts, which are built as one object literal; others are built key by key.
const K_TICKER = 1;
const K_MARKET_ID = 2;
const K_PRICE = 3;
const K_DELTA = 4;
const K_SIDE = 5;
const K_CLIENT_ORDER_ID = 6;
const K_SUBACCOUNT = 7;
const K_TS = 8;
const K_TS_MS = 9;
/** market_ticker, market_id, price_dollars, delta_fp, side, ts, ts_ms: what Kalshi sends. */
const ORDER_FULL = 0x1234589;
/** The same without the timestamps (older frames). */
const ORDER_NO_TS = 0x12345;
const REQUIRED = (1 << K_TICKER) | (1 << K_PRICE) | (1 << K_DELTA) | (1 << K_SIDE);

/**
 * What every delta of one market repeats: `,"msg":{"market_ticker":"T","market_id":"I",
 * "price_dollars":"`. Once a frame of the market has been fully validated, later frames are
 * checked against it with one string comparison instead of key by key and character by
 * character, and share its (validated) ticker and id strings. It is also the market's
 * {@linkcode BookSlot}: the book keeper may remember the market's book in it (see
 * {@linkcode DeltaScanner.slot}).
 */
interface MarketTemplate extends BookSlot {
  readonly hash: number;
  readonly ticker: string;
  readonly marketId: string;
  readonly head: string;
}

const MSG_TICKER = ',"msg":{"market_ticker":"';
/**
 * Templates in a two-way set-associative table indexed by a hash of the ticker's length and
 * last characters (cheaper than hashing a slice for a `Map`). A full set evicts its older entry:
 * the evicted market's next frame takes the key-by-key scan and puts it back. Fixed size (256
 * KiB of slots): never grows, whatever the stream.
 */
const TABLE_BITS = 15;
const TABLE_MASK = (1 << TABLE_BITS) - 2; // even: the first way of a set

/** A scanner's template table (see {@linkcode DeltaScanner}). */
type TemplateTable = (MarketTemplate | undefined)[];

/** Hash of `text[start, end)` from its length and up to 12 characters from its end. */
function tickerHash(text: string, start: number, end: number): number {
  let h = Math.imul(end - start, 0x9e3779b1);
  const stop = end - 12 > start ? end - 12 : start;
  for (let i = end - 1; i >= stop; i--) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h ^ (h >>> 15);
}

/** The template for the ticker at `text[start, end)`, if one is held (same hash). */
function findTemplate(
  templates: TemplateTable,
  text: string,
  start: number,
  end: number,
): MarketTemplate | undefined {
  const hash = tickerHash(text, start, end);
  const set = hash & TABLE_MASK;
  const first = templates[set];
  if (first !== undefined && first.hash === hash) return first;
  const second = templates[set + 1];
  return second !== undefined && second.hash === hash ? second : undefined;
}

function remember(
  templates: TemplateTable,
  text: string,
  msgStart: number,
  ticker: string,
  marketId: string,
): void {
  const tickerStart = msgStart + MSG_TICKER.length;
  const hash = tickerHash(text, tickerStart, tickerStart + ticker.length);
  const head = `${MSG_TICKER}${ticker}","market_id":"${marketId}","price_dollars":"`;
  // Only when the frame really reads that way (it does for both layouts remembered).
  if (text.slice(msgStart, msgStart + head.length) !== head) return;
  const set = hash & TABLE_MASK;
  const first = templates[set];
  if (first?.head === head) return;
  // Newest in the first way; flat copies, as slices of this frame would keep it alive.
  templates[set + 1] = first?.hash === hash ? templates[set + 1] : first;
  templates[set] = {
    hash,
    ticker: flat(ticker),
    marketId: flat(marketId),
    head: flat(head),
    book: undefined,
    keeper: undefined,
    epoch: 0,
  };
}

/**
 * A string that does not reference a larger one (V8 slices and ropes do): a JSON round trip
 * builds a fresh flat copy, and costs far less than splitting into characters and joining.
 */
function flat(value: string): string {
  return JSON.parse(JSON.stringify(value));
}

/**
 * Validates a plain-string value `text[start, end)` (no quote, escape or control character;
 * `end` came from `indexOf('"')`, so there is no quote).
 */
function plain(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 32 || c === BACKSLASH) return false;
  }
  return true;
}

/** Value of the digits `text[start, end)`, or -1 unless it is a JSON integer of 1–15 digits. */
function digits(text: string, start: number, end: number): number {
  const n = end - start;
  if (n < 1 || n > 15) return -1;
  // Two int32 halves (the last 9 digits and those before), so the loops stay in small integers.
  const split = n > 9 ? end - 9 : start;
  let high = 0;
  for (let i = start; i < split; i++) {
    const c = text.charCodeAt(i) - ZERO;
    if (c < 0 || c > 9) return -1;
    high = high * 10 + c;
  }
  let low = 0;
  for (let i = split; i < end; i++) {
    const c = text.charCodeAt(i) - ZERO;
    if (c < 0 || c > 9) return -1;
    low = low * 10 + c;
  }
  return n > 1 && text.charCodeAt(start) === ZERO ? -1 : high * 1e9 + low;
}

const DOT = 46;
const MINUS = 45;
const SCALE = [1, 10, 100, 1_000, 10_000] as const;

/**
 * The canonical decimal string value at `start` (`0.4200`, `-4.00`: 1–9 whole digits, a `.`,
 * 1–`decimals` fraction digits, then the closing quote) as an integer scaled by 10^`decimals`,
 * exactly what `fixed_point.ts` makes of it; its closing quote's index goes to `at[0]`. NaN (and
 * `at[0]` untouched) for anything else, which the caller checks as a plain string instead.
 */
function canonical(
  text: string,
  start: number,
  decimals: number,
  signed: boolean,
  at: Int32Array,
): number {
  let i = start;
  let c = text.charCodeAt(i);
  const negative = signed && c === MINUS;
  if (negative) c = text.charCodeAt(++i);
  let whole = 0;
  const wholeStart = i;
  while (c >= ZERO && c <= NINE) {
    whole = whole * 10 + (c - ZERO);
    c = text.charCodeAt(++i);
  }
  const wholeDigits = i - wholeStart;
  if (wholeDigits === 0 || wholeDigits > 9 || c !== DOT) return Number.NaN;
  let fraction = 0;
  c = text.charCodeAt(++i);
  const fractionStart = i;
  while (c >= ZERO && c <= NINE) {
    fraction = fraction * 10 + (c - ZERO);
    c = text.charCodeAt(++i);
  }
  const fractionDigits = i - fractionStart;
  if (fractionDigits === 0 || fractionDigits > decimals || c !== QUOTE) return Number.NaN;
  at[0] = i;
  const value = whole * SCALE[decimals]! + fraction * SCALE[decimals - fractionDigits]!;
  return negative && value !== 0 ? -value : value;
}

/**
 * The `orderbook_delta` fast path with its own memory of validated frames: each market's
 * template in a fixed table (256 KiB of slots, allocated with the scanner), the last sid's head
 * and the last timestamp's minute. One per session (or per reader): nothing is shared between
 * scanners, so two sessions in a process never see each other's markets.
 */
export class DeltaScanner {
  /** Market templates (see {@linkcode MarketTemplate}). */
  readonly #templates: TemplateTable = new Array(1 << TABLE_BITS).fill(undefined);
  /** `{"type":"orderbook_delta","sid":N,"seq":` of the last sid seen (one sid is the norm). */
  #sidHead = "";
  #sidOfHead = -1;
  /**
   * `","side":"yes","ts":"` (and `no`) followed by the first 16 characters
   * (`2026-08-27T13:56`) of the last validated `ts`: the usual text after `delta_fp`.
   */
  #tailYes = "";
  #tailNo = "";
  /** Where {@linkcode canonical} puts the end of the value it read. */
  readonly #end = new Int32Array(1);
  /**
   * `price_dollars` of the last message {@linkcode DeltaScanner.scan} returned, in 1/10 000 $
   * (what `parsePrice` makes of it), or NaN when the scanner left it to the book to parse.
   */
  price = Number.NaN;
  /**
   * `delta_fp` of the last message {@linkcode DeltaScanner.scan} returned, in 1/100 contract
   * (what `parseCount` makes of it), or NaN when the scanner left it to the book to parse.
   */
  delta = Number.NaN;
  /**
   * The {@linkcode BookSlot} of the market of the last message {@linkcode DeltaScanner.scan}
   * returned (its remembered template), or `undefined` when the message took the key-by-key
   * scan. A book keeper may remember the market's book there (the session hands it over).
   */
  slot: BookSlot | undefined = undefined;

  /**
   * The fast lane for Kalshi's layout of a market seen before: the sid head, the seq, the
   * market's template, then `price_dollars`, `delta_fp`, `side` and optionally `ts`, `ts_ms`.
   * `undefined` sends the frame down the key-by-key scan (which validates everything).
   */
  #known(text: string): OrderbookDeltaMessage | undefined {
    const sidHead = this.#sidHead;
    const headLength = sidHead.length;
    if (headLength === 0 || text.slice(0, headLength) !== sidHead) return undefined;
    const at = text.indexOf(",", headLength);
    const seq = digits(text, headLength, at);
    if (seq < 0) return undefined;
    // Fixed pieces are compared with `slice(...) === literal` (a memcmp): faster in V8 than
    // `startsWith` at an offset.
    const tickerStart = at + MSG_TICKER.length;
    const tickerEnd = text.indexOf('"', tickerStart);
    if (tickerEnd <= tickerStart) return undefined;
    const template = findTemplate(this.#templates, text, tickerStart, tickerEnd);
    if (template === undefined) return undefined;
    const head = template.head;
    let pos = at + head.length;
    if (text.slice(at, pos) !== head) return undefined;
    // Kalshi's canonical numbers are read as they are validated (the book then skips parsing).
    const endOf = this.#end;
    const priceValue = canonical(text, pos, 4, false, endOf);
    let end: number;
    if (priceValue === priceValue) end = endOf[0]!;
    else {
      end = text.indexOf('"', pos);
      if (end < 0 || !plain(text, pos, end)) return undefined;
    }
    const price = text.slice(pos, end);
    if (text.slice(end, end + 14) !== '","delta_fp":"') return undefined;
    pos = end + 14;
    const deltaValue = canonical(text, pos, 2, true, endOf);
    if (deltaValue === deltaValue) end = endOf[0]!;
    else {
      end = text.indexOf('"', pos);
      if (end < 0 || !plain(text, pos, end)) return undefined;
    }
    const delta = text.slice(pos, end);
    const length = text.length;
    if (text.charCodeAt(length - 1) !== CLOSE || text.charCodeAt(length - 2) !== CLOSE) {
      return undefined;
    }
    // Most frames: `","side":"yes","ts":"` (or `no`) and the minute the last timestamp began
    // with (`2026-08-27T13:56`: a burst shares it), compared at once.
    const yes = text.charCodeAt(end + 10) === LETTER_Y;
    const tail = yes ? this.#tailYes : this.#tailNo;
    let side: "yes" | "no";
    let tsStart: number;
    if (tail !== "" && text.slice(end, end + tail.length) === tail) {
      side = yes ? "yes" : "no";
      pos = end + tail.length;
      tsStart = pos - 16;
      end = text.indexOf('"', pos);
      if (end < 0 || !plain(text, pos, end)) return undefined;
    } else {
      if (text.slice(end, end + 14) === '","side":"yes"') {
        side = "yes";
        pos = end + 14;
      } else if (text.slice(end, end + 13) === '","side":"no"') {
        side = "no";
        pos = end + 13;
      } else return undefined;
      if (pos + 2 === length) {
        this.price = priceValue;
        this.delta = deltaValue;
        this.slot = template;
        return {
          type: "orderbook_delta",
          sid: this.#sidOfHead,
          seq,
          msg: {
            market_ticker: template.ticker,
            market_id: template.marketId,
            price_dollars: price,
            delta_fp: delta,
            side,
          },
        };
      }
      if (text.slice(pos, pos + 7) !== ',"ts":"') return undefined;
      pos += 7;
      end = text.indexOf('"', pos);
      if (end < 0 || !plain(text, pos, end)) return undefined;
      if (end - pos >= 16) {
        const minute = text.slice(pos, pos + 16);
        this.#tailYes = flat(`","side":"yes","ts":"${minute}`);
        this.#tailNo = flat(`","side":"no","ts":"${minute}`);
      }
      tsStart = pos;
    }
    const ts = text.slice(tsStart, end);
    if (text.slice(end, end + 10) !== '","ts_ms":') return undefined;
    const tsMs = digits(text, end + 10, length - 2);
    if (tsMs < 0) return undefined;
    this.price = priceValue;
    this.delta = deltaValue;
    this.slot = template;
    return {
      type: "orderbook_delta",
      sid: this.#sidOfHead,
      seq,
      msg: {
        market_ticker: template.ticker,
        market_id: template.marketId,
        price_dollars: price,
        delta_fp: delta,
        side,
        ts,
        ts_ms: tsMs,
      },
    };
  }

  /**
   * Decodes `text` if it is a plain `orderbook_delta` frame (see the module doc), returning what
   * `decodeMessage(text)` returns; `undefined` means "use `decodeMessage`", never "invalid".
   */
  scan(text: string): OrderbookDeltaMessage | undefined {
    const known = this.#known(text);
    if (known !== undefined) return known;
    this.price = Number.NaN;
    this.delta = Number.NaN;
    this.slot = undefined;
    if (text.slice(0, PREFIX.length) !== PREFIX) return undefined;
    let pos = PREFIX.length;
    let end = intEnd(text, pos);
    if (end < 0) return undefined;
    const sid = intValue(text, pos, end);
    if (sid < 1) return undefined; // the decoder refuses sid 0
    if (text.slice(end, end + 7) !== ',"seq":') return undefined;
    pos = end + 7;
    const seqStart = pos;
    end = intEnd(text, pos);
    if (end < 0) return undefined;
    const seq = intValue(text, pos, end);
    if (!text.startsWith(',"msg":{', end)) return undefined;
    const msgStart = end;
    pos = end + 8;
    let ticker = "";
    let marketId = "";
    let price = "";
    let delta = "";
    let side: "yes" | "no" = "yes";
    let clientOrderId = "";
    let subaccount = 0;
    let ts = "";
    let tsMs = 0;
    let seen = 0;
    let order = 0;
    for (;;) {
      if (text.charCodeAt(pos) !== QUOTE) return undefined;
      const k = pos + 1;
      let key: number;
      switch (text.charCodeAt(k)) {
        case 109: // m
          if (text.startsWith('market_ticker":"', k)) {
            key = K_TICKER;
            pos = k + 16;
            end = stringEnd(text, pos);
            if (end <= pos) return undefined; // bad, or empty (the decoder rejects those)
            ticker = text.slice(pos, end);
            pos = end + 1;
          } else if (text.startsWith('market_id":"', k)) {
            key = K_MARKET_ID;
            pos = k + 12;
            end = stringEnd(text, pos);
            if (end < 0) return undefined;
            marketId = text.slice(pos, end);
            pos = end + 1;
          } else return undefined;
          break;
        case 112: // p
          if (!text.startsWith('price_dollars":"', k)) return undefined;
          key = K_PRICE;
          pos = k + 16;
          end = stringEnd(text, pos);
          if (end < 0) return undefined;
          price = text.slice(pos, end);
          pos = end + 1;
          break;
        case 100: // d
          if (!text.startsWith('delta_fp":"', k)) return undefined;
          key = K_DELTA;
          pos = k + 11;
          end = stringEnd(text, pos);
          if (end < 0) return undefined;
          delta = text.slice(pos, end);
          pos = end + 1;
          break;
        case 115: // s
          if (text.startsWith('side":"', k)) {
            key = K_SIDE;
            pos = k + 7;
            if (text.startsWith('yes"', pos)) {
              side = "yes";
              pos += 4;
            } else if (text.startsWith('no"', pos)) {
              side = "no";
              pos += 3;
            } else return undefined;
          } else if (text.startsWith('subaccount":', k)) {
            key = K_SUBACCOUNT;
            pos = k + 12;
            end = intEnd(text, pos);
            if (end < 0) return undefined;
            subaccount = intValue(text, pos, end);
            pos = end;
          } else return undefined;
          break;
        case 116: // t
          if (text.startsWith('ts":"', k)) {
            key = K_TS;
            pos = k + 5;
            end = stringEnd(text, pos);
            if (end < 0) return undefined;
            ts = text.slice(pos, end);
            pos = end + 1;
          } else if (text.startsWith('ts_ms":', k)) {
            key = K_TS_MS;
            pos = k + 7;
            end = intEnd(text, pos);
            if (end < 0) return undefined;
            tsMs = intValue(text, pos, end);
            pos = end;
          } else return undefined;
          break;
        case 99: // c
          if (!text.startsWith('client_order_id":"', k)) return undefined;
          key = K_CLIENT_ORDER_ID;
          pos = k + 18;
          end = stringEnd(text, pos);
          if (end < 0) return undefined;
          clientOrderId = text.slice(pos, end);
          pos = end + 1;
          break;
        default:
          return undefined;
      }
      const bit = 1 << key;
      if ((seen & bit) !== 0) return undefined; // a repeated key: JSON.parse keeps the last
      seen |= bit;
      order = order * 16 + key;
      const c = text.charCodeAt(pos);
      if (c === COMMA) {
        pos++;
        continue;
      }
      if (c !== CLOSE) return undefined;
      break;
    }
    // `}}` must end the frame: anything after it (even whitespace) goes the generic way.
    if (pos + 2 !== text.length || text.charCodeAt(pos + 1) !== CLOSE) return undefined;
    if ((seen & REQUIRED) !== REQUIRED) return undefined;
    let msg: OrderbookDeltaMsg;
    if (order === ORDER_FULL || order === ORDER_NO_TS) {
      remember(this.#templates, text, msgStart, ticker, marketId);
      if (this.#sidOfHead !== sid) {
        this.#sidHead = flat(text.slice(0, seqStart));
        this.#sidOfHead = sid;
      }
    }
    if (order === ORDER_FULL) {
      msg = {
        market_ticker: ticker,
        market_id: marketId,
        price_dollars: price,
        delta_fp: delta,
        side,
        ts,
        ts_ms: tsMs,
      };
    } else if (order === ORDER_NO_TS) {
      msg = {
        market_ticker: ticker,
        market_id: marketId,
        price_dollars: price,
        delta_fp: delta,
        side,
      };
    } else {
      // Any other layout: the same keys in frame order (JSON.parse's order).
      const out: { -readonly [K in keyof OrderbookDeltaMsg]?: OrderbookDeltaMsg[K] } = {};
      const keys: number[] = [];
      for (let o = order; o > 0; o = Math.floor(o / 16)) keys.push(o % 16);
      for (let i = keys.length - 1; i >= 0; i--) {
        switch (keys[i]) {
          case K_TICKER:
            out.market_ticker = ticker;
            break;
          case K_MARKET_ID:
            out.market_id = marketId;
            break;
          case K_PRICE:
            out.price_dollars = price;
            break;
          case K_DELTA:
            out.delta_fp = delta;
            break;
          case K_SIDE:
            out.side = side;
            break;
          case K_CLIENT_ORDER_ID:
            out.client_order_id = clientOrderId;
            break;
          case K_SUBACCOUNT:
            out.subaccount = subaccount;
            break;
          case K_TS:
            out.ts = ts;
            break;
          case K_TS_MS:
            out.ts_ms = tsMs;
            break;
        }
      }
      msg = out as OrderbookDeltaMsg;
    }
    return { type: "orderbook_delta", sid, seq, msg };
  }
}
