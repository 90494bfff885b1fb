/**
 * A {@linkcode Clock} that only moves when a test says so. Timers fire in deadline order during
 * {@linkcode ManualClock.advance}, with pending promise callbacks flushed between them, so async
 * client code runs to quiescence at every step without real time passing.
 *
 * @module
 */

import type { Clock, TimerHandle } from "../clock.ts";

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

/** Lets pending promise reactions (and their follow-ups) run; no timers, no real time. */
export async function flushMicrotasks(rounds = 50): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

/** A deterministic clock for tests: time starts at `start` and moves only via `advance`. */
export class ManualClock implements Clock {
  #now: number;
  #nextId = 1;
  #timers: Timer[] = [];
  /** Offset between monotonic time and wall time (wall = now + epoch). */
  readonly epoch: number;

  /** Creates a clock at monotonic time `start`, wall time `epoch + start`. */
  constructor(start = 0, epoch = 1_767_225_600_000) {
    this.#now = start;
    this.epoch = epoch;
  }

  now(): number {
    return this.#now;
  }

  wallTime(): number {
    return this.epoch + this.#now;
  }

  setTimer(callback: () => void, delayMs: number): TimerHandle {
    const timer = { id: this.#nextId++, at: this.#now + Math.max(0, delayMs), callback };
    this.#timers.push(timer);
    return timer.id;
  }

  clearTimer(handle: TimerHandle): void {
    this.#timers = this.#timers.filter((timer) => timer.id !== handle);
  }

  /** Number of armed timers (tests assert 0 after close: nothing leaks). */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** The deadline of the earliest armed timer, if any. */
  get nextDeadline(): number | undefined {
    let best: number | undefined;
    for (const timer of this.#timers) if (best === undefined || timer.at < best) best = timer.at;
    return best;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    await flushMicrotasks();
    for (;;) {
      let due: Timer | undefined;
      for (const timer of this.#timers) {
        if (timer.at <= target && (due === undefined || timer.at < due.at)) due = timer;
      }
      if (due === undefined) break;
      this.#timers.splice(this.#timers.indexOf(due), 1);
      this.#now = Math.max(this.#now, due.at);
      due.callback();
      await flushMicrotasks();
    }
    this.#now = target;
    await flushMicrotasks();
  }
}
