/**
 * `@kalshi-ws/metrics`: run a feed 24/7 — Prometheus metrics, a health check and a live page
 * over a client's {@linkcode ClientMetricsSnapshot}, as one web-standard request handler any
 * HTTP server can mount.
 *
 * @example
 * ```ts ignore
 * import { createServer } from "node:http";
 * import { connect } from "@kalshi-ws/node";
 * import { createMetricsHandler, nodeListener } from "@kalshi-ws/metrics";
 *
 * const client = await connect({ endpoint: "demo", keyId, privateKeyPem, books: true });
 * const handler = createMetricsHandler({
 *   snapshot: () => client.metrics(),
 *   books: () => client.books.books(),
 * });
 * // /metrics, /healthz, the live page at /. On Deno: serve `handler` with its HTTP server.
 * createServer(nodeListener(handler)).listen(9464, "127.0.0.1");
 * ```
 *
 * @module
 */

export type { ClientMetricsSnapshot } from "@kalshi-ws/client";
export { type MetricsSource, type NatsCollectorStats } from "./source.ts";
export { PROMETHEUS_CONTENT_TYPE, PrometheusExporter } from "./exporter.ts";
export { registerBucketedHistogram } from "./bucketed_histogram.ts";
export { type Health, healthOf } from "./health.ts";
export {
  LAG_POINTS,
  LagSeries,
  LIVE_DEPTH,
  type LiveBook,
  type LiveLevel,
  type LiveState,
  liveState,
} from "./live_state.ts";
export { LIVE_PAGE } from "./live_page.ts";
export {
  createMetricsHandler,
  type MetricsHandler,
  type MetricsHandlerOptions,
} from "./handler.ts";
export {
  nodeListener,
  type NodeRequestLike,
  type NodeResponseLike,
  type WebHandler,
} from "./node_listener.ts";
