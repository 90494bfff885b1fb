/**
 * A timeout of any length. `setTimeout` takes a signed 32-bit delay: anything above 2^31−1 ms
 * (about 24.8 days) overflows and fires at once, so a `--duration` of a month would end the run
 * immediately. This one waits in chunks below that limit.
 *
 * @module
 */

/** The longest delay `setTimeout` honours (ms). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The clock and timers a long timeout runs on (injectable for tests). */
export interface TimerHost {
  now(): number;
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const SYSTEM: TimerHost = {
  now: () => performance.now(),
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Calls `fn` once after `ms` (any finite length); returns the function that cancels it. */
export function setLongTimeout(fn: () => void, ms: number, host: TimerHost = SYSTEM): () => void {
  const due = host.now() + Math.max(0, ms);
  let handle: unknown;
  let cancelled = false;
  const arm = (left: number): void => {
    handle = host.set(() => {
      const remaining = due - host.now();
      if (remaining > 0) arm(remaining);
      else if (!cancelled) fn();
    }, Math.min(left, MAX_TIMER_MS));
  };
  arm(Math.max(0, ms));
  return () => {
    cancelled = true;
    host.clear(handle);
  };
}
