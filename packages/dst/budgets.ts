/**
 * The time budgets the stack promises, checked from the outside during a simulation:
 * - **request deadlines**: every request the user makes is settled within the command timeout
 *   of the call (also while queued or disconnected);
 * - **re-subscribe rate**: the automatic re-subscribes of one subscription (those not made by a
 *   new connection) stay under a bound in every minute, whatever the server does;
 * - **stop**: a requested close ends the client within a bound, in every state.
 *
 * Each check returns a description of what broke, or `undefined`.
 *
 * @module
 */

/** Requests in flight with the instant the user made them. */
export class RequestClock {
  readonly #open = new Map<number, { what: string; at: number }>();
  readonly #budgetMs: number;

  /** Requests must settle within `budgetMs` of the call. */
  constructor(budgetMs: number) {
    this.#budgetMs = budgetMs;
  }

  /** The user made `request` (`what`) at `now`. */
  called(request: number, what: string, now: number): void {
    this.#open.set(request, { what, at: now });
  }

  /** `request` was settled; returns what it was, or `undefined` when it was not open. */
  settled(request: number): string | undefined {
    const entry = this.#open.get(request);
    this.#open.delete(request);
    return entry?.what;
  }

  /** Every request still open. */
  open(): [number, string][] {
    return [...this.#open].map(([request, { what }]) => [request, what]);
  }

  /** Forgets every open request (the client ended: they were all rejected). */
  clear(): void {
    this.#open.clear();
  }

  /** A request older than its budget at `now` (after the step's timers ran), if any. */
  overdue(now: number): string | undefined {
    for (const [request, { what, at }] of this.#open) {
      if (now - at > this.#budgetMs) {
        return `request ${request} (${what}) made at ${at} ms still unsettled at ${now} ms ` +
          `(budget ${this.#budgetMs} ms)`;
      }
    }
    return undefined;
  }
}

/** Automatic re-subscribes per subscription, over a sliding minute. */
export class ResubscribeRate {
  readonly #sent = new Map<number, number[]>();
  readonly #perMinute: number;
  #worst = 0;

  /** At most `perMinute` automatic re-subscribes of one subscription in any 60 s. */
  constructor(perMinute: number) {
    this.#perMinute = perMinute;
  }

  /** The most seen in one minute for one subscription so far. */
  get worst(): number {
    return this.#worst;
  }

  /** Subscription `key` was re-subscribed automatically at `now`; returns a breach, if any. */
  record(key: number, now: number): string | undefined {
    let times = this.#sent.get(key);
    if (times === undefined) this.#sent.set(key, times = []);
    times.push(now);
    while (times.length > 0 && times[0]! <= now - 60_000) times.shift();
    if (times.length > this.#worst) this.#worst = times.length;
    if (times.length <= this.#perMinute) return undefined;
    return `subscription ${key} re-subscribed ${times.length} times within a minute ` +
      `(bound ${this.#perMinute})`;
  }
}
