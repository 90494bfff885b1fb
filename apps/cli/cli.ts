/**
 * `kalshi-ws`, on any runtime: parses arguments, picks the command, runs it and turns the
 * outcome into an exit code: 0 done, 1 runtime failure, 2 usage error, 130 interrupted (SIGINT),
 * 143 terminated (SIGTERM; both after the same clean unsubscribe and close).
 * Everything it needs from the runtime comes through a {@linkcode CliRuntime}; the entry points
 * plug one in: `main.ts` (Deno) and `node.ts`/`bin.ts` (Node, the npm package `kalshi-ws`).
 *
 * @module
 */

import { ConnectionError, HandshakeRejectedError, ServerError } from "@kalshi-ws/client";
import { type CliArgs, type CommandName, parseCliArgs, UsageError } from "./args.ts";
import type { Command } from "./context.ts";
import { helpText } from "./help.ts";
import { Lifetime, StoppedError } from "./lifetime.ts";
import { Output, type OutputStreams } from "./output.ts";
import type { MetricsServer } from "./metrics_server.ts";
import { withPathsIn, workDir } from "./paths.ts";
import type { CliRuntime } from "./runtime.ts";
import { VERSION } from "./version.ts";

/**
 * Each command's module, loaded only when that command runs: `book` or `stream` never load the
 * simulator, the NATS client or Prometheus' client, which would double the start-up time (about
 * 0.22 s → 0.11 s on Deno for `kalshi-ws book`).
 */
const COMMANDS: Record<CommandName, () => Promise<Command>> = {
  stream: async () => (await import("./commands/stream.ts")).stream,
  book: async () => (await import("./commands/book.ts")).book,
  record: async () => (await import("./commands/record.ts")).record,
  replay: async () => (await import("./commands/replay.ts")).replay,
  simulate: async () => (await import("./commands/simulate.ts")).simulate,
  demo: async () => (await import("./commands/demo.ts")).demo,
  subscriptions: async () => (await import("./commands/subscriptions.ts")).subscriptions,
  check: async () => (await import("./commands/check.ts")).check,
  publish: async () => (await import("./commands/publish.ts")).publish,
  consume: async () => (await import("./commands/consume.ts")).consume,
};

/** The `--metrics-port` server (loaded with Prometheus' client only when asked for). */
async function metricsServer(
  args: CliArgs,
  runtime: CliRuntime,
  out: Output,
): Promise<MetricsServer | undefined> {
  if (args.metricsPort === undefined) return undefined;
  const { startMetricsServer } = await import("./metrics_server.ts");
  return startMetricsServer(args, runtime, out);
}

/**
 * Runs the CLI with `argv` (without the program name) on `runtime`, writing to `streams` (the
 * process's by default); resolves with the exit code.
 */
export async function runCli(
  argv: readonly string[],
  runtime: CliRuntime,
  streams: OutputStreams = runtime.streams(),
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
    args = withPathsIn(
      args,
      workDir(args, {
        processCwd: () => runtime.cwd(),
        env: (name) => runtime.env(name),
        isDirectory: (path) => runtime.isDirectory(path),
        windowsPaths: runtime.windowsPaths,
      }),
      runtime.windowsPaths,
    );
  } catch (error) {
    return usageFailure(out, error);
  }
  const format = args.format ?? (out.isTerminal ? "text" : "ndjson");
  const lifetime = new Lifetime(runtime, args.durationSeconds);
  lifetime.signal.addEventListener("abort", () => out.debug(`stopping (${lifetime.reason})`));
  let metrics: MetricsServer | undefined;
  try {
    const run = await COMMANDS[command]();
    metrics = await metricsServer(args, runtime, out);
    return await run({
      args,
      out,
      lifetime,
      format,
      runtime,
      metrics: metrics?.feed,
    });
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
    out.error(`error: ${describe(error, runtime)}`);
    return 1;
  } finally {
    await metrics?.close();
    out.flushRepeated();
    lifetime[Symbol.dispose]();
  }
}

/** A usage mistake: one line on stderr, the message naming the flag or file, then the hint. */
function usageFailure(out: Output, error: unknown): number {
  if (!(error instanceof UsageError)) throw error;
  out.error(`kalshi-ws: ${error.message}. ${error.hint}`);
  return 2;
}

/** One line for a runtime failure; names the HTTP status of a rejected handshake. */
function describe(error: unknown, runtime: CliRuntime): string {
  if (error instanceof HandshakeRejectedError) {
    return `Handshake rejected (HTTP ${error.status}${
      error.status === 401 ? " Unauthorized" : error.status === 403 ? " Forbidden" : ""
    }): ${error.message}`;
  }
  if (error instanceof ServerError) return error.message; // "Kalshi error <code>: <text>"
  if (error instanceof ConnectionError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  const hint = runtime.permissionHint(error);
  return hint === undefined ? message : `${message} (${hint})`;
}

/**
 * Runs the CLI as the process: the runtime's arguments and streams, then exit with the code.
 * An error that escapes a command (a bug) is still one line and exit 1, never a stack trace on
 * the user's terminal.
 */
export async function runProgram(runtime: CliRuntime): Promise<never> {
  runtime.onUncaughtError((error) => {
    new Output(runtime.streams(), "normal").error(`error: internal: ${describe(error, runtime)}`);
    runtime.exit(1);
  });
  return runtime.exit(await runCli(runtime.args, runtime));
}
