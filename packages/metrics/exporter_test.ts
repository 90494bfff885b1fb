import { test } from "node:test";
import assert from "node:assert/strict";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { PrometheusExporter } from "./exporter.ts";
import { fakeSource, snapshotWith } from "./_fake_source.ts";

interface Family {
  name: string;
  help: string;
  type: string;
  metrics: {
    value?: string;
    labels?: Record<string, string>;
    buckets?: Record<string, string>;
    count?: string;
    sum?: string;
  }[];
}

/** The exposition, parsed back by an independent Prometheus text parser. */
async function scrape(exporter: PrometheusExporter): Promise<Map<string, Family>> {
  const families = parsePrometheusTextFormat(await exporter.metrics()) as Family[];
  return new Map(families.map((f) => [f.name, f]));
}

function value(families: Map<string, Family>, name: string, labels?: Record<string, string>) {
  const family = families.get(name);
  assert.ok(family, `${name} exported`);
  const metric = family.metrics.find((m) =>
    labels === undefined || JSON.stringify(m.labels) === JSON.stringify(labels)
  );
  assert.ok(metric, `${name} ${JSON.stringify(labels)} exported`);
  return Number(metric.value);
}

test("every feed metric parses back with its type, labels and value", async () => {
  const families = await scrape(new PrometheusExporter(fakeSource({ snapshot: snapshotWith() })));
  const types = Object.fromEntries([...families].map(([name, f]) => [name, f.type]));
  assert.deepEqual(types, {
    kalshi_ws_messages_total: "COUNTER",
    kalshi_ws_gaps_total: "COUNTER",
    kalshi_ws_resyncs_total: "COUNTER",
    kalshi_ws_reconnects_total: "COUNTER",
    kalshi_ws_decode_errors_total: "COUNTER",
    kalshi_ws_dropped_messages_total: "COUNTER",
    kalshi_ws_connected: "GAUGE",
    kalshi_ws_subscriptions: "GAUGE",
    kalshi_ws_books: "GAUGE",
    kalshi_ws_last_message_age_seconds: "GAUGE",
    kalshi_ws_message_lag_seconds: "HISTOGRAM",
  });
  assert.equal(value(families, "kalshi_ws_messages_total", { channel: "orderbook_delta" }), 120);
  assert.equal(value(families, "kalshi_ws_messages_total", { channel: "ticker" }), 7);
  assert.equal(value(families, "kalshi_ws_gaps_total"), 2);
  assert.equal(value(families, "kalshi_ws_resyncs_total"), 2);
  assert.equal(value(families, "kalshi_ws_reconnects_total"), 1);
  assert.equal(value(families, "kalshi_ws_decode_errors_total"), 0);
  assert.equal(value(families, "kalshi_ws_connected"), 1);
  assert.equal(value(families, "kalshi_ws_subscriptions", { state: "live" }), 1);
  assert.equal(value(families, "kalshi_ws_subscriptions", { state: "pending" }), 0);
  assert.equal(value(families, "kalshi_ws_subscriptions", { state: "restoring" }), 0);
  assert.equal(value(families, "kalshi_ws_books", { state: "valid" }), 1);
  assert.equal(value(families, "kalshi_ws_books", { state: "invalid" }), 0);
  assert.equal(value(families, "kalshi_ws_last_message_age_seconds"), 0.25);
  for (const family of families.values()) assert.notEqual(family.help, "", family.name);
});

test("the lag histogram's buckets are cumulative and end in +Inf = count", async () => {
  const families = await scrape(new PrometheusExporter(fakeSource({ snapshot: snapshotWith() })));
  const lag = families.get("kalshi_ws_message_lag_seconds")!.metrics[0]!;
  assert.deepEqual(lag.buckets, { "0.005": "3", "0.01": "4", "1": "4", "+Inf": "6" });
  assert.equal(Number(lag.count), 6);
  assert.equal(Number(lag.sum), 40.02);
});

test("counters follow the snapshot's totals from one scrape to the next", async () => {
  const source = fakeSource({ snapshot: snapshotWith() });
  const exporter = new PrometheusExporter(source);
  await exporter.metrics();
  source.current = snapshotWith({ gaps: 5, messages: { orderbook_delta: 200, ticker: 7 } });
  const families = await scrape(exporter);
  assert.equal(value(families, "kalshi_ws_gaps_total"), 5);
  assert.equal(value(families, "kalshi_ws_messages_total", { channel: "orderbook_delta" }), 200);
});

test("before the feed exists: disconnected, zero counts", async () => {
  const families = await scrape(new PrometheusExporter(fakeSource()));
  assert.equal(value(families, "kalshi_ws_connected"), 0);
  assert.equal(value(families, "kalshi_ws_gaps_total"), 0);
  assert.equal(families.get("kalshi_ws_messages_total")!.metrics.length, 0);
});

test("a collector's source adds the NATS side: published, acked, stalled, buffered, leases", async () => {
  const nats = {
    markets: ["KXA-1", "KXB-1"],
    offered: 50,
    published: 48,
    batches: 12,
    dropped: 1,
    queued: 2,
    lagMs: 1500,
    stalled: true,
  };
  const families = await scrape(
    new PrometheusExporter(fakeSource({ snapshot: snapshotWith(), nats })),
  );
  assert.equal(value(families, "kalshi_ws_nats_published_total"), 48);
  assert.equal(value(families, "kalshi_ws_nats_acked_total"), 12);
  assert.equal(value(families, "kalshi_ws_nats_dropped_total"), 1);
  assert.equal(value(families, "kalshi_ws_nats_stalled"), 1);
  assert.equal(value(families, "kalshi_ws_nats_buffered_messages"), 2);
  assert.equal(value(families, "kalshi_ws_nats_buffer_age_seconds"), 1.5);
  assert.equal(value(families, "kalshi_ws_nats_leases"), 2);
  assert.equal(families.get("kalshi_ws_nats_stalled")!.type, "GAUGE");
});

test("a feed without a NATS side exports no NATS metrics", async () => {
  const families = await scrape(new PrometheusExporter(fakeSource({ snapshot: snapshotWith() })));
  assert.deepEqual([...families.keys()].filter((name) => name.includes("nats")), []);
});

test("a channel name is escaped as a label value, not trusted", async () => {
  const source = fakeSource({ snapshot: snapshotWith({ messages: { 'a"b\\c\nd': 1 } }) });
  const families = await scrape(new PrometheusExporter(source));
  assert.equal(value(families, "kalshi_ws_messages_total", { channel: 'a"b\\c\nd' }), 1);
});
