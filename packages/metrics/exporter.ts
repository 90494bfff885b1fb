/**
 * The Prometheus exporter: a prom-client registry whose metrics read a {@linkcode MetricsSource}
 * when scraped (one snapshot per scrape), never per frame. Names and labels follow Prometheus'
 * conventions (`_total` counters, `_seconds` units, base units); the only label with user data
 * is `channel`, bounded by Kalshi's channel list.
 *
 * @module
 */

import { Counter, Gauge, Registry } from "prom-client";
import { type ClientMetricsSnapshot, SUBSCRIPTION_HEALTH_STATES } from "@kalshi-ws/client";
import { registerBucketedHistogram } from "./bucketed_histogram.ts";
import type { MetricsSource, NatsCollectorStats } from "./source.ts";

/** The content type of the Prometheus text format (0.0.4). */
export const PROMETHEUS_CONTENT_TYPE: string = Registry.PROMETHEUS_CONTENT_TYPE;

const EMPTY_LAG = { bounds: [], counts: [0], sum: 0, count: 0 };

/** Serves a feed's metrics in the Prometheus text format. */
export class PrometheusExporter {
  /** The prom-client registry (register more metrics on it to export them alongside). */
  readonly registry: Registry = new Registry();
  readonly #source: MetricsSource;
  #snapshot: ClientMetricsSnapshot | undefined;
  #nats: NatsCollectorStats | undefined;

  /** Builds the registry over `source`. */
  constructor(source: MetricsSource) {
    this.#source = source;
    this.#registerFeed();
    if (source.nats !== undefined) this.#registerNats();
  }

  /** The text exposition of every metric, read from one snapshot of the source. */
  async metrics(): Promise<string> {
    this.#snapshot = this.#source.snapshot();
    this.#nats = this.#source.nats?.();
    try {
      return await this.registry.metrics();
    } finally {
      this.#snapshot = undefined;
      this.#nats = undefined;
    }
  }

  #registerFeed(): void {
    const registers = [this.registry];
    const read = () => this.#snapshot;
    this.#counter(
      "kalshi_ws_messages_total",
      "Data messages received, per channel.",
      (s) => Object.entries(s.messages).map(([channel, value]) => [{ channel }, value]),
      ["channel"],
    );
    this.#counter(
      "kalshi_ws_gaps_total",
      "Sequence gaps detected (each repaired from fresh snapshots).",
      (s) => [[{}, s.gaps]],
    );
    this.#counter(
      "kalshi_ws_resyncs_total",
      "Book repairs completed (every market of a sid valid again).",
      (s) => [[{}, s.resyncs]],
    );
    this.#counter(
      "kalshi_ws_reconnects_total",
      "Reconnection attempts scheduled.",
      (s) => [[{}, s.reconnects]],
    );
    this.#counter(
      "kalshi_ws_decode_errors_total",
      "Frames that could not be decoded (skipped).",
      (s) => [[{}, s.decodeErrors]],
    );
    this.#counter(
      "kalshi_ws_dropped_messages_total",
      "Data messages dropped by streams whose readers fell behind.",
      (s) => [[{}, s.dropped]],
    );
    new Gauge({
      name: "kalshi_ws_connected",
      help: "1 when the WebSocket link to Kalshi is open, else 0.",
      registers,
      collect() {
        this.set(read()?.connected ? 1 : 0);
      },
    });
    new Gauge({
      name: "kalshi_ws_subscriptions",
      help: "Subscriptions per state (live, pending: first reply awaited, restoring).",
      labelNames: ["state"],
      registers,
      collect() {
        const counts: Record<string, number> = {};
        for (const s of read()?.subscriptions ?? []) counts[s.state] = (counts[s.state] ?? 0) + 1;
        for (const state of SUBSCRIPTION_HEALTH_STATES) this.set({ state }, counts[state] ?? 0);
      },
    });
    new Gauge({
      name: "kalshi_ws_books",
      help: "Local order books per state (invalid: being repaired).",
      labelNames: ["state"],
      registers,
      collect() {
        const books = read()?.books ?? { valid: 0, invalid: 0 };
        this.set({ state: "valid" }, books.valid);
        this.set({ state: "invalid" }, books.invalid);
      },
    });
    new Gauge({
      name: "kalshi_ws_last_message_age_seconds",
      help: "Seconds since the last data message (since start, before the first).",
      registers,
      collect() {
        this.set(read()?.lastMessageAgeSeconds ?? 0);
      },
    });
    registerBucketedHistogram(this.registry, {
      name: "kalshi_ws_message_lag_seconds",
      help: "Receive time minus Kalshi's ts_ms, for messages that carry it.",
      read: () => read()?.lag ?? EMPTY_LAG,
    });
  }

  #registerNats(): void {
    const read = () => this.#nats;
    const stat = (pick: (n: NatsCollectorStats) => number) => (): number => {
      const nats = read();
      return nats === undefined ? 0 : pick(nats);
    };
    this.#natsCounter(
      "kalshi_ws_nats_published_total",
      "Kalshi messages JetStream acknowledged.",
      stat((n) => n.published),
    );
    this.#natsCounter(
      "kalshi_ws_nats_acked_total",
      "JetStream publishes acknowledged (a batch counts once).",
      stat((n) => n.batches),
    );
    this.#natsCounter(
      "kalshi_ws_nats_dropped_total",
      "Kalshi messages dropped because the publish buffer was full.",
      stat((n) => n.dropped),
    );
    this.#natsGauge(
      "kalshi_ws_nats_stalled",
      "1 while JetStream is failing to acknowledge, else 0.",
      stat((n) => n.stalled ? 1 : 0),
    );
    this.#natsGauge(
      "kalshi_ws_nats_buffered_messages",
      "Kalshi messages buffered, awaiting their JetStream ack.",
      stat((n) => n.queued),
    );
    this.#natsGauge(
      "kalshi_ws_nats_buffer_age_seconds",
      "Age of the oldest buffered message.",
      stat((n) => n.lagMs / 1000),
    );
    this.#natsGauge(
      "kalshi_ws_nats_leases",
      "Market leases this collector holds.",
      stat((n) => n.markets.length),
    );
  }

  /** A counter set from the snapshot's running total(s) at scrape time. */
  #counter(
    name: string,
    help: string,
    values: (s: ClientMetricsSnapshot) => [Record<string, string>, number][],
    labelNames: string[] = [],
  ): void {
    const read = () => this.#snapshot;
    new Counter({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        const snapshot = read();
        this.reset();
        if (snapshot === undefined) return;
        for (const [labels, value] of values(snapshot)) this.inc(labels, value);
      },
    });
  }

  #natsCounter(name: string, help: string, value: () => number): void {
    new Counter({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(value());
      },
    });
  }

  #natsGauge(name: string, help: string, value: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(value());
      },
    });
  }
}
