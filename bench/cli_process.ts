/**
 * The CLI's `book` as a user runs it — a whole process, start-up included — against a bare
 * Deno `WebSocket` + `JSON.parse` process, both on the loopback sender's pre-encoded stream
 * (`_ws_sender.ts`: `subscribed`, a snapshot per market, then the `orderbook_delta` frames).
 * `loopback.ts` measures the CLI's `main()` inside the bench process, which leaves process
 * start-up out of both sides; this one keeps it in, as a user's stopwatch would.
 *
 * Contestants, in an order rotating per round:
 * - `bare`: `deno run bench/_bare_parse_process.ts` (the baseline);
 * - `cli_run`: `deno run <the cli task's permissions> apps/cli/main.ts book …`;
 * - `cli_task`: `deno task cli book …` (the task runner's start-up too).
 * Each CLI run subscribes to every market with `--format ndjson --max-messages <every snapshot
 * and delta>` and must exit 0 printing one `final` book line per market. Time runs from spawn to
 * exit; ratios are per round (baseline time / contestant time, > 1: faster), medians reported.
 *
 *   deno run -A bench/cli_process.ts [--rounds 7] [--frames 300000] [--markets 1000]
 *
 * @module
 */

import { bookArgs, writeBenchKey } from "./_cli_book.ts";
import { startSender } from "./_sender_process.ts";
import { median, round } from "./_pipeline_workload.ts";
import { benchFlags, machine, printSummary } from "./_report.ts";

const flags = benchFlags(["frames", "markets"]);
const frames = Number(flags.values.frames ?? (flags.full ? 1_000_000 : 300_000));
const marketCount = Number(flags.values.markets ?? 1000);
const rounds = flags.rounds ?? 7;
const root = new URL("../", import.meta.url).pathname;
const deno = Deno.execPath();

const info = await startSender(frames, marketCount);
const sender = info.process;
const url = info.url;
const total = info.setup + info.frames;

const keyDir = await Deno.makeTempDir({ prefix: "kalshi-ws-bench-" });
const keyFile = await writeBenchKey(keyDir);
// every snapshot and delta (the `subscribed` reply is not a message)
const args = bookArgs(url, keyFile, total - 1, info.markets);
const cliTask = JSON.parse(await Deno.readTextFile(`${root}deno.json`)).tasks.cli as string;
/** The `cli` task's `deno run` flags (permissions), so `cli_run` runs what the task runs. */
const cliRunFlags = cliTask.split(" ").filter((word) => word.startsWith("--"));

/** Runs a process to its exit; resolves with ms from spawn to exit. */
async function timed(args: string[], check: (stdout: string) => string | undefined) {
  const start = performance.now();
  const result = await new Deno.Command(deno, { args, cwd: root, stdout: "piped", stderr: "piped" })
    .output();
  const ms = performance.now() - start;
  const stdout = new TextDecoder().decode(result.stdout);
  const problem = result.success
    ? check(stdout)
    : `exit ${result.code}: ${new TextDecoder().decode(result.stderr).slice(0, 500)}`;
  if (problem !== undefined) throw new Error(`Cannot benchmark ${args.slice(0, 3)}: ${problem}`);
  return ms;
}

/** Every market's final book line printed. */
function booksPrinted(stdout: string): string | undefined {
  const finals = stdout.split("\n").filter((l) => l.startsWith("{") && JSON.parse(l).final);
  return finals.length === info.markets.length
    ? undefined
    : `${finals.length} of ${info.markets.length} final books`;
}

const contestants = {
  bare: () =>
    timed(
      ["run", "--allow-net=127.0.0.1", `${root}bench/_bare_parse_process.ts`, url, String(total)],
      () => undefined,
    ),
  cli_run: () => timed(["run", ...cliRunFlags, `${root}apps/cli/main.ts`, ...args], booksPrinted),
  cli_task: () => timed(["task", "cli", ...args], booksPrinted),
};
type Name = keyof typeof contestants;
const names = Object.keys(contestants) as Name[];
const times: Record<Name, number[]> = { bare: [], cli_run: [], cli_task: [] };

try {
  for (const name of names) await contestants[name](); // warm-up (module cache, page cache)
  for (let r = 0; r < rounds; r++) {
    const turn = names.map((_, i) => names[(i + r) % names.length]!);
    if (r % 2 === 1) turn.reverse();
    for (const name of turn) times[name].push(await contestants[name]());
    console.error(
      `round ${r + 1}/${rounds}: ` +
        names.map((n) => `${n} ${times[n].at(-1)!.toFixed(0)} ms`).join(", "),
    );
  }
} finally {
  sender.kill();
  await Deno.remove(keyDir, { recursive: true });
}

const ratio = (name: Name) => round(median(times[name].map((t, i) => times.bare[i]! / t)), 3);
const summary: Record<string, unknown> = {
  bench: "cli_process",
  frames: total,
  markets: info.markets.length,
  rounds,
  load: Deno.loadavg(),
  machine: machine(),
};
console.log(`\nWhole processes, spawn to exit, ${total} frames, median of ${rounds} rounds:`);
for (const name of names) {
  const ms = median(times[name]);
  summary[name] = { ms: round(ms, 1), ratio: ratio(name) };
  console.log(`  ${name.padEnd(9)} ${ms.toFixed(0).padStart(6)} ms  ${ratio(name)}× bare`);
}
printSummary(summary);
