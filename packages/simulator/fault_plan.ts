/**
 * Faults given on a command line (`--fault SPEC`, repeatable) for `deno task simulate` and the
 * CLI's `simulate`/`demo`, so end-to-end runs can throw the simulator's faults at a client
 * without writing code. A spec is `KIND[:ARG[:ARG]][@SECONDS]`; `@SECONDS` delays it (seconds
 * after the simulator started, default 0):
 *
 * | Spec                                  | Fault                                                           |
 * | ------------------------------------- | --------------------------------------------------------------- |
 * | `disconnect@S`                        | cut the newest connection                                       |
 * | `hang-handshakes[:N]`                 | the next N handshakes (default 1) are never answered            |
 * | `hang-handshakes-for:S`               | every handshake for S seconds (`forever`: never back)           |
 * | `reject-handshakes:N[:STATUS]`        | the next N handshakes are refused (default 503)                 |
 * | `reject-handshakes-for:S[:STATUS]`    | every handshake for S seconds (`forever`) is refused            |
 * | `drop-before-reply[:CMD]`             | the next command (named CMD) is swallowed and its link cut      |
 * | `error-storm:CHANNEL[:CODE[:S]]`      | CHANNEL's subscriptions killed (25 or 10) for S s (`forever`)   |
 *
 * Pure parsing plus {@linkcode applyFaultPlan}, which only needs the simulator's `faults`; it
 * does not load the socket server, so argument parsing stays cheap.
 *
 * @example
 * ```ts
 * import { parseFaultSpec } from "./fault_plan.ts";
 * parseFaultSpec("hang-handshakes:2@5"); // { kind: "hang-handshakes", count: 2, atMs: 5000 }
 * ```
 *
 * @module
 */

import { type Channel, CHANNELS, isChannel } from "@kalshi-ws/core";
import type { Faults } from "./faults.ts";

/** One parsed `--fault` spec. */
export type FaultStep =
  | { readonly kind: "disconnect"; readonly atMs: number }
  | { readonly kind: "hang-handshakes"; readonly count: number; readonly atMs: number }
  | { readonly kind: "hang-handshakes-for"; readonly forMs: number; readonly atMs: number }
  | {
    readonly kind: "reject-handshakes";
    readonly count: number;
    readonly status: number;
    readonly atMs: number;
  }
  | {
    readonly kind: "reject-handshakes-for";
    readonly forMs: number;
    readonly status: number;
    readonly atMs: number;
  }
  | { readonly kind: "drop-before-reply"; readonly cmd: string | undefined; readonly atMs: number }
  | {
    readonly kind: "error-storm";
    readonly channel: Channel;
    readonly code: 10 | 25;
    readonly forMs: number;
    readonly atMs: number;
  };

/** The fault kinds a spec may name. */
export const FAULT_KINDS = [
  "disconnect",
  "hang-handshakes",
  "hang-handshakes-for",
  "reject-handshakes",
  "reject-handshakes-for",
  "drop-before-reply",
  "error-storm",
] as const;

const COMMANDS = ["subscribe", "unsubscribe", "update_subscription", "list_subscriptions"];

/** A spec that cannot be parsed; the message names the spec and what is wrong with it. */
export class FaultSpecError extends Error {
  /** The spec as given. */
  readonly spec: string;

  /** `spec` is wrong because of `reason`. */
  constructor(spec: string, reason: string) {
    super(`Cannot read fault '${spec}': ${reason}`);
    this.name = "FaultSpecError";
    this.spec = spec;
  }
}

/** Parses one `--fault` spec; throws {@linkcode FaultSpecError} naming what is wrong. */
export function parseFaultSpec(spec: string): FaultStep {
  const at = spec.lastIndexOf("@");
  const body = at < 0 ? spec : spec.slice(0, at);
  const atMs = at < 0 ? 0 : seconds(spec, spec.slice(at + 1), "the delay after @", false);
  const [kind = "", ...args] = body.split(":");
  const arity = (most: number) => {
    if (args.length > most) {
      throw new FaultSpecError(spec, `'${kind}' takes at most ${most} values`);
    }
  };
  switch (kind) {
    case "disconnect":
      arity(0);
      return { kind, atMs };
    case "hang-handshakes":
      arity(1);
      return { kind, count: count(spec, args[0]), atMs };
    case "hang-handshakes-for":
      arity(1);
      return {
        kind,
        forMs: seconds(spec, required(spec, args[0], "seconds"), "seconds", true),
        atMs,
      };
    case "reject-handshakes":
      arity(2);
      return { kind, count: count(spec, args[0]), status: status(spec, args[1]), atMs };
    case "reject-handshakes-for":
      arity(2);
      return {
        kind,
        forMs: seconds(spec, required(spec, args[0], "seconds"), "seconds", true),
        status: status(spec, args[1]),
        atMs,
      };
    case "drop-before-reply": {
      arity(1);
      const cmd = args[0];
      if (cmd !== undefined && !COMMANDS.includes(cmd)) {
        throw new FaultSpecError(spec, `unknown command '${cmd}' (${COMMANDS.join(", ")})`);
      }
      return { kind, cmd, atMs };
    }
    case "error-storm": {
      arity(3);
      const channel = required(spec, args[0], "a channel");
      if (!isChannel(channel)) {
        throw new FaultSpecError(spec, `unknown channel '${channel}' (${CHANNELS.join(", ")})`);
      }
      const code = args[1] === undefined ? 25 : Number(args[1]);
      if (code !== 10 && code !== 25) {
        throw new FaultSpecError(spec, `the code must be 25 or 10 (terminal), got '${args[1]}'`);
      }
      const forMs = args[2] === undefined ? Infinity : seconds(spec, args[2], "seconds", true);
      return { kind, channel, code, forMs, atMs };
    }
    default:
      throw new FaultSpecError(spec, `unknown fault '${kind}' (${FAULT_KINDS.join(", ")})`);
  }
}

/**
 * Arms `steps` on a simulator's `faults` (each at its `@` delay); returns a function that
 * cancels the ones not yet due. `log` hears each fault as it is applied.
 */
export function applyFaultPlan(
  faults: Faults,
  steps: readonly FaultStep[],
  log: (line: string) => void = () => {},
): () => void {
  const timers = steps.map((step) =>
    setTimeout(() => {
      try {
        apply(faults, step);
        log(`fault: ${describe(step)}`);
      } catch (error) {
        log(`fault: ${describe(step)} skipped (${(error as Error).message})`);
      }
    }, step.atMs)
  );
  return () => timers.forEach((timer) => clearTimeout(timer));
}

function apply(faults: Faults, step: FaultStep): void {
  switch (step.kind) {
    case "disconnect":
      return faults.disconnect();
    case "hang-handshakes":
      return faults.hangHandshakes(step.count);
    case "hang-handshakes-for":
      return faults.hangHandshakesFor(step.forMs);
    case "reject-handshakes":
      return faults.rejectHandshakes(step.count, step.status);
    case "reject-handshakes-for":
      return faults.rejectHandshakesFor(step.forMs, step.status);
    case "drop-before-reply":
      return faults.dropBeforeReply(step.cmd === undefined ? {} : { cmd: step.cmd });
    case "error-storm":
      return faults.errorStorm({ channel: step.channel, code: step.code, forMs: step.forMs });
  }
}

function describe(step: FaultStep): string {
  const { kind, atMs: _at, ...rest } = step;
  const values = Object.values(rest).filter((v) => v !== undefined).map(String);
  return [kind, ...values].join(" ");
}

function required(spec: string, value: string | undefined, what: string): string {
  if (value === undefined || value === "") throw new FaultSpecError(spec, `give ${what}`);
  return value;
}

function count(spec: string, value: string | undefined): number {
  if (value === undefined) return 1;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1 || n > 1_000_000) {
    throw new FaultSpecError(spec, `the count must be a whole number 1–1000000, got '${value}'`);
  }
  return n;
}

function status(spec: string, value: string | undefined): number {
  if (value === undefined) return 503;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 400 || n > 599) {
    throw new FaultSpecError(spec, `the status must be 400–599, got '${value}'`);
  }
  return n;
}

function seconds(spec: string, value: string, what: string, forever: boolean): number {
  if (forever && value === "forever") return Infinity;
  const n = Number(value);
  if (value === "" || !Number.isFinite(n) || n < 0 || n > 86_400) {
    throw new FaultSpecError(
      spec,
      `${what} must be 0–86400 seconds${forever ? " or 'forever'" : ""}, got '${value}'`,
    );
  }
  return n * 1000;
}
