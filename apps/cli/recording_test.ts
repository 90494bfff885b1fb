import { test } from "node:test";
import assert from "node:assert/strict";
import type { SocketEvents, Transport } from "@kalshi-ws/deno";
import { parseRecording, type RecordingEntry, recordingTransport } from "./recording.ts";

test("recordingTransport() records frames, commands and connection events, never headers", () => {
  let events: SocketEvents | undefined;
  const sent: string[] = [];
  const inner: Transport = {
    name: "fake",
    seesPings: false,
    open(_url, _headers, e) {
      events = e;
      return { send: (text) => sent.push(text), close: () => {} };
    },
  };
  const entries: RecordingEntry[] = [];
  let now = 100;
  const received: string[] = [];
  const socket = recordingTransport(inner, (e) => entries.push(e), () => now++).open(
    "ws://x/trade-api/ws/v2",
    { "KALSHI-ACCESS-SIGNATURE": "secret-signature" },
    {
      open: () => {},
      text: (data) => received.push(data),
      ping: () => {},
      close: () => {},
      handshakeFailed: () => {},
    },
  );
  events!.open();
  socket.send('{"id":1,"cmd":"list_subscriptions"}');
  events!.text('{"id":1,"type":"ok","msg":[]}');
  events!.close(1006, "");
  assert.deepEqual(entries, [
    { t: 100, event: "connected", url: "ws://x/trade-api/ws/v2" },
    { t: 101, sent: '{"id":1,"cmd":"list_subscriptions"}' },
    { t: 102, frame: '{"id":1,"type":"ok","msg":[]}' },
    { t: 103, event: "disconnected", code: 1006, reason: "" },
  ]);
  assert.deepEqual(sent, ['{"id":1,"cmd":"list_subscriptions"}'], "passed through");
  assert.deepEqual(received, ['{"id":1,"type":"ok","msg":[]}'], "passed through");
  assert.ok(!JSON.stringify(entries).includes("secret-signature"));
});

test("parseRecording() reads the header and entries, skipping blank lines", () => {
  const text = [
    '{"type":"recording","version":1,"created":"x","tool":"t","endpoint":"demo","subscribe":{}}',
    '{"t":1,"event":"connected","url":"u"}',
    "",
    '{"t":2,"frame":"{}"}',
  ].join("\n");
  const recording = parseRecording(text, "a.jsonl");
  assert.equal(recording.header.endpoint, "demo");
  assert.equal(recording.entries.length, 2);
});

test("parseRecording() names the file and line of anything that is not a recording", () => {
  assert.throws(
    () => parseRecording('{"type":"ticker"}', "f"),
    /Cannot replay 'f': not a kalshi-ws recording/,
  );
  assert.throws(
    () => parseRecording('{"type":"recording","version":2}', "f"),
    /version 2 is not supported/,
  );
  assert.throws(
    () => parseRecording('{"type":"recording","version":1}\n{"t":1}', "f"),
    /line 2 is not a recording entry/,
  );
  assert.throws(
    () => parseRecording('{"type":"recording","version":1}\nnope\n{"t":1,"frame":"{}"}', "f"),
    /line 2 is not JSON/,
  );
  assert.throws(
    () => parseRecording('{"type":"recording","version":1}\n{"t":1,"frame":null}\n', "f"),
    /line 2 is not a recording entry/,
  );
  assert.throws(() => parseRecording("\n", "f"), /the file is empty/);
});

test("parseRecording() reports and skips a last line cut short, keeping everything before it", () => {
  const text = '{"type":"recording","version":1,"endpoint":"demo"}\n' +
    '{"t":1,"frame":"{\\"type\\":\\"ok\\"}"}\n{"t":2,"frame":"{\\"type\\":\\"orderbook_de';
  const recording = parseRecording(text, "cut.jsonl");
  assert.equal(recording.entries.length, 1);
  assert.deepEqual(recording.warnings, [
    "'cut.jsonl': last line 3 is cut short (recording interrupted?); skipped",
  ]);
});

test("recordingTransport() keeps frames that cannot be messages as bad_frame, and redacts URL secrets", () => {
  let events: SocketEvents | undefined;
  const inner: Transport = {
    name: "fake",
    seesPings: false,
    open(_url, _headers, e) {
      events = e;
      return { send: () => {}, close: () => {} };
    },
  };
  const entries: RecordingEntry[] = [];
  const received: string[] = [];
  recordingTransport(inner, (e) => entries.push(e), () => 5).open(
    "wss://user:pass@example.com/trade-api/ws/v2?token=secret",
    {},
    {
      open: () => {},
      text: (data) => received.push(data),
      ping: () => {},
      close: () => {},
      handshakeFailed: () => {},
    },
  );
  events!.open();
  events!.text("null");
  events!.text('{"type":"ok"}');
  events!.text("x".repeat(5000));
  assert.deepEqual(entries.slice(0, 3), [
    { t: 5, event: "connected", url: "wss://***:***@example.com/trade-api/ws/v2?token=***" },
    { t: 5, bad_frame: "null", length: 4 },
    { t: 5, frame: '{"type":"ok"}' },
  ]);
  assert.deepEqual(entries[3], { t: 5, bad_frame: "x".repeat(1000), length: 5000 });
  assert.equal(received.length, 3, "the client still gets every frame (and reports it)");
  assert.ok(
    !JSON.stringify(entries).includes("secret") && !JSON.stringify(entries).includes("pass"),
  );
});
