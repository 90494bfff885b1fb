/**
 * What a collector is given: the options of `startCollector` and of its `close()`, and the
 * counters `stats()` returns.
 *
 * @module
 */

import type { Channel, ClientOptions } from "@kalshi-ws/client";
import type { NatsConnection } from "@nats-io/transport-node";
import type { CollectorEvent } from "./collector_events.ts";

/** Options of {@linkcode Collector.close}. */
export interface CollectorCloseOptions {
  /**
   * Hand the markets over at once (default true): publish what is buffered, then delete the
   * leases. False leaves the leases to expire and drops what is buffered, as a crash does.
   */
  readonly release?: boolean;
  /** The close's deadline (ms; default the collector's `closeTimeoutMs`). */
  readonly timeoutMs?: number;
}

/** Options of {@linkcode startCollector}. */
export interface CollectorOptions {
  /**
   * An open NATS connection (the collector does not close it). Connect with
   * `maxReconnectAttempts: -1` so an outage longer than the client's default (~20 s) is ridden
   * out rather than ending the connection.
   */
  readonly nats: NatsConnection;
  /** How to reach Kalshi: the client's options (`books` is the collector's own). */
  readonly kalshi: Omit<ClientOptions, "books">;
  /** The market set all collectors share (each covers the markets it holds leases on). */
  readonly markets: readonly string[];
  /** This collector's id, unique among the collectors (default: a random one). */
  readonly id?: string;
  /**
   * Channels (default `orderbook_delta`, `ticker`, `trade`). Those that accept market updates
   * are subscribed for the markets held; the others (`trade`) once for all markets, and only
   * the held markets' messages are published.
   */
  readonly channels?: readonly Channel[];
  /** Also publish `market_lifecycle_v2` for the markets held (default true). */
  readonly lifecycle?: boolean;
  /** Subject prefix (default `kalshi`). */
  readonly prefix?: string;
  /** Stream name (default `KALSHI`; created if missing). */
  readonly stream?: string;
  /**
   * Copies of the stream and the lease bucket when this collector creates them (default 3 on a
   * cluster of three or more servers, else 1).
   */
  readonly replicas?: number;
  /** Lease bucket (default `<stream>_collectors`; created if missing with `leaseTtlMs`). */
  readonly bucket?: string;
  /** Lease TTL (ms, default 10 000): a dead collector's markets are taken over within it. */
  readonly leaseTtlMs?: number;
  /** Interval (ms) of periodic book snapshots (default 30 000). */
  readonly snapshotIntervalMs?: number;
  /**
   * Longest wait (ms) of a Kalshi message for more of its subject to share one JetStream
   * message (default 5). 0 publishes each alone: lowest latency, several times fewer messages
   * per second (see the README's NATS section).
   */
  readonly batchLatencyMs?: number;
  /** Most Kalshi messages per JetStream message (default 200). */
  readonly maxBatchFrames?: number;
  /** Most body bytes per JetStream message (default 65 536). */
  readonly maxBatchBytes?: number;
  /** Most Kalshi messages buffered while JetStream is slow or down (default 10 000). */
  readonly bufferSize?: number;
  /** Most publishes (JetStream messages) awaiting their ack at once (default 256). */
  readonly maxInFlight?: number;
  /** How long a publish may wait for its ack (ms, default 5 000). */
  readonly publishTimeoutMs?: number;
  /**
   * Deadline (ms) of `close()` as a whole (default 1 500, inside a 2 s stop budget): the final
   * flush, the hand-over of the leases and the Kalshi close run together under it, and what it
   * cuts short is reported (see {@linkcode CollectorCloseReport}), not waited for.
   */
  readonly closeTimeoutMs?: number;
  /** Hears what the collector does (also published to `<prefix>.events.<id>`). */
  readonly onEvent?: (event: CollectorEvent) => void;
}

/** Counters of a running collector (in Kalshi messages, unless said otherwise). */
export interface CollectorStats {
  /** Markets held. */
  readonly markets: readonly string[];
  /** Messages offered to the publisher. */
  readonly offered: number;
  /** Messages JetStream acknowledged. */
  readonly published: number;
  /** JetStream messages acknowledged (a batch counts once). */
  readonly batches: number;
  /** Messages dropped because the buffer was full. */
  readonly dropped: number;
  /** Messages buffered now, awaiting their ack (at most `bufferSize`). */
  readonly queued: number;
  /** Messages waiting in open batches (at most the batch latency's worth). */
  readonly batching: number;
  /** Age of the oldest buffered message (ms). */
  readonly lagMs: number;
  /** Whether JetStream is failing to acknowledge. */
  readonly stalled: boolean;
  /** Messages left unacknowledged when the collector closed (0 until then; see `close()`). */
  readonly unpublished: number;
}
