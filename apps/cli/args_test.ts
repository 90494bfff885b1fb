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
  usage(["book", "--interval", "-1"], /Invalid --interval '-1': expected an integer 0\.\./);
  usage(["stream", "--url", "http://x"], /Invalid --url 'http:\/\/x'/);
  usage(["stream", "--url", "ws://x", "--demo"], /cannot be combined/);
  usage(["stream", "-q", "-v"], /cannot be combined/);
  usage(["check", "-m", "A"], /'--market' does not apply to 'check'/);
  usage(["stream", "extra"], /Unexpected argument 'extra'/);
  usage(["stream", "-m", ""], /Invalid --market ''/);
  usage(["simulate", "--port", "70000"], /Invalid --port '70000'/);
});

test("parseCliArgs() names the flag for negative, huge, zero and out-of-range numbers", () => {
  usage(["stream", "--duration", "-1"], /^Invalid --duration '-1': expected a number > 0/);
  usage(["stream", "--duration", "-0.5"], /^Invalid --duration '-0\.5'/);
  usage(["stream", "--duration", "1e400"], /^Invalid --duration '1e400': expected a number > 0/);
  usage(["stream", "--duration", "0"], /^Invalid --duration '0': expected a number > 0/);
  usage(["stream", "--duration", "1e12"], /^Invalid --duration '1e12'.*<= 315360000/);
  usage(["book", "-m", "A", "--depth", "-3"], /^Invalid --depth '-3'/);
  usage(["stream", "--idle-timeout", "1e9"], /^Invalid --idle-timeout '1e9'/);
  usage(["simulate", "--rate", "1e9"], /^Invalid --rate '1e9': expected a number 0\.\.10000/);
  usage(["simulate", "--ping-interval", "1e12"], /^Invalid --ping-interval/);
  // Long but valid: 30 days and ten years are accepted (the timer is chunked, see long_timer.ts).
  assert.equal(parseCliArgs(["stream", "--duration", "2592000"]).durationSeconds, 2_592_000);
  assert.equal(parseCliArgs(["stream", "--duration", "315360000"]).durationSeconds, 315_360_000);
  // A market or a file name that merely starts with a dash is still a value where one is due.
  assert.deepEqual(parseCliArgs(["stream", "-m", "-5"]).markets, ["-5"]);
});

test("parseCliArgs() refuses an empty or unprintable --key-id and URLs without a host", () => {
  usage(["stream", "--key-id", ""], /^Invalid --key-id '': expected the API key id/);
  usage(["stream", "--key-id", "a b"], /^Invalid --key-id 'a b'/);
  usage(["stream", "--key-id", "x\u001b[2J"], /^Invalid --key-id/);
  usage(["stream", "--url", "ws://"], /^Invalid --url 'ws:\/\/'/);
  usage(
    ["stream", "--url", "ws://bad host/"],
    /^Invalid --url 'ws:\/\/bad host\/': not a valid URL/,
  );
  usage(["stream", "--url", "wss://"], /^Invalid --url 'wss:\/\/'/);
  usage(["record", "-c", "ticker", "-o", ""], /^Invalid --out ''/);
  usage(["stream", "--cwd", ""], /^Invalid --cwd ''/);
  assert.equal(parseCliArgs(["stream", "--url", "WSS://Example.com/x"]).url, "WSS://Example.com/x");
  assert.equal(parseCliArgs(["stream", "--cwd", "/tmp"]).cwd, "/tmp");
});
