/**
 * `consume --metrics-port`: the consumer's side of the feed in the same shape as a client's
 * metrics — messages per subject channel, gaps, book validity, the age of the last message and
 * the NATS connection's state — so one dashboard and one `/healthz` serve both ends. A market
 * asked for whose book is not exact yet (no snapshot read so far) counts as invalid: a consumer
 * with nothing to show is not healthy.
 *
 * @module
 */

import {
  type BookStore,
  type ClientMetricsSnapshot,
  isChannel,
  type OrderBook,
} from "@kalshi-ws/client";
import type { MetricsSource } from "@kalshi-ws/metrics";

/** What the consumer's metrics read from it. */
export interface ConsumerView {
  /** Its exact books. */
  readonly books: BookStore;
  /** Gaps seen in the feed. */
  readonly gaps: number;
}

/** The NATS connection's state, as a client's connection state reads. */
export type NatsLinkState = "open" | "reconnecting" | "closed";

/** The subject tokens counted under their own name; anything else is `other`. */
const NON_CHANNEL_TOKENS = new Set(["snapshot", "book_status"]);

const NO_LAG = { bounds: [], counts: [0], sum: 0, count: 0 };

/** Counts a consumer's messages and reads its state for the metrics server. */
export class ConsumeMetrics implements MetricsSource {
  readonly #byChannel = new Map<string, number>();
  readonly #markets: readonly string[];
  readonly #link: () => NatsLinkState;
  #consumer: ConsumerView | undefined;
  #lastMessage = Date.now();

  /** `markets`: those consumed (`--market`); `link` tells the NATS connection's state. */
  constructor(markets: readonly string[], link: () => NatsLinkState) {
    this.#markets = [...new Set(markets)];
    this.#link = link;
  }

  /** The consumer, once started. */
  watch(consumer: ConsumerView): void {
    this.#consumer = consumer;
  }

  /** A message arrived on `subject` (`<prefix>.<channel>.<market>`). */
  message(subject: string): void {
    const first = subject.indexOf(".");
    const token = subject.slice(first + 1, subject.indexOf(".", first + 1));
    const label = isChannel(token) || NON_CHANNEL_TOKENS.has(token) ? token : "other";
    this.#byChannel.set(label, (this.#byChannel.get(label) ?? 0) + 1);
    this.#lastMessage = Date.now();
  }

  /** @inheritdoc */
  snapshot(): ClientMetricsSnapshot | undefined {
    const consumer = this.#consumer;
    if (consumer === undefined) return undefined;
    const at = Date.now();
    const state = this.#link();
    let valid = 0;
    const invalidBooks: string[] = [];
    for (const market of this.#markets) {
      if (consumer.books.get(market)?.valid) valid++;
      else invalidBooks.push(market);
    }
    return {
      at,
      state,
      connected: state === "open",
      messages: Object.fromEntries(this.#byChannel),
      gaps: consumer.gaps,
      resyncs: 0,
      reconnects: 0,
      decodeErrors: 0,
      dropped: 0,
      lastMessageAgeSeconds: Math.max(0, at - this.#lastMessage) / 1000,
      lag: NO_LAG,
      subscriptions: [],
      books: { valid, invalid: invalidBooks.length },
      invalidBooks,
    };
  }

  /** @inheritdoc */
  books(): Iterable<OrderBook> | undefined {
    return this.#consumer?.books.books();
  }
}
