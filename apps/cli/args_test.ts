import { test } from "node:test";
import assert from "node:assert/strict";
import { parseCliArgs, UsageError } from "./args.ts";

function usage(argv: string[], pattern: RegExp): void {
  assert.throws(() => parseCliArgs(argv), (error: unknown) => {
    assert.ok(error instanceof UsageError, String(error));
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes("\n"), "one line");
    assert.ok(error.hint.length > 0);
    return true;
  });
}

test("parseCliArgs() reads repeatable channels and markets with short flags", () => {
  const args = parseCliArgs([
    "stream",
    "-c",
    "ticker",
    "--channel",
    "trade",
    "-m",
    "A-1",
    "-m",
    "B-2.5",
    "--max-messages",
    "10",
    "--format",
    "ndjson",
  ]);
  assert.equal(args.command, "stream");
  assert.deepEqual(args.channels, ["ticker", "trade"]);
  assert.deepEqual(args.markets, ["A-1", "B-2.5"]);
  assert.equal(args.maxMessages, 10);
  assert.equal(args.format, "ndjson");
  assert.equal(args.intervalMs, 1000);
  assert.equal(args.depth, 5);
});

test("parseCliArgs() takes the replay file as a positional", () => {
  const args = parseCliArgs(["replay", "session.jsonl", "--speed", "2"]);
  assert.equal(args.file, "session.jsonl");
  assert.equal(args.speed, 2);
});

test("parseCliArgs() allows help and version without a command", () => {
  assert.equal(parseCliArgs(["--help"]).help, true);
  assert.equal(parseCliArgs(["-h"]).help, true);
  assert.equal(parseCliArgs(["--version"]).version, true);
  assert.equal(parseCliArgs([]).command, undefined);
});

test("parseCliArgs() rejects mistakes with one line naming the problem", () => {
  usage(["bogus"], /Unknown command 'bogus'/);
  usage(["stream", "--nope"], /nope/);
  usage(["stream", "--format", "xml"], /Invalid --format 'xml'/);
  usage(["stream", "--duration", "soon"], /Invalid --duration 'soon'/);
  usage(["stream", "--max-messages", "0"], /Invalid --max-messages '0'/);
  usage(["stream", "--max-messages", "1.5"], /expected an integer/);
  usage(["book", "--interval=-1"], /Invalid --interval '-1'/);
  usage(["book", "--interval", "-1"], /'--interval' argument is ambiguous/);
  usage(["stream", "--url", "http://x"], /Invalid --url 'http:\/\/x'/);
  usage(["stream", "--url", "ws://x", "--demo"], /cannot be combined/);
  usage(["stream", "-q", "-v"], /cannot be combined/);
  usage(["check", "-m", "A"], /'--market' does not apply to 'check'/);
  usage(["stream", "extra"], /Unexpected argument 'extra'/);
  usage(["stream", "-m", ""], /Invalid --market ''/);
  usage(["simulate", "--port", "70000"], /Invalid --port '70000'/);
});
