/**
 * The simulated server's answers to handshakes: refusals queued by a fault (503, 500, 429, 401,
 * 403), handshakes accepted over TCP but never answered, windows of time in which every
 * handshake is refused or hangs (a server down for a while), and an outage that never ends.
 *
 * A healable plan never refuses credentials `maxRejections` times in a row (the client would
 * rightly give up): a queued 401/403 that would complete such a streak is served as a 503. Nor
 * does it refuse the very first handshake: a first connection that fails is final by design
 * (`connect()` rejects), which the lifecycle's unit tests cover.
 *
 * @module
 */

/** What the server does with one handshake. */
export type HandshakeOutcome = "accept" | "hang" | number;

/** The server's handshake plan. */
export class HandshakePlan {
  readonly #maxRejections: number;
  readonly #queue: HandshakeOutcome[] = [];
  #window: { outcome: HandshakeOutcome; until: number } | undefined;
  #credentialStreak = 0;
  #accepted = false;

  /** A plan that keeps credential refusals below `maxRejections` in a row. */
  constructor(maxRejections: number) {
    this.#maxRejections = maxRejections;
  }

  /** Queues answers for the next handshakes (replacing any queue not yet served). */
  queue(outcomes: readonly HandshakeOutcome[]): void {
    this.#queue.length = 0;
    this.#queue.push(...outcomes);
  }

  /** Every handshake until `until` gets `outcome` (`Infinity`: the server never comes back). */
  window(outcome: HandshakeOutcome, until: number): void {
    this.#window = { outcome, until };
  }

  /** When the current window ends (`undefined` when there is none). */
  get windowEnd(): number | undefined {
    return this.#window?.until;
  }

  /** Whether the server will never accept a handshake again. */
  get gone(): boolean {
    return this.#window?.until === Infinity && this.#window.outcome !== "accept";
  }

  /** Drops what a calm phase must not see: queued answers and a window that would end. */
  calm(): void {
    this.#queue.length = 0;
    if (!this.gone) this.#window = undefined;
  }

  /** The answer to a handshake completing at `now`. */
  answer(now: number): HandshakeOutcome {
    if (!this.#accepted) {
      this.#accepted = true;
      return "accept";
    }
    let outcome = this.#queue.shift();
    if (outcome === undefined) {
      const window = this.#window;
      if (window !== undefined && now < window.until) outcome = window.outcome;
      else outcome = "accept";
    }
    if (outcome === 401 || outcome === 403) {
      if (this.#credentialStreak + 1 >= this.#maxRejections) outcome = 503;
      else this.#credentialStreak++;
    } else if (outcome === "accept") this.#credentialStreak = 0;
    return outcome;
  }
}
