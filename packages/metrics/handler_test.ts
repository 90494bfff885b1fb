import { test } from "node:test";
import assert from "node:assert/strict";
import { createMetricsHandler } from "./handler.ts";
import type { LiveState } from "./live_state.ts";
import { fakeSource, oneBook, snapshotWith } from "./_fake_source.ts";

const get = (path: string, method = "GET") =>
  new Request(`http://127.0.0.1:9464${path}`, { method });

test("/metrics answers the Prometheus text format", async () => {
  const handler = createMetricsHandler(fakeSource({ snapshot: snapshotWith() }));
  const response = await handler(get("/metrics"));
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  assert.match(await response.text(), /^kalshi_ws_gaps_total 2$/m);
});

test("/healthz: 200 with status ok, 503 with the reasons as JSON", async () => {
  const source = fakeSource({ snapshot: snapshotWith() });
  const handler = createMetricsHandler(source);
  const ok = await handler(get("/healthz"));
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get("content-type"), "application/json; charset=utf-8");
  assert.equal((await ok.json()).status, "ok");
  source.current = snapshotWith({ connected: false, state: "reconnecting" });
  const bad = await handler(get("/healthz"));
  assert.equal(bad.status, 503);
  assert.deepEqual((await bad.json()).reasons, ["not connected (reconnecting)"]);
});

test("/ is the self-contained page: HTML, no external script or style, an EventSource on events", async () => {
  const handler = createMetricsHandler(fakeSource());
  const response = await handler(get("/"));
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
  assert.match(response.headers.get("content-security-policy")!, /default-src 'self'/);
  const html = await response.text();
  assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+stylesheet|https?:\/\//);
  assert.match(html, /new EventSource\("events"\)/);
});

test("/state: health, counters and each market's ladder (YES bids best first, asks from NO bids)", async () => {
  const handler = createMetricsHandler(fakeSource({ snapshot: snapshotWith(), books: oneBook() }));
  const state = await (await handler(get("/state"))).json() as LiveState;
  assert.equal(state.health.status, "ok");
  assert.equal(state.feed.messages, 127);
  assert.equal(state.feed.gaps, 2);
  assert.deepEqual(state.books, [{
    market: "KXA-1",
    valid: true,
    bids: [["0.4000", "10.00"], ["0.3900", "5.00"]],
    asks: [["0.4500", "3.00"]],
  }]);
});

test("/events streams a state now and every interval; close() ends the stream", async () => {
  const source = fakeSource({ snapshot: snapshotWith() });
  const handler = createMetricsHandler(source, { intervalMs: 20 });
  const response = await handler(get("/events"));
  assert.equal(response.headers.get("content-type"), "text/event-stream");
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const events = () => text.split("\n\n").filter((e) => e.startsWith("data: "));
  while (events().length < 3) text += (await reader.read()).value;
  assert.match(text, /^retry: 2000\n\n/);
  const first = JSON.parse(events()[0]!.slice(6)) as LiveState;
  assert.equal(first.feed.gaps, 2);
  source.current = snapshotWith({ gaps: 9 });
  while (!events().some((e) => JSON.parse(e.slice(6)).feed.gaps === 9)) {
    text += (await reader.read()).value;
  }
  handler.close();
  for (;;) if ((await reader.read()).done) break;
  assert.equal((await handler(get("/events"))).status, 503, "no new stream after close()");
});

test("HEAD has the headers and no body; other methods 405; unknown paths 404", async () => {
  const handler = createMetricsHandler(fakeSource({ snapshot: snapshotWith() }));
  const head = await handler(get("/healthz", "HEAD"));
  assert.equal(head.status, 200);
  assert.equal(head.body, null);
  const post = await handler(get("/metrics", "POST"));
  assert.equal(post.status, 405);
  assert.equal(post.headers.get("allow"), "GET, HEAD");
  await post.body?.cancel();
  const missing = await handler(get("/nope"));
  assert.equal(missing.status, 404);
  await missing.body?.cancel();
});
