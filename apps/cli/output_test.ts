import { test } from "node:test";
import assert from "node:assert/strict";
import { Output } from "./output.ts";
import { MemoryStreams } from "./_test_streams.ts";

test("Output writes data lines to stdout and status to stderr", () => {
  const streams = new MemoryStreams();
  const out = new Output(streams, "normal");
  assert.equal(out.json({ a: 1 }), true);
  out.status("connected");
  out.debug("hidden");
  assert.equal(streams.stdout, '{"a":1}\n');
  assert.equal(streams.stderr, "connected\n");
});

test("Output turns a broken pipe into closed and stops writing", () => {
  const streams = new MemoryStreams();
  const out = new Output(streams, "normal");
  streams.broken = true;
  assert.equal(out.line("x"), false);
  assert.equal(out.closed, true);
  streams.broken = false;
  assert.equal(out.line("y"), false, "stays closed");
  assert.equal(streams.stdout, "");
});

test("Output colours stderr only on a terminal without NO_COLOR; quiet keeps errors", () => {
  const tty = new MemoryStreams({ terminal: true });
  new Output(tty, "normal").warn("w");
  assert.equal(tty.stderr, "\x1b[33mw\x1b[0m\n");
  const noColor = new MemoryStreams({ terminal: true, noColor: true });
  const quiet = new Output(noColor, "quiet");
  quiet.status("s");
  quiet.error("e");
  assert.equal(noColor.stderr, "e\n");
  assert.equal(new Output(noColor, "normal").color, false);
  assert.equal(new Output(tty, "normal").color, true);
});

test("Output.divertStatus() hands status to a live view and keeps a shared terminal clean", () => {
  const tty = new MemoryStreams({ terminal: true, noColor: true });
  const out = new Output(tty, "normal");
  const seen: [string, boolean][] = [];
  const undo = out.divertStatus((message, warning) => seen.push([message, warning]));
  out.status("reconnected");
  out.warn("gap");
  out.error("fatal");
  assert.deepEqual(seen, [["reconnected", false], ["gap", true]]);
  assert.equal(tty.stderr, "fatal\n", "errors still reach stderr");
  undo();
  out.status("after");
  assert.equal(tty.stderr, "fatal\nafter\n");
  const piped = new MemoryStreams();
  const out2 = new Output(piped, "normal");
  out2.divertStatus(() => {});
  out2.status("kept");
  assert.equal(piped.stderr, "kept\n", "redirected stderr keeps every line");
});
