/**
 * A Prometheus histogram whose buckets are counted elsewhere (the client's plain integer
 * counters), exposed through a prom-client registry: prom-client's own `Histogram` can only
 * `observe()` one value at a time, so it cannot take counts kept outside it. This object gives
 * the registry what a histogram's `get()` gives (the `_bucket`, `_sum` and `_count` values);
 * prom-client still does the text format (names, label escaping, number formatting).
 *
 * @module
 */

import type { Registry } from "prom-client";
import type { HistogramSnapshot } from "@kalshi-ws/client";

/** One sample line, as prom-client's registry formats it. */
interface Sample {
  readonly metricName: string;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
}

/** Options of {@linkcode registerBucketedHistogram}. */
export interface BucketedHistogramOptions {
  /** The metric name (without `_bucket`/`_sum`/`_count`). */
  readonly name: string;
  /** Its help text. */
  readonly help: string;
  /** Reads the histogram's state at scrape time. */
  readonly read: () => HistogramSnapshot;
}

/** Registers a histogram read from `options.read()` on every scrape. */
export function registerBucketedHistogram(
  registry: Registry,
  options: BucketedHistogramOptions,
): void {
  const { name, help, read } = options;
  const metric = {
    name,
    help,
    type: "histogram",
    aggregator: "sum",
    get(): { name: string; help: string; type: string; aggregator: string; values: Sample[] } {
      const state = read();
      const values: Sample[] = [];
      let cumulative = 0;
      state.bounds.forEach((bound, i) => {
        cumulative += state.counts[i] ?? 0;
        values.push({ metricName: `${name}_bucket`, labels: { le: bound }, value: cumulative });
      });
      values.push({ metricName: `${name}_bucket`, labels: { le: "+Inf" }, value: state.count });
      values.push({ metricName: `${name}_sum`, labels: {}, value: state.sum });
      values.push({ metricName: `${name}_count`, labels: {}, value: state.count });
      return { name, help, type: "histogram", aggregator: "sum", values };
    },
  };
  // The registry only needs name, type and get(); the cast stands for prom-client's class type.
  registry.registerMetric(metric as unknown as Parameters<Registry["registerMetric"]>[0]);
}
