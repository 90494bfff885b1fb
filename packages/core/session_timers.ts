/**
 * Every deadline a session keeps, in one table (quinn's `TimerTable`): `Session.pollTimeout` is
 * the earliest of them and `Session.handleTimeout` fires each kind in a fixed order. Adding a
 * deadline means adding a row here, never editing a hand-merged minimum.
 *
 * | timer         | what is due                                             | owner            |
 * | ------------- | ------------------------------------------------------- | ---------------- |
 * | `liveness`    | a probe after `idleMs` of silence, or the `dead` verdict | `LinkWatch`      |
 * | `command`     | a sent command's answer (the command timeout)           | its purpose      |
 * | `snapshot`    | a new book sid's first snapshots                        | `BookRepair`     |
 * | `request`     | a user request's settlement, from the call               | `UserRequests`   |
 * | `resubscribe` | the end of a paced re-subscribe's pause                  | `ResubscribePlan` |
 *
 * @module
 */

import { CommandTimeoutError } from "./errors.ts";
import type { Pending, SessionContext } from "./session_context.ts";

/** The session's kinds of deadline, in the order `handleTimeout` acts on them. */
export const TIMERS = ["liveness", "command", "snapshot", "request", "resubscribe"] as const;

/** A kind of deadline. */
export type TimerName = typeof TIMERS[number];

/** One kind of deadline: when it is next due, and what to do at an instant. */
export interface TimerSource {
  /** The earliest instant something of this kind is due, if any. */
  next(): number | undefined;
  /** Acts on everything of this kind due at `now` (nothing, when nothing is). */
  fire(now: number): void;
}

/** The deadlines of one session, by kind. */
export class TimerTable {
  readonly #sources: readonly TimerSource[];

  /** A table over one source per kind. */
  constructor(sources: { readonly [N in TimerName]: TimerSource }) {
    this.#sources = TIMERS.map((name) => sources[name]);
  }

  /** The earliest deadline of any kind (what `pollTimeout` reports). */
  next(): number | undefined {
    let earliest: number | undefined;
    for (const source of this.#sources) {
      const at = source.next();
      if (at !== undefined && (earliest === undefined || at < earliest)) earliest = at;
    }
    return earliest;
  }

  /** Fires every kind at `now`, in table order. */
  fire(now: number): void {
    for (const source of this.#sources) source.fire(now);
  }
}

/** The timer table of the session behind `ctx`. */
export function sessionTimers(ctx: SessionContext): TimerTable {
  return new TimerTable({
    liveness: { next: () => ctx.liveness.next(), fire: (now) => ctx.liveness.due(now) },
    command: { next: () => nextCommandDeadline(ctx), fire: (now) => commandsDue(ctx, now) },
    snapshot: {
      next: () => ctx.repair.nextSnapshotDeadline(),
      fire: (now) => ctx.repair.snapshotsDue(now),
    },
    request: {
      next: () => ctx.deadlines.next(),
      fire: (now) => {
        for (const { request, command } of ctx.deadlines.due(now)) {
          ctx.requests.expire(request, new CommandTimeoutError(command, ctx.commandTimeoutMs), now);
        }
      },
    },
    // Pumping also sends whatever else can go: it runs at every timeout.
    resubscribe: { next: () => ctx.plan.nextRetry(), fire: (now) => ctx.plan.pump(now) },
  });
}

/** The earliest deadline of a pending command (probes have none). */
function nextCommandDeadline(ctx: SessionContext): number | undefined {
  let earliest: number | undefined;
  for (const command of ctx.table.pendingCommands()) {
    const at = command.deadline;
    if (at !== Infinity && (earliest === undefined || at < earliest)) earliest = at;
  }
  return earliest;
}

/** Commands past their deadline stop being awaited; each purpose decides what that means. */
function commandsDue(ctx: SessionContext, now: number): void {
  const expired: Pending[] = [];
  for (const command of ctx.table.pendingCommands()) {
    if (command.deadline <= now) expired.push(command);
  }
  for (const command of expired) {
    if (ctx.table.complete(command.id) === undefined) continue; // settled by an earlier one
    const error = new CommandTimeoutError(command.body.cmd, ctx.commandTimeoutMs);
    ctx.handlerOf(command.tag).timedOut(command.tag, command, error, now);
  }
}
