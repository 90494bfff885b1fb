/**
 * Fuzzing `parseCliArgs()`: random argument vectors built from the real option names, values
 * from the edges (negative, huge, hex, exponent, unicode, empty, `=` forms, `--`) and junk. The
 * parser must return arguments that respect every documented range, or throw a `UsageError`
 * with a one-line message — never another exception.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { COMMANDS, parseCliArgs, UsageError } from "./args.ts";
import { seededRandom as random } from "@kalshi-ws/core";

const RUNS = Number(Deno.env.get("FUZZ_ARGS") ?? 50_000);

const OPTIONS = [
  "--help",
  "-h",
  "--version",
  "--url",
  "--demo",
  "--key-id",
  "--private-key-file",
  "--channel",
  "-c",
  "--market",
  "-m",
  "--format",
  "--duration",
  "--max-messages",
  "--idle-timeout",
  "--quiet",
  "-q",
  "--verbose",
  "-v",
  "--interval",
  "--depth",
  "--use-yes-price",
  "--out",
  "-o",
  "--serve",
  "--port",
  "--speed",
  "--seed",
  "--open",
  "--ping-interval",
  "--key-dir",
  "--nope",
  "-x",
  "--",
  "-",
];

const VALUES = [
  "",
  " ",
  "0",
  "-0",
  "1",
  "-1",
  "0.5",
  "1e3",
  "1e21",
  "1e400",
  "9007199254740993",
  "65535",
  "65536",
  "0x10",
  "Infinity",
  "NaN",
  " 7 ",
  "text",
  "ndjson",
  "ws://127.0.0.1:1/trade-api/ws/v2",
  "wss://x",
  "http://x",
  "KXFED-26DEC-T4.25",
  "A B",
  "orderbook_delta",
  "é中😀",
  "\u0000",
  "--url",
  "-5",
];

test(`parseCliArgs() returns in-range arguments or throws a one-line UsageError, for ${RUNS} random argv`, () => {
  const rnd = random(0xa4c5);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  for (let run = 0; run < RUNS; run++) {
    const argv: string[] = [];
    if (rnd() < 0.9) argv.push(rnd() < 0.95 ? pick(COMMANDS) : pick(VALUES));
    for (let n = Math.floor(rnd() * 6); n > 0; n--) {
      const option = pick(OPTIONS);
      const value = pick(VALUES);
      const form = rnd();
      if (form < 0.6) argv.push(option, value);
      else if (form < 0.8) argv.push(`${option}=${value}`);
      else argv.push(option);
    }
    let args;
    try {
      args = parseCliArgs(argv);
    } catch (error) {
      if (!(error instanceof UsageError)) {
        assert.fail(`parseCliArgs() threw ${error} for ${JSON.stringify(argv)}`);
      }
      assert.ok(
        !error.message.includes("\n"),
        `multi-line message: ${JSON.stringify(error.message)}`,
      );
      assert.ok(!error.message.endsWith("."), error.message);
      continue;
    }
    const context = JSON.stringify(argv);
    const integer = (value: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER) =>
      value === undefined || (Number.isSafeInteger(value) && value >= min && value <= max);
    const positive = (value: number | undefined, min: number) =>
      value === undefined || (Number.isFinite(value) && value >= min);
    assert.ok(args.command === undefined || COMMANDS.includes(args.command), context);
    assert.ok(integer(args.maxMessages, 1), `maxMessages ${args.maxMessages} from ${context}`);
    assert.ok(integer(args.intervalMs, 0), `intervalMs ${args.intervalMs} from ${context}`);
    assert.ok(integer(args.depth, 1), `depth ${args.depth} from ${context}`);
    assert.ok(integer(args.port, 0, 65535), `port ${args.port} from ${context}`);
    assert.ok(integer(args.seed, 0), `seed ${args.seed} from ${context}`);
    assert.ok(positive(args.durationSeconds, 0), context);
    assert.ok(positive(args.idleTimeoutSeconds, 1), context);
    assert.ok(positive(args.speed, 0), context);
    assert.ok(positive(args.pingIntervalSeconds, 0), context);
    assert.ok(args.format === undefined || ["text", "ndjson"].includes(args.format), context);
    assert.ok(args.url === undefined || /^wss?:\/\//.test(args.url), context);
    assert.ok(!(args.quiet && args.verbose), context);
    for (const market of args.markets) {
      assert.ok(market.trim() !== "" && !/\s/.test(market), context);
    }
  }
});

test("parseCliArgs() rejects integer options beyond 2^53 instead of rounding them (found by the fuzzer)", () => {
  // 9007199254740993 silently became 9007199254740992; 1e21 passed as an "integer".
  for (const value of ["9007199254740993", "1e21"]) {
    assert.throws(() => parseCliArgs(["stream", "--max-messages", value]), UsageError);
    assert.throws(() => parseCliArgs(["simulate", "--seed", value]), UsageError);
  }
  assert.equal(
    parseCliArgs(["stream", "--max-messages", "9007199254740991"]).maxMessages,
    2 ** 53 - 1,
  );
});
