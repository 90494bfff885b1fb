/**
 * Test helper: a {@linkcode MetricsSource} over a snapshot the test sets, with real books.
 *
 * @module
 */

import { BookStore, type ClientMetricsSnapshot } from "@kalshi-ws/client";
import type { MetricsSource, NatsCollectorStats } from "./source.ts";

/** A healthy snapshot with every field set, `changes` applied. */
export function snapshotWith(changes: Partial<ClientMetricsSnapshot> = {}): ClientMetricsSnapshot {
  return {
    at: 1_000_000,
    state: "open",
    connected: true,
    messages: { orderbook_delta: 120, ticker: 7 },
    gaps: 2,
    resyncs: 2,
    reconnects: 1,
    decodeErrors: 0,
    dropped: 0,
    lastMessageAgeSeconds: 0.25,
    lag: { bounds: [0.005, 0.01, 1], counts: [3, 1, 0, 2], sum: 40.02, count: 6 },
    subscriptions: [{ key: 1, channels: ["orderbook_delta"], state: "live" }],
    books: { valid: 1, invalid: 0 },
    invalidBooks: [],
    ...changes,
  };
}

/** A book store with one valid market (bids at 0.40 and 0.39, one NO bid at 0.55). */
export function oneBook(): BookStore {
  const books = new BookStore();
  books.applySnapshot({
    market_ticker: "KXA-1",
    market_id: "a",
    yes_dollars_fp: [["0.3900", "5.00"], ["0.4000", "10.00"]],
    no_dollars_fp: [["0.5500", "3.00"]],
  } as never, false);
  return books;
}

/** A source whose snapshot, books and NATS stats the test changes through the returned object. */
export function fakeSource(
  init: { snapshot?: ClientMetricsSnapshot; books?: BookStore; nats?: NatsCollectorStats } = {},
): MetricsSource & {
  current: ClientMetricsSnapshot | undefined;
  natsStats: NatsCollectorStats | undefined;
} {
  const source = {
    current: init.snapshot,
    natsStats: init.nats,
    snapshot: () => source.current,
    books: () => init.books?.books(),
  };
  if (init.nats === undefined) return source as never;
  return Object.assign(source, { nats: () => source.natsStats });
}
