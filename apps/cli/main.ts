/**
 * `kalshi-ws`: the command-line app for Kalshi's real-time WebSocket API, on Deno. Run from the
 * repository root as `deno task cli <command> [options]` (or `deno task demo`), or directly with
 * `deno run <permissions> apps/cli/main.ts <command>`. The same commands run on Node from the npm
 * package `kalshi-ws` (`node.ts`); both share every line but the runtime seam (`runtime.ts`).
 *
 * Exit codes: 0 done, 1 runtime failure, 2 usage error, 130 interrupted (SIGINT), 143 terminated
 * (SIGTERM).
 *
 * @module
 */

import { runCli, runProgram } from "./cli.ts";
import type { OutputStreams } from "./output.ts";
import { denoRuntime } from "./runtime_deno.ts";

/** The streams `main()` writes to (injectable for tests and embedding). */
export type { OutputStreams };

/** The CLI's version. */
export { VERSION } from "./version.ts";

/** Runs the CLI with `argv` (without the program name); resolves with the exit code. */
export function main(
  argv: readonly string[],
  streams: OutputStreams = denoRuntime.streams(),
): Promise<number> {
  return runCli(argv, denoRuntime, streams);
}

if (import.meta.main) await runProgram(denoRuntime);
