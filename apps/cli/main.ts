/**
 * `kalshi-ws`: the command-line app. Parses arguments, picks the command, runs it and turns the
 * outcome into an exit code: 0 done, 1 runtime failure, 2 usage error, 130 interrupted (SIGINT),
 * 143 terminated (SIGTERM; both after the same clean unsubscribe and close).
 *
 * Run from the repository root as `deno task cli <command> [options]`, or directly with
 * `deno run <permissions> apps/cli/main.ts <command>`.
 *
 * @module
 */

import { ConnectionError, HandshakeRejectedError, ServerError } from "@kalshi-ws/deno";
import { type CommandName, parseCliArgs, UsageError } from "./args.ts";
import type { Command } from "./context.ts";
import { helpText } from "./help.ts";
import { Lifetime, StoppedError } from "./lifetime.ts";
import { Output, type OutputStreams, processStreams } from "./output.ts";
import { withPathsIn, workDir } from "./paths.ts";
import { envVar, isDirectory, processCwd } from "./runtime.ts";
import { book } from "./commands/book.ts";
import { check } from "./commands/check.ts";
import { consume } from "./commands/consume.ts";
import { demo } from "./commands/demo.ts";
import { publish } from "./commands/publish.ts";
import { record } from "./commands/record.ts";
import { replay } from "./commands/replay.ts";
import { simulate } from "./commands/simulate.ts";
import { stream } from "./commands/stream.ts";
import { subscriptions } from "./commands/subscriptions.ts";
import config from "./deno.json" with { type: "json" };

/** The streams `main()` writes to (injectable for tests and embedding). */
export type { OutputStreams };

/** The CLI's version (from its `deno.json`). */
export const VERSION: string = config.version;

const COMMANDS: Record<CommandName, Command> = {
  stream,
  book,
  record,
  replay,
  simulate,
  demo,
  subscriptions,
  check,
  publish,
  consume,
};

/** Runs the CLI with `argv` (without the program name); resolves with the exit code. */
export async function main(
  argv: readonly string[],
  streams: OutputStreams = processStreams(),
): Promise<number> {
  let args;
  try {
    args = parseCliArgs(argv);
  } catch (error) {
    return usageFailure(new Output(streams, "normal"), error);
  }
  const out = new Output(streams, args.quiet ? "quiet" : args.verbose ? "verbose" : "normal");
  if (args.version) {
    out.line(`kalshi-ws ${VERSION}`);
    return 0;
  }
  if (args.help) {
    out.raw(helpText(args.command));
    return 0;
  }
  if (args.command === undefined) {
    return usageFailure(
      out,
      new UsageError(
        "Missing command",
        "Commands: stream, book, record, replay, simulate, demo, subscriptions, check, publish, " +
          "consume. " +
          "Run 'kalshi-ws --help' (or try 'kalshi-ws demo')",
      ),
    );
  }
  const command = args.command;
  try {
    args = withPathsIn(args, workDir(args, { processCwd, env: envVar, isDirectory }));
  } catch (error) {
    return usageFailure(out, error);
  }
  const format = args.format ?? (out.isTerminal ? "text" : "ndjson");
  using lifetime = new Lifetime(args.durationSeconds);
  lifetime.signal.addEventListener("abort", () => out.debug(`stopping (${lifetime.reason})`));
  try {
    return await COMMANDS[command]({ args, out, lifetime, format });
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(out, error);
    if (lifetime.reason === "interrupted") {
      out.status("interrupted");
      return 130;
    }
    if (error instanceof StoppedError) {
      // Stopped while still waiting (connecting, subscribing, a reply): a clean stop all the
      // same — SIGTERM, `--duration`, `record | head -1`.
      out.status(`stopped (${lifetime.reason})`);
      return lifetime.exitCode;
    }
    out.error(`error: ${describe(error)}`);
    return 1;
  } finally {
    out.flushRepeated();
  }
}

/** A usage mistake: one line on stderr, the message naming the flag or file, then the hint. */
function usageFailure(out: Output, error: unknown): number {
  if (!(error instanceof UsageError)) throw error;
  out.error(`kalshi-ws: ${error.message}. ${error.hint}`);
  return 2;
}

function lastResort(error: unknown): never {
  new Output(processStreams(), "normal").error(`error: internal: ${describe(error)}`);
  Deno.exit(1);
}

/** One line for a runtime failure; names the HTTP status of a rejected handshake. */
function describe(error: unknown): string {
  if (error instanceof HandshakeRejectedError) {
    return `Handshake rejected (HTTP ${error.status}${
      error.status === 401 ? " Unauthorized" : error.status === 403 ? " Forbidden" : ""
    }): ${error.message}`;
  }
  if (error instanceof ServerError) return error.message; // "Kalshi error <code>: <text>"
  if (error instanceof ConnectionError) return error.message;
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    return `${(error as Error).message} (grant it with the matching deno run --allow-* flag)`;
  }
  return error instanceof Error ? error.message : String(error);
}

if (import.meta.main) {
  // Last resort: an error that escaped a command (a bug) is still one line and exit 1, never a
  // stack trace on the user's terminal.
  globalThis.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    lastResort(event.reason);
  });
  globalThis.addEventListener("error", (event) => {
    event.preventDefault();
    lastResort(event.error);
  });
  const code = await main(Deno.args);
  Deno.exit(code);
}
