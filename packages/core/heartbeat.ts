/**
 * Liveness arithmetic for a connection whose pings may be invisible.
 *
 * Deno's WebSocket answers Kalshi's pings itself and never shows them, so the session cannot
 * rely on seeing pings. Instead: after `idleMs` without any inbound activity (a frame, or a ping
 * where the runtime shows one), the session sends a cheap probe (`list_subscriptions`); any
 * inbound activity answers it. If nothing arrives within `probeTimeoutMs` of the probe, the link
 * is dead.
 *
 * Pure: time is always an argument (the caller's monotonic milliseconds) and nothing is
 * scheduled here; {@linkcode Liveness.deadline} says when to look again.
 *
 * @example
 * ```ts
 * import { Liveness } from "./heartbeat.ts";
 * const liveness = new Liveness({ idleMs: 25_000, probeTimeoutMs: 5_000 });
 * liveness.start(0);
 * liveness.deadline(); // 25000: probe then
 * liveness.due(25_000); // "probe"
 * liveness.probeSent(25_000);
 * liveness.due(30_000); // "dead"
 * ```
 *
 * @module
 */

/** Options of {@linkcode Liveness}. */
export interface LivenessOptions {
  /** Quiet time (ms) after the last inbound activity before a probe is sent (default 25 000). */
  readonly idleMs?: number;
  /** Time (ms) a probe may go unanswered before the link is declared dead (default 5 000). */
  readonly probeTimeoutMs?: number;
}

/** Default idle window: Kalshi pings every 10 s, so 25 s of silence means trouble. */
export const DEFAULT_IDLE_MS = 25_000;
/** Default probe timeout. */
export const DEFAULT_PROBE_TIMEOUT_MS = 5_000;

/** What {@linkcode Liveness.due} asks the caller to do at a given instant. */
export type LivenessAction = "probe" | "dead";

/** Instant (ms) at which a probe is due, given the last inbound activity. */
export function probeDueAt(lastActivity: number, idleMs: number): number {
  return lastActivity + idleMs;
}

/** Instant (ms) at which an unanswered probe sent at `probeSentAt` means the link is dead. */
export function deadAt(probeSentAt: number, probeTimeoutMs: number): number {
  return probeSentAt + probeTimeoutMs;
}

/**
 * The liveness state of one connection: last inbound activity and the outstanding probe, if
 * any. Stopped (no deadlines) until {@linkcode Liveness.start}.
 */
export class Liveness {
  /** Idle window in ms. */
  readonly idleMs: number;
  /** Probe timeout in ms. */
  readonly probeTimeoutMs: number;
  #lastActivity: number | undefined;
  #probeSentAt: number | undefined;

  /** Creates a stopped liveness tracker; throws `RangeError` on non-positive durations. */
  constructor(options: LivenessOptions = {}) {
    this.idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
    this.probeTimeoutMs = options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
    if (!(this.idleMs > 0)) throw new RangeError(`Set idleMs above 0: got ${this.idleMs}`);
    if (!(this.probeTimeoutMs > 0)) {
      throw new RangeError(`Set probeTimeoutMs above 0: got ${this.probeTimeoutMs}`);
    }
  }

  /** Whether the tracker is running (a connection is open). */
  get running(): boolean {
    return this.#lastActivity !== undefined;
  }

  /** Whether a probe is outstanding. */
  get probing(): boolean {
    return this.#probeSentAt !== undefined;
  }

  /** Last inbound activity (ms), or `undefined` when stopped. */
  get lastActivity(): number | undefined {
    return this.#lastActivity;
  }

  /** Starts tracking at `now` (the connection just opened; opening counts as activity). */
  start(now: number): void {
    this.#lastActivity = now;
    this.#probeSentAt = undefined;
  }

  /** Stops tracking (the connection closed): no deadlines until the next start. */
  stop(): void {
    this.#lastActivity = undefined;
    this.#probeSentAt = undefined;
  }

  /** Records inbound activity at `now`; it answers any outstanding probe. Hot path: O(1). */
  activity(now: number): void {
    if (this.#lastActivity === undefined) return;
    if (now > this.#lastActivity) this.#lastActivity = now;
    this.#probeSentAt = undefined;
  }

  /** Records that a probe was sent at `now`. */
  probeSent(now: number): void {
    if (this.#lastActivity === undefined) return;
    this.#probeSentAt = now;
  }

  /** The next instant something is due (probe or death), or `undefined` when stopped. */
  deadline(): number | undefined {
    if (this.#lastActivity === undefined) return undefined;
    if (this.#probeSentAt !== undefined) return deadAt(this.#probeSentAt, this.probeTimeoutMs);
    return probeDueAt(this.#lastActivity, this.idleMs);
  }

  /**
   * What is due at `now`: `"probe"` (send one, then call {@linkcode Liveness.probeSent}),
   * `"dead"` (the probe went unanswered), or `undefined`. A caller that wakes late (a suspended
   * process) gets a probe first rather than an immediate verdict, giving the link a fair chance.
   */
  due(now: number): LivenessAction | undefined {
    if (this.#lastActivity === undefined) return undefined;
    if (this.#probeSentAt !== undefined) {
      return now >= deadAt(this.#probeSentAt, this.probeTimeoutMs) ? "dead" : undefined;
    }
    return now >= probeDueAt(this.#lastActivity, this.idleMs) ? "probe" : undefined;
  }
}
