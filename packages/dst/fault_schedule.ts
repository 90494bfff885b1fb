/**
 * The run's script of trouble: at each fault-phase step a fault may be drawn (at the seed's
 * rate, from its subset of {@linkcode DST_FAULTS}) and is injected into the network, the
 * server's handshake plan or the market; at the turning step a stop run has the user stop the
 * client and an outage run loses the server for good; when the calm phase begins, faults armed
 * but never fired are disarmed. Each fault restarts the heal clock of {@linkcode RunState}
 * (a spell such as a refusal window or an error storm restarts it at its end).
 *
 * @module
 */

import { ErrorCode } from "@kalshi-ws/core";
import { ErrorStorm } from "@kalshi-ws/simulator/model";
import type { ClientDriver } from "./client_driver.ts";
import type { MemoryNetwork } from "./memory_network.ts";
import type { RunState } from "./run_state.ts";
import type { DstFault } from "./scenario.ts";
import type { SimUser } from "./sim_user.ts";

/** Draws and injects the faults of a run. */
export class FaultSchedule {
  readonly #run: RunState;
  readonly #network: MemoryNetwork;
  readonly #driver: ClientDriver;
  readonly #user: SimUser;

  /** The faults of `run`, injected into `network` (and through `user` and `driver`). */
  constructor(run: RunState, network: MemoryNetwork, driver: ClientDriver, user: SimUser) {
    this.#run = run;
    this.#network = network;
    this.#driver = driver;
    this.#user = user;
  }

  /**
   * A fault-phase step: maybe draws a fault and injects it; returns how far virtual time
   * advances this step (a clock jump advances it by seconds at once).
   */
  draw(): number {
    const { rng, scenario } = this.#run;
    let advance = scenario.stepMs;
    if (rng.chance(scenario.faultRate)) {
      const fault = rng.pick(scenario.faults);
      if (fault === "clock_jump") advance = rng.int(2_000, 40_000);
      this.inject(fault);
    }
    return advance;
  }

  /** The calm phase begins: armed faults that never fired are disarmed. */
  calm(): void {
    // Those inside the model can still fire once; they heal within the bound.
    this.#network.calm();
  }

  /** The run's turning point: the user stops (stop runs) or the server goes for good (outage). */
  turn(): void {
    const run = this.#run;
    const profile = run.scenario.profile;
    if (profile === "stop") {
      run.trace(`user stops (client ${this.#driver.lifecycle.state})`);
      this.#user.stop();
    } else if (profile === "outage") {
      const network = this.#network;
      const conn = network.conn;
      run.trace("server gone for good");
      network.plan.window(run.rng.chance(0.5) ? "hang" : 503, Infinity);
      if (conn === undefined) return;
      if (run.rng.chance(0.5)) {
        conn.cutBeforeReply = true; // the link dies right after the next command
        this.#user.list();
        this.#driver.drain();
      } else network.serverClose(conn);
    }
  }

  /** Injects `fault` now. */
  inject(fault: DstFault): void {
    const run = this.#run;
    const rng = run.rng;
    const network = this.#network;
    const conn = network.conn;
    run.stats.faults++;
    run.faultTookEffect();
    run.trace(`fault ${fault}`);
    const liveSid = (): number | undefined => {
      const subs = conn?.protocol.subscriptions() ?? [];
      return subs.length === 0 ? undefined : rng.pick(subs).sid;
    };
    switch (fault) {
      case "disconnect":
        if (conn !== undefined) network.serverClose(conn);
        return;
      case "silent":
        if (conn !== undefined) conn.silent = true;
        return;
      case "drop":
        conn?.protocol.dropNext(rng.chance(0.7) ? liveSid() : undefined);
        return;
      case "duplicate":
        conn?.protocol.duplicateNext(rng.chance(0.7) ? liveSid() : undefined);
        return;
      case "error_10":
      case "error_25": {
        const sid = liveSid();
        if (conn !== undefined && sid !== undefined) {
          network.raise(conn, sid, fault === "error_10" ? 10 : 25);
        }
        return;
      }
      case "reject_handshakes": {
        // A refusal spell of 1–4 handshakes (replacing any spell not yet over).
        const n = rng.int(1, 4);
        network.plan.queue(Array.from({ length: n }, () => rng.pick([503, 500, 429, 401, 403])));
        if (conn !== undefined && rng.chance(0.7)) network.serverClose(conn);
        return;
      }
      case "hang_handshake":
        // The next handshakes are accepted over TCP and never answered; the link drops now.
        network.plan.queue(Array.from({ length: rng.int(1, 2) }, () => "hang" as const));
        if (conn !== undefined) network.serverClose(conn);
        return;
      case "refuse_for": {
        // Down for a while: every handshake refused (or hung) until the window ends.
        const until = run.now + rng.int(500, 8_000);
        network.plan.window(rng.chance(0.7) ? 503 : "hang", until);
        run.lastFault = until;
        if (conn !== undefined) network.serverClose(conn);
        return;
      }
      case "drop_before_reply":
        // The link dies right after the next command, before its reply; sometimes the server
        // is not back at once.
        if (conn !== undefined) conn.cutBeforeReply = true;
        if (rng.chance(0.5)) {
          const until = run.now + rng.int(500, 6_000);
          network.plan.window(rng.chance(0.7) ? 503 : "hang", until);
          run.lastFault = until;
        }
        if (rng.chance(0.5)) this.#user.request();
        return;
      case "error_storm": {
        // Kalshi kills one channel's subscriptions the moment they exist, for a while.
        const channels = this.#user.subs.flatMap((s) => s.channels);
        const channel = rng.chance(0.6) ? "orderbook_delta" : rng.pick(channels);
        const until = run.now + rng.int(1_000, 6_000);
        network.storm = new ErrorStorm(
          channel,
          rng.pick<ErrorCode>([ErrorCode.BufferOverflow, ErrorCode.ChannelError]),
          until,
        );
        run.lastFault = until;
        if (conn !== undefined) network.strike(conn);
        return;
      }
      case "slow_consumer":
        if (conn !== undefined) conn.slowUntil = run.now + rng.int(500, 5_000);
        network.marketStep(rng.int(20, 120));
        return;
      case "burst":
        network.marketStep(rng.int(20, 300));
        return;
      case "clock_jump":
        return; // drawn by `draw`: time jumps before anything is processed
      case "command_timeout":
        if (conn !== undefined) conn.ignoreNextCommand = true;
        return;
      case "command_error":
        if (conn !== undefined) {
          conn.failNextCommand = rng.pick<ErrorCode>([
            ErrorCode.CommandTimeout,
            ErrorCode.TooManyRequests,
          ]);
        }
        return;
      case "malformed":
        if (conn !== undefined) network.emit(conn, [conn.protocol.malformedFrame()]);
        return;
      case "unknown_type":
        if (conn !== undefined) network.emit(conn, [conn.protocol.unknownTypeFrame(liveSid())]);
        return;
    }
  }
}
