import { test } from "node:test";
import assert from "node:assert/strict";
import { printable, printableJson } from "./printable.ts";
import { redactUrl, redactUrls } from "./redact.ts";
import { RepeatedLines } from "./repeated_lines.ts";
import { Output } from "./output.ts";
import { MemoryStreams } from "./_test_streams.ts";
import { renderBooks } from "./render_book.ts";

/** Any byte a terminal acts on: C0 (ESC, BEL, CR, ...), DEL, C1 (CSI, OSC, ...). */
// deno-lint-ignore no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

/** Our own SGR colour codes (the only escapes the CLI writes itself). */
const COLOUR = new RegExp(String.fromCharCode(27) + "\\[\\d+m", "g");

const HOSTILE = "x\u001b[2J\u001b]0;owned\u0007\r\nline2\u009b31m\u007f\u202eevil";

test("printable() escapes every control character and keeps one line", () => {
  const text = printable(HOSTILE);
  assert.ok(!RAW_CONTROL.test(text), text);
  assert.ok(!text.includes("\n"));
  assert.equal(text, "x\\u001b[2J\\u001b]0;owned\\u0007\\r\\nline2\\u009b31m\\u007f\\u202eevil");
  assert.equal(printable("KXFED-26DEC-T4.25 é中😀"), "KXFED-26DEC-T4.25 é中😀", "unchanged");
});

test("printableJson() is the same JSON value with nothing raw a terminal acts on", () => {
  const value = { msg: HOSTILE, nested: [HOSTILE] };
  const text = printableJson(value);
  assert.ok(!RAW_CONTROL.test(text), text);
  assert.deepEqual(JSON.parse(text), value, "same value");
});

test("Output escapes server text on stderr and in text and NDJSON lines on stdout", () => {
  const streams = new MemoryStreams({ terminal: true });
  const out = new Output(streams, "normal");
  out.warn(`server error: ${HOSTILE}`);
  out.error(HOSTILE);
  out.status(HOSTILE);
  out.line(`ticker ${HOSTILE}`);
  out.json({ reason: HOSTILE });
  // Our own colour codes are the only escapes left on stderr.
  const stderr = streams.stderr.replace(COLOUR, "");
  assert.ok(!RAW_CONTROL.test(stderr.replaceAll("\n", "")), stderr);
  assert.equal(stderr.split("\n").length, 4, "one line each");
  assert.ok(!RAW_CONTROL.test(streams.stdout.replaceAll("\n", "")), streams.stdout);
  assert.equal(streams.stdout.split("\n").length, 3);
});

test("renderBooks() escapes tickers, title and notice but keeps its own colours", () => {
  const text = renderBooks([{ ticker: `KX${HOSTILE}`, book: undefined, updatedAt: undefined }], {
    depth: 3,
    now: 0,
    title: `kalshi-ws book ${HOSTILE}`,
    state: "open",
    color: true,
    notice: { text: HOSTILE, warning: true, at: 0 },
  });
  const withoutColours = text.replace(COLOUR, "");
  assert.ok(!RAW_CONTROL.test(withoutColours.replaceAll("\n", "")), withoutColours);
  assert.ok(text.includes("\x1b[32mopen\x1b[0m"), "its own colours stay");
});

test("redactUrl() hides user, password and query values; other text is unchanged", () => {
  assert.equal(
    redactUrl("wss://bob:hunter2@api.example.com:8443/trade-api/ws/v2?token=abc&x=1"),
    "wss://***:***@api.example.com:8443/trade-api/ws/v2?token=***&x=***",
  );
  assert.equal(redactUrl("ws://127.0.0.1:9/trade-api/ws/v2"), "ws://127.0.0.1:9/trade-api/ws/v2");
  assert.equal(redactUrl("production"), "production");
  assert.equal(
    redactUrls('Cannot connect to "ws://a:b@127.0.0.1:9/x?k=v": refused'),
    'Cannot connect to "ws://***:***@127.0.0.1:9/x?k=***": refused',
  );
  const streams = new MemoryStreams();
  new Output(streams, "normal").status("connected to wss://u:secret@h/p?key=secret");
  assert.ok(!streams.stderr.includes("secret"), streams.stderr);
});

test("RepeatedLines prints a burst, then one counted summary per interval, and the rest at flush", () => {
  let now = 0;
  const lines: string[] = [];
  const repeated = new RepeatedLines((line) => lines.push(line), {
    burst: 3,
    intervalMs: 10_000,
    now: () => now,
  });
  for (let i = 0; i < 200_000; i++) {
    now = i / 10; // 200 000 frames over 20 s
    repeated.report("decode", "undecodable frames", `bad frame ${i}`);
  }
  repeated.flush();
  assert.deepEqual(lines.slice(0, 3), [
    "bad frame 0",
    "bad frame 1",
    "bad frame 2 (further ones are counted)",
  ]);
  const summaries = lines.slice(3);
  assert.ok(summaries.length <= 3, `${summaries.length} summaries`);
  const counted = summaries.map((l) => Number(/… (\d+) more undecodable frames/.exec(l)![1]));
  assert.equal(counted.reduce((a, b) => a + b, 0), 200_000 - 3, "every frame counted");
  repeated.flush();
  assert.equal(lines.length, 3 + summaries.length, "nothing more to flush");
});
