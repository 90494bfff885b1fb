/**
 * Rebuilds exact order books from the feed's messages, in stream order, and proves it saw
 * every book event: each book message carries its collector run (`Kalshi-Epoch`) and a per
 * market counter (`Kalshi-Book-Seq`). A delta is applied only when it is the next one of the
 * run the book came from; anything else (a hole, another collector taking over without a
 * snapshot yet, a `book_invalid` notice) makes the book invalid and is reported, until the
 * next snapshot — from Kalshi (on subscribe or repair) or from the collector (periodic, after
 * an outage) — makes it exact again. Batches (several book events in one stream message) are
 * applied message by message, each with its counter from the batch's range. Pure: feed it
 * (subject, headers, body).
 *
 * @module
 */

import {
  BookStore,
  DeltaScanner,
  type OrderbookDeltaMsg,
  type OrderbookSnapshotMsg,
} from "@kalshi-ws/core";
import {
  type BookHeaders,
  type BookInvalidReason,
  framesOf,
  type HeaderReader,
  readBookHeaders,
} from "./envelope.ts";
import { BOOK_STATUS_TOKEN, decodeToken, SNAPSHOT_TOKEN } from "./subjects.ts";

/** Why a followed book stopped being exact. */
export type FeedGapReason =
  | "book_seq" // a book event is missing (dropped by the collector, or not yet stored)
  | "collector_changed" // a delta from another collector run arrived before its snapshot
  | "integrity" // a delta did not apply (the book would go negative or cross)
  | BookInvalidReason; // the collector said so: gap, disconnected, released

/** A reported loss of exactness. */
export interface FeedGap {
  /** The market. */
  readonly market: string;
  /** Why. */
  readonly reason: FeedGapReason;
  /** The `Kalshi-Book-Seq` expected (for `book_seq`). */
  readonly expected?: number;
  /** The `Kalshi-Book-Seq` received. */
  readonly received?: number;
  /** The stream sequence of the message that revealed it, when known. */
  readonly streamSeq?: number;
}

/** Options of {@linkcode FeedBooks}. */
export interface FeedBooksOptions {
  /** Hears each loss of exactness (the book stays invalid until a snapshot). */
  readonly onGap?: (gap: FeedGap) => void;
  /** Hears each market whose book became exact (a snapshot applied). */
  readonly onValid?: (market: string) => void;
}

interface Follow {
  epoch: string | undefined;
  /** Runs this book moved on from (by a later run's snapshot): their late messages are ignored. */
  retired: string[];
  bookSeq: number | undefined;
  valid: boolean;
}

/** The books rebuilt from the feed (see the module doc). */
export class FeedBooks {
  /** The rebuilt books (valid only between a snapshot and the next gap). */
  readonly books: BookStore = new BookStore();
  readonly #follow = new Map<string, Follow>();
  /** The validated `orderbook_delta` fast path, with this reader's own memory of markets. */
  readonly #scanner = new DeltaScanner();
  readonly #onGap: ((gap: FeedGap) => void) | undefined;
  readonly #onValid: ((market: string) => void) | undefined;
  #gaps = 0;
  #applied = 0;

  /** Creates empty books. */
  constructor(options: FeedBooksOptions = {}) {
    this.#onGap = options.onGap;
    this.#onValid = options.onValid;
  }

  /** Losses of exactness reported so far. */
  get gaps(): number {
    return this.#gaps;
  }

  /** Book messages applied (snapshots and deltas). */
  get applied(): number {
    return this.#applied;
  }

  /** Whether `market`'s book is exact now. */
  valid(market: string): boolean {
    return this.#follow.get(market)?.valid === true && this.books.get(market)?.valid === true;
  }

  /**
   * Applies one stream message (one Kalshi message or a batch). Subjects are
   * `<prefix>.<kind>.<market>`; kinds other than `orderbook_delta`, `snapshot` and
   * `book_status` are ignored. Returns whether it changed a book. Malformed bodies invalidate
   * the market's book (reported as `integrity`).
   */
  apply(
    subject: string,
    headers: HeaderReader | undefined,
    body: string,
    streamSeq?: number,
  ): boolean {
    if (!isBookSubject(subject)) return false;
    let frames: string[];
    try {
      frames = framesOf(headers, body);
    } catch {
      const market = marketOf(subject);
      return this.#lose(market, { market, reason: "integrity", streamSeq });
    }
    return this.applyFrames(subject, headers, frames, streamSeq);
  }

  /**
   * Applies the Kalshi messages of one stream message, already split ({@linkcode framesOf}),
   * so a reader that also needs them decodes the body once.
   */
  applyFrames(
    subject: string,
    headers: HeaderReader | undefined,
    frames: readonly string[],
    streamSeq?: number,
  ): boolean {
    if (!isBookSubject(subject) || frames.length === 0) return false;
    const market = marketOf(subject);
    const kind = kindOf(subject);
    const h = readBookHeaders(headers);
    if (frames.length === 1) return this.#applyOne(market, kind, h, frames[0]!, streamSeq);
    // A batch of book events holds exactly its counter range.
    if (
      h.bookSeq === undefined || h.lastBookSeq === undefined ||
      h.lastBookSeq - h.bookSeq + 1 !== frames.length
    ) return this.#lose(market, { market, reason: "integrity", streamSeq });
    let changed = false;
    for (let i = 0; i < frames.length; i++) {
      const one = { ...h, bookSeq: h.bookSeq + i, lastBookSeq: h.bookSeq + i };
      if (this.#applyOne(market, kind, one, frames[i]!, streamSeq)) changed = true;
    }
    return changed;
  }

  #applyOne(
    market: string,
    kind: string,
    h: BookHeaders,
    body: string,
    streamSeq: number | undefined,
  ): boolean {
    let message: { type?: unknown; msg?: unknown };
    try {
      message = (kind === "orderbook_delta" ? this.#scanner.scan(body) : undefined) ??
        JSON.parse(body);
    } catch {
      return this.#lose(market, { market, reason: "integrity", streamSeq });
    }
    let follow = this.#follow.get(market);
    if (follow === undefined) {
      follow = { epoch: undefined, retired: [], bookSeq: undefined, valid: false };
      this.#follow.set(market, follow);
    }
    switch (message.type) {
      case "orderbook_snapshot": {
        // An older point of the same run than we already passed (out of order): skip it.
        if (
          follow.valid && h.epoch !== undefined && h.epoch === follow.epoch &&
          h.bookSeq !== undefined && follow.bookSeq !== undefined && h.bookSeq < follow.bookSeq
        ) return false;
        // Book events this run counted but we never saw (dropped while JetStream was away):
        // the snapshot heals them, but the book was not exact in between — say so.
        const next = kind === SNAPSHOT_TOKEN ? follow.bookSeq : (follow.bookSeq ?? 0) + 1;
        if (
          follow.valid && h.epoch === follow.epoch && h.bookSeq !== undefined &&
          next !== undefined && h.bookSeq > next
        ) {
          this.#report({
            market,
            reason: "book_seq",
            expected: next,
            received: h.bookSeq,
            streamSeq,
          });
        }
        const ok = this.books.applySnapshot(message.msg as OrderbookSnapshotMsg, false) && h.valid;
        if (follow.epoch !== h.epoch) {
          if (follow.epoch !== undefined) follow.retired.push(follow.epoch);
          if (follow.retired.length > 8) follow.retired.shift();
          follow.retired = follow.retired.filter((e) => e !== h.epoch);
        }
        follow.epoch = h.epoch;
        follow.bookSeq = h.bookSeq;
        const wasValid = follow.valid;
        follow.valid = ok;
        this.#applied++;
        if (!ok) this.#report({ market, reason: "integrity", streamSeq });
        else if (!wasValid) this.#onValid?.(market);
        return true;
      }
      case "orderbook_delta": {
        if (!follow.valid) {
          if (h.epoch === follow.epoch && h.bookSeq !== undefined) follow.bookSeq = h.bookSeq;
          return false; // waiting for a snapshot
        }
        if (h.epoch !== follow.epoch) {
          // A collector that was taken over, stored late: its book is not this one.
          if (h.epoch !== undefined && follow.retired.includes(h.epoch)) return false;
          return this.#lose(market, { market, reason: "collector_changed", streamSeq });
        }
        if (h.bookSeq !== undefined && follow.bookSeq !== undefined) {
          if (h.bookSeq <= follow.bookSeq) return false; // already applied (a re-delivery)
          if (h.bookSeq !== follow.bookSeq + 1) {
            return this.#lose(market, {
              market,
              reason: "book_seq",
              expected: follow.bookSeq + 1,
              received: h.bookSeq,
              streamSeq,
            });
          }
        }
        follow.bookSeq = h.bookSeq;
        this.#applied++;
        if (!this.books.applyDelta(message.msg as OrderbookDeltaMsg)) {
          return this.#lose(market, { market, reason: "integrity", streamSeq });
        }
        return true;
      }
      case "book_invalid": {
        // Only the run the book follows can invalidate it (an old collector's farewell that
        // arrives after the new one's snapshot changes nothing).
        if (h.epoch !== follow.epoch) return false;
        if (
          h.bookSeq !== undefined && follow.bookSeq !== undefined && h.bookSeq <= follow.bookSeq
        ) {
          return false;
        }
        follow.bookSeq = h.bookSeq;
        const reason = (message.msg as { reason?: BookInvalidReason } | undefined)?.reason ?? "gap";
        if (!follow.valid) return false;
        return this.#lose(market, { market, reason, streamSeq });
      }
      default:
        return false;
    }
  }

  #lose(market: string, gap: FeedGap): boolean {
    const follow = this.#follow.get(market);
    const wasValid = follow?.valid ?? false;
    if (follow !== undefined) follow.valid = false;
    this.books.invalidate(market);
    if (wasValid || follow === undefined) this.#report(gap);
    return wasValid;
  }

  #report(gap: FeedGap): void {
    this.#gaps++;
    this.#onGap?.(gap);
  }
}

/** Whether `subject` (`<prefix>.<kind>.<market>`) carries book events. */
function isBookSubject(subject: string): boolean {
  const kind = kindOf(subject);
  return kind === "orderbook_delta" || kind === SNAPSHOT_TOKEN || kind === BOOK_STATUS_TOKEN;
}

function kindOf(subject: string): string {
  const last = subject.lastIndexOf(".");
  return subject.slice(subject.lastIndexOf(".", last - 1) + 1, last);
}

function marketOf(subject: string): string {
  return decodeToken(subject.slice(subject.lastIndexOf(".") + 1));
}
