/**
 * The client under test, driven synchronously: the core's {@linkcode Session} with a
 * {@linkcode BookStore}, connected and reconnected by the core's {@linkcode ConnectionLifecycle}
 * — the two sans-I/O machines `KalshiWsClient` runs — wired to the {@linkcode MemoryNetwork}.
 * The driver does what the client's connection driver does with real sockets: opens and closes
 * sockets on the lifecycle's commands, feeds it the handshake answers and closes, feeds frames
 * and timeouts to the session, sends what it queues, and abandons the link on a liveness verdict.
 *
 * It asserts nothing itself: every frame, session event, lifecycle event and batch of commands
 * is reported to a {@linkcode ClientObserver} (the checks and the simulated user), so the
 * driving reads as the client's own loop.
 *
 * @module
 */

import {
  BookStore,
  ConnectionLifecycle,
  type LifecycleEvent,
  Session,
  type SessionEvent,
  type SubscriptionKey,
} from "@kalshi-ws/core";
import type { Frame, MemoryNetwork, ServerConn } from "./memory_network.ts";
import type { RunState } from "./run_state.ts";
import {
  CLOSE_TIMEOUT_MS,
  COMMAND_TIMEOUT_MS,
  HANDSHAKE_TIMEOUT_MS,
  MAX_REJECTIONS,
} from "./scenario.ts";

/** What the driver reports, in the order it happens. */
export interface ClientObserver {
  /** `frame` reaches the client, before the session reads it. */
  frameArrives(frame: Frame): void;
  /**
   * The session handled `frame`: `owner` was the subscription of its sid and `fresh` whether
   * its seq was new when it arrived; `delivered` holds the sids that got data meanwhile.
   */
  frameHandled(
    frame: Frame,
    owner: SubscriptionKey | undefined,
    fresh: boolean,
    delivered: ReadonlySet<number>,
  ): void;
  /** A session event, after the driver's own bookkeeping; `conn` is the connection it came on. */
  sessionEvent(event: SessionEvent, conn: ServerConn | undefined): void;
  /** The lifecycle is about to open a socket. */
  socketOpening(): void;
  /** A lifecycle event (reconnecting, given up, closed). */
  lifecycleEvent(event: LifecycleEvent): void;
  /** An automatic (not user, not new-connection) subscribe goes out. */
  autoSubscribe(text: string): void;
  /** The session queued `count` commands in one flush. */
  commandsSent(count: number): void;
}

/** The core's client machines over the in-memory network. */
export class ClientDriver {
  /** The client's books. */
  readonly books: BookStore = new BookStore();
  /** The client's session. */
  readonly session: Session;
  /** The client's connection lifecycle. */
  readonly lifecycle: ConnectionLifecycle;
  readonly #run: RunState;
  readonly #network: MemoryNetwork;
  readonly #observer: ClientObserver;
  readonly #receive = (conn: ServerConn, frame: Frame): boolean => {
    this.#receiveFrame(conn, frame);
    return this.linkOpen; // false: the frame ended the connection (dead)
  };
  /** The liveness verdict came while draining events: abandon the link once done. */
  #deadPending = false;
  /** sid → key of the live sids of user subscriptions (rebuilt when stale). */
  readonly #owners = new Map<number, SubscriptionKey>();
  #ownersStale = true;

  /** A fresh client (not started) over `network`, reporting to `observer`. */
  constructor(run: RunState, network: MemoryNetwork, observer: ClientObserver) {
    this.#run = run;
    this.#network = network;
    this.#observer = observer;
    const rng = run.rng;
    this.session = new Session({
      books: this.books,
      idleMs: 2_000,
      probeTimeoutMs: 1_000,
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
      // The simulation's time scale: pauses as short as its reconnect backoff's.
      resubscribe: {
        initialDelayMs: 100,
        maxDelayMs: 5_000,
        stableAfterMs: 5_000,
        random: () => rng.float(),
      },
    });
    this.lifecycle = new ConnectionLifecycle({
      link: this.session,
      handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
      closeTimeoutMs: CLOSE_TIMEOUT_MS,
      reconnect: {
        initialDelayMs: 100,
        maxDelayMs: 2_000,
        stableAfterMs: 5_000,
        maxHandshakeRejections: MAX_REJECTIONS,
        random: () => rng.float(),
      },
    });
  }

  /** Whether the client has an open (or closing) socket. */
  get linkOpen(): boolean {
    const state = this.lifecycle.state;
    return state === "open" || state === "closing";
  }

  /**
   * The subscription `sid` belongs to now (the table is rebuilt first if sids changed since), so
   * an observer can tell whether a frame's sid changed hands while the frame was handled.
   */
  ownerOf(sid: number): SubscriptionKey | undefined {
    if (this.#ownersStale) this.#rebuildOwners();
    return this.#owners.get(sid);
  }

  /** Socket events that are due: the server's close, the handshake's answer, the deadlines. */
  socketEvents(): void {
    const run = this.#run;
    const network = this.#network;
    const closing = network.closingConn;
    if (closing !== undefined && network.closeAt !== undefined && network.closeAt <= run.now) {
      this.#deliverFrom(closing, network.closeAt);
      network.closeAt = undefined;
      network.closingConn = undefined;
      run.trace(`socket ${closing.socket} closed ${network.closeCode}`);
      this.lifecycle.socketClosed(closing.socket, network.closeCode, "connection lost", run.now);
      this.#ownersStale = true;
      this.afterLifecycle();
    }
    const answer = network.answerHandshake();
    if (answer !== undefined) {
      if (answer.outcome === "accept") this.#accept(answer.socket);
      else {
        run.trace(`handshake rejected ${answer.outcome}`);
        this.lifecycle.handshakeFailed(answer.socket, {
          status: answer.outcome,
          message: `Unexpected server response: ${answer.outcome}`,
        }, run.now);
        this.afterLifecycle();
      }
    }
    const at = this.lifecycle.pollTimeout();
    if (at !== undefined && at <= run.now) {
      this.lifecycle.handleTimeout(run.now);
      this.afterLifecycle();
    }
  }

  /** Carries out the lifecycle's socket commands and reports its events. */
  afterLifecycle(): void {
    const life = this.lifecycle;
    for (let command = life.pollCommand(); command !== undefined; command = life.pollCommand()) {
      if (command.type === "open") {
        this.#observer.socketOpening();
        this.#network.startHandshake(command.socket);
      } else {
        this.#network.clientClose(command.socket, command.code, life.state === "closing");
      }
    }
    this.drain();
    for (let event = life.pollEvent(); event !== undefined; event = life.pollEvent()) {
      this.#observer.lifecycleEvent(event);
    }
  }

  /** The server accepted the handshake of `socket`. */
  #accept(socket: number): void {
    this.#network.accept(socket);
    this.lifecycle.socketOpened(socket, this.#run.now);
    this.afterLifecycle();
    this.flushTransmit("connection");
  }

  /**
   * Sends what the session queued. `origin` says why it may contain subscribes: a new
   * connection's re-subscribes, a user's subscribe, or automatic ones (counted per minute).
   */
  flushTransmit(origin: "connection" | "user" | "auto"): void {
    const run = this.#run;
    let sent = 0;
    for (let text = this.session.pollTransmit(); text !== undefined;) {
      sent++;
      const conn = this.#network.conn;
      if (this.linkOpen && conn !== undefined) {
        this.#network.send(conn, text);
        if (origin === "auto" && text.includes('"cmd":"subscribe"')) {
          this.#observer.autoSubscribe(text);
        }
      }
      if (run.tracing) run.trace(`send ${text}`);
      text = this.session.pollTransmit();
    }
    this.#observer.commandsSent(sent);
  }

  /** Fires the session's timer when it is due. */
  timers(): void {
    const at = this.session.pollTimeout();
    if (at !== undefined && at <= this.#run.now) {
      this.session.handleTimeout(this.#run.now);
      this.drain();
    }
  }

  /** Delivers the frames that have arrived (two a step while the reader is slow). */
  deliverFrames(): void {
    if (!this.linkOpen) return;
    const conn = this.#network.conn ?? this.#network.closingConn;
    if (conn === undefined) return;
    const slow = conn.slowUntil > this.#run.now;
    this.#deliverFrom(conn, this.#run.now, slow ? 2 : Infinity);
  }

  #deliverFrom(conn: ServerConn, until: number, limit = Infinity): void {
    this.#network.deliver(conn, until, limit, this.#receive);
  }

  #receiveFrame(conn: ServerConn, frame: Frame): void {
    this.#run.stats.frames++;
    this.#observer.frameArrives(frame);
    if (this.#ownersStale) this.#rebuildOwners();
    const sid = frame.sid;
    const owner = sid === undefined ? undefined : this.#owners.get(sid);
    let fresh = true;
    if (sid !== undefined && frame.seq !== undefined) {
      const last = conn.seen.get(sid) ?? 0;
      fresh = frame.seq > last;
      if (fresh) conn.seen.set(sid, frame.seq);
    }
    this.session.receiveText(frame.text, this.#run.now);
    const delivered = this.drain(conn);
    this.#observer.frameHandled(frame, owner, fresh, delivered);
  }

  #rebuildOwners(): void {
    this.#owners.clear();
    for (const key of this.session.subscriptionKeys()) {
      for (const info of this.session.sidsOf(key)) this.#owners.set(info.sid, key);
    }
    this.#ownersStale = false;
  }

  /**
   * Drains the session's events, reporting each with the connection `conn` they came on;
   * returns the sids that got data. A liveness verdict abandons the link afterwards.
   */
  drain(conn: ServerConn | undefined = this.#network.conn): Set<number> {
    const delivered = new Set<number>();
    for (let event = this.session.pollEvent(); event !== undefined;) {
      this.#track(event, delivered);
      this.#observer.sessionEvent(event, conn);
      event = this.session.pollEvent();
    }
    if (this.#deadPending) {
      this.#deadPending = false;
      this.lifecycle.linkDead(this.#run.now);
      this.#ownersStale = true;
      this.afterLifecycle();
    }
    return delivered;
  }

  /** The driver's own bookkeeping of an event: data delivered, sids changed, the link dead. */
  #track(event: SessionEvent, delivered: Set<number>): void {
    switch (event.type) {
      case "data":
        if (event.key !== undefined && event.sid !== undefined) delivered.add(event.sid);
        return;
      case "subscribed":
      case "resubscribed":
      case "unsubscribed":
      case "disconnected":
        this.#ownersStale = true;
        return;
      case "server_error":
        this.#ownersStale = true;
        this.#run.trace(`server_error ${event.error.code} sid ${event.sid}`);
        return;
      case "dead":
        this.#run.trace("dead");
        this.#deadPending = true;
        return;
      default:
        return;
    }
  }
}
