/**
 * The connection lifecycle as a sans-I/O state machine: when to open a socket, how long its
 * handshake may take, when to close it, how long to wait before the next attempt, and when to
 * give up. It is the one reconnect loop of kalshi-ws: the client drives it with real sockets and
 * timers, the deterministic simulation with an in-memory network and a virtual clock.
 *
 * States: `idle` → `connecting` (a socket is opening; the handshake has a deadline) → `open` →
 * (drop, or the liveness verdict) `backing_off` → `connecting` → … ; `closing` (a requested close
 * waits for the server's close frame, with a deadline) and `closed` (for good: requested, out of
 * retries, or a first connection that failed).
 *
 * Inputs carry `now` (monotonic ms) and the socket id they concern (late events of a socket the
 * machine has let go of are ignored). Outputs are polled: {@linkcode ConnectionLifecycle.pollCommand}
 * ("open socket N", "close socket N"), {@linkcode ConnectionLifecycle.pollEvent} (`reconnecting`,
 * `given_up`, `closed`) and {@linkcode ConnectionLifecycle.pollTimeout} (when
 * {@linkcode ConnectionLifecycle.handleTimeout} must run). The protocol engine hears about the
 * connection through a {@linkcode LinkObserver} (the {@linkcode Session} is one), called at the
 * exact moments a socket opens and stops counting as open.
 *
 * Rules:
 * - Every wait has a deadline: a handshake that does not complete within `handshakeTimeoutMs`
 *   (default 10 s) is abandoned (its socket closed) and counts as a failed attempt; a requested
 *   close that the server does not answer within `closeTimeoutMs` (default 2 s) ends anyway.
 * - Before the first connection ever opened, any failure is final (`given_up`): credentials or an
 *   endpoint that never worked will not start working. Afterwards failures are retried after the
 *   {@linkcode Backoff} delay; consecutive 401/403 refusals give up after
 *   `maxHandshakeRejections` (default 3). A refusal's `Retry-After` (`retryAfterMs`) is a floor
 *   on the next delay, capped at the backoff's `maxDelayMs`.
 * - A link the liveness probe declared dead is abandoned at once: its socket is closed and the
 *   observer told it closed (1006) without waiting for the socket's own close event.
 *
 * @example
 * ```ts
 * import { ConnectionLifecycle } from "./connection_lifecycle.ts";
 * const life = new ConnectionLifecycle({ reconnect: { random: () => 1 } });
 * life.start(0);
 * life.pollCommand(); // { type: "open", socket: 1 }
 * life.socketOpened(1, 40);
 * life.socketClosed(1, 1006, "", 5_000);
 * life.pollEvent(); // { type: "reconnecting", attempt: 1, delayMs: 1000, failure: undefined }
 * life.pollTimeout(); // 6000
 * ```
 *
 * @module
 */

import { Backoff, type BackoffOptions, DEFAULT_BACKOFF } from "./backoff.ts";
import { KalshiWsError } from "./errors.ts";

/** Reconnect policy: the backoff's options plus how many handshake refusals to accept. */
export interface ReconnectPolicy extends BackoffOptions {
  /**
   * Consecutive 401/403 handshake rejections tolerated while reconnecting before giving up
   * (default 3). The first connection fails on the first rejection.
   */
  readonly maxHandshakeRejections?: number;
}

/** Options of a {@linkcode ConnectionLifecycle}. */
export interface LifecycleOptions {
  /** Automatic reconnection (default on); `false` ends the lifecycle at the first drop. */
  readonly reconnect?: boolean | ReconnectPolicy;
  /** How long (ms) a handshake (signing, TCP, TLS, upgrade) may take (default 10 000). */
  readonly handshakeTimeoutMs?: number;
  /** How long (ms) a requested close waits for the server's close frame (default 2 000). */
  readonly closeTimeoutMs?: number;
  /** Told when a socket opens and when it stops counting as open (the session). */
  readonly link?: LinkObserver;
}

/** Default handshake deadline (ms). */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
/** Default deadline (ms) of a requested close. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 2_000;

/** What hears about the connection's open and closed moments ({@linkcode Session} fits). */
export interface LinkObserver {
  /** A socket opened at `now`. */
  opened(now: number): void;
  /** The open socket closed or was abandoned at `now` (1006 for a lost link). */
  closed(code: number, reason: string, now: number): void;
}

/** Why a connection attempt failed. */
export interface AttemptFailure {
  /** HTTP status of a refused upgrade when known (401/403: the credentials were refused). */
  readonly status?: number | undefined;
  /** What went wrong, in words. */
  readonly message: string;
  /** Whether the handshake deadline passed (the machine itself detected it). */
  readonly timedOut?: boolean;
  /** The underlying error (e.g. a signer's), carried to `given_up`. */
  readonly cause?: unknown;
  /**
   * How long (ms) the server asked the client to wait (a refused upgrade's `Retry-After`, e.g.
   * on 429 or 503): the next attempt waits at least this long, up to the backoff's `maxDelayMs`.
   */
  readonly retryAfterMs?: number | undefined;
}

/** The state of a {@linkcode ConnectionLifecycle}. */
export type LifecycleState = "idle" | "connecting" | "open" | "backing_off" | "closing" | "closed";

/** What the driver must do with sockets. */
export type LifecycleCommand =
  | {
    /** Open a new socket (sign the handshake, connect); report its events with this id. */
    readonly type: "open";
    /** The id of the socket to open. */
    readonly socket: number;
  }
  | {
    /** Close (or abort the handshake of) a socket. */
    readonly type: "close";
    /** The id of the socket. */
    readonly socket: number;
    /** WebSocket close code. */
    readonly code: number;
    /** Close reason. */
    readonly reason: string;
  };

/** What the lifecycle reports. */
export type LifecycleEvent =
  | {
    /** The next attempt is scheduled. */
    readonly type: "reconnecting";
    /** Consecutive attempt number (1 = first retry since the last stable connection). */
    readonly attempt: number;
    /** Delay before the attempt (ms). */
    readonly delayMs: number;
    /** Why the previous attempt failed (`undefined` after a drop of an open connection). */
    readonly failure: AttemptFailure | undefined;
  }
  | {
    /** The lifecycle ended for good because of a failure. */
    readonly type: "given_up";
    /** The failure that ended it. */
    readonly failure: AttemptFailure;
    /** Whether it was a 401/403 refusal (credentials). */
    readonly rejected: boolean;
  }
  | {
    /** The lifecycle ended without a failure (requested close, or reconnect disabled). */
    readonly type: "closed";
  };

const CLIENT_CLOSED = "client closed";

/** Whether `status` means the credentials were refused. */
export function isRejection(status: number | undefined): boolean {
  return status === 401 || status === 403;
}

/** The connection lifecycle state machine; see the module documentation. */
export class ConnectionLifecycle {
  readonly #backoff: Backoff;
  /** The longest wait a server's `Retry-After` can impose (the backoff's cap). */
  readonly #maxDelayMs: number;
  readonly #reconnect: boolean;
  readonly #maxRejections: number;
  readonly #handshakeTimeoutMs: number;
  readonly #closeTimeoutMs: number;
  readonly #link: LinkObserver | undefined;
  readonly #commands: LifecycleCommand[] = [];
  readonly #events: LifecycleEvent[] = [];
  #state: LifecycleState = "idle";
  /** The socket the machine currently cares about (opening, open or closing). */
  #socket: number | undefined;
  #nextSocket = 0;
  /** Handshake deadline, retry instant or close deadline, by state. */
  #deadline: number | undefined;
  #opens = 0;
  #rejections = 0;

  /** Creates an idle lifecycle; throws `RangeError` on options that make no sense. */
  constructor(options: LifecycleOptions = {}) {
    const reconnect = options.reconnect ?? true;
    const policy: ReconnectPolicy = typeof reconnect === "object" ? reconnect : {};
    this.#reconnect = reconnect !== false;
    this.#backoff = new Backoff(policy);
    this.#maxDelayMs = policy.maxDelayMs ?? DEFAULT_BACKOFF.maxDelayMs;
    this.#maxRejections = policy.maxHandshakeRejections ?? 3;
    this.#handshakeTimeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    this.#closeTimeoutMs = options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
    this.#link = options.link;
    if (!(this.#maxRejections >= 1)) {
      throw new RangeError(`Set maxHandshakeRejections to 1 or more: got ${this.#maxRejections}`);
    }
    if (!(this.#handshakeTimeoutMs > 0)) {
      throw new RangeError(`Set handshakeTimeoutMs above 0: got ${this.#handshakeTimeoutMs}`);
    }
    if (!(this.#closeTimeoutMs >= 0)) {
      throw new RangeError(`Set closeTimeoutMs to 0 or more: got ${this.#closeTimeoutMs}`);
    }
  }

  /** The current state. */
  get state(): LifecycleState {
    return this.#state;
  }

  /** The id of the socket the machine is opening, using or closing, if any. */
  get socket(): number | undefined {
    return this.#socket;
  }

  /** How many connections have opened so far (the next `opened` is a reconnection if ≥ 1). */
  get opens(): number {
    return this.#opens;
  }

  /** Whether the lifecycle will reconnect after a drop (not closing, closed or disabled). */
  get willReconnect(): boolean {
    return this.#reconnect && this.#state !== "closing" && this.#state !== "closed";
  }

  // -------------------------------------------------------------------------------------------
  // Inputs

  /** Starts the first connection attempt. */
  start(now: number): void {
    if (this.#state !== "idle") {
      throw new KalshiWsError(`Cannot start a connection lifecycle that is ${this.#state}`);
    }
    this.#attempt(now);
  }

  /** Socket `socket` completed its handshake at `now`. */
  socketOpened(socket: number, now: number): void {
    if (socket !== this.#socket || this.#state !== "connecting") return;
    this.#state = "open";
    this.#deadline = undefined;
    this.#opens++;
    this.#rejections = 0;
    this.#backoff.opened(now);
    this.#link?.opened(now);
  }

  /** Socket `socket` never opened: its handshake was refused or the network failed. */
  handshakeFailed(socket: number, failure: AttemptFailure, now: number): void {
    if (socket !== this.#socket || this.#state !== "connecting") return;
    this.#socket = undefined;
    this.#failed(failure, now);
  }

  /** The open socket `socket` closed at `now` (cleanly or not: 1006 when the link dropped). */
  socketClosed(socket: number, code: number, reason: string, now: number): void {
    if (socket !== this.#socket) return;
    if (this.#state === "open") {
      this.#socket = undefined;
      this.#lost(code, reason, now);
    } else if (this.#state === "closing") {
      this.#socket = undefined;
      this.#end(code, reason, now);
    }
  }

  /** The liveness probe went unanswered: abandon the open socket now and heal as after a drop. */
  linkDead(now: number, reason = "Liveness probe unanswered"): void {
    if (this.#state !== "open") return;
    this.#commands.push({ type: "close", socket: this.#socket!, code: 4000, reason });
    this.#socket = undefined;
    this.#lost(1006, reason, now);
  }

  /**
   * Closes for good. An open socket is closed cleanly (the machine waits for its close event up
   * to `closeTimeoutMs`); an opening one is aborted; a pending retry is cancelled. Idempotent.
   */
  close(now: number): void {
    switch (this.#state) {
      case "open":
        this.#state = "closing";
        this.#deadline = now + this.#closeTimeoutMs;
        this.#commands.push({
          type: "close",
          socket: this.#socket!,
          code: 1000,
          reason: CLIENT_CLOSED,
        });
        return;
      case "connecting":
        this.#commands.push({
          type: "close",
          socket: this.#socket!,
          code: 1000,
          reason: CLIENT_CLOSED,
        });
        this.#socket = undefined;
        this.#finish({ type: "closed" });
        return;
      case "idle":
      case "backing_off":
        this.#finish({ type: "closed" });
        return;
      case "closing":
      case "closed":
        return;
    }
  }

  /** Acts on whatever is due at `now`: a handshake deadline, a retry, a close deadline. */
  handleTimeout(now: number): void {
    const deadline = this.#deadline;
    if (deadline === undefined || deadline > now) return;
    switch (this.#state) {
      case "connecting": {
        const socket = this.#socket!;
        this.#socket = undefined;
        const message = `Handshake timed out after ${this.#handshakeTimeoutMs} ms`;
        this.#commands.push({ type: "close", socket, code: 1000, reason: message });
        this.#failed({ message, timedOut: true }, now);
        return;
      }
      case "backing_off":
        this.#attempt(now);
        return;
      case "closing": {
        // The server did not answer the close frame: cut the socket and end anyway.
        const socket = this.#socket!;
        this.#socket = undefined;
        this.#commands.push({ type: "close", socket, code: 1000, reason: CLIENT_CLOSED });
        this.#end(1000, CLIENT_CLOSED, now);
        return;
      }
      default:
        return;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Outputs

  /** The next socket command, or `undefined`. */
  pollCommand(): LifecycleCommand | undefined {
    return this.#commands.shift();
  }

  /** The next event, or `undefined`. */
  pollEvent(): LifecycleEvent | undefined {
    return this.#events.shift();
  }

  /** When `handleTimeout` must run next, if anything is waiting. */
  pollTimeout(): number | undefined {
    return this.#deadline;
  }

  // -------------------------------------------------------------------------------------------
  // Transitions

  #attempt(now: number): void {
    const socket = ++this.#nextSocket;
    this.#socket = socket;
    this.#state = "connecting";
    this.#deadline = now + this.#handshakeTimeoutMs;
    this.#commands.push({ type: "open", socket });
  }

  /** The open connection is gone (dropped or abandoned): tell the link, then retry or end. */
  #lost(code: number, reason: string, now: number): void {
    this.#backoff.closed(now);
    if (!this.#reconnect) {
      this.#end(code, reason, now);
      return;
    }
    this.#state = "backing_off";
    this.#link?.closed(code, reason, now);
    this.#retry(undefined, now);
  }

  /** An attempt failed: final before the first connection or after too many refusals. */
  #failed(failure: AttemptFailure, now: number): void {
    const rejected = isRejection(failure.status);
    if (
      this.#opens === 0 || !this.#reconnect ||
      (rejected && ++this.#rejections >= this.#maxRejections)
    ) {
      this.#finish({ type: "given_up", failure, rejected });
      return;
    }
    this.#retry(failure, now);
  }

  #retry(failure: AttemptFailure | undefined, now: number): void {
    let delayMs = this.#backoff.nextDelay();
    // A server that said how long to wait (429/503 `Retry-After`) is not asked again sooner; a
    // hostile value cannot stall the client beyond the backoff's own cap.
    const asked = failure?.retryAfterMs;
    if (asked !== undefined && asked > delayMs) delayMs = Math.min(asked, this.#maxDelayMs);
    this.#state = "backing_off";
    this.#deadline = now + delayMs;
    this.#events.push({ type: "reconnecting", attempt: this.#backoff.attempt, delayMs, failure });
  }

  /** Ends with the open (or closing) connection closed: the link hears first. */
  #end(code: number, reason: string, now: number): void {
    this.#state = "closed";
    this.#deadline = undefined;
    this.#link?.closed(code, reason, now);
    this.#events.push({ type: "closed" });
  }

  #finish(event: LifecycleEvent): void {
    this.#state = "closed";
    this.#deadline = undefined;
    this.#events.push(event);
  }
}
