/**
 * Where the CLI writes: data on stdout (NDJSON or text, one line per write, flushed as it
 * comes), status on stderr (coloured only on a TTY and never with `NO_COLOR`).
 *
 * Writes are synchronous writes to the process's stdout (the runtime's, see `runtime.ts`), not
 * `console.log`: when the reader goes away (`| head`) the write fails with `BrokenPipe`, which we
 * turn into {@linkcode Output.closed} so the command can stop cleanly and exit 0 instead of
 * streaming into the void.
 *
 * @module
 */

import { printable, printableJson } from "./printable.ts";
import { redactUrls } from "./redact.ts";
import { RepeatedLines } from "./repeated_lines.ts";

const encoder = new TextEncoder();

/** Verbosity of status lines on stderr. */
export type Verbosity = "quiet" | "normal" | "verbose";

/** The streams and terminal facts an {@linkcode Output} writes to (injectable for tests). */
export interface OutputStreams {
  /** Writes to stdout; returns the bytes written (throws `BrokenPipe` when the reader left). */
  writeOut(bytes: Uint8Array): number;
  /**
   * Writes to stdout without blocking the event loop, where the runtime can (Deno); resolves
   * with the bytes written.
   */
  writeOutAsync?(bytes: Uint8Array): Promise<number>;
  /** Writes to stderr; returns the bytes written. */
  writeErr(bytes: Uint8Array): number;
  /** Whether stdout is a terminal. */
  readonly outIsTerminal: boolean;
  /** Whether stderr is a terminal. */
  readonly errIsTerminal: boolean;
  /** Whether `NO_COLOR` (or Deno's no-colour mode) is set. */
  readonly noColor: boolean;
}

const COLORS = { red: 31, yellow: 33, green: 32, dim: 2, cyan: 36 } as const;

/** Data and status writer for one CLI run. */
export class Output {
  readonly #streams: OutputStreams;
  readonly #verbosity: Verbosity;
  readonly #color: boolean;
  #closed = false;
  /** The write of {@linkcode Output.bytesInBackground} under way; stdout writes queue behind it. */
  #background: Promise<unknown> | undefined;
  #sink: ((message: string, warning: boolean) => void) | undefined;
  readonly #repeated: RepeatedLines;

  /** Wraps `streams`; `verbosity` filters status lines (errors always show). */
  constructor(streams: OutputStreams, verbosity: Verbosity) {
    this.#streams = streams;
    this.#verbosity = verbosity;
    this.#color = streams.errIsTerminal && !streams.noColor;
    this.#repeated = new RepeatedLines((line) => this.warn(line));
  }

  /** True once stdout's reader has gone away; the command should finish cleanly. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Whether stdout is a terminal (text format and live views default on). */
  get isTerminal(): boolean {
    return this.#streams.outIsTerminal;
  }

  /** Whether data on stdout may use ANSI colours (a terminal, and no `NO_COLOR`). */
  get color(): boolean {
    return this.#streams.outIsTerminal && !this.#streams.noColor;
  }

  /** Writes one JSON value as an NDJSON line; returns false if stdout is closed. */
  json(value: unknown): boolean {
    return this.raw(`${printableJson(value)}\n`);
  }

  /** Writes one line of data to stdout, control characters escaped; false if stdout is closed. */
  line(text: string): boolean {
    return this.raw(`${printable(text)}\n`);
  }

  /**
   * Writes text to stdout as is (terminal redraws, help); false if stdout is closed. Callers
   * escape any server-controlled part with `printable()` themselves.
   */
  raw(text: string): boolean {
    return this.bytes(encoder.encode(text));
  }

  /**
   * Writes UTF-8 bytes to stdout as they are (`book` lines written straight into bytes), in one
   * write however large; false if stdout is closed. Callers escape server-controlled parts.
   */
  bytes(data: Uint8Array): boolean {
    if (this.#closed) return false;
    if (data.length === 0) return true;
    if (this.#background !== undefined) {
      // Keep stdout in order: after the background write (its outcome is reported there).
      const copy = data.slice();
      void this.#background.then(() => this.bytes(copy));
      return true;
    }
    try {
      writeAll((bytes) => this.#streams.writeOut(bytes), data);
      return true;
    } catch (error) {
      if (isBrokenPipe(error)) {
        this.#closed = true;
        return false;
      }
      throw error;
    }
  }

  /**
   * Writes `data` to stdout while the event loop runs on, where the runtime can (else at once):
   * the final books of `book` (~1 MB for 1 000 markets) drain into a slow reader while the run
   * unsubscribes and closes. Resolves once written (false: stdout closed); later stdout writes
   * wait for it. `data` must not change until then. Await it before the process exits.
   */
  bytesInBackground(data: Uint8Array): Promise<boolean> {
    const streams = this.#streams;
    if (streams.writeOutAsync === undefined || this.#background !== undefined || !data.length) {
      return Promise.resolve(this.bytes(data));
    }
    if (this.#closed) return Promise.resolve(false);
    const written = (async () => {
      try {
        for (let at = 0; at < data.length;) at += await streams.writeOutAsync!(data.subarray(at));
        return true;
      } catch (error) {
        if (!isBrokenPipe(error)) throw error;
        this.#closed = true;
        return false;
      }
    })();
    // Cleared first when it settles, so the writes queued behind it then run in their order.
    const background: Promise<void> = written.then(() => {}, () => {}).then(() => {
      if (this.#background === background) this.#background = undefined;
    });
    this.#background = background;
    return written;
  }

  /**
   * Also hands status lines and warnings to `sink` (a live terminal view shows them in place).
   * While stdout and stderr are both terminals they then skip stderr, where they would tear the
   * view; redirected stderr still gets them. Returns the function that undoes it.
   */
  divertStatus(sink: (message: string, warning: boolean) => void): () => void {
    this.#sink = sink;
    return () => {
      if (this.#sink === sink) this.#sink = undefined;
    };
  }

  /** A status line on stderr (hidden with --quiet). */
  status(message: string): void {
    if (this.#verbosity === "quiet") return;
    if (this.#divert(message, false)) return;
    this.#err(message, COLORS.cyan);
  }

  /** A warning on stderr (hidden with --quiet). */
  warn(message: string): void {
    if (this.#verbosity === "quiet") return;
    if (this.#divert(message, true)) return;
    this.#err(message, COLORS.yellow);
  }

  /** Passes a message to the diverted sink; true when stderr should be skipped. */
  #divert(message: string, warning: boolean): boolean {
    if (this.#sink === undefined) return false;
    this.#sink(message, warning);
    return this.#streams.outIsTerminal && this.#streams.errIsTerminal;
  }

  /**
   * A warning that a server can make repeat without end: the first few of each `kind` are
   * printed, then one summary per interval counts the rest (`noun` names them).
   */
  warnRepeated(kind: string, noun: string, message: string): void {
    if (this.#verbosity === "quiet") return;
    this.#repeated.report(kind, noun, message);
  }

  /** Prints the counts of repeated warnings not yet summarized (at the end of a run). */
  flushRepeated(): void {
    this.#repeated.flush();
  }

  /** A detail shown only with --verbose. */
  debug(message: string): void {
    if (this.#verbosity === "verbose") this.#err(message, COLORS.dim);
  }

  /** An error on stderr; always shown. */
  error(message: string): void {
    this.#err(message, COLORS.red);
  }

  #err(message: string, color: number): void {
    const line = printable(redactUrls(message));
    const text = this.#color ? `\x1b[${color}m${line}\x1b[0m\n` : `${line}\n`;
    try {
      writeAll((bytes) => this.#streams.writeErr(bytes), encoder.encode(text));
    } catch {
      // stderr gone as well: nothing sensible left to report to.
    }
  }
}

/** Writes every byte, looping over partial writes. */
function writeAll(write: (bytes: Uint8Array) => number, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) offset += write(bytes.subarray(offset));
}

/** True for the errors a closed pipe produces (named `BrokenPipe` by both runtimes). */
function isBrokenPipe(error: unknown): boolean {
  return error instanceof Error &&
    (error.name === "BrokenPipe" || /broken pipe|EPIPE/i.test(error.message));
}
