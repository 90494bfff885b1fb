/**
 * The HTTP side, as one web-standard `(Request) => Promise<Response>` handler that any server
 * can mount (`Deno.serve` directly; `node:http` through a small adapter, as the CLI does):
 *
 * | path       | answer                                                                   |
 * | ---------- | ------------------------------------------------------------------------ |
 * | `/metrics` | the Prometheus text format                                               |
 * | `/healthz` | 200 `{"status":"ok",…}` or 503 `{"status":"unhealthy","reasons":[…],…}`  |
 * | `/`        | the live page (one self-contained HTML document)                         |
 * | `/events`  | server-sent events: a {@linkcode LiveState} every `intervalMs`           |
 * | `/state`   | the current {@linkcode LiveState} once, as JSON                          |
 *
 * @module
 */

import { PROMETHEUS_CONTENT_TYPE, PrometheusExporter } from "./exporter.ts";
import { healthOf } from "./health.ts";
import { LIVE_PAGE } from "./live_page.ts";
import { LagSeries, liveState } from "./live_state.ts";
import type { MetricsSource } from "./source.ts";

/** Options of {@linkcode createMetricsHandler}. */
export interface MetricsHandlerOptions {
  /** Milliseconds between two live-page updates (default 1 000). */
  readonly intervalMs?: number;
}

/** The handler, plus what its server needs at shutdown. */
export interface MetricsHandler {
  /** Answers one request. */
  (request: Request): Promise<Response>;
  /** Ends every open event stream (a server waits for open responses when it shuts down). */
  close(): void;
  /** The exporter (its `registry` takes more metrics). */
  readonly exporter: PrometheusExporter;
}

const NO_STORE = { "cache-control": "no-store" };

/** Creates the handler of `/metrics`, `/healthz`, `/`, `/events` and `/state` over `source`. */
export function createMetricsHandler(
  source: MetricsSource,
  options: MetricsHandlerOptions = {},
): MetricsHandler {
  const intervalMs = options.intervalMs ?? 1_000;
  const exporter = new PrometheusExporter(source);
  const series = new LagSeries(Math.min(500, intervalMs / 2));
  const streams = new Set<() => void>();
  let closed = false;

  const handler = async (request: Request): Promise<Response> => {
    const response = await route(request);
    if (request.method !== "HEAD") return response;
    await response.body?.cancel();
    return new Response(null, { status: response.status, headers: response.headers });
  };

  const route = async (request: Request): Promise<Response> => {
    const method = request.method;
    if (method !== "GET" && method !== "HEAD") {
      return new Response("Method Not Allowed\n", {
        status: 405,
        headers: { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" },
      });
    }
    const path = new URL(request.url).pathname;
    switch (path) {
      case "/metrics":
        return new Response(await exporter.metrics(), {
          headers: { "content-type": PROMETHEUS_CONTENT_TYPE, ...NO_STORE },
        });
      case "/healthz": {
        const health = healthOf(source.snapshot(), source.nats?.());
        return json(health, health.status === "ok" ? 200 : 503);
      }
      case "/state":
        return json(liveState(source, series), 200);
      case "/":
        return new Response(LIVE_PAGE, {
          headers: {
            "content-type": "text/html; charset=utf-8",
            "content-security-policy":
              "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'",
            "x-content-type-options": "nosniff",
            ...NO_STORE,
          },
        });
      case "/events":
        if (closed) return new Response("Shutting down\n", { status: 503 });
        return new Response(eventStream(), {
          headers: { "content-type": "text/event-stream", ...NO_STORE },
        });
      default:
        return new Response("Not Found: try /metrics, /healthz or /\n", {
          status: 404,
          headers: { "content-type": "text/plain; charset=utf-8" },
        });
    }
  };

  /** A stream of `data: <LiveState JSON>` events, one now and one every `intervalMs`. */
  function eventStream(): ReadableStream<Uint8Array> {
    const encoder = new TextEncoder();
    let stop = () => {};
    return new ReadableStream<Uint8Array>({
      start(controller) {
        const send = () => {
          const data = JSON.stringify(liveState(source, series));
          controller.enqueue(encoder.encode(`data: ${data}\n\n`));
        };
        controller.enqueue(encoder.encode("retry: 2000\n\n"));
        send();
        const timer = setInterval(send, intervalMs);
        stop = () => {
          clearInterval(timer);
          streams.delete(stop);
          try {
            controller.close();
          } catch {
            // already closed or cancelled
          }
        };
        streams.add(stop);
      },
      cancel() {
        stop();
      },
    });
  }

  return Object.assign(handler, {
    close(): void {
      closed = true;
      for (const stop of [...streams]) stop();
    },
    exporter,
  });
}

function json(body: unknown, status: number): Response {
  return new Response(`${JSON.stringify(body)}\n`, {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...NO_STORE },
  });
}
