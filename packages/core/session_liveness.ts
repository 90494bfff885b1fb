/**
 * Liveness of the session's link without visible pings: after `idleMs` of inbound silence a
 * `list_subscriptions` probe goes out (`probe` event); with no inbound frame within
 * `probeTimeoutMs`, a `dead` event tells the client to close and reconnect. The arithmetic is
 * {@linkcode Liveness} (`heartbeat.ts`); this part sends the probe and reports the verdict.
 *
 * @module
 */

import { listSubscriptionsCommand } from "./command_builders.ts";
import { Liveness } from "./heartbeat.ts";
import type { ProbePurpose, PurposeHandler, SessionContext } from "./session_context.ts";

const PROBE: ProbePurpose = { purpose: "probe" };

/** Watches one session's link: probes when it is quiet, declares it dead when unanswered. */
export class LinkWatch {
  readonly #ctx: SessionContext;
  readonly #liveness: Liveness;

  /** A watch acting through `ctx`; throws `RangeError` on non-positive windows. */
  constructor(ctx: SessionContext, idleMs: number | undefined, probeTimeoutMs: number | undefined) {
    this.#ctx = ctx;
    this.#liveness = new Liveness({ idleMs, probeTimeoutMs });
  }

  /** A probe's own answer means nothing more: any inbound frame already counted as activity. */
  readonly probeHandler: PurposeHandler<ProbePurpose> = {
    answered: () => {},
    refused: () => {},
    timedOut: () => {}, // never: probes are sent without a command deadline
    lost: () => {},
    aborted: () => {},
  };

  /** A connection opened at `now` (opening counts as activity). */
  start(now: number): void {
    this.#liveness.start(now);
  }

  /** The connection closed: nothing is watched until the next one. */
  stop(): void {
    this.#liveness.stop();
  }

  /** Inbound activity (a frame, or a ping where the runtime shows pings) at `now`. */
  activity(now: number): void {
    this.#liveness.activity(now);
  }

  /** When a probe or a verdict is due, while connected. */
  next(): number | undefined {
    return this.#ctx.connected ? this.#liveness.deadline() : undefined;
  }

  /** Sends the probe or reports the verdict due at `now`, if any. */
  due(now: number): void {
    const ctx = this.#ctx;
    if (!ctx.connected) return;
    const due = this.#liveness.due(now);
    if (due === "probe") {
      this.#liveness.probeSent(now);
      ctx.send(listSubscriptionsCommand(), PROBE, now, Infinity);
      ctx.emit({ type: "probe", at: now });
    } else if (due === "dead") {
      const lastActivity = this.#liveness.lastActivity ?? now;
      this.#liveness.stop(); // one verdict; the client closes and reconnects
      ctx.emit({ type: "dead", lastActivity, at: now });
    }
  }
}
