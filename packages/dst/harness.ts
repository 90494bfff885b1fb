/**
 * Deterministic simulation of the healing stack: the core's {@linkcode Session} with a
 * `BookStore`, connected and reconnected by the core's `ConnectionLifecycle` — the very state
 * machine `@kalshi-ws/client` runs, so there is one reconnect loop and one set of rules — against
 * the simulator's pure model (`Exchange` + one `ProtocolConnection` per connection), over an
 * in-memory network with latency, under a virtual clock. Every random choice (market activity,
 * latency, faults, user requests, the run's profile) comes from the seed, so a failing seed
 * replays exactly: `deno task dst --seed N`.
 *
 * A run has a fault phase (faults drawn from {@linkcode DST_FAULTS}) and a calm phase. Some
 * seeds are *stop* runs (the user closes the client at a random moment, in whatever state it is)
 * or *outage* runs (the server goes away for good mid-run: nothing can heal, everything must
 * still end in time). At every step it checks the books against the truth, healing within
 * {@linkcode SimulationOptions.healBoundMs} after the last fault, the deadlines and budgets, that
 * nothing is lost silently, and bounded memory (the list is in `invariants.ts`).
 *
 * This file is the composition: it builds the parts and runs the steps. The parts:
 * - `scenario.ts`: options, results, constants, and what the seed decides up front;
 * - `run_state.ts`: the shared clock, counters, trace and `fail`;
 * - `memory_network.ts`: the simulated server and the wire (with the truth's numbering);
 * - `client_driver.ts`: the core's client machines driven over that network;
 * - `sim_user.ts`: the user's subscriptions, requests, reactions and stop;
 * - `fault_schedule.ts`: which fault when, the turning point, the calm;
 * - `invariants.ts`: every check; `budgets.ts`, `truth.ts` and `handshake_plan.ts` below them.
 *
 * The client class itself runs on promises and microtasks, which a virtual clock can only drive
 * by flushing many microtask rounds per step — too slow for 10 000 seeds a CI run — so the
 * harness drives the same two sans-I/O machines synchronously (`client_sim.ts` runs the class).
 *
 * @module
 */

import { Exchange } from "@kalshi-ws/simulator/model";
import { ClientDriver } from "./client_driver.ts";
import { FaultSchedule } from "./fault_schedule.ts";
import { HandshakePlan } from "./handshake_plan.ts";
import { Invariants } from "./invariants.ts";
import { MemoryNetwork } from "./memory_network.ts";
import { InvariantError, RunState } from "./run_state.ts";
import {
  EPOCH,
  MAX_REJECTIONS,
  type SimulationOptions,
  type SimulationResult,
  USER,
} from "./scenario.ts";
import { SimUser } from "./sim_user.ts";
import { TruthTracker } from "./truth.ts";

export {
  DST_FAULTS,
  type DstFault,
  type SimulationOptions,
  type SimulationProfile,
  type SimulationResult,
  type SimulationStats,
} from "./scenario.ts";

/** Runs one seed; never throws for an invariant (see `failure`), only for harness bugs. */
export function simulate(seed: number, options: SimulationOptions = {}): SimulationResult {
  return new Simulation(seed, options).play();
}

/** The one-line command that replays `seed`. */
export function replayCommand(seed: number): string {
  return `deno task dst --seed ${seed}`;
}

/** One seed's run: the parts, wired, and the order of each step. */
class Simulation {
  readonly run: RunState;
  readonly network: MemoryNetwork;
  readonly driver: ClientDriver;
  readonly user: SimUser;
  readonly checks: Invariants;
  readonly faults: FaultSchedule;

  constructor(seed: number, options: SimulationOptions) {
    const run = new RunState(seed, options);
    this.run = run;
    const exchange = new Exchange({
      seed,
      initialDepth: run.scenario.initialDepth,
      ownOrderRate: 0.1,
      lifecycleRate: 0.01,
      startTime: EPOCH,
    });
    exchange.addAccount(USER);
    const truth = new TruthTracker(exchange);
    const tickers = exchange.markets().map((m) => m.ticker);
    this.network = new MemoryNetwork(run, exchange, truth, new HandshakePlan(MAX_REJECTIONS));
    // The checks observe the client; the user reacts to its events after them.
    this.driver = new ClientDriver(run, this.network, {
      frameArrives: (frame) => this.checks.frameArrives(frame),
      frameHandled: (frame, owner, fresh, delivered) =>
        this.checks.frameHandled(frame, owner, fresh, delivered),
      sessionEvent: (event, conn) => {
        this.checks.sessionEvent(event, conn);
        this.user.react(event);
      },
      socketOpening: () => this.checks.socketOpening(),
      lifecycleEvent: (event) => this.checks.lifecycleEvent(event),
      autoSubscribe: (text) => this.checks.autoSubscribe(text),
      commandsSent: (count) => this.checks.commandsSent(count),
    });
    this.user = new SimUser(run, this.driver, tickers);
    this.checks = new Invariants(run, this.network, this.driver, this.user, truth, tickers);
    this.faults = new FaultSchedule(run, this.network, this.driver, this.user);
  }

  play(): SimulationResult {
    const run = this.run;
    const { faultSteps, calmSteps, profile } = run.scenario;
    try {
      this.user.subscribeAll();
      this.driver.lifecycle.start(run.now);
      this.driver.afterLifecycle();
      const total = faultSteps + calmSteps;
      for (run.step = 0; run.step < total; run.step++) {
        this.tick();
        if (this.driver.lifecycle.state === "closed") break; // a stop run ended
      }
      if (profile === "heal") this.finish();
      else this.stopAndSettle();
      return this.result(undefined);
    } catch (error) {
      if (error instanceof InvariantError) return this.result(error.message);
      // The stack under test threw: that breaks "never throws on peer misbehaviour".
      const where = error instanceof Error ? (error.stack ?? "").split("\n")[1]?.trim() : "";
      return this.result(
        `seed ${run.seed}, step ${run.step} (t=${run.now} ms): uncaught ${error} ${where}`,
      );
    }
  }

  result(failure: string | undefined): SimulationResult {
    const run = this.run;
    return {
      seed: run.seed,
      failure,
      step: failure === undefined ? undefined : run.step,
      profile: run.scenario.profile,
      stats: { ...run.stats, resubscribesPerMinute: this.checks.rate.worst },
      trace: run.traceLines,
    };
  }

  /** One step: the fault phase's draws, then the server, then the client, then the checks. */
  tick(): void {
    const { run, network, driver } = this;
    const { stepMs, faultSteps, turnStep } = run.scenario;
    if (run.step === turnStep) this.faults.turn();
    const faulty = run.step < faultSteps && run.stopAt === undefined;
    const advance = faulty ? this.faults.draw() : stepMs;
    if (faulty && run.rng.chance(0.01)) this.user.request();
    run.now += advance;
    if (advance > stepMs) run.lastFault = run.now; // healing starts after the jump
    if (run.step === faultSteps) this.faults.calm();

    // Server: commands in, market activity out.
    const conn = network.conn;
    if (conn !== undefined) network.serveCommands(conn);
    network.marketStep(1);

    // Client: connection lifecycle, frames, timers (in a seed-chosen order after a jump).
    driver.socketEvents();
    if (advance > stepMs && run.rng.chance(0.5)) {
      driver.timers();
      driver.deliverFrames();
    } else {
      driver.deliverFrames();
      driver.timers();
    }
    driver.socketEvents();
    driver.flushTransmit("auto");
    this.checks.step();
  }

  /** After the last step: quiesce, then every book equals the exchange's current truth. */
  finish(): void {
    const { run, network, driver } = this;
    run.step = run.scenario.faultSteps + run.scenario.calmSteps;
    for (let i = 0; i < 100 && network.conn !== undefined; i++) {
      run.now += run.scenario.stepMs;
      network.serveCommands(network.conn);
      driver.deliverFrames();
      driver.timers();
      driver.flushTransmit("auto");
      if (network.conn.up.length === 0 && network.conn.down.length === network.conn.downHead) {
        break;
      }
    }
    this.checks.atEnd();
  }

  /**
   * The end of a stop or outage run: the user stops (if not already), the client must end
   * within the close timeout, and every request it leaves is settled when it gives up.
   */
  stopAndSettle(): void {
    const { run, network, driver } = this;
    if (run.stopAt === undefined) this.user.stop();
    while (driver.lifecycle.state !== "closed") {
      run.now += run.scenario.stepMs;
      if (network.conn !== undefined) network.serveCommands(network.conn);
      driver.socketEvents();
      driver.deliverFrames();
      driver.flushTransmit("auto");
      this.checks.step(); // fails once the stop takes too long
    }
    run.stats.stopMs = run.now - run.stopAt!;
    // The client ends: what is still outstanding is rejected (as KalshiWsClient does).
    run.ending = true;
    driver.session.abort(new Error("client closed"));
    driver.drain();
    this.checks.everyRequestSettled();
  }
}
