/**
 * What the exporter, the health check and the live page read: a feed's metrics snapshot, its
 * local books and, for a NATS collector, the publishing side. Everything is read at request
 * time; nothing here is called per frame.
 *
 * @module
 */

import type { ClientMetricsSnapshot, OrderBook } from "@kalshi-ws/client";

/** Counters of a NATS collector (the shape of `@kalshi-ws/nats`' `CollectorStats`). */
export interface NatsCollectorStats {
  /** Markets held (one lease each). */
  readonly markets: readonly string[];
  /** Kalshi messages offered to the publisher. */
  readonly offered: number;
  /** Kalshi messages JetStream acknowledged. */
  readonly published: number;
  /** JetStream messages acknowledged (a batch counts once). */
  readonly batches: number;
  /** Kalshi messages dropped because the publish buffer was full. */
  readonly dropped: number;
  /** Kalshi messages buffered, awaiting their ack. */
  readonly queued: number;
  /** Age of the oldest buffered message (ms). */
  readonly lagMs: number;
  /** Whether JetStream is failing to acknowledge. */
  readonly stalled: boolean;
}

/** A feed, as the endpoints see it; every method is called when a request needs it. */
export interface MetricsSource {
  /** The feed's counters and states now; `undefined` while it has not started (no client yet). */
  snapshot(): ClientMetricsSnapshot | undefined;
  /** Its local order books, when it keeps them (the live page's ladders). */
  books?(): Iterable<OrderBook> | undefined;
  /** The NATS side, when the feed is a collector (`publish`). */
  nats?(): NatsCollectorStats | undefined;
}
