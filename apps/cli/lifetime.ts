/**
 * How a command run ends: `--duration`, `--max-messages`, Ctrl-C (SIGINT), SIGTERM, a closed
 * stdout, or the command finishing on its own. The first reason wins; commands watch
 * {@linkcode Lifetime.signal} and then clean up (unsubscribe, close) before the process exits
 * with {@linkcode Lifetime.exitCode}. Every wait a command makes before it watches the signal
 * itself (connecting, subscribing, a round trip) goes through {@linkcode Lifetime.until}, so a
 * stop ends the run in every state — never connected yet, reconnecting, waiting for a reply.
 *
 * @module
 */

import { setLongTimeout } from "./long_timer.ts";
import type { CliRuntime } from "./runtime.ts";

/** Why a run stopped. `interrupted` (SIGINT) exits 130 and `terminated` (SIGTERM) 143. */
export type StopReason =
  | "finished"
  | "duration"
  | "max_messages"
  | "interrupted"
  | "terminated"
  | "stdout_closed";

/** The run stopped while a command was still waiting for something (see `Lifetime.until`). */
export class StoppedError extends Error {
  /** Why the run stopped. */
  readonly reason: StopReason;

  /** The run stopped for `reason`. */
  constructor(reason: StopReason) {
    super(`Stopped (${reason})`);
    this.name = "StoppedError";
    this.reason = reason;
  }
}

/** Exit codes of the stop reasons that are signals: 128 + the signal number. */
const SIGNAL_EXIT: Partial<Record<StopReason, number>> = { interrupted: 130, terminated: 143 };

/** Stop conditions of one run: a signal to watch, plus SIGINT, SIGTERM and `--duration`. */
export class Lifetime implements Disposable {
  readonly #controller = new AbortController();
  readonly #runtime: Pick<CliRuntime, "onSignal" | "exit">;
  readonly #stopListening: (() => void)[];
  #reason: StopReason | undefined;
  #cancelTimer: (() => void) | undefined;
  #signalledAt: number | undefined;
  readonly #onSigint = (): void => this.#signalled("interrupted");
  readonly #onSigterm = (): void => this.#signalled("terminated");

  /**
   * Starts watching the runtime's SIGINT and SIGTERM (where the OS has it) and, when given, a
   * `--duration` in seconds.
   */
  constructor(runtime: Pick<CliRuntime, "onSignal" | "exit">, durationSeconds?: number) {
    this.#runtime = runtime;
    this.#stopListening = [
      runtime.onSignal("SIGINT", this.#onSigint),
      runtime.onSignal("SIGTERM", this.#onSigterm),
    ];
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

  /** 130 after Ctrl-C, 143 after SIGTERM, otherwise 0 (failures exit 1 through errors). */
  get exitCode(): number {
    return (this.#reason === undefined ? undefined : SIGNAL_EXIT[this.#reason]) ?? 0;
  }

  /** Requests a stop; the first reason wins. */
  stop(reason: StopReason): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#controller.abort(reason);
  }

  /**
   * Waits for `promise` unless the run stops first; then rejects with a
   * {@linkcode StoppedError} at once (what `promise` does later is ignored).
   */
  until<T>(promise: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const stopped = () => reject(new StoppedError(this.#reason!));
      if (this.stopped) stopped();
      else this.signal.addEventListener("abort", stopped, { once: true });
      promise.then(resolve, reject).finally(() => {
        this.signal.removeEventListener("abort", stopped);
      });
    });
  }

  /** Resolves when a stop is requested. */
  done(): Promise<StopReason> {
    if (this.#reason !== undefined) return Promise.resolve(this.#reason);
    return new Promise((resolve) => {
      this.signal.addEventListener("abort", () => resolve(this.#reason!), { once: true });
    });
  }

  /** Removes the signal listeners and the duration timer. */
  [Symbol.dispose](): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    for (const stopListening of this.#stopListening) stopListening();
  }

  /**
   * A stop signal. A second one while cleaning up means "now": skip the clean close. A
   * duplicate within a second is not a second press: `deno task` forwards the terminal's SIGINT
   * to a child that already got it from the terminal.
   */
  #signalled(reason: "interrupted" | "terminated"): void {
    const now = performance.now();
    if (this.#signalledAt !== undefined) {
      if (now - this.#signalledAt > 1_000) {
        this.#runtime.exit(SIGNAL_EXIT[this.#reason ?? reason] ?? 0);
      }
      return;
    }
    this.#signalledAt = now;
    this.stop(reason);
  }
}
