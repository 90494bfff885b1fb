/**
 * Test helper: reads a CLI's `--metrics-port` server the way Prometheus and a probe would —
 * its URL from the CLI's status line, `/metrics` parsed back by a Prometheus text parser,
 * `/healthz` as status and JSON — and polls with a deadline instead of sleeping.
 *
 * @module
 */

import assert from "node:assert/strict";
import parsePrometheusTextFormat from "parse-prometheus-text-format";

/** One metric family as the parser returns it. */
export interface Family {
  readonly name: string;
  readonly metrics: {
    readonly value?: string;
    readonly labels?: Record<string, string>;
    readonly count?: string;
  }[];
}

/** The metrics server's base URL (`http://127.0.0.1:PORT/`) in a CLI's stderr, once printed. */
export function metricsUrlIn(stderr: string): string | undefined {
  return stderr.match(/metrics on (http:\/\/127\.0\.0\.1:\d+\/)metrics/)?.[1];
}

/** `/metrics`, parsed by a Prometheus text parser: family name → family. */
export async function scrape(base: string): Promise<Map<string, Family>> {
  const response = await fetch(`${base}metrics`);
  assert.equal(response.status, 200);
  const families = parsePrometheusTextFormat(await response.text()) as Family[];
  return new Map(families.map((f) => [f.name, f]));
}

/** The value of `name`'s sample with exactly `labels` (its first sample without them). */
export function sample(
  families: Map<string, Family>,
  name: string,
  labels?: Record<string, string>,
): number | undefined {
  const metric = families.get(name)?.metrics.find((m) =>
    labels === undefined || JSON.stringify(m.labels) === JSON.stringify(labels)
  );
  return metric === undefined ? undefined : Number(metric.value ?? metric.count);
}

/** `/healthz`: its HTTP status and JSON body. */
export async function health(
  base: string,
): Promise<{ status: number; body: { status: string; reasons: string[]; state: string } }> {
  const response = await fetch(`${base}healthz`);
  return { status: response.status, body: await response.json() };
}

/** Polls `probe` until it returns a value (not undefined/false), or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Timed out waiting for ${what}${last === undefined ? "" : `: ${last}`}`);
}
