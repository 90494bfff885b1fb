/**
 * The CLI on Node as its users get it: the CLI's end-to-end tests — every `apps/cli` test that
 * spawns the CLI through `_spawn.ts` — run with `deno test` while their CLI is the `kalshi-ws`
 * command of the installed npm package (`KALSHI_WS_CLI_BIN`), with no `deno` on the `PATH`. So
 * the same test sources check both runtimes: usage errors, demo, stream and book against the
 * simulator through dropped connections and gaps, Ctrl-C, SIGTERM, `| head`, record and replay,
 * `replay --serve`, a hostile server.
 *
 * @module
 */

import { pathWithoutDeno, ROOT, run } from "../_npm.ts";

/** The CLI's test files that spawn it (`apps/cli/*_test.ts` importing `./_spawn.ts`). */
export function cliEndToEndTests(): string[] {
  const dir = new URL("apps/cli/", ROOT);
  return [...Deno.readDirSync(dir)]
    .filter((entry) => entry.isFile && entry.name.endsWith("_test.ts"))
    .map((entry) => entry.name)
    .filter((name) =>
      /from\s*["']\.\/_spawn\.ts["']/.test(Deno.readTextFileSync(new URL(name, dir)))
    )
    .sort()
    .map((name) => `apps/cli/${name}`);
}

/** `N passed | N failed` from `deno test`'s summary line. */
export function denoTestCounts(output: string): { passed: number; failed: number } {
  const summary = [...output.matchAll(/\| (\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed/g)]
    .at(-1);
  return summary === undefined
    ? { passed: 0, failed: 0 }
    : { passed: Number(summary[1]), failed: Number(summary[3]) };
}

/**
 * Runs the CLI's end-to-end tests against `bin` (the installed `kalshi-ws` command); prints
 * their report and returns the counts (a run that failed without a summary counts as failed).
 */
export async function cliEndToEnd(bin: string): Promise<{ passed: number; failed: number }> {
  const files = cliEndToEndTests();
  console.error(`deno test (CLI on Node): ${files.join(", ")}`);
  const result = await run(Deno.execPath(), [
    "test",
    "--frozen",
    "-A",
    "--config",
    new URL("deno.json", ROOT).pathname,
    ...files,
  ], {
    cwd: ROOT,
    timeoutMs: 900_000,
    env: { KALSHI_WS_CLI_BIN: bin, PATH: pathWithoutDeno() },
  });
  const output = result.stdout + result.stderr;
  console.log(output.trimEnd());
  const counts = denoTestCounts(output);
  if (result.code !== 0 && counts.failed === 0) counts.failed = 1;
  return counts;
}
