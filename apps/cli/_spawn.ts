/**
 * Test helper: runs the CLI as a child process and reads its stdout line by line, so end-to-end
 * tests wait on output rather than on sleeps.
 *
 * By default the child is `main.ts` on Deno with the `deno task cli` permissions. With
 * `KALSHI_WS_CLI_BIN` set to the `kalshi-ws` command of the installed npm package, the same tests
 * run the CLI on Node instead (`deno task test:node` does, with no `deno` on the `PATH`):
 * {@linkcode CLI_RUNTIME} tells the few tests whose expectations differ.
 *
 * @module
 */

/** The `kalshi-ws` command of the npm package to test instead of `main.ts` on Deno. */
const NODE_BIN = Deno.env.get("KALSHI_WS_CLI_BIN") || undefined;

/** The runtime the CLI under test runs on. */
export const CLI_RUNTIME: "deno" | "node" = NODE_BIN === undefined ? "deno" : "node";

/** The permissions of `deno task cli` (kept in step with the root deno.json). */
export const CLI_PERMISSIONS: readonly string[] = [
  "--allow-net",
  "--allow-read",
  "--allow-write",
  "--allow-env=KALSHI_API_KEY_ID,KALSHI_PRIVATE_KEY_PATH,KALSHI_PRIVATE_KEY,NATS_URL,NO_COLOR," +
  "INIT_CWD,WS_NO_BUFFER_UTIL,WS_NO_UTF_8_VALIDATE",
];

/** The permissions of `deno task demo`. */
export const DEMO_PERMISSIONS: readonly string[] = [
  "--allow-net=127.0.0.1",
  "--allow-env=NO_COLOR,WS_NO_BUFFER_UTIL,WS_NO_UTF_8_VALIDATE",
];

/** Options of a {@linkcode CliProcess}. */
export interface CliOptions {
  /** Extra environment variables. */
  readonly env?: Record<string, string>;
  /** Permission flags (default: those of `deno task cli`). */
  readonly permissions?: readonly string[];
}

const MAIN = new URL("./main.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

/** A running CLI process. */
export class CliProcess {
  readonly child: Deno.ChildProcess;
  /** Every complete stdout line so far. */
  readonly lines: string[] = [];
  /** Everything on stderr so far. */
  stderr = "";
  readonly #reader: ReadableStreamDefaultReader<string>;
  readonly #stdoutDone: Promise<void>;
  readonly #stderrDone: Promise<void>;
  #waiters: (() => void)[] = [];
  #ended = false;

  /** Spawns the CLI with `args` (permissions apply on Deno only: Node has none). */
  constructor(args: readonly string[], options: CliOptions = {}) {
    const [command, commandArgs] = NODE_BIN === undefined
      ? [Deno.execPath(), [
        "run",
        "--quiet",
        "--frozen",
        "--config",
        CONFIG,
        ...(options.permissions ?? CLI_PERMISSIONS),
        MAIN,
        ...args,
      ]]
      : [NODE_BIN, [...args]];
    this.child = new Deno.Command(command, {
      args: commandArgs,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1", ...options.env },
      cwd: "/tmp",
    }).spawn();
    this.#reader = this.child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    this.#stdoutDone = this.#readStdout();
    const stderr = this.child.stderr;
    this.#stderrDone = (async () => {
      for await (const chunk of stderr.pipeThrough(new TextDecoderStream())) {
        this.stderr += chunk;
        this.#wake();
      }
    })();
  }

  async #readStdout(): Promise<void> {
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await this.#reader.read();
        if (done) break;
        buffer += value;
        let newline;
        while ((newline = buffer.indexOf("\n")) >= 0) {
          this.lines.push(buffer.slice(0, newline));
          buffer = buffer.slice(newline + 1);
        }
        this.#wake();
      }
    } catch {
      // cancelled by closeStdout()
    }
    this.#ended = true;
    this.#wake();
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  /** Stdout lines parsed as JSON. */
  json(): Record<string, unknown>[] {
    return this.lines.map((line) => JSON.parse(line));
  }

  /**
   * Waits until `predicate` holds (re-checked on every output chunk) and returns its value;
   * rejects after `timeoutMs` or when the output ends first, with the output so far.
   */
  async waitFor<T>(
    what: string,
    predicate: () => T | undefined | false,
    timeoutMs = 15_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = predicate();
      if (value !== undefined && value !== false) return value;
      if (this.#ended || Date.now() > deadline) {
        throw new Error(
          `Timed out waiting for ${what}\n--- stdout:\n${this.lines.slice(-20).join("\n")}\n` +
            `--- stderr:\n${this.stderr}`,
        );
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        timer = setTimeout(resolve, Math.max(1, Math.min(250, deadline - Date.now())));
      });
      clearTimeout(timer);
    }
  }

  /** Waits for a stdout line (parsed as JSON) that satisfies `match`. */
  waitForLine(
    what: string,
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>> {
    return this.waitFor(what, () => this.json().find(match), timeoutMs);
  }

  /** Waits for `text` on stderr. */
  waitForStderr(text: string, timeoutMs?: number): Promise<true> {
    return this.waitFor(
      `stderr "${text}"`,
      () => this.stderr.includes(text) || undefined,
      timeoutMs,
    );
  }

  /** Closes our end of the stdout pipe (like `| head -1` exiting). */
  async closeStdout(): Promise<void> {
    await this.#reader.cancel();
  }

  /** Waits for exit; returns the exit code once all output is read. */
  async exit(timeoutMs = 20_000): Promise<number> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        try {
          this.child.kill("SIGKILL");
        } catch {
          // already gone
        }
        reject(new Error(`CLI did not exit in time\n--- stderr:\n${this.stderr}`));
      }, timeoutMs);
    });
    try {
      const status = await Promise.race([this.child.status, timeout]);
      await Promise.all([this.#stdoutDone, this.#stderrDone]);
      return status.code;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Runs the CLI to completion; returns exit code, stdout lines and stderr. */
export async function runCli(
  args: readonly string[],
  options: CliOptions = {},
): Promise<{ code: number; lines: string[]; stderr: string }> {
  const cli = new CliProcess(args, options);
  const code = await cli.exit();
  return { code, lines: cli.lines, stderr: cli.stderr };
}
