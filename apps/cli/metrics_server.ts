/**
 * `--metrics-port`: the command's metrics server (`/metrics`, `/healthz`, the live page at `/`),
 * started before anything connects — a port that cannot be bound fails the run at once — and
 * fed by the command once its feed exists ({@linkcode FeedMetrics}). Served through the
 * runtime seam (`Deno.serve` on Deno, `node:http` on Node) with `@kalshi-ws/metrics`' handler.
 *
 * @module
 */

import { type ClientMetricsSnapshot, type KalshiWsClient, type OrderBook } from "@kalshi-ws/client";
import {
  createMetricsHandler,
  type MetricsSource,
  type NatsCollectorStats,
} from "@kalshi-ws/metrics";
import type { CliArgs } from "./args.ts";
import type { Output } from "./output.ts";
import type { CliRuntime } from "./runtime.ts";

/** How long closing the server may take within a run's 2 s stop budget. */
const CLOSE_BUDGET_MS = 500;

/** What a command's metrics server reads; the command plugs its feed in once it has one. */
export class FeedMetrics implements MetricsSource {
  #source: MetricsSource | undefined;
  /** The NATS side, only on a collector's server (other commands export no NATS metrics). */
  readonly nats: (() => NatsCollectorStats | undefined) | undefined;

  /** `collector`: the command is `publish`, whose NATS side is exported too. */
  constructor(collector: boolean) {
    this.nats = collector ? () => this.#source?.nats?.() : undefined;
  }

  /** Reads a Kalshi client: its counters, states and books (`stream`, `book`, `record`, `demo`). */
  watchClient(client: KalshiWsClient): void {
    this.#source = {
      snapshot: () => client.metrics(),
      books: () => client.books?.books(),
    };
  }

  /** Reads a NATS collector (`publish`): its client and its publishing side. */
  watchCollector(
    collector: { readonly client: KalshiWsClient | undefined; stats(): NatsCollectorStats },
  ): void {
    const client = collector.client;
    if (client !== undefined) this.watchClient(client);
    const feed = this.#source;
    this.#source = {
      snapshot: () => feed?.snapshot(),
      books: () => feed?.books?.(),
      nats: () => collector.stats(),
    };
  }

  /** Reads any other source (`consume`). */
  watch(source: MetricsSource): void {
    this.#source = source;
  }

  /** @inheritdoc */
  snapshot(): ClientMetricsSnapshot | undefined {
    return this.#source?.snapshot();
  }

  /** @inheritdoc */
  books(): Iterable<OrderBook> | undefined {
    return this.#source?.books?.();
  }
}

/** A running metrics server. */
export interface MetricsServer {
  /** What it serves; the command plugs its feed in. */
  readonly feed: FeedMetrics;
  /** Its base URL (`http://127.0.0.1:9464/`). */
  readonly url: string;
  /** Ends the live page's event streams and stops listening (bounded). */
  close(): Promise<void>;
}

/** Starts the metrics server of `--metrics-port`, or returns undefined without the flag. */
export async function startMetricsServer(
  args: CliArgs,
  runtime: CliRuntime,
  out: Output,
): Promise<MetricsServer | undefined> {
  if (args.metricsPort === undefined) return undefined;
  const feed = new FeedMetrics(args.command === "publish");
  const handler = createMetricsHandler(feed);
  const server = await runtime.serveHttp({
    hostname: args.metricsHost,
    port: args.metricsPort,
    handler,
  });
  const host = args.metricsHost.includes(":") ? `[${args.metricsHost}]` : args.metricsHost;
  const url = `http://${host}:${server.port}/`;
  out.status(`metrics on ${url}metrics, health on ${url}healthz, live page on ${url}`);
  return {
    feed,
    url,
    async close() {
      handler.close();
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        server.close().catch(() => {}),
        new Promise<void>((resolve) => timer = setTimeout(resolve, CLOSE_BUDGET_MS)),
      ]);
      clearTimeout(timer);
    },
  };
}
