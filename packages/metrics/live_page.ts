/**
 * The live page served at `/`: one self-contained HTML document (inline style and script, no
 * framework, nothing fetched but `/events`) showing feed health, a lag sparkline and each
 * market's ladder, redrawn on every server-sent event. Values are set as text, never as HTML.
 *
 * @module
 */

/** The page (UTF-8 HTML). */
export const LIVE_PAGE: string = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kalshi-ws live</title>
<style>
  :root { color-scheme: light dark; --ok: #1a7f37; --bad: #cf222e; --muted: #888; }
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1rem 1.5rem; }
  h1 { font-size: 1.2rem; margin: 0 0 .5rem; }
  .badge { display: inline-block; padding: .1rem .6rem; border-radius: 1rem; color: #fff;
    font-weight: 600; }
  .ok { background: var(--ok); } .unhealthy { background: var(--bad); }
  #reasons { color: var(--bad); margin: .3rem 0; }
  #feed { display: flex; flex-wrap: wrap; gap: .4rem 1.5rem; margin: .6rem 0; }
  #feed div b { font-variant-numeric: tabular-nums; }
  #spark { width: 360px; height: 48px; border: 1px solid var(--muted); }
  #markets { display: flex; flex-wrap: wrap; gap: 1rem; margin-top: 1rem; }
  .market { border: 1px solid var(--muted); border-radius: .4rem; padding: .5rem .8rem;
    min-width: 14rem; }
  .market h2 { font-size: 1rem; margin: 0 0 .3rem; }
  .market.invalid h2::after { content: " (repairing)"; color: var(--bad); }
  table { border-collapse: collapse; font-variant-numeric: tabular-nums; width: 100%; }
  td, th { padding: 0 .4rem; text-align: right; }
  th { font-weight: normal; color: var(--muted); font-size: .8rem; }
  tr.ask td { color: var(--bad); } tr.bid td { color: var(--ok); }
  tr.mid td { border-top: 1px solid var(--muted); height: 2px; padding: 0; }
  .muted { color: var(--muted); }
</style>
</head>
<body>
<h1>kalshi-ws <span id="status" class="badge unhealthy">connecting…</span></h1>
<div id="reasons"></div>
<div id="feed">
  <div>state <b id="state">–</b></div>
  <div>messages <b id="messages">0</b></div>
  <div>gaps <b id="gaps">0</b></div>
  <div>resyncs <b id="resyncs">0</b></div>
  <div>reconnects <b id="reconnects">0</b></div>
  <div>decode errors <b id="decodeErrors">0</b></div>
  <div>last message <b id="age">–</b></div>
  <div>lag <b id="lag">–</b></div>
  <div id="nats" hidden>NATS published <b id="natsPublished">0</b>, buffered
    <b id="natsBuffered">0</b>, leases <b id="natsLeases">0</b>, stalled <b id="natsStalled">no</b></div>
</div>
<svg id="spark" viewBox="0 0 360 48" preserveAspectRatio="none" aria-label="lag sparkline">
  <polyline id="sparkline" fill="none" stroke="currentColor" stroke-width="1.5" points=""/>
</svg>
<span class="muted" id="sparkmax"></span>
<div id="markets"></div>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const text = (id, value) => { $(id).textContent = String(value); };
const seconds = (s) => s === undefined || s === null ? "–" :
  s < 1 ? (s * 1000).toFixed(0) + " ms" : s.toFixed(1) + " s";

function renderSpark(points) {
  const values = points.filter((p) => p !== null);
  const max = Math.max(0.001, ...values);
  const step = 360 / Math.max(1, points.length - 1);
  const coords = [];
  points.forEach((p, i) => {
    if (p !== null) coords.push((i * step).toFixed(1) + "," + (46 - (p / max) * 44).toFixed(1));
  });
  $("sparkline").setAttribute("points", coords.join(" "));
  text("sparkmax", values.length ? "max " + seconds(max) : "no lag measured yet");
  const last = values.length ? values[values.length - 1] : null;
  text("lag", seconds(last));
}

function row(kind, level) {
  const tr = document.createElement("tr");
  tr.className = kind;
  for (const cell of level) {
    const td = document.createElement("td");
    td.textContent = cell;
    tr.append(td);
  }
  return tr;
}

function renderBooks(books) {
  const root = $("markets");
  if (books === undefined || books === null) {
    root.textContent = "This command keeps no local books.";
    return;
  }
  root.replaceChildren(...books.map((book) => {
    const card = document.createElement("div");
    card.className = "market" + (book.valid ? "" : " invalid");
    card.dataset.market = book.market;
    const title = document.createElement("h2");
    title.textContent = book.market;
    const table = document.createElement("table");
    const head = document.createElement("tr");
    for (const label of ["YES price", "size"]) {
      const th = document.createElement("th");
      th.textContent = label;
      head.append(th);
    }
    table.append(head);
    for (const level of [...book.asks].reverse()) table.append(row("ask", level));
    const mid = document.createElement("tr");
    mid.className = "mid";
    mid.append(document.createElement("td"), document.createElement("td"));
    table.append(mid);
    for (const level of book.bids) table.append(row("bid", level));
    card.append(title, table);
    return card;
  }));
}

function render(state) {
  const status = $("status");
  status.textContent = state.health.status === "ok" ? "healthy" : "unhealthy";
  status.className = "badge " + state.health.status;
  text("reasons", state.health.reasons.join("; "));
  const feed = state.feed;
  text("state", feed.state);
  for (const key of ["messages", "gaps", "resyncs", "reconnects", "decodeErrors"]) {
    text(key, feed[key]);
  }
  text("age", seconds(feed.lastMessageAgeSeconds) + (feed.lastMessageAgeSeconds === undefined ? "" : " ago"));
  renderSpark(state.lag);
  renderBooks(state.books);
  $("nats").hidden = !state.nats;
  if (state.nats) {
    text("natsPublished", state.nats.published);
    text("natsBuffered", state.nats.queued);
    text("natsLeases", state.nats.markets.length);
    text("natsStalled", state.nats.stalled ? "yes" : "no");
  }
  document.body.dataset.updated = String(state.at);
}

const events = new EventSource("events");
events.onmessage = (event) => render(JSON.parse(event.data));
events.onerror = () => {
  $("status").textContent = "no connection to the feed";
  $("status").className = "badge unhealthy";
};
</script>
</body>
</html>
`;
