import { test } from "node:test";
import assert from "node:assert/strict";
import { describeDrift, DRIFT_EXAMPLE_LENGTH, DriftLog, summarizeDrift } from "./drift.ts";
import { decodeMessage } from "./message.ts";
import type { SpecExample } from "./testing/spec_examples.ts";
import committed from "./testdata/spec_examples.json" with { type: "json" };
import observedText from "./testdata/observed_frames.jsonl" with { type: "text" };

/** Decodes `frame` with a fresh log and returns what it recorded as `kind type field ×n`. */
function drift(frame: object | string): string[] {
  const log = new DriftLog();
  decodeMessage(typeof frame === "string" ? frame : JSON.stringify(frame), log);
  return log.entries().map((e) => `${e.kind} ${e.messageType} ${e.field ?? "-"} ×${e.count}`);
}

const ticker = {
  type: "ticker",
  sid: 2,
  msg: { market_ticker: "KXA-1", price_dollars: "0.4200", yes_bid_dollars: "0.4100" },
};

test("decodeMessage() with a DriftLog records nothing for documented fields, optional ones too", () => {
  assert.deepEqual(drift(ticker), []);
  assert.deepEqual(
    drift({
      type: "market_lifecycle_v2",
      sid: 4,
      seq: 1,
      msg: {
        market_ticker: "KXA-1",
        event_type: "created",
        additional_metadata: { title: "A", custom_strike: { anything: 1 } },
        price_ranges: [{ start: "0.0000", end: "1.0000", step: "0.0100" }],
      },
    }),
    [],
  );
  assert.deepEqual(drift('{"id":3,"type":"ok","msg":[{"channel":"ticker","sid":2}]}'), []);
});

test("decodeMessage() records unknown fields at the top level, in msg and in nested objects", () => {
  assert.deepEqual(drift({ ...ticker, server_ts: 1 }), ["unknown_field ticker server_ts ×1"]);
  assert.deepEqual(drift({ ...ticker, msg: { ...ticker.msg, yes_mid_dollars: "0.4150" } }), [
    "unknown_field ticker msg.yes_mid_dollars ×1",
  ]);
  assert.deepEqual(
    drift({
      type: "market_lifecycle_v2",
      sid: 4,
      seq: 1,
      msg: {
        market_ticker: "KXA-1",
        event_type: "created",
        additional_metadata: { title: "A", series_ticker: "KXA" },
        price_ranges: [{ start: "0.0000", end: "1.0000", step: "0.0100", kind: "linear" }],
      },
    }),
    [
      "unknown_field market_lifecycle_v2 msg.additional_metadata.series_ticker ×1",
      "unknown_field market_lifecycle_v2 msg.price_ranges[].kind ×1",
    ],
  );
  assert.deepEqual(
    drift('{"id":3,"type":"ok","msg":[{"channel":"ticker","sid":2,"markets":3}]}'),
    ["unknown_field ok msg[].markets ×1"],
  );
});

test("decodeMessage() records unknown types, unknown channels and retired types", () => {
  assert.deepEqual(drift({ type: "market_status", msg: {} }), ["unknown_type market_status - ×1"]);
  assert.deepEqual(drift({ type: "subscribed", id: 1, msg: { channel: "news", sid: 3 } }), [
    "unknown_channel subscribed news ×1",
  ]);
  assert.deepEqual(
    drift('{"id":3,"type":"ok","msg":[{"channel":"ticker","sid":2},{"channel":"news","sid":3}]}'),
    ["unknown_channel ok news ×1"],
  );
  assert.deepEqual(drift({ type: "ticker_v2", sid: 8, msg: { price: 42 } }), [
    "retired_type ticker_v2 - ×1",
  ]);
});

test("decodeMessage() counts a retired field sent beside its current twin and decodes the frame", () => {
  const frame = {
    type: "orderbook_snapshot",
    sid: 1,
    seq: 1,
    msg: {
      market_ticker: "KXA-1",
      market_id: "",
      yes: [[41, 25]],
      yes_dollars: [["0.4100", 25]],
      yes_dollars_fp: [["0.4100", "25.00"]],
    },
  };
  const log = new DriftLog();
  const message = decodeMessage(JSON.stringify(frame), log);
  assert.ok(message.type === "orderbook_snapshot");
  assert.deepEqual(message.msg.yes_dollars_fp, [["0.4100", "25.00"]]);
  assert.deepEqual(log.entries().map((e) => `${e.kind} ${e.field}`), [
    "retired_field msg.yes",
    "retired_field msg.yes_dollars",
  ]);
});

test("DriftLog counts every sighting but raises each (kind, type, field) once", () => {
  const log = new DriftLog();
  const text = JSON.stringify({ ...ticker, msg: { ...ticker.msg, extra: 1 } });
  decodeMessage(text, log);
  assert.equal(log.hasFresh, true);
  const fresh = log.takeFresh();
  assert.deepEqual(fresh, [{
    type: "drift",
    kind: "unknown_field",
    messageType: "ticker",
    field: "msg.extra",
    example: text,
  }]);
  for (let i = 0; i < 4; i++) decodeMessage(text, log);
  assert.equal(log.hasFresh, false);
  assert.deepEqual(log.takeFresh(), []);
  assert.equal(log.entries()[0]!.count, 5);
  assert.equal(log.total, 5);
});

test("DriftLog keeps at most maxEntries kinds and still counts the rest in total", () => {
  const log = new DriftLog({ maxEntries: 3 });
  for (let i = 0; i < 10; i++) {
    decodeMessage(JSON.stringify({ ...ticker, msg: { ...ticker.msg, [`f${i}`]: i } }), log);
  }
  assert.equal(log.entries().length, 3);
  assert.equal(log.total, 10);
  assert.match(log.summary(), /\+7 sightings of further kinds/);
});

test("DriftLog examples are truncated and never show secret-looking values", () => {
  const log = new DriftLog();
  const long = JSON.stringify({ type: "big_news", msg: { text: "x".repeat(5_000) } });
  decodeMessage(long, log);
  const secret = JSON.stringify({ type: "ticker", sid: 1, msg: { api_key: "k-123", token: "t" } });
  decodeMessage(secret, log);
  const [big, key, token] = log.entries();
  assert.ok(big!.example.length < DRIFT_EXAMPLE_LENGTH + 40);
  assert.match(big!.example, /… \(\d+ more chars\)$/);
  assert.equal(key!.field, "msg.api_key");
  assert.equal(token!.field, "msg.token");
  for (const entry of [key!, token!]) {
    assert.doesNotMatch(entry.example, /k-123|"t"/);
    assert.match(entry.example, /\[redacted\]/);
  }
});

test("summarizeDrift() names the most frequent kinds on one line", () => {
  assert.equal(summarizeDrift([]), "");
  const entries = [
    { kind: "unknown_type", messageType: "news", field: undefined, count: 2, example: "" },
    { kind: "unknown_field", messageType: "ticker", field: "msg.x", count: 9, example: "" },
    { kind: "unknown_channel", messageType: "subscribed", field: "news", count: 1, example: "" },
  ] as const;
  const line = summarizeDrift(entries);
  assert.equal(
    line,
    'protocol drift: unknown field ticker msg.x ×9, unknown type news ×2, unknown channel "news" in subscribed ×1',
  );
  assert.doesNotMatch(line, /\n/);
  assert.equal(describeDrift(entries[0]), "unknown type news");
});

test("no official spec example is drift", () => {
  const log = new DriftLog();
  for (const example of committed.examples as SpecExample[]) {
    if (example.direction !== "server_to_client" || example.contentType !== "application/json") {
      continue;
    }
    decodeMessage(JSON.stringify(example.payload), log);
  }
  assert.deepEqual(log.entries(), []);
});

test("observed frames show exactly their known oddities as drift", () => {
  const log = new DriftLog();
  for (const line of observedText.split("\n").filter((l) => l.trim() !== "")) {
    decodeMessage(line, log);
  }
  assert.deepEqual(
    log.entries().map((e) => describeDrift(e)).sort(),
    [
      "retired field ok subscriptions",
      "retired type multivariate_lookup",
      "retired type ticker_v2",
      "unknown field orderbook_delta msg.future_field",
      "unknown field orderbook_delta server_ts",
      "unknown type market_status",
    ],
  );
});

test("decodeMessage() still sees drift after frames of the same type were found clean", () => {
  const log = new DriftLog();
  const trade = (msg: Record<string, unknown>) =>
    JSON.stringify({ type: "trade", sid: 3, seq: 1, msg });
  const clean = {
    trade_id: "t",
    market_ticker: "KXA-1",
    yes_price_dollars: "0.4200",
    no_price_dollars: "0.5800",
    count_fp: "3.00",
  };
  for (let i = 0; i < 3; i++) decodeMessage(trade(clean), log); // remembered as clean
  assert.deepEqual(log.entries(), []);
  // Same number of keys, one renamed; one more key; the keys in another order plus a new one.
  decodeMessage(trade({ ...clean, count_fp: undefined, counts_fp: "3.00" }), log);
  decodeMessage(trade({ ...clean, is_auction: true }), log);
  const { trade_id, ...rest } = clean;
  decodeMessage(trade({ ...rest, trade_id, venue: "x" }), log);
  decodeMessage(JSON.stringify({ type: "trade", sid: 3, seq: 1, msg: clean, shard: 1 }), log);
  assert.throws(
    () => decodeMessage(trade({ ...clean, count_fp: undefined, count: 3 }), log),
    /retired field msg\.count /,
  );
  assert.deepEqual(log.entries().map((e) => e.field), [
    "msg.counts_fp",
    "msg.is_auction",
    "msg.venue",
    "shard",
    "msg.count",
  ]);
});
