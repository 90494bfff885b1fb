/**
 * How a command run ends: `--duration`, `--max-messages`, Ctrl-C, a closed stdout, or the
 * command finishing on its own. The first reason wins; commands watch {@linkcode Lifetime.signal}
 * and then clean up (unsubscribe, close) before the process exits with
 * {@linkcode Lifetime.exitCode}.
 *
 * @module
 */

import { setLongTimeout } from "./long_timer.ts";

/** Why a run stopped. Only `interrupted` changes the exit code (130). */
export type StopReason = "finished" | "duration" | "max_messages" | "interrupted" | "stdout_closed";

/** Stop conditions of one run: a signal to watch, plus SIGINT and `--duration` wiring. */
export class Lifetime implements Disposable {
  readonly #controller = new AbortController();
  #reason: StopReason | undefined;
  #cancelTimer: (() => void) | undefined;
  #interruptedAt: number | undefined;
  readonly #onSigint = (): void => {
    // A second Ctrl-C while cleaning up means "now": skip the clean close. A duplicate within a
    // second is not a second press: `deno task` forwards the terminal's SIGINT to a child that
    // already got it from the terminal.
    const now = performance.now();
    if (this.#interruptedAt !== undefined) {
      if (now - this.#interruptedAt > 1_000) Deno.exit(130);
      return;
    }
    this.#interruptedAt = now;
    this.stop("interrupted");
  };

  /** Starts watching SIGINT and, when given, a `--duration` in seconds. */
  constructor(durationSeconds?: number) {
    Deno.addSignalListener("SIGINT", this.#onSigint);
    if (durationSeconds !== undefined) {
      // Chunked: a plain setTimeout beyond ~24.8 days overflows and fires at once.
      this.#cancelTimer = setLongTimeout(() => this.stop("duration"), durationSeconds * 1000);
    }
  }

  /** Aborted when the run should stop (commands then clean up). */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Why it stopped, or undefined while running. */
  get reason(): StopReason | undefined {
    return this.#reason;
  }

  /** Whether a stop was requested. */
  get stopped(): boolean {
    return this.#reason !== undefined;
  }

  /** 130 after Ctrl-C, otherwise 0 (failures exit 1 through errors, not through here). */
  get exitCode(): number {
    return this.#reason === "interrupted" ? 130 : 0;
  }

  /** Requests a stop; the first reason wins. */
  stop(reason: StopReason): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#controller.abort(reason);
  }

  /** Resolves when a stop is requested. */
  done(): Promise<StopReason> {
    if (this.#reason !== undefined) return Promise.resolve(this.#reason);
    return new Promise((resolve) => {
      this.signal.addEventListener("abort", () => resolve(this.#reason!), { once: true });
    });
  }

  /** Removes the SIGINT listener and the duration timer. */
  [Symbol.dispose](): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    Deno.removeSignalListener("SIGINT", this.#onSigint);
  }
}
