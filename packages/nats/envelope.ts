/**
 * What travels with each published message: header names, the body shapes the collector adds
 * next to Kalshi's own messages, and the pure encode/decode helpers both ends share.
 *
 * Bodies are JSON. Kalshi data messages are published exactly as the client decoded them
 * (`{"type":"orderbook_delta","sid":3,"seq":17,"msg":{...}}`). The collector adds two shapes:
 * collector snapshots `{"type":"orderbook_snapshot","msg":{...}}` (no sid/seq: they come from
 * the collector's own exact book) and notices `{"type":"book_invalid","msg":{...}}`.
 *
 * A message carries one Kalshi message, or a batch of consecutive ones of one subject: then its
 * `Kalshi-Batch` header holds their count and its body one JSON message per line (`\n` never
 * occurs inside compact JSON), and `Kalshi-Book-Seq` the range `first-last` of their book
 * counters. {@linkcode framesOf} reads both forms.
 *
 * @module
 */

import type { OrderbookSnapshotMsg } from "@kalshi-ws/core";

/**
 * Header names. `Nats-Msg-Id` is JetStream's de-duplication key; the others are ours:
 * - `Kalshi-Sid` / `Kalshi-Seq`: the Kalshi subscription and sequence number, when present;
 * - `Kalshi-Received-Ms`: when the collector received the frame (Unix ms);
 * - `Kalshi-Book-Valid`: whether the collector's book of the market was exact after it;
 * - `Kalshi-Collector` / `Kalshi-Epoch`: who published it, and which run of that collector;
 * - `Kalshi-Book-Seq`: per market and epoch, a counter over every book event (snapshot, delta,
 *   notice), including ones the collector had to drop, so a consumer can prove it saw them all.
 *   Collector snapshots carry the counter they reflect and do not advance it. A batch of book
 *   events carries the range `first-last` (consecutive: a batch never spans a hole);
 * - `Kalshi-Batch`: on a batch only, how many Kalshi messages its body holds (one per line).
 *   `Kalshi-Received-Ms` is then the first one's; the others came within the collector's batch
 *   latency after it, and each keeps its own `sid`/`seq` in its body.
 */
export const Header = {
  MsgId: "Nats-Msg-Id",
  Sid: "Kalshi-Sid",
  Seq: "Kalshi-Seq",
  ReceivedMs: "Kalshi-Received-Ms",
  BookValid: "Kalshi-Book-Valid",
  Collector: "Kalshi-Collector",
  Epoch: "Kalshi-Epoch",
  BookSeq: "Kalshi-Book-Seq",
  Batch: "Kalshi-Batch",
} as const;

/** Why a market's book stopped being exact at the collector. */
export type BookInvalidReason =
  | "gap" // frames were lost or a book failed an integrity check: Kalshi is re-sending it
  | "disconnected" // the collector's Kalshi connection dropped (it reconnects and re-subscribes)
  | "released"; // the collector no longer covers the market (another collector takes it over)

/** Body of a `<prefix>.book_status.<market>` notice. */
export interface BookInvalidMessage {
  /** Discriminant. */
  readonly type: "book_invalid";
  /** Which market and why. */
  readonly msg: { readonly market_ticker: string; readonly reason: BookInvalidReason };
}

/** Body of a collector snapshot (`<prefix>.snapshot.<market>`): Kalshi's snapshot shape. */
export interface CollectorSnapshotMessage {
  /** Discriminant (the same as Kalshi's, so one decoder serves both). */
  readonly type: "orderbook_snapshot";
  /** The book. */
  readonly msg: OrderbookSnapshotMsg;
}

/** The book-relevant facts a consumer reads from a message's headers. */
export interface BookHeaders {
  /** Which collector run published it (`Kalshi-Epoch`), or undefined when absent. */
  readonly epoch: string | undefined;
  /** `Kalshi-Book-Seq` (a batch's first), or undefined when absent or malformed. */
  readonly bookSeq: number | undefined;
  /** A batch's last `Kalshi-Book-Seq` (equal to `bookSeq` for a single message). */
  readonly lastBookSeq: number | undefined;
  /** `Kalshi-Book-Valid` (true unless the header says `false`). */
  readonly valid: boolean;
}

/** Minimal view of NATS headers (`MsgHdrs` satisfies it), so the parsing stays pure. */
export interface HeaderReader {
  /** The first value of header `name`, or "" when absent. */
  get(name: string): string;
}

const BOOK_SEQ = /^([0-9]{1,15})(?:-([0-9]{1,15}))?$/;

/** Reads {@linkcode BookHeaders} from a message's headers (tolerates their absence). */
export function readBookHeaders(headers: HeaderReader | undefined): BookHeaders {
  if (headers === undefined) {
    return { epoch: undefined, bookSeq: undefined, lastBookSeq: undefined, valid: true };
  }
  const epoch = headers.get(Header.Epoch);
  const range = BOOK_SEQ.exec(headers.get(Header.BookSeq));
  const bookSeq = range === null ? undefined : Number(range[1]);
  const lastBookSeq = range === null ? undefined : Number(range[2] ?? range[1]);
  const ordered = bookSeq !== undefined && lastBookSeq! >= bookSeq;
  return {
    epoch: epoch === "" ? undefined : epoch,
    bookSeq: ordered ? bookSeq : undefined,
    lastBookSeq: ordered ? lastBookSeq : undefined,
    valid: headers.get(Header.BookValid) !== "false",
  };
}

/**
 * The Kalshi messages (JSON texts) a stream message carries: its body, or a batch's lines
 * (`Kalshi-Batch`). Throws a RangeError when a batch does not hold the count it announces.
 */
export function framesOf(headers: HeaderReader | undefined, body: string): string[] {
  const count = headers?.get(Header.Batch) ?? "";
  if (count === "") return [body];
  const frames = body.split("\n");
  if (String(frames.length) !== count) {
    throw new RangeError(
      `Cannot read batch: ${Header.Batch} says ${count} messages, the body holds ${frames.length}`,
    );
  }
  return frames;
}

/**
 * The `Nats-Msg-Id` of a Kalshi data message. Trades use Kalshi's `trade_id` (the same trade
 * from two collectors is stored once); everything else is `<epoch>.<n>` with `n` the
 * collector's publish counter, so a retried publish is recognised and a restarted collector
 * (a new epoch) never collides with its previous run.
 */
export function messageId(epoch: string, counter: number, type: string, msg: unknown): string {
  if (type === "trade") {
    const id = (msg as { trade_id?: unknown } | undefined)?.trade_id;
    if (typeof id === "string" && id !== "") return `trade.${id}`;
  }
  return `${epoch}.${counter}`;
}

/**
 * The `Nats-Msg-Id` of a collector snapshot: one per market, epoch and book counter, so
 * re-publishing an unchanged book (a retry, or a periodic snapshot with nothing new) is
 * stored once.
 */
export function snapshotId(epoch: string, market: string, bookSeq: number): string {
  return `${epoch}.snapshot.${market}.${bookSeq}`;
}

/** The market ticker a Kalshi message is about (`market_ticker`, else `ticker`, else `event_ticker`). */
export function marketOfMessage(message: { readonly msg?: unknown }): string | undefined {
  const msg = message.msg as
    | { market_ticker?: unknown; ticker?: unknown; event_ticker?: unknown }
    | undefined;
  if (msg === undefined || msg === null) return undefined;
  const ticker = msg.market_ticker ?? msg.ticker ?? msg.event_ticker;
  return typeof ticker === "string" && ticker !== "" ? ticker : undefined;
}
