/**
 * Runs `kalshi-ws` (apps/cli/main.ts) as a child process for the NATS integration tests and
 * collects its NDJSON stdout lines as they arrive.
 *
 * @module
 */

const MAIN = new URL("../../../apps/cli/main.ts", import.meta.url).pathname;

/** A running CLI process. */
export interface CliProcess extends AsyncDisposable {
  /** Parsed stdout lines so far (each with `t` when the CLI adds it). */
  readonly lines: Record<string, unknown>[];
  /** Stderr text so far. */
  stderr(): string;
  /** Sends `signal` (SIGKILL: a crash; SIGINT: Ctrl-C). */
  kill(signal: Deno.Signal): void;
  /** Resolves with the exit code once the process ended and its output was read. */
  readonly done: Promise<number>;
}

/** Markets a `kalshi-ws publish` process covers now, from its NDJSON event lines. */
export function coveredBy(process: CliProcess): Set<string> {
  const covered = new Set<string>();
  for (const line of process.lines) {
    if (line.type === "lease_acquired") covered.add(line.market as string);
    if (line.type === "lease_released" || line.type === "lease_lost") {
      covered.delete(line.market as string);
    }
  }
  return covered;
}

/** Starts `kalshi-ws <args>` with every permission and `NO_COLOR`. */
export function startCli(args: readonly string[]): CliProcess {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const lines: Record<string, unknown>[] = [];
  let stderr = "";
  const readLines = async (): Promise<void> => {
    let pending = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line.trim() !== "") lines.push(JSON.parse(line));
      }
    }
  };
  const readErr = async (): Promise<void> => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) stderr += chunk;
  };
  const done = Promise.all([readLines(), readErr(), child.status]).then(([, , s]) => s.code);
  let ended = false;
  void done.then(() => ended = true);
  return {
    lines,
    stderr: () => stderr,
    kill: (signal) => {
      if (!ended) child.kill(signal);
    },
    done,
    [Symbol.asyncDispose]: async () => {
      if (!ended) {
        try {
          child.kill("SIGKILL");
        } catch {
          // already gone
        }
      }
      await done;
    },
  };
}
