/**
 * Test helper: runs `kalshi-ws publish` and `kalshi-ws consume` (`main.ts`) as child processes
 * for the NATS integration tests (so a collector can really be killed) and collects their
 * NDJSON stdout lines as they arrive.
 *
 * @module
 */

const MAIN = new URL("./main.ts", import.meta.url).pathname;

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

/** What a `kalshi-ws publish` collector of the simulator's markets is started with. */
export interface PublishSettings {
  /** The simulator (its URL and key id). */
  readonly sim: { readonly url: string; readonly keyId: string };
  /** The simulator's private key, in a file. */
  readonly keyFile: string;
  /** `--nats` arguments as given (e.g. `["--nats", "a,b"]`). */
  readonly nats: readonly string[];
  readonly id: string;
  readonly leaseTtlSeconds: number;
  readonly snapshotIntervalSeconds: number;
  readonly stream: string;
  readonly prefix: string;
  readonly markets: readonly string[];
}

/** `kalshi-ws publish` arguments (NDJSON events on stdout). */
export function publishArgs(o: PublishSettings): string[] {
  return [
    "publish",
    "--url",
    o.sim.url,
    "--key-id",
    o.sim.keyId,
    "--private-key-file",
    o.keyFile,
    ...o.nats,
    "--collector-id",
    o.id,
    "--lease-ttl",
    String(o.leaseTtlSeconds),
    "--snapshot-interval",
    String(o.snapshotIntervalSeconds),
    "--stream",
    o.stream,
    "--prefix",
    o.prefix,
    "--format",
    "ndjson",
    ...o.markets.flatMap((m) => ["-m", m]),
  ];
}

/** `kalshi-ws consume` arguments: NDJSON book lines, every change. */
export function consumeArgs(
  nats: string,
  stream: string,
  prefix: string,
  markets: readonly string[],
): string[] {
  return [
    "consume",
    "--nats",
    nats,
    "--stream",
    stream,
    "--prefix",
    prefix,
    "--format",
    "ndjson",
    "--interval",
    "0",
    ...markets.flatMap((m) => ["-m", m]),
  ];
}

/** Whether the last NDJSON book line of each market equals `truth(market)`. */
export function linesShowBooks(
  process: CliProcess,
  markets: readonly string[],
  truth: (market: string) => { readonly yes: unknown; readonly no: unknown },
): boolean {
  return markets.every((m) => {
    const last = process.lines.findLast((l) => l.type === "book" && l.market_ticker === m);
    const book = truth(m);
    return last !== undefined &&
      JSON.stringify(last.yes_dollars_fp) === JSON.stringify(book.yes) &&
      JSON.stringify(last.no_dollars_fp) === JSON.stringify(book.no);
  });
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
