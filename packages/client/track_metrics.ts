/**
 * {@linkcode trackMetrics}: a client's {@linkcode ClientMetrics}, counted from its events. It
 * registers listeners, so the client builds a `data` event per frame for it (a few tens of
 * nanoseconds) — a cost a client already reading its events through listeners or streams pays
 * anyway.
 *
 * @module
 */

import type { KalshiWsClient } from "./client.ts";
import { ClientMetrics, type ClientMetricsSnapshot } from "./client_metrics.ts";

/** A client's metrics, read with {@linkcode TrackedMetrics.snapshot}. */
export interface TrackedMetrics {
  /** The counters so far and the client's state now, as plain data. */
  snapshot(): ClientMetricsSnapshot;
  /** Stops counting (removes the listeners). */
  stop(): void;
}

/** Counts `client`'s messages, gaps, resyncs, reconnect attempts, decode errors and lag. */
export function trackMetrics(client: KalshiWsClient): TrackedMetrics {
  const metrics = new ClientMetrics();
  const removers = [
    client.on("data", (event) => metrics.message(event.message, Date.now())),
    client.on("gap", () => metrics.gap()),
    client.on("resynced", () => metrics.resynced()),
    client.on("reconnecting", () => metrics.reconnecting()),
    client.on("decode_error", () => metrics.decodeError()),
    client.on("subscribed", (event) => metrics.live(event.subscription.key)),
    client.on("resubscribed", (event) => metrics.live(event.subscription.key)),
  ];
  return {
    snapshot: () => metrics.snapshot(client),
    stop: () => {
      for (const remove of removers) remove();
    },
  };
}
