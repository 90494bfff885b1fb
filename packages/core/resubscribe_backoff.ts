/**
 * Pacing of automatic re-subscribes, per subscription: a subscription Kalshi keeps killing
 * (terminal errors 10 and 25 in a storm) or keeps refusing (a re-subscribe answered with a
 * passing error or no answer) is re-subscribed after jittered, exponentially growing pauses
 * instead of at once — at once, an error storm turns into tens of thousands of subscribes per
 * minute, each asking for full snapshots, which is how an API key gets rate-limited.
 *
 * Each subscription has its own {@linkcode Backoff}; the schedule starts over only once the
 * subscription has stayed healthy (every channel live) for `stableAfterMs`. With the defaults the
 * first re-subscribe waits 250–500 ms, the pauses double up to 15–30 s, and a subscription that
 * is killed the moment it is restored is re-subscribed at most about nine times in the first
 * minute and two to four times a minute after that. The re-subscribes a new connection makes
 * are paced by the connection's own backoff instead.
 *
 * @example
 * ```ts
 * import { ResubscribeBackoff } from "./resubscribe_backoff.ts";
 * const pacing = new ResubscribeBackoff<number>({ random: () => 1 });
 * pacing.next(7); // { attempt: 1, delayMs: 500 }
 * pacing.next(7); // { attempt: 2, delayMs: 1000 }
 * pacing.healthy(7, 0);
 * pacing.unhealthy(7, 10_000); // healthy for 10 s: the schedule starts over
 * pacing.next(7); // { attempt: 1, delayMs: 500 }
 * ```
 *
 * @module
 */

import { Backoff, type BackoffOptions } from "./backoff.ts";

/** Default pacing of automatic re-subscribes (see the module documentation). */
export const DEFAULT_RESUBSCRIBE_BACKOFF: Readonly<Required<Omit<BackoffOptions, "random">>> = {
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  multiplier: 2,
  jitter: 0.5,
  stableAfterMs: 10_000,
};

/** One scheduled re-subscribe. */
export interface ResubscribeDelay {
  /** Consecutive automatic re-subscribes of this subscription since it was last stable (1-based). */
  readonly attempt: number;
  /** How long to wait before sending it (ms). */
  readonly delayMs: number;
}

/** Per-subscription re-subscribe schedules, keyed by subscription. */
export class ResubscribeBackoff<K> {
  readonly #options: BackoffOptions;
  readonly #schedules = new Map<K, Backoff>();

  /** Creates the pacing; throws `RangeError` on options that make no sense. */
  constructor(options: BackoffOptions = {}) {
    const merged: Record<string, unknown> = { ...DEFAULT_RESUBSCRIBE_BACKOFF };
    for (const [name, value] of Object.entries(options)) {
      if (value !== undefined) merged[name] = value;
    }
    this.#options = merged as BackoffOptions;
    new Backoff(this.#options); // validates
  }

  /** The delay of the next automatic re-subscribe of `key`, advancing its schedule. */
  next(key: K): ResubscribeDelay {
    const backoff = this.#schedule(key);
    const delayMs = backoff.nextDelay();
    return { attempt: backoff.attempt, delayMs };
  }

  /** Subscription `key` has every channel live since `now`. */
  healthy(key: K, now: number): void {
    this.#schedule(key).opened(now);
  }

  /**
   * Subscription `key` lost a channel at `now` (killed or refused); if it had been healthy for
   * `stableAfterMs`, its schedule starts over.
   */
  unhealthy(key: K, now: number): void {
    this.#schedules.get(key)?.closed(now);
  }

  /** Forgets subscription `key` (it ended). */
  forget(key: K): void {
    this.#schedules.delete(key);
  }

  #schedule(key: K): Backoff {
    let backoff = this.#schedules.get(key);
    if (backoff === undefined) {
      backoff = new Backoff(this.#options);
      this.#schedules.set(key, backoff);
    }
    return backoff;
  }
}
