/**
 * `kalshi-ws`: the command line for Kalshi's real-time WebSocket API on Node — exact local order
 * books, NDJSON streams with gap and reconnect lines, recordings and replay, a local
 * Kalshi-compatible simulator and NATS JetStream fan-out. `npx kalshi-ws demo` shows live books
 * from the built-in simulator, no account needed.
 *
 * This module is the package's entry: {@linkcode main} runs the CLI inside your own program, and
 * the `kalshi-ws` command runs {@linkcode runProgram}. The same commands, output and exit codes
 * as `deno task cli` on Deno: both share every line but the runtime seam.
 *
 * @example
 * ```js
 * import { main } from "kalshi-ws";
 *
 * // The demo's NDJSON book lines on stdout for 5 seconds; resolves with the exit code (0).
 * const code = await main(["demo", "--duration", "5", "--format", "ndjson"]);
 * console.error(`kalshi-ws exited ${code}`);
 * ```
 *
 * @module
 */

import { runCli, runProgram as runProgramOn } from "./cli.ts";
import type { OutputStreams } from "./output.ts";
import { nodeRuntime } from "./runtime_node.ts";

/** The streams `main()` writes to (injectable for tests and embedding). */
export type { OutputStreams };

/** The CLI's version. */
export { VERSION } from "./version.ts";

/** Runs the CLI with `argv` (without the program name); resolves with the exit code. */
export function main(
  argv: readonly string[],
  streams: OutputStreams = nodeRuntime.streams(),
): Promise<number> {
  return runCli(argv, nodeRuntime, streams);
}

/**
 * Runs the CLI as this process (`process.argv`, stdout, stderr, signals) and exits with its
 * code: what the `kalshi-ws` command does.
 */
export function runProgram(): Promise<never> {
  return runProgramOn(nodeRuntime);
}
