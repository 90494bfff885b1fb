/**
 * Packs consecutive Kalshi messages of one subject into one JetStream message, so JetStream
 * stores, acknowledges and delivers one message per batch instead of one per frame. A batch is
 * closed and handed on when it holds `maxFrames` messages or `maxBytes` of text, when its first
 * message has waited `latencyMs`, when a message cannot join it (another sid, or a book counter
 * that does not follow on), and before any message published alone about the same market
 * (snapshots, notices), so a market's book events stay in order across subjects.
 *
 * A batch of one is published exactly as before batching (same headers and body), so with
 * `latencyMs` 0 the stream holds one Kalshi message per JetStream message. A batch keeps the id
 * it got when it was closed: a retry re-sends the same id and body, and JetStream stores it once.
 *
 * Transport-neutral: it hands messages to `offer` and takes its timer and clock as options.
 *
 * @module
 */

import { Header } from "./envelope.ts";
import type { OutboundMessage } from "./publisher.ts";

/** One message on its way to the stream. */
export interface FeedFrame {
  /** Its subject (batches are per subject). */
  readonly subject: string;
  /** The market it concerns. */
  readonly market: string;
  /** The message as JSON (compact: no line breaks). */
  readonly text: string;
  /** When the collector received it (Unix ms). */
  readonly receivedMs: number;
  /** Kalshi subscription id, when it has one. */
  readonly sid?: number;
  /** Kalshi sequence number, when it has one. */
  readonly seq?: number;
  /** `Kalshi-Book-Seq` of a book event. */
  readonly bookSeq?: number;
  /** Whether the collector's book was exact after it (book messages). */
  readonly bookValid?: boolean;
  /** `Nats-Msg-Id` to use when published alone (default: the next `<epoch>.<n>`). */
  readonly msgId?: string;
}

/** What a batch that was handed on carried (for the caller's counters). */
export interface BatchInfo {
  /** The market. */
  readonly market: string;
  /** Kalshi messages in it. */
  readonly frames: number;
  /** Whether they were book events (they carry `Kalshi-Book-Seq`). */
  readonly book: boolean;
}

/** Options of a {@linkcode Batcher}. */
export interface BatcherOptions {
  /** `Kalshi-Collector`. */
  readonly collector: string;
  /** `Kalshi-Epoch`. */
  readonly epoch: string;
  /** The next `Nats-Msg-Id` of this run (`<epoch>.<n>`, shared with the collector's other ids). */
  readonly nextId: () => string;
  /** Takes a closed batch; false when there is no room (the batch is then dropped). */
  readonly offer: (message: OutboundMessage, info: BatchInfo) => boolean;
  /** Longest wait (ms) of a batch's first message (default 5; 0: no batching). */
  readonly latencyMs?: number;
  /** Most Kalshi messages per batch (default 200). */
  readonly maxFrames?: number;
  /** Most body characters per batch (default 65 536; JetStream's default limit is 1 MiB). */
  readonly maxBytes?: number;
  /** Clock (ms) for the latency budget (default `performance.now`). */
  readonly now?: () => number;
  /** Timer (tests pass a manual one; default `setTimeout`). */
  readonly setTimer?: (fn: () => void, ms: number) => () => void;
}

interface OpenBatch {
  readonly subject: string;
  readonly market: string;
  readonly openedAt: number;
  readonly texts: string[];
  readonly first: FeedFrame;
  last: FeedFrame;
  chars: number;
}

/** Default longest wait of a batch (ms). */
export const DEFAULT_BATCH_LATENCY_MS = 5;
/** Default most Kalshi messages per batch. */
export const DEFAULT_BATCH_FRAMES = 200;
/** Default most body characters per batch. */
export const DEFAULT_BATCH_BYTES = 65_536;

/** Open batches per subject (see the module doc). */
export class Batcher {
  readonly #options: BatcherOptions;
  readonly #latencyMs: number;
  readonly #maxFrames: number;
  readonly #maxBytes: number;
  readonly #now: () => number;
  readonly #setTimer: (fn: () => void, ms: number) => () => void;
  /** Open batches in the order they opened (so the oldest deadline comes first). */
  readonly #open = new Map<string, OpenBatch>();
  #pending = 0;
  #cancelTimer: (() => void) | undefined;
  #closed = false;

  /** Creates a batcher with nothing open. */
  constructor(options: BatcherOptions) {
    this.#options = options;
    this.#latencyMs = options.latencyMs ?? DEFAULT_BATCH_LATENCY_MS;
    this.#maxFrames = options.maxFrames ?? DEFAULT_BATCH_FRAMES;
    this.#maxBytes = options.maxBytes ?? DEFAULT_BATCH_BYTES;
    this.#now = options.now ?? (() => performance.now());
    this.#setTimer = options.setTimer ?? ((fn, ms) => {
      const timer = setTimeout(fn, ms);
      return () => clearTimeout(timer);
    });
    const valid = (n: number, min: number) => Number.isFinite(n) && n >= min;
    if (
      !valid(this.#latencyMs, 0) || !valid(this.#maxFrames, 1) ||
      !Number.isInteger(this.#maxFrames) ||
      !valid(this.#maxBytes, 1)
    ) {
      throw new RangeError(
        `Cannot batch with latency ${this.#latencyMs} ms, ${this.#maxFrames} messages and ` +
          `${this.#maxBytes} bytes: give a latency >= 0 and positive sizes`,
      );
    }
  }

  /** Kalshi messages waiting in open batches. */
  get pending(): number {
    return this.#pending;
  }

  /**
   * Adds `frame` to its subject's batch (opening one). Returns false only when a message that
   * was handed on at once (no batching) found no room.
   */
  add(frame: FeedFrame): boolean {
    if (this.#closed) return false;
    let batch = this.#open.get(frame.subject);
    if (batch !== undefined && !this.#joins(batch, frame)) {
      this.#close(batch);
      batch = undefined;
    }
    if (batch === undefined) {
      if (this.#latencyMs === 0 || this.#maxFrames === 1) return this.#offerAlone(frame);
      batch = {
        subject: frame.subject,
        market: frame.market,
        openedAt: this.#now(),
        texts: [frame.text],
        first: frame,
        last: frame,
        chars: frame.text.length,
      };
      this.#open.set(frame.subject, batch);
      this.#pending++;
      this.#armTimer();
      return true;
    }
    batch.texts.push(frame.text);
    batch.last = frame;
    batch.chars += frame.text.length + 1;
    this.#pending++;
    if (batch.texts.length >= this.#maxFrames || batch.chars >= this.#maxBytes) this.#close(batch);
    return true;
  }

  /**
   * Publishes `frame` as a message of its own, after every open batch about its market (so it
   * follows them in the stream). Returns false when there was no room.
   */
  addAlone(frame: FeedFrame): boolean {
    if (this.#closed) return false;
    this.flushMarket(frame.market);
    return this.#offerAlone(frame);
  }

  /** Hands on every open batch about `market`. */
  flushMarket(market: string): void {
    for (const batch of this.#open.values()) if (batch.market === market) this.#close(batch);
  }

  /** Hands on every open batch. */
  flush(): void {
    for (const batch of this.#open.values()) this.#close(batch);
  }

  /** Stops: open batches are dropped (call `flush` first to keep them). */
  close(): void {
    this.#closed = true;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#open.clear();
    this.#pending = 0;
  }

  #joins(batch: OpenBatch, frame: FeedFrame): boolean {
    const last = batch.last;
    if (batch.chars + 1 + frame.text.length > this.#maxBytes) return false;
    if (frame.sid !== last.sid) return false;
    if (last.bookSeq === undefined) return frame.bookSeq === undefined;
    return frame.bookSeq === last.bookSeq + 1;
  }

  #close(batch: OpenBatch): void {
    this.#open.delete(batch.subject);
    const frames = batch.texts.length;
    this.#pending -= frames;
    if (frames === 1) {
      this.#offerAlone(batch.first);
      return;
    }
    const { first, last } = batch;
    const headers: Record<string, string> = {
      [Header.ReceivedMs]: String(first.receivedMs),
      [Header.Collector]: this.#options.collector,
      [Header.Epoch]: this.#options.epoch,
      [Header.Batch]: String(frames),
    };
    if (first.sid !== undefined) headers[Header.Sid] = String(first.sid);
    const book = first.bookSeq !== undefined;
    if (book) {
      headers[Header.BookSeq] = `${first.bookSeq}-${last.bookSeq}`;
      headers[Header.BookValid] = String(last.bookValid ?? true);
    }
    this.#options.offer({
      subject: batch.subject,
      data: batch.texts.join("\n"),
      msgId: this.#options.nextId(),
      headers,
      market: batch.market,
      frames,
    }, { market: batch.market, frames, book });
  }

  /** The message format of one Kalshi message (exactly the format from before batching). */
  #offerAlone(frame: FeedFrame): boolean {
    const headers: Record<string, string> = {
      [Header.ReceivedMs]: String(frame.receivedMs),
      [Header.Collector]: this.#options.collector,
      [Header.Epoch]: this.#options.epoch,
    };
    if (frame.sid !== undefined) headers[Header.Sid] = String(frame.sid);
    if (frame.seq !== undefined) headers[Header.Seq] = String(frame.seq);
    const book = frame.bookSeq !== undefined;
    if (book) {
      headers[Header.BookSeq] = String(frame.bookSeq);
      headers[Header.BookValid] = String(frame.bookValid ?? true);
    }
    return this.#options.offer({
      subject: frame.subject,
      data: frame.text,
      msgId: frame.msgId ?? this.#options.nextId(),
      headers,
      market: frame.market,
    }, { market: frame.market, frames: 1, book });
  }

  /** One timer for the oldest open batch; when it fires, every batch past its budget goes. */
  #armTimer(): void {
    if (this.#cancelTimer !== undefined || this.#open.size === 0) return;
    const oldest = this.#open.values().next().value!;
    const wait = Math.max(0, oldest.openedAt + this.#latencyMs - this.#now());
    this.#cancelTimer = this.#setTimer(() => {
      this.#cancelTimer = undefined;
      if (this.#closed) return;
      // Timers may fire a fraction of a millisecond early: allow for it.
      const due = this.#now() - this.#latencyMs + 0.5;
      for (const batch of this.#open.values()) {
        if (batch.openedAt > due) break;
        this.#close(batch);
      }
      this.#armTimer();
    }, wait);
  }
}
