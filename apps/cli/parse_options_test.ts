/**
 * `parseOptions()` against `node:util`'s `parseArgs` (strict, positionals allowed) on the
 * runtime running the tests: the same values and positionals, or the same error (code and
 * message), for hand-picked and random argument vectors over the CLI's real option table.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { parseArgs } from "node:util";
import { seededRandom as random } from "@kalshi-ws/core";
import { type OptionDeclaration, parseOptions } from "./parse_options.ts";
import { OPTIONS as CLI_OPTIONS } from "./args.ts";

const RUNS = Number(globalThis.process?.env?.FUZZ_ARGS ?? 50_000);

/** A table shaped like the CLI's: strings, booleans, shorts, multiples. */
const OPTIONS: Record<string, OptionDeclaration> = {
  help: { type: "boolean", short: "h" },
  url: { type: "string" },
  demo: { type: "boolean" },
  channel: { type: "string", short: "c", multiple: true },
  market: { type: "string", short: "m", multiple: true },
  format: { type: "string" },
  quiet: { type: "boolean", short: "q" },
  verbose: { type: "boolean", short: "v" },
  out: { type: "string", short: "o" },
  fault: { type: "string", multiple: true },
  open: { type: "boolean" },
};

type Outcome =
  | { ok: true; values: Record<string, unknown>; positionals: string[] }
  | { ok: false; code: unknown; message: string };

function outcome(parse: () => { values: object; positionals: string[] }): Outcome {
  try {
    const { values, positionals } = parse();
    return { ok: true, values: { ...values }, positionals };
  } catch (error) {
    const e = error as { code?: unknown; message?: string };
    return { ok: false, code: e.code, message: String(e.message) };
  }
}

function assertSame(args: string[], options: Record<string, OptionDeclaration> = OPTIONS): void {
  const expected = outcome(() =>
    parseArgs({ args, options, strict: true, allowPositionals: true })
  );
  const actual = outcome(() => parseOptions(args, options));
  assert.deepEqual(actual, expected, JSON.stringify(args));
}

test("parseOptions() parses as parseArgs does: hand-picked argument vectors", () => {
  const cases: string[][] = [
    [],
    ["book", "-m", "A", "-m", "B", "--url", "ws://x"],
    ["book", "-mA", "--market=B", "--market", "C", "-qv"],
    ["-qmA"],
    ["-qvm", "A"],
    ["-qmx", "A"],
    ["-qx"],
    ["-x"],
    ["--nope"],
    ["--nope=1"],
    ["--=1"],
    ["--", "-m", "--url"],
    ["-", "--"],
    ["--url"],
    ["-m"],
    ["--url", "-x"],
    ["-m", "-x"],
    ["-m", "-"],
    ["--url", "--"],
    ["--url=-x"],
    ["-m-x"],
    ["--quiet=1"],
    ["--quiet=", "x"],
    ["-q1"],
    ["-h", "--help"],
    ["--format", "text", "--format", "ndjson"],
    ["--__proto__"],
    ["--toString"],
    ["--constructor=1"],
    ["-m", "A B", "p1", "p2"],
    ["--url", "--quiet"],
    ["--fault", "a", "--fault=b"],
    ["--open", "--open"],
    ["-o"],
    ["-o", "file", "-oother"],
    ["é", "-é", "--é"],
    ["--market\nx"],
  ];
  for (const args of cases) assertSame(args);
});

test(`parseOptions() parses as parseArgs does: ${RUNS} random argument vectors`, () => {
  const rnd = random(0x5eed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const words = [
    ...Object.keys(OPTIONS).map((name) => `--${name}`),
    ...Object.values(OPTIONS).flatMap((o) => o.short === undefined ? [] : [`-${o.short}`]),
    "--nope",
    "-x",
    "-",
    "--",
    "---",
    "-qv",
    "-qm",
    "-vmq",
    "-mq",
    "-hx",
    "book",
    "",
    "A",
    "-1",
    "-.5",
    "=",
    "--url=",
    "--market=-1",
    "--quiet=true",
    "-m=",
  ];
  for (let run = 0; run < RUNS; run++) {
    const args: string[] = [];
    for (let n = Math.floor(rnd() * 7); n > 0; n--) {
      const word = pick(words);
      args.push(rnd() < 0.15 ? `${word}${pick(words)}` : word);
    }
    assertSame(args);
  }
});

test("parseOptions() parses as parseArgs does with the CLI's own option table", () => {
  const rnd = random(0xc11);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const words = [
    ...Object.keys(CLI_OPTIONS).map((name) => `--${name}`),
    ...Object.values(CLI_OPTIONS).flatMap((o) => "short" in o ? [`-${o.short}`] : []),
    "-qvh",
    "-qm",
    "-mA",
    "-oq",
    "--nope",
    "-x",
    "--",
    "-",
    "book",
    "-1",
    "A",
  ];
  for (let run = 0; run < RUNS / 5; run++) {
    const args: string[] = [];
    for (let n = Math.floor(rnd() * 7); n > 0; n--) args.push(pick(words));
    assertSame(args, CLI_OPTIONS);
  }
});
