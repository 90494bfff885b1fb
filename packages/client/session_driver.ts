/**
 * The client's half of the sans-I/O session: feeds the core's {@linkcode Session} the frames
 * of the live socket and the time, and moves its outputs on — frames it queued to the socket,
 * data events to the {@linkcode EventRouter}, other events to the client, and its next deadline
 * to one real timer. `connection_driver.ts` does the same for the connection lifecycle.
 *
 * The per-frame path is {@linkcode SessionDriver.receiveText}: size check, `receiveText`, one
 * pump; a pump that only delivered data leaves the timer alone (see
 * {@linkcode SessionDriver.pump}). Over a transport that `readsInRuns`, the clock is read once
 * per run of frames (per socket read), not per frame.
 *
 * @module
 */

import type { ClientMetrics } from "./client_metrics.ts";
import type { DataEvent, Session, SessionEvent } from "@kalshi-ws/core";
import { type Clock, systemClock, type TimerHandle } from "./clock.ts";
import type { EventRouter } from "./event_router.ts";
import { oversizeFrame } from "./frame_limit.ts";
import type { SocketConnection } from "./transport.ts";

/** Options of a {@linkcode SessionDriver}. */
export interface SessionDriverOptions {
  /** The session to drive. */
  readonly session: Session;
  /** Time and timers. */
  readonly clock: Clock;
  /** Largest inbound frame (bytes); larger ones are skipped with a `decode_error`. */
  readonly maxFrameBytes: number;
  /** Where data events go. */
  readonly router: EventRouter;
  /** Counts what `/metrics` reports (an increment per data message). */
  readonly metrics: ClientMetrics;
  /** Where every other event goes. */
  readonly handle: (event: Exclude<SessionEvent, DataEvent>) => void;
  /**
   * The transport reports the frames of one socket read in one synchronous run (its
   * `readsInRuns`): read the clock at the first frame of a run only.
   */
  readonly readsInRuns?: boolean;
}

/** Settled once: `then` on it runs a callback once the current run of synchronous work ends. */
const SETTLED = Promise.resolve();

/** Drives a {@linkcode Session} with a real socket and timer. */
export class SessionDriver {
  /**
   * The live socket frames are sent on (`undefined` while there is none): the client copies the
   * connection driver's each time that driver reports a change.
   */
  socket: SocketConnection | undefined;
  readonly #session: Session;
  readonly #clock: Clock;
  readonly #maxFrameBytes: number;
  readonly #router: EventRouter;
  readonly #metrics: ClientMetrics;
  readonly #handle: (event: Exclude<SessionEvent, DataEvent>) => void;
  readonly #readsInRuns: boolean;

  #stopped = false;
  #timer: TimerHandle | undefined;
  #timerAt: number | undefined;
  #pumping = false;
  #pumpAgain = false;
  /** Set when something other than data went by (a frame sent, a non-data event). */
  #deadlinesMayChange = true;
  /** Wall-clock time (ms) when {@linkcode SessionDriver.#frameNow} last read the clock. */
  #frameWall = Number.NaN;
  /** Monotonic time (ms) read with it. */
  #frameMonotonic = 0;
  /** Whether the frame times above are this run's (`readsInRuns`: reset when the run ends). */
  #timedRun = false;
  readonly #endRun = (): void => {
    this.#timedRun = false;
  };

  /** Creates a driver; it acts when fed (`receiveText`, `pump`, …). */
  constructor(options: SessionDriverOptions) {
    this.#session = options.session;
    this.#clock = options.clock;
    this.#maxFrameBytes = options.maxFrameBytes;
    this.#router = options.router;
    this.#metrics = options.metrics;
    this.#handle = options.handle;
    this.#readsInRuns = options.readsInRuns === true;
  }

  /**
   * The per-frame handler: frame limit, session, pump. A bound function, so the connection
   * driver calls it directly (no wrapper call per frame).
   */
  readonly receiveText = (data: string): void => {
    const oversize = oversizeFrame(data, this.#maxFrameBytes);
    if (oversize !== undefined) {
      this.#metrics.decodeError();
      this.#router.emit({ type: "decode_error", error: oversize }, undefined);
      return;
    }
    this.#session.receiveText(data, this.#frameNow());
    this.pump();
  };

  /** A ping arrived (only on transports that show them): liveness. */
  receivePing(): void {
    this.#session.receivePing(this.#clock.now());
    this.pump();
  }

  /** Cancels the timer for good (the client ended). */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#timerAt = undefined;
  }

  /** Sends what the session queued, hands out its events, re-arms the timer. Re-entrant-safe. */
  pump(): void {
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#pumpAgain = false;
        const socket = this.socket;
        if (socket !== undefined) {
          for (let frame = this.#session.pollTransmit(); frame !== undefined;) {
            this.#deadlinesMayChange = true;
            try {
              socket.send(frame);
            } catch {
              break; // the socket is closing; its close event follows
            }
            frame = this.#session.pollTransmit();
          }
        }
        this.drainEvents();
      } while (this.#pumpAgain);
      // A pump that only delivered data (the hot path) sent no command and changed no
      // subscription, so the session's deadlines can only have moved later: the armed timer
      // stays valid (see #armTimer) and pollTimeout() is skipped.
      if (this.#deadlinesMayChange || this.#timer === undefined) {
        this.#deadlinesMayChange = false;
        this.#armTimer();
      }
    } finally {
      this.#pumping = false;
    }
  }

  /** Hands out the session's queued events (data to the router, the rest to the client). */
  drainEvents(): void {
    let data = 0;
    for (let event = this.#session.pollEvent(); event !== undefined;) {
      if (event.type === "data") {
        data++;
        // Wall-clock receive time for the lag: the one #frameNow read for the frame (or its run).
        const wall = this.#frameWall;
        this.#metrics.message(event.message, Number.isNaN(wall) ? this.#clock.wallTime() : wall);
        this.#router.data(event);
      } else {
        this.#deadlinesMayChange = true;
        this.#handle(event);
      }
      event = this.#session.pollEvent();
    }
    // A frame that produced no event at all (an ignored reply, a refused re-subscribe waiting
    // to retry) may have set a deadline: re-check.
    if (data === 0) this.#deadlinesMayChange = true;
  }

  #armTimer(): void {
    if (this.#stopped) return;
    const at = this.#session.pollTimeout();
    if (at === this.#timerAt) return;
    // Lazy re-arming: every inbound frame pushes the liveness deadline back, and moving a real
    // timer per frame costs more than the frame. A timer due no later than `at` stays; when it
    // fires early, `handleTimeout` finds nothing due and the timer is armed for the new instant.
    if (at !== undefined && this.#timer !== undefined && this.#timerAt! <= at) return;
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#timerAt = at;
    if (at === undefined) return;
    this.#timer = this.#clock.setTimer(() => {
      this.#timer = undefined;
      this.#timerAt = undefined;
      this.#session.handleTimeout(this.#clock.now());
      this.pump();
    }, at - this.#clock.now());
  }

  /**
   * The monotonic time for an inbound frame (and, in `#frameWall`, its wall-clock time for the
   * lag). With the system clock, `performance.now()` (a runtime call costing as much as decoding
   * a small frame) is read only when `Date.now()` (a cheap builtin) moved on: at most 1 ms stale,
   * which neither liveness (25 s) nor command timeouts can notice. An injected clock is read as
   * it is. Over a transport that `readsInRuns`, the frames of one run (one socket read, handed
   * over synchronously) all take the time read at its first frame: the time they were read; a
   * microtask marks the end of the run, so the next read is timed afresh.
   */
  #frameNow(): number {
    if (this.#timedRun) return this.#frameMonotonic;
    const clock = this.#clock;
    if (clock === systemClock) {
      const wall = Date.now();
      if (wall !== this.#frameWall) {
        this.#frameWall = wall;
        this.#frameMonotonic = systemClock.now();
      }
    } else {
      this.#frameMonotonic = clock.now();
      this.#frameWall = clock.wallTime();
    }
    if (this.#readsInRuns) {
      this.#timedRun = true;
      void SETTLED.then(this.#endRun);
    }
    return this.#frameMonotonic;
  }
}
