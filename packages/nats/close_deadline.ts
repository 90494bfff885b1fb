/**
 * The one deadline of a collector's close: every wait of the close (the final flush, a lease
 * tick in progress, the hand-over of the leases, the Kalshi close) is raced against it, so the
 * close ends by the deadline in every state — with JetStream away each of those waits would
 * otherwise last its own timeout. What the deadline cut short is reported, not waited for.
 *
 * @module
 */

/**
 * Default close deadline of a collector (ms): inside a 2 s stop budget, with room left to close
 * the NATS connection and exit.
 */
export const DEFAULT_COLLECTOR_CLOSE_TIMEOUT_MS = 1_500;

/** Throws a RangeError naming `name` unless `ms` is a finite number of 0 or more. */
export function checkCloseTimeout(name: string, ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new RangeError(`Set ${name} to 0 or more (ms): got ${ms}`);
  }
  return ms;
}

/** A deadline `ms` from now that waits race against (see the module doc). */
export class CloseDeadline {
  readonly #expired: Promise<false>;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #passed = false;

  /** Starts the deadline `ms` from now. */
  constructor(ms: number) {
    this.#expired = new Promise((resolve) => {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#passed = true;
        resolve(false);
      }, ms);
    });
  }

  /** Whether the deadline passed. */
  get passed(): boolean {
    return this.#passed;
  }

  /**
   * Waits for `work` until the deadline: true when it settled in time (fulfilled or rejected),
   * false at the deadline (what `work` does later is up to it). False at once once passed.
   */
  wait(work: Promise<unknown>): Promise<boolean> {
    if (this.#passed) return Promise.resolve(false);
    return Promise.race([work.then(() => true, () => true), this.#expired]);
  }

  /** Cancels the timer (the close is done). */
  clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
