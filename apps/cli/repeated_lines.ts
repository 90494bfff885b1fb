/**
 * Bounds status lines that a server can make repeat without end (undecodable frames, frames of
 * unknown sids, server errors): the first few of each kind are printed as they come, after that
 * one summary line per interval counts the rest ("… 12345 more undecodable frames in the last
 * 10 s"), and {@linkcode RepeatedLines.flush} prints what is still uncounted at exit. 200 000 bad
 * frames then cost a few lines of stderr, not 31 MB.
 *
 * @module
 */

/** Options of {@linkcode RepeatedLines}. */
export interface RepeatedLinesOptions {
  /** Lines of one kind printed in full before counting starts (default 5). */
  readonly burst?: number;
  /** Least time between two summary lines of one kind, ms (default 10 000). */
  readonly intervalMs?: number;
  /** Monotonic clock in ms (default `performance.now`). */
  readonly now?: () => number;
}

interface Kind {
  shown: number;
  suppressed: number;
  since: number;
  readonly noun: string;
}

/** Rate limiter for repeated status lines, per kind. */
export class RepeatedLines {
  readonly #emit: (line: string) => void;
  readonly #burst: number;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #kinds = new Map<string, Kind>();

  /** Passes the lines worth printing to `emit`. */
  constructor(emit: (line: string) => void, options: RepeatedLinesOptions = {}) {
    this.#emit = emit;
    this.#burst = options.burst ?? 5;
    this.#intervalMs = options.intervalMs ?? 10_000;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Reports one occurrence of `kind` (`noun` names it in summaries, e.g. "undecodable frames"). */
  report(kind: string, noun: string, message: string): void {
    const now = this.#now();
    let state = this.#kinds.get(kind);
    if (state === undefined) {
      state = { shown: 0, suppressed: 0, since: now, noun };
      this.#kinds.set(kind, state);
    }
    if (state.shown < this.#burst) {
      state.shown++;
      state.since = now;
      this.#emit(state.shown === this.#burst ? `${message} (further ones are counted)` : message);
      return;
    }
    state.suppressed++;
    if (now - state.since >= this.#intervalMs) this.#summarize(state, now);
  }

  /** Prints the summary of every kind with occurrences not yet counted in a line. */
  flush(): void {
    const now = this.#now();
    for (const state of this.#kinds.values()) this.#summarize(state, now);
  }

  #summarize(state: Kind, now: number): void {
    if (state.suppressed === 0) return;
    const seconds = Math.max(1, Math.round((now - state.since) / 1000));
    this.#emit(`… ${state.suppressed} more ${state.noun} in the last ${seconds} s`);
    state.suppressed = 0;
    state.since = now;
  }
}
