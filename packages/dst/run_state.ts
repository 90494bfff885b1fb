/**
 * Where one run is: the seed's generator and scenario, the virtual clock and step, the instants
 * the checks measure from (the last fault, the last time everything was seen healed, the user's
 * stop), the counters, the trace, and {@linkcode RunState.fail}, which ends the run at the first
 * broken invariant.
 *
 * Every part of the simulation (network, client driver, user, faults, checks) shares this one
 * object instead of each keeping its own copy of the time, so they can never disagree on it.
 *
 * @module
 */

import { Rng } from "@kalshi-ws/simulator/model";
import {
  drawScenario,
  type Scenario,
  type SimulationOptions,
  type SimulationStats,
} from "./scenario.ts";

/** A broken invariant: ends the run (caught by the harness, reported as its failure). */
export class InvariantError extends Error {}

/** The shared, mutable state of one run. */
export class RunState {
  /** The seed. */
  readonly seed: number;
  /** Every random choice of the run comes from here, in a fixed order. */
  readonly rng: Rng;
  /** What the seed decided up front. */
  readonly scenario: Scenario;
  /** Counters (reported with the result). */
  readonly stats: SimulationStats = {
    frames: 0,
    faults: 0,
    connections: 0,
    gaps: 0,
    resyncs: 0,
    resubscribes: 0,
    bookChecks: 0,
    healMs: 0,
    handshakeTimeouts: 0,
    resubscribesPerMinute: 0,
    stopMs: 0,
  };
  /** The last trace lines (with tracing on). */
  readonly traceLines: string[] = [];
  /** Virtual time (ms since the start). */
  now = 0;
  /** The current step. */
  step = 0;
  /** When the last fault took effect (or, for a spell, ends): healing is measured from here. */
  lastFault = 0;
  /** When everything was first seen healed since the last fault. */
  healedAt: number | undefined;
  /** When the user stopped the client (stop runs; outage runs at their end). */
  stopAt: number | undefined;
  /** The client ended: outstanding requests are being rejected. */
  ending = false;

  /** The state of seed `seed` before its first step (its scenario drawn). */
  constructor(seed: number, options: SimulationOptions) {
    this.seed = seed;
    this.rng = new Rng(seed * 2654435761);
    this.scenario = drawScenario(options, this.rng);
  }

  /** Whether trace lines are kept (building them costs time). */
  get tracing(): boolean {
    return this.scenario.tracing;
  }

  /** A fault takes effect at `at` (default now): the heal clock starts over. */
  faultTookEffect(at: number = this.now): void {
    this.lastFault = at;
    this.healedAt = undefined;
  }

  /** Ends the run: `message` broke, here and now. */
  fail(message: string): never {
    throw new InvariantError(`seed ${this.seed}, step ${this.step} (t=${this.now} ms): ${message}`);
  }

  /** Keeps `line` (with tracing on), the last few hundred only. */
  trace(line: string): void {
    if (!this.tracing) return;
    this.traceLines.push(`${this.step} t=${this.now} ${line}`);
    if (this.traceLines.length > 400) this.traceLines.splice(0, 100);
  }
}
