/**
 * The client's clock on Deno for the CLI, with timers that do not load Deno's Node timers.
 *
 * In Deno 2.9 the global `setTimeout` is Node's timer (`Timeout` objects), and its first use
 * loads Deno's Node compatibility modules behind it (timers, async hooks, errors, …): ~15–20 ms
 * of a CLI process's start-up, on the main thread, which a bare `WebSocket` + `JSON.parse`
 * process never pays. `AbortSignal.timeout()` runs on the runtime's own timers (~0.5 ms to
 * first use). Deno keeps the process alive for such a timer only while the signal has an
 * `abort` listener, so a timer is the signal plus its listener, and clearing it removes the
 * listener: the runtime's timer may still run out later, with nobody listening and without
 * holding the process open.
 *
 * @module
 */

import type { Clock, TimerHandle } from "@kalshi-ws/client";

/** A pending timer: its signal and the listener that runs the callback. */
interface SignalTimer {
  readonly signal: AbortSignal;
  readonly fire: () => void;
}

/**
 * `delayMs` as the whole milliseconds `AbortSignal.timeout` takes: rounded up (never early),
 * 0 for a negative or non-finite delay (as `setTimeout` treats them), at most 2^53 − 1.
 */
function wholeDelay(delayMs: number): number {
  if (!(delayMs > 0)) return 0;
  return Math.min(Math.ceil(delayMs), Number.MAX_SAFE_INTEGER);
}

/** Runs `callback` once after `delayMs` on the runtime's own timers (see the module doc). */
export function setSignalTimer(callback: () => void, delayMs: number): TimerHandle {
  const signal = AbortSignal.timeout(wholeDelay(delayMs));
  const fire = () => callback();
  signal.addEventListener("abort", fire, { once: true });
  return { signal, fire } satisfies SignalTimer;
}

/** Cancels a timer of {@linkcode setSignalTimer} (a no-op once it ran or for `undefined`). */
export function clearSignalTimer(handle: TimerHandle): void {
  if (handle === undefined) return;
  const { signal, fire } = handle as SignalTimer;
  signal.removeEventListener("abort", fire);
}

/** `performance.now()`, `Date.now()` and {@linkcode setSignalTimer} timers. */
export const denoClock: Clock = {
  now: () => performance.now(),
  wallTime: () => Date.now(),
  setTimer: setSignalTimer,
  clearTimer: clearSignalTimer,
};
