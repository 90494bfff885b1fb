/**
 * What one simulation run is, before it runs: the faults a seed can draw, the knobs a caller
 * sets ({@linkcode SimulationOptions}), what a run reports ({@linkcode SimulationResult}), the
 * simulated client's timeouts and budgets, and {@linkcode drawScenario}, which turns a seed into
 * the run's plan (its faults, fault rate, latency, market depth, profile and turning point).
 *
 * Kept apart from the moving parts so a reader sees in one place everything a seed decides up
 * front — and so the draw order, which fixes every later random choice, stays in one function.
 *
 * @module
 */

import type { Rng } from "@kalshi-ws/simulator/model";

/** The faults a seed can draw. */
export const DST_FAULTS = [
  "disconnect",
  "silent",
  "drop",
  "duplicate",
  "error_10",
  "error_25",
  "reject_handshakes",
  "slow_consumer",
  "burst",
  "clock_jump",
  "command_timeout",
  "command_error",
  "malformed",
  "unknown_type",
  "hang_handshake",
  "refuse_for",
  "drop_before_reply",
  "error_storm",
] as const;

/** One of {@linkcode DST_FAULTS}. */
export type DstFault = typeof DST_FAULTS[number];

/** Knobs of one simulation; the defaults are what CI runs (and what a replay uses). */
export interface SimulationOptions {
  /** Steps with faults (default 400). */
  readonly faultSteps?: number;
  /** Calm steps after the fault phase (default 340: longer than the heal bound). */
  readonly calmSteps?: number;
  /** Virtual ms per step (default 50). */
  readonly stepMs?: number;
  /** Every subscription must be healed this long after the last fault (virtual ms, 15 000). */
  readonly healBoundMs?: number;
  /** Only these faults (default: all). */
  readonly faults?: readonly DstFault[];
  /** Keep a trace of the last steps for the failure report (default false: faster). */
  readonly trace?: boolean;
}

/** Counters of one run. */
export interface SimulationStats {
  /** Frames the client received. */
  frames: number;
  /** Faults injected. */
  faults: number;
  /** Connections opened. */
  connections: number;
  /** `gap` events. */
  gaps: number;
  /** `resynced` events. */
  resyncs: number;
  /** `resubscribed` events. */
  resubscribes: number;
  /** Book comparisons against the truth. */
  bookChecks: number;
  /** Longest virtual time from the last fault until everything was healed (ms). */
  healMs: number;
  /** Handshakes abandoned at their deadline. */
  handshakeTimeouts: number;
  /** Most automatic re-subscribes of one subscription within one minute. */
  resubscribesPerMinute: number;
  /** Virtual ms from a stop to the client's end (stop runs; 0 otherwise). */
  stopMs: number;
}

/** How a seed's run ends: healed, stopped by the user mid-run, or with the server gone. */
export type SimulationProfile = "heal" | "stop" | "outage";

/** The outcome of one seed. */
export interface SimulationResult {
  /** The seed. */
  readonly seed: number;
  /** The first broken invariant, or `undefined` when the run passed. */
  readonly failure: string | undefined;
  /** The step it broke at. */
  readonly step: number | undefined;
  /** How the run was meant to end. */
  readonly profile: SimulationProfile;
  /** Counters. */
  readonly stats: SimulationStats;
  /** The last trace lines (with `trace: true`). */
  readonly trace: readonly string[];
}

/** The exchange's clock at virtual time 0. */
export const EPOCH: number = Date.UTC(2026, 10, 25, 12);
/** The account the simulated user trades on. */
export const USER = "dst-user";
/** The client gives up at this many 401/403 in a row while reconnecting. */
export const MAX_REJECTIONS = 3;
/** Every request must settle within this long of the call. */
export const COMMAND_TIMEOUT_MS = 1_000;
/** A handshake not answered by then is abandoned. */
export const HANDSHAKE_TIMEOUT_MS = 2_000;
/** A stop ends the client within this long. */
export const CLOSE_TIMEOUT_MS = 500;
/**
 * With the simulation's re-subscribe pacing (pauses 50–100 ms doubling to 2.5–5 s, reset after
 * 5 s of health) a subscription killed the moment it is restored is re-subscribed at most ~30
 * times a minute (at once: thousands); a few transient refusals on top stay under 40.
 */
export const RESUBSCRIBES_PER_MINUTE = 40;

/** Everything a seed decides before the run starts. */
export interface Scenario {
  /** Steps with faults. */
  readonly faultSteps: number;
  /** Calm steps after them. */
  readonly calmSteps: number;
  /** Virtual ms per step. */
  readonly stepMs: number;
  /** How long after the last fault everything must be healed (virtual ms). */
  readonly healBoundMs: number;
  /** Whether the run keeps a trace. */
  readonly tracing: boolean;
  /** The faults this seed draws from (a subset, so some seeds hammer one mechanism). */
  readonly faults: readonly DstFault[];
  /** The chance of a fault per step. */
  readonly faultRate: number;
  /** One-way network latency (virtual ms). */
  readonly latency: number;
  /** Initial depth of the exchange's books. */
  readonly initialDepth: number;
  /** How the run ends. */
  readonly profile: SimulationProfile;
  /** The step at which the user stops (stop runs) or the server goes away (outage runs). */
  readonly turnStep: number;
}

/**
 * Draws the seed's scenario from `rng` (the run's generator, before anything else uses it: the
 * order of these draws is part of every seed's identity).
 */
export function drawScenario(options: SimulationOptions, rng: Rng): Scenario {
  const faultSteps = options.faultSteps ?? 400;
  // Each seed gets a profile: a subset of the faults and a fault rate, so some seeds hammer
  // one mechanism while others mix everything.
  const all = options.faults ?? DST_FAULTS;
  const subset = all.filter(() => rng.chance(0.5));
  const faults = subset.length > 0 ? subset : [rng.pick(all)];
  const faultRate = rng.pick([0.01, 0.02, 0.05, 0.1]);
  const latency = rng.int(1, 40);
  const initialDepth = rng.int(1, 8);
  const roll = rng.float();
  const profile = roll < 0.08 ? "stop" : roll < 0.13 ? "outage" : "heal";
  const turnStep = rng.int(10, faultSteps - 1);
  return {
    faultSteps,
    calmSteps: options.calmSteps ?? 340,
    stepMs: options.stepMs ?? 50,
    healBoundMs: options.healBoundMs ?? 15_000,
    tracing: options.trace ?? false,
    faults,
    faultRate,
    latency,
    initialDepth,
    profile,
    turnStep,
  };
}
