/**
 * What every command receives: its parsed arguments, where to write, and when to stop.
 *
 * @module
 */

import type { CliArgs, OutputFormat } from "./args.ts";
import type { Lifetime } from "./lifetime.ts";
import type { FeedMetrics } from "./metrics_server.ts";
import type { Output } from "./output.ts";
import type { CliRuntime } from "./runtime.ts";

/** One command run. */
export interface CommandContext {
  /** Parsed, validated arguments. */
  readonly args: CliArgs;
  /** Data on stdout, status on stderr. */
  readonly out: Output;
  /** Stop conditions (duration, Ctrl-C, closed stdout, ...). */
  readonly lifetime: Lifetime;
  /** The effective format: `--format`, else text on a TTY and NDJSON otherwise. */
  readonly format: OutputFormat;
  /** Files, environment, signals, terminal and sockets of the runtime (Deno or Node). */
  readonly runtime: CliRuntime;
  /** With `--metrics-port`: where the command plugs in its feed for the metrics server. */
  readonly metrics?: FeedMetrics;
}

/** A command's entry point; resolves with the exit code (errors propagate to `main`). */
export type Command = (context: CommandContext) => Promise<number>;
