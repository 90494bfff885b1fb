/**
 * Reconnect delay policy: exponential backoff with jitter that resets once a connection has
 * proved stable.
 *
 * Pure and deterministic: randomness is injected (`random`) and time is an argument, so the
 * client's reconnect loop can be tested without sleeping. The session does not reconnect; the
 * client asks {@linkcode Backoff.nextDelay} how long to wait before each new attempt.
 *
 * Delay for attempt `n` (0-based, counting failures since the last reset):
 * `base = min(maxDelayMs, initialDelayMs × multiplier^n)`, then
 * `delay = base × (1 − jitter + jitter × random())`, so with the defaults the first retry comes
 * within 0.5–1 s and no retry waits longer than 30 s.
 *
 * @example
 * ```ts
 * import { Backoff } from "./backoff.ts";
 * const backoff = new Backoff({ random: () => 1 });
 * backoff.nextDelay(); // 1000
 * backoff.nextDelay(); // 2000
 * backoff.opened(0);
 * backoff.closed(60_000); // stable for 60 s: the next delay starts over
 * backoff.nextDelay(); // 1000
 * ```
 *
 * @module
 */

/** Options of {@linkcode Backoff}; every field has a sensible default. */
export interface BackoffOptions {
  /** Base delay of the first retry, in ms (default 1000; with jitter 0.5 it lands in 0.5–1 s). */
  readonly initialDelayMs?: number;
  /** Largest delay ever returned, in ms (default 30 000). */
  readonly maxDelayMs?: number;
  /** Growth factor between consecutive attempts (default 2). */
  readonly multiplier?: number;
  /**
   * Fraction of each delay that is randomised, 0–1 (default 0.5): 0 is no jitter, 1 is "full
   * jitter" (anywhere between 0 and the base delay). Jitter spreads reconnecting clients apart.
   */
  readonly jitter?: number;
  /** A connection that stayed open this long (ms) resets the sequence (default 60 000). */
  readonly stableAfterMs?: number;
  /** Uniform random number in [0, 1); injected for determinism (default `Math.random`). */
  readonly random?: () => number;
}

/** Default options of {@linkcode Backoff}, exported so docs and callers can quote them. */
export const DEFAULT_BACKOFF: Readonly<Required<Omit<BackoffOptions, "random">>> = {
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  multiplier: 2,
  jitter: 0.5,
  stableAfterMs: 60_000,
};

/**
 * Computes the delay of attempt `attempt` (0-based) for `random` = `r`, without any state.
 * Exported so the policy can be tabulated or reused outside the class.
 */
export function backoffDelay(
  attempt: number,
  r: number,
  options: Readonly<Required<Omit<BackoffOptions, "random">>> = DEFAULT_BACKOFF,
): number {
  const { initialDelayMs, maxDelayMs, multiplier, jitter } = options;
  // Once the cap is reached, stop multiplying (avoids Infinity after many attempts).
  const exp = initialDelayMs * Math.pow(multiplier, attempt);
  const base = exp < maxDelayMs ? exp : maxDelayMs;
  const clampedR = r < 0 ? 0 : r > 1 ? 1 : r;
  return Math.round(base * (1 - jitter + jitter * clampedR));
}

/**
 * Stateful reconnect schedule for one client: call {@linkcode Backoff.nextDelay} before each
 * reconnect attempt, {@linkcode Backoff.opened} when a connection opens and
 * {@linkcode Backoff.closed} when it ends. Handshake rejections just keep calling `nextDelay`;
 * capping consecutive rejections is the client's policy, not this class's.
 */
export class Backoff {
  readonly #options: Readonly<Required<Omit<BackoffOptions, "random">>>;
  readonly #random: () => number;
  #attempt = 0;
  #openedAt: number | undefined;

  /** Creates a schedule; throws `RangeError` on options that make no sense. */
  constructor(options: BackoffOptions = {}) {
    const merged = {
      initialDelayMs: options.initialDelayMs ?? DEFAULT_BACKOFF.initialDelayMs,
      maxDelayMs: options.maxDelayMs ?? DEFAULT_BACKOFF.maxDelayMs,
      multiplier: options.multiplier ?? DEFAULT_BACKOFF.multiplier,
      jitter: options.jitter ?? DEFAULT_BACKOFF.jitter,
      stableAfterMs: options.stableAfterMs ?? DEFAULT_BACKOFF.stableAfterMs,
    };
    if (!(merged.initialDelayMs >= 0)) {
      throw new RangeError(`Set initialDelayMs to 0 or more: got ${merged.initialDelayMs}`);
    }
    if (!(merged.maxDelayMs >= merged.initialDelayMs)) {
      throw new RangeError(
        `Set maxDelayMs to at least initialDelayMs (${merged.initialDelayMs}): got ${merged.maxDelayMs}`,
      );
    }
    if (!(merged.multiplier >= 1)) {
      throw new RangeError(`Set multiplier to 1 or more: got ${merged.multiplier}`);
    }
    if (!(merged.jitter >= 0 && merged.jitter <= 1)) {
      throw new RangeError(`Set jitter between 0 and 1: got ${merged.jitter}`);
    }
    if (!(merged.stableAfterMs >= 0)) {
      throw new RangeError(`Set stableAfterMs to 0 or more: got ${merged.stableAfterMs}`);
    }
    this.#options = merged;
    this.#random = options.random ?? Math.random;
  }

  /** Number of delays handed out since the last reset (consecutive failed attempts). */
  get attempt(): number {
    return this.#attempt;
  }

  /** Returns the delay (ms) to wait before the next connection attempt and advances. */
  nextDelay(): number {
    const delay = backoffDelay(this.#attempt, this.#random(), this.#options);
    this.#attempt++;
    return delay;
  }

  /** Records that a connection opened at `now` (monotonic ms). */
  opened(now: number): void {
    this.#openedAt = now;
  }

  /**
   * Records that the connection ended at `now`. If it had been open for at least
   * `stableAfterMs`, the schedule starts over; a short-lived connection keeps growing the delay
   * (so a server that accepts and immediately drops us is not hammered).
   */
  closed(now: number): void {
    if (this.#openedAt !== undefined && now - this.#openedAt >= this.#options.stableAfterMs) {
      this.#attempt = 0;
    }
    this.#openedAt = undefined;
  }

  /**
   * Resets the schedule if the current connection has been open long enough by `now`; returns
   * whether it is considered stable. Lets a client reset eagerly instead of at close time.
   */
  checkStable(now: number): boolean {
    if (this.#openedAt === undefined) return false;
    if (now - this.#openedAt < this.#options.stableAfterMs) return false;
    this.#attempt = 0;
    return true;
  }

  /** Starts the schedule over (e.g. after the user reconnects by hand). */
  reset(): void {
    this.#attempt = 0;
  }
}
