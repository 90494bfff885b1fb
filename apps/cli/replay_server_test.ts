import { test } from "node:test";
import assert from "node:assert/strict";
import type { RecordingEntry } from "./recording.ts";
import { commandKey, recordedConnections, ReplayConnection } from "./replay_server.ts";

const SUBSCRIBE = { channels: ["orderbook_delta"], market_tickers: ["KXA", "KXB"] };
const frame = (value: unknown): RecordingEntry => ({ t: 0, frame: JSON.stringify(value) });
const sent = (value: unknown): RecordingEntry => ({ t: 0, sent: JSON.stringify(value) });

const SEGMENT: RecordingEntry[] = [
  sent({ id: 1, cmd: "subscribe", params: SUBSCRIBE }),
  frame({ id: 1, type: "subscribed", msg: { channel: "orderbook_delta", sid: 1 } }),
  frame({ type: "orderbook_snapshot", sid: 1, seq: 1, msg: { market_ticker: "KXA" } }),
  sent({ id: 2, cmd: "list_subscriptions" }),
  frame({ id: 2, type: "ok", msg: [{ channel: "orderbook_delta", sid: 1 }] }),
  frame({ type: "orderbook_delta", sid: 1, seq: 2, msg: { market_ticker: "KXA" } }),
  sent({ id: 3, cmd: "unsubscribe", params: { sids: [1] } }),
  frame({ id: 3, type: "unsubscribed", sid: 1, seq: 3 }),
  { t: 0, event: "disconnected", code: 1000, reason: "client closed" },
];

function serve(entries: RecordingEntry[]) {
  const out: Record<string, unknown>[] = [];
  const closes: [number, string][] = [];
  const warnings: string[] = [];
  const replay = new ReplayConnection(entries, {
    send: (text) => out.push(JSON.parse(text)),
    close: (code, reason) => closes.push([code, reason]),
    warn: (message) => warnings.push(message),
  }, 0);
  replay.start();
  return { replay, out, closes, warnings };
}

test("commandKey() ignores the id, key order and list order", () => {
  assert.equal(
    commandKey({ cmd: "subscribe", params: { market_tickers: ["B", "A"], channels: ["x"] } }),
    commandKey({ cmd: "subscribe", params: { channels: ["x"], market_tickers: ["A", "B"] } }),
  );
  assert.notEqual(commandKey({ cmd: "subscribe", params: {} }), commandKey({ cmd: "unsubscribe" }));
});

test("ReplayConnection holds replies until the client asks, then answers with the client's id", () => {
  const { replay, out } = serve(SEGMENT);
  assert.equal(out.length, 0, "nothing before the client subscribes");
  replay.receive(
    JSON.stringify({
      id: 7,
      cmd: "subscribe",
      params: { ...SUBSCRIBE, market_tickers: ["KXB", "KXA"] },
    }),
  );
  assert.deepEqual(out.map((f) => [f.type, f.id, f.seq]), [
    ["subscribed", 7, undefined],
    ["orderbook_snapshot", undefined, 1],
    ["orderbook_delta", undefined, 2], // the recorded probe reply was skipped
  ]);
  replay.receive(JSON.stringify({ id: 8, cmd: "list_subscriptions" }));
  assert.deepEqual(out.at(-1), {
    id: 8,
    type: "ok",
    msg: [{ channel: "orderbook_delta", sid: 1 }],
  });
  replay.receive(JSON.stringify({ id: 9, cmd: "unsubscribe", params: { sids: [1] } }));
  assert.deepEqual(out.at(-1), { id: 9, type: "unsubscribed", sid: 1, seq: 3 });
});

test("ReplayConnection closes with 4000 at a recorded drop, not at a recorded clean close", () => {
  const dropped = serve([...SEGMENT.slice(0, 3), {
    t: 0,
    event: "disconnected",
    code: 1006,
    reason: "",
  }, frame({ type: "late" })]);
  dropped.replay.receive(JSON.stringify({ id: 1, cmd: "subscribe", params: SUBSCRIBE }));
  assert.deepEqual(dropped.closes, [[4000, "recorded disconnect"]]);
  assert.ok(!dropped.out.some((f) => f.type === "late"), "nothing after the drop");
  const clean = serve(SEGMENT);
  clean.replay.receive(JSON.stringify({ id: 1, cmd: "subscribe", params: SUBSCRIBE }));
  clean.replay.receive(JSON.stringify({ id: 2, cmd: "unsubscribe", params: { sids: [1] } }));
  assert.deepEqual(clean.closes, []);
});

test("ReplayConnection answers commands the recording lacks from its own state", () => {
  const { replay, out, warnings } = serve(SEGMENT);
  replay.receive(JSON.stringify({ id: 4, cmd: "subscribe", params: { channels: ["trade"] } }));
  assert.equal(out.at(-1)!.type, "subscribed");
  assert.equal((out.at(-1)!.msg as { channel: string }).channel, "trade");
  assert.match(warnings[0]!, /no recorded subscription matches/);
  replay.receive(JSON.stringify({ id: 5, cmd: "unsubscribe", params: { sids: [42] } }));
  assert.deepEqual(out.at(-1), {
    id: 5,
    type: "error",
    msg: { code: 7, msg: "Unknown subscription ID" },
  });
  replay.receive("nope");
  assert.equal((out.at(-1)!.msg as { code: number }).code, 1);
});

test("recordedConnections() splits a recording at each connect", () => {
  const connected = (url: string): RecordingEntry => ({ t: 0, event: "connected", url });
  const segments = recordedConnections([
    connected("a"),
    frame({ n: 1 }),
    connected("b"),
    frame({ n: 2 }),
    frame({ n: 3 }),
  ]);
  assert.deepEqual(segments.map((s) => s.length), [1, 2]);
});

test("ReplayConnection answers hostile client frames with Kalshi's error codes and keeps serving", () => {
  const { replay, out } = serve(SEGMENT);
  const deep = "[".repeat(100_000) + "]".repeat(100_000);
  const cases: [string, number][] = [
    ["null", 1],
    ["[]", 1],
    ["42", 1],
    ['"subscribe"', 1],
    ["{", 1],
    [deep, 1],
    [`{"id":1,"cmd":"subscribe","params":${"[".repeat(50_000)}${"]".repeat(50_000)}}`, 1],
    [`{"id":1,"cmd":"subscribe","params":{"channels":${"[".repeat(20)}${"]".repeat(20)}}}`, 1],
    ['{"id":-1,"cmd":"subscribe"}', 1],
    ['{"id":1.5,"cmd":"subscribe"}', 1],
    ['{"id":2,"cmd":7}', 1],
    ['{"id":3}', 5],
    ['{"id":4,"cmd":"rm -rf"}', 5],
    ['{"id":5,"cmd":"subscribe"}', 2],
    ['{"id":6,"cmd":"subscribe","params":null}', 2],
    ['{"id":7,"cmd":"subscribe","params":[]}', 1],
    ['{"id":8,"cmd":"subscribe","params":{"channels":[]}}', 3],
    ['{"id":9,"cmd":"subscribe","params":{"channels":[1]}}', 1],
    ['{"id":10,"cmd":"subscribe","params":{"channels":["nope"]}}', 8],
    ['{"id":11,"cmd":"unsubscribe","params":{"sids":"1"}}', 1],
    ['{"id":12,"cmd":"unsubscribe","params":{}}', 4],
    ['{"id":13,"cmd":"update_subscription","params":{"sid":99}}', 7],
  ];
  for (const [text, code] of cases) {
    const before = out.length;
    replay.receive(text);
    const reply = out.at(-1)!;
    assert.equal(out.length, before + 1, `one reply to ${text.slice(0, 60)}`);
    assert.equal(reply.type, "error", text.slice(0, 60));
    assert.equal((reply.msg as { code: number }).code, code, text.slice(0, 60));
  }
  // Still serving: the recorded subscription replays as before.
  replay.receive(JSON.stringify({ id: 20, cmd: "subscribe", params: SUBSCRIBE }));
  assert.ok(out.some((f) => f.type === "subscribed" && f.id === 20));
});

test("ReplayConnection reports and skips recorded frames that are not JSON objects", () => {
  const hostile: RecordingEntry[] = [
    { t: 0, frame: "null" },
    { t: 0, frame: "[1,2]" },
    { t: 0, bad_frame: "null", length: 4 },
    frame({ type: "subscribed", msg: null }),
    frame({ type: "ticker", sid: { x: 1 }, seq: "2", msg: "text" }),
    frame({ type: "orderbook_snapshot", sid: 1, seq: 1, msg: { market_ticker: "KXA" } }),
  ];
  const { out, warnings } = serve(hostile);
  assert.deepEqual(out.map((f) => f.type), ["subscribed", "ticker", "orderbook_snapshot"]);
  assert.equal(warnings.filter((w) => /not a JSON object|bad frame/.test(w)).length, 3);
});
