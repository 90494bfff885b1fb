/**
 * Time as the client sees it: a monotonic clock for the engine, a wall clock for handshake
 * timestamps, and one-shot timers. Injected so tests run hours of protocol time without
 * sleeping (see `testing/manual_clock.ts`).
 *
 * @module
 */

/** An opaque timer handle returned by {@linkcode Clock.setTimer}. */
export type TimerHandle = unknown;

/** The time source and timers the client uses; {@linkcode systemClock} is the real one. */
export interface Clock {
  /** Monotonic milliseconds (never jumps backwards); fed to the engine as `now`. */
  now(): number;
  /**
   * Wall-clock Unix milliseconds: the handshake timestamp, and the receive time of frames (the
   * message lag) and of metrics snapshots.
   */
  wallTime(): number;
  /** Runs `callback` once after `delayMs` milliseconds. */
  setTimer(callback: () => void, delayMs: number): TimerHandle;
  /** Cancels a timer (a no-op when it already ran). */
  clearTimer(handle: TimerHandle): void;
}

/** The real clock: `performance.now()`, `Date.now()` and `setTimeout`. */
export const systemClock: Clock = {
  now: () => performance.now(),
  wallTime: () => Date.now(),
  setTimer: (callback, delayMs) => setTimeout(callback, Math.max(0, delayMs)),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
