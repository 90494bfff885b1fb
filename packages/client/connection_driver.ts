/**
 * The client's connection loop, which decides nothing itself: it runs the core's
 * {@linkcode ConnectionLifecycle} (when to open, the handshake deadline, backoff, giving up,
 * the close deadline) with a real {@linkcode Transport} and {@linkcode Clock}. It signs and opens
 * the sockets the lifecycle asks for, closes the ones it lets go of, arms one timer for its next
 * deadline, and routes each socket's events back tagged with the socket's id, so late events of
 * an abandoned socket cannot reach the session. The deterministic simulation drives the same
 * lifecycle with its in-memory network, so both run one set of rules.
 *
 * @module
 */

import type { AttemptFailure, ConnectionLifecycle } from "@kalshi-ws/core";
import type { Clock, TimerHandle } from "./clock.ts";
import type { OpenOptions, SocketConnection, SocketEvents, Transport } from "./transport.ts";

/** What the driver tells its client. */
export interface DriverCallbacks {
  /** A text frame arrived on the live socket (called once per frame: keep it lean). */
  readonly text: (data: string) => void;
  /** A ping arrived on the live socket. */
  readonly ping: () => void;
  /** The lifecycle told the session about the link (opened or closed): pump the session. */
  readonly changed: () => void;
  /** A connection opened (after the session was told and pumped). */
  readonly opened: () => void;
  /** The next attempt is scheduled; `failure` says why the previous attempt failed. */
  readonly reconnecting: (
    attempt: number,
    delayMs: number,
    failure: AttemptFailure | undefined,
  ) => void;
  /** The lifecycle ended: with the failure that ended it, or `undefined` when requested. */
  readonly ended: (failure: AttemptFailure | undefined, rejected: boolean) => void;
}

/** Options of a {@linkcode ConnectionDriver}. */
export interface DriverOptions {
  /** How to open sockets. */
  readonly transport: Transport;
  /** The WebSocket URL. */
  readonly url: string;
  /** Passed to every `transport.open`. */
  readonly openOptions?: OpenOptions;
  /** Time and timers. */
  readonly clock: Clock;
  /** The machine to drive (its link observer is the client's session). */
  readonly lifecycle: ConnectionLifecycle;
  /** Signs the headers of a new handshake (called once per attempt). */
  readonly headers: () => Promise<Record<string, string>>;
  /** Where the outcomes go. */
  readonly callbacks: DriverCallbacks;
}

/** Runs a {@linkcode ConnectionLifecycle} over real sockets and timers. */
export class ConnectionDriver {
  /** The open (or closing) socket frames may be sent on; `undefined` otherwise. */
  connection: SocketConnection | undefined;
  readonly #options: DriverOptions;
  readonly #lifecycle: ConnectionLifecycle;
  readonly #clock: Clock;
  readonly #sockets = new Map<number, SocketConnection>();
  /** The id of the socket whose frames count (open or closing). */
  #live: number | undefined;
  #timer: TimerHandle | undefined;
  #timerAt: number | undefined;
  #driving = false;
  #again = false;

  /** Creates a driver; nothing happens until {@linkcode ConnectionDriver.start}. */
  constructor(options: DriverOptions) {
    this.#options = options;
    this.#lifecycle = options.lifecycle;
    this.#clock = options.clock;
  }

  /** Starts the first attempt. */
  start(): void {
    this.#input((now) => this.#lifecycle.start(now));
  }

  /** Closes for good (cleanly when open; see {@linkcode ConnectionLifecycle.close}). */
  close(): void {
    this.#input((now) => this.#lifecycle.close(now));
  }

  /** The liveness probe went unanswered: abandon the socket and heal as after a drop. */
  linkDead(): void {
    this.#input((now) => this.#lifecycle.linkDead(now));
  }

  /** Cancels the timer (the client ended). */
  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#timerAt = undefined;
  }

  #input(step: (now: number) => void): void {
    step(this.#clock.now());
    this.#drive();
  }

  /** Carries out what the lifecycle asks, reports its events, re-arms the timer. Re-entrant. */
  #drive(): void {
    if (this.#driving) {
      this.#again = true;
      return;
    }
    this.#driving = true;
    try {
      do {
        this.#again = false;
        const life = this.#lifecycle;
        for (let command = life.pollCommand(); command !== undefined;) {
          if (command.type === "open") this.#open(command.socket);
          else this.#close(command.socket, command.code, command.reason);
          command = life.pollCommand();
        }
        const state = life.state;
        this.#live = state === "open" || state === "closing" ? life.socket : undefined;
        this.connection = this.#live === undefined ? undefined : this.#sockets.get(this.#live);
        this.#options.callbacks.changed();
        for (let event = life.pollEvent(); event !== undefined;) {
          const callbacks = this.#options.callbacks;
          if (event.type === "reconnecting") {
            callbacks.reconnecting(event.attempt, event.delayMs, event.failure);
          } else if (event.type === "given_up") callbacks.ended(event.failure, event.rejected);
          else callbacks.ended(undefined, false);
          event = life.pollEvent();
        }
        this.#arm();
      } while (this.#again);
    } finally {
      this.#driving = false;
    }
  }

  #arm(): void {
    const at = this.#lifecycle.pollTimeout();
    if (at === this.#timerAt) return;
    this.stop();
    if (at === undefined) return;
    this.#timerAt = at;
    this.#timer = this.#clock.setTimer(() => {
      this.#timer = undefined;
      this.#timerAt = undefined;
      this.#input((now) => this.#lifecycle.handleTimeout(now));
    }, at - this.#clock.now());
  }

  /** Signs, then opens socket `id` unless the lifecycle let go of it meanwhile. */
  #open(id: number): void {
    const life = this.#lifecycle;
    this.#options.headers().then((headers) => {
      if (life.socket !== id || life.state !== "connecting") return;
      const { text, ping } = this.#options.callbacks;
      const events: SocketEvents = {
        open: () => {
          this.#input((now) => life.socketOpened(id, now));
          if (life.socket !== id) this.#close(id, 1000, "client closed"); // too late: let it go
          else if (life.state === "open") this.#options.callbacks.opened();
        },
        // The per-frame handler: one comparison, then the client's.
        text: (data: string): void => {
          if (id === this.#live) text(data);
        },
        ping: () => {
          if (id === this.#live) ping();
        },
        close: (code, reason) => {
          this.#sockets.delete(id);
          this.#input((now) => life.socketClosed(id, code, reason, now));
        },
        handshakeFailed: (status, message, retryAfterMs) => {
          this.#sockets.delete(id);
          const failure = retryAfterMs === undefined
            ? { status, message }
            : { status, message, retryAfterMs };
          this.#input((now) => life.handshakeFailed(id, failure, now));
        },
      };
      try {
        this.#sockets.set(
          id,
          this.#options.transport.open(
            this.#options.url,
            headers,
            events,
            this.#options.openOptions,
          ),
        );
      } catch (error) {
        this.#failed(id, error);
      }
    }, (error: unknown) => this.#failed(id, error));
  }

  /** The attempt on socket `id` failed before a socket existed (signer, or a bad URL). */
  #failed(id: number, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.#input((now) => this.#lifecycle.handshakeFailed(id, { message, cause: error }, now));
  }

  #close(id: number, code: number, reason: string): void {
    const socket = this.#sockets.get(id);
    if (socket === undefined) return; // not opened yet: the pending open sees it was let go
    try {
      socket.close(code, reason);
    } catch {
      // already closing
    }
  }
}
