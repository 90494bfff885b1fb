/**
 * The simulated server and the wire to the client: one {@linkcode ProtocolConnection} of the
 * simulator's model per accepted connection, frame queues both ways delayed by the seed's
 * latency, the handshake in flight (answered by the {@linkcode HandshakePlan}), the server's
 * close in flight, and the server-side fault switches (silent, ignore / refuse / cut at the next
 * command, slow reader, error storm, backlog overflow).
 *
 * It also keeps the facts the checks need and no client could know: every exchange event is
 * numbered and its book change recorded in the truth, and per sid the server remembers what it
 * emitted and which seqs it dropped. Nothing here knows the client's machines: frames leave
 * through {@linkcode MemoryNetwork.deliver}, commands arrive through
 * {@linkcode MemoryNetwork.send}.
 *
 * @module
 */

import type { ErrorCode } from "@kalshi-ws/core";
import {
  type ErrorStorm,
  type Exchange,
  type ExchangeEvent,
  type OutFrame,
  ProtocolConnection,
} from "@kalshi-ws/simulator/model";
import type { HandshakeOutcome, HandshakePlan } from "./handshake_plan.ts";
import type { RunState } from "./run_state.ts";
import { EPOCH, USER } from "./scenario.ts";
import type { TruthTracker } from "./truth.ts";

/** A frame on its way to the client. */
export interface Frame {
  readonly text: string;
  /** When it arrives. */
  readonly at: number;
  /** Exchange event index the frame reflects. */
  readonly index: number;
  readonly sid: number | undefined;
  readonly seq: number | undefined;
  /** `type` of the frame. */
  readonly type: string;
  /** Market of an order-book frame. */
  readonly market: string | undefined;
}

/** One connection the server accepted, with its queues and armed faults. */
export interface ServerConn {
  readonly id: number;
  /** The lifecycle's id of the client socket. */
  readonly socket: number;
  /** The next command is swallowed and the connection cut before any reply. */
  cutBeforeReply: boolean;
  readonly protocol: ProtocolConnection;
  /** Frames to the client; those before `downHead` were delivered. */
  readonly down: Frame[];
  downHead: number;
  /** Commands to the server, with their arrival time. */
  readonly up: { text: string; at: number }[];
  silent: boolean;
  ignoreNextCommand: boolean;
  /** The next command is refused with this code (armed here so calm can disarm it). */
  failNextCommand: ErrorCode | undefined;
  slowUntil: number;
  overflowed: boolean;
  /** The last seq the server emitted per sid. */
  readonly emitted: Map<number, number>;
  /** Seqs the server dropped per sid, not yet reported by a `gap`. */
  readonly drops: Map<number, Set<number>>;
  /** The last seq the client received per sid. */
  readonly seen: Map<number, number>;
}

/** The server side of the simulation and the in-memory wire. */
export class MemoryNetwork {
  /** The market model every connection serves. */
  readonly exchange: Exchange;
  /** How the server answers handshakes. */
  readonly plan: HandshakePlan;
  /** One-way latency (virtual ms). */
  readonly latency: number;
  /** Index of the last exchange event (every event is numbered). */
  eventIndex = 0;
  /** The connection the server currently serves. */
  conn: ServerConn | undefined;
  /** The handshake in progress: the server answers it at `at` (`Infinity`: never). */
  handshake: { readonly socket: number; at: number } | undefined;
  /** The client learns that the server closed the socket at this time, with this code. */
  closeAt: number | undefined;
  closeCode = 1006;
  /** The connection whose close is on its way to the client. */
  closingConn: ServerConn | undefined;
  /** Kalshi kills one channel's subscriptions the moment they exist, until it ends. */
  storm: ErrorStorm | undefined;
  readonly #run: RunState;
  readonly #truth: TruthTracker;
  #nextConnId = 1;

  /** The server of `exchange`, recording book changes in `truth`. */
  constructor(run: RunState, exchange: Exchange, truth: TruthTracker, plan: HandshakePlan) {
    this.#run = run;
    this.exchange = exchange;
    this.#truth = truth;
    this.plan = plan;
    this.latency = run.scenario.latency;
  }

  /** Runs `count` generator steps; every event is numbered, recorded and framed. */
  marketStep(count: number): void {
    const conn = this.conn;
    for (let i = 0; i < count; i++) {
      const events = this.exchange.step(EPOCH + this.#run.now);
      for (const event of events) {
        const index = ++this.eventIndex;
        const book = event.book;
        if (book !== undefined) {
          this.#truth.record(index, event.ticker, book.side, book.price, book.delta);
        }
        if (conn !== undefined) this.#emitEvent(conn, event, index);
      }
    }
  }

  #emitEvent(conn: ServerConn, event: ExchangeEvent, index: number): void {
    const frames = conn.protocol.onEvents([event]);
    if (frames.length === 0 || conn.silent) return;
    const market = event.channel === "orderbook_delta" ? event.ticker : undefined;
    for (const frame of frames) this.#enqueue(conn, frame, index, event.type, market);
  }

  /** Queues frames made outside the event flow (responses, snapshots, errors). */
  emit(conn: ServerConn, frames: readonly OutFrame[]): void {
    if (conn.silent) return;
    for (const frame of frames) {
      const text = frame.text;
      const type = text.startsWith('{"type":"')
        ? text.slice(9, text.indexOf('"', 9))
        : (JSON.parse(text) as { type?: string }).type ?? "?";
      const market = type === "orderbook_snapshot"
        ? (JSON.parse(text) as { msg: { market_ticker: string } }).msg.market_ticker
        : undefined;
      this.#enqueue(conn, frame, this.eventIndex, type, market);
    }
  }

  #enqueue(
    conn: ServerConn,
    frame: OutFrame,
    index: number,
    type: string,
    market: string | undefined,
  ): void {
    const run = this.#run;
    const { sid, seq } = frame;
    if (sid !== undefined && seq !== undefined) {
      const last = conn.emitted.get(sid) ?? 0;
      if (seq > last + 1) {
        let drops = conn.drops.get(sid);
        if (drops === undefined) conn.drops.set(sid, drops = new Set());
        for (let s = last + 1; s < seq; s++) drops.add(s);
        // An armed drop takes effect now (a quiet sid may fire it long after it was armed).
        run.faultTookEffect();
      }
      if (seq > last) conn.emitted.set(sid, seq);
    }
    const previous = conn.down.length > conn.downHead ? conn.down[conn.down.length - 1]!.at : 0;
    const at = Math.max(run.now + this.latency, previous);
    conn.down.push({ text: frame.text, at, index, sid, seq, type, market });
    // Kalshi kills the subscriptions of a reader that fell too far behind (error 25).
    if (!conn.overflowed && conn.down.length - conn.downHead > 400) {
      conn.overflowed = true;
      run.trace("server: backlog overflow, error 25 on every sid");
      for (const sub of conn.protocol.subscriptions()) this.raise(conn, sub.sid, 25);
    }
  }

  /**
   * Raises terminal error `code` on `sid` — unless an armed drop would swallow the error frame
   * itself: a sid that dies without a word cannot be noticed by any client (Kalshi's protocol
   * has no per-sid heartbeat), so the fault plan never creates one.
   */
  raise(conn: ServerConn, sid: number, code: ErrorCode): void {
    const swallowed = conn.protocol.pendingFaults().some((f) =>
      f.kind === "drop" && (f.sid === undefined || f.sid === sid)
    );
    if (!swallowed) this.emit(conn, conn.protocol.raiseError(sid, code));
  }

  /** The server handles the commands that have arrived on `conn`. */
  serveCommands(conn: ServerConn): void {
    const run = this.#run;
    const up = conn.up;
    while (up.length > 0 && up[0]!.at <= run.now) {
      const { text } = up.shift()!;
      if (conn.silent) continue;
      if (conn.ignoreNextCommand) {
        conn.ignoreNextCommand = false;
        run.trace(`server ignores ${text}`);
        continue;
      }
      if (conn.cutBeforeReply) {
        conn.cutBeforeReply = false;
        run.trace(`server cuts the link on ${text}`);
        run.faultTookEffect(Math.max(run.lastFault, run.now));
        this.serverClose(conn);
        return;
      }
      if (conn.failNextCommand !== undefined) {
        conn.protocol.failNextCommand(conn.failNextCommand);
        conn.failNextCommand = undefined;
      }
      this.emit(conn, conn.protocol.handleText(text, EPOCH + run.now));
      this.strike(conn);
    }
  }

  /** The error storm kills the subscriptions of its channel that exist on `conn`. */
  strike(conn: ServerConn): void {
    const storm = this.storm;
    if (storm === undefined) return;
    if (!storm.active(this.#run.now)) {
      this.storm = undefined;
      return;
    }
    for (const sub of conn.protocol.subscriptions()) {
      if (sub.channel === storm.channel) this.raise(conn, sub.sid, storm.code);
    }
  }

  /**
   * The server ends the connection: cut (no close frame, code 1006) or answering the client's
   * close (1000); the client notices after `delay`.
   */
  serverClose(conn: ServerConn, delay: number = this.latency, code = 1006): void {
    if (this.conn !== conn) return;
    this.conn = undefined;
    this.closeAt = this.#run.now + delay;
    this.closeCode = code;
    // Frames already on the wire by then still arrive; the rest are lost with the socket.
    const keep = conn.down.filter((f, i) => i >= conn.downHead && f.at <= this.closeAt!);
    conn.down.length = 0;
    conn.downHead = 0;
    conn.down.push(...keep);
    this.closingConn = conn;
  }

  /** Calm: armed faults that never fired are disarmed (see the harness's calm phase). */
  calm(): void {
    this.plan.calm();
    this.storm = undefined;
    if (this.conn !== undefined) {
      this.conn.ignoreNextCommand = false;
      this.conn.failNextCommand = undefined;
      this.conn.cutBeforeReply = false;
    }
  }

  /** The client opens `socket`: its handshake reaches the server after a round trip. */
  startHandshake(socket: number): void {
    this.handshake = { socket, at: this.#run.now + this.latency * 2 };
  }

  /**
   * The server's answer to the handshake in flight, once it is due (a hung one stays in flight
   * until the client gives up on it); `undefined` when none is due.
   */
  answerHandshake(): { socket: number; outcome: Exclude<HandshakeOutcome, "hang"> } | undefined {
    const run = this.#run;
    const handshake = this.handshake;
    if (handshake === undefined || handshake.at > run.now) return undefined;
    const outcome = this.plan.answer(run.now);
    if (outcome === "hang") {
      handshake.at = Infinity; // until the client gives up on it
      run.trace(`handshake of socket ${handshake.socket} hangs`);
      return undefined;
    }
    this.handshake = undefined;
    return { socket: handshake.socket, outcome };
  }

  /** The server completes the handshake of `socket`: a new connection. */
  accept(socket: number): ServerConn {
    const conn: ServerConn = {
      id: this.#nextConnId++,
      socket,
      cutBeforeReply: false,
      protocol: new ProtocolConnection({ exchange: this.exchange, userId: USER }),
      down: [],
      downHead: 0,
      up: [],
      silent: false,
      ignoreNextCommand: false,
      failNextCommand: undefined,
      slowUntil: 0,
      overflowed: false,
      emitted: new Map(),
      drops: new Map(),
      seen: new Map(),
    };
    this.conn = conn;
    this.#run.stats.connections++;
    this.#run.trace(`open connection ${conn.id} (socket ${socket})`);
    return conn;
  }

  /**
   * The client closes (or aborts the handshake of) `socket` with `code`; `closing` says whether
   * the client is in its closing handshake (a stop), where a 1000 is answered.
   */
  clientClose(socket: number, code: number, closing: boolean): void {
    if (this.handshake?.socket === socket) {
      this.handshake = undefined;
      return;
    }
    const conn = this.conn?.socket === socket
      ? this.conn
      : this.closingConn?.socket === socket
      ? this.closingConn
      : undefined;
    if (conn === undefined) return;
    if (code === 1000 && closing && this.conn === conn) {
      // A clean close: the server answers it after the round trip (a silent one never does).
      if (!conn.silent) this.serverClose(conn, this.latency * 2, 1000);
      return;
    }
    // Abandoned (liveness verdict, or a close that was never answered): gone at once.
    this.#run.trace(`socket ${socket} abandoned (${code})`);
    if (this.conn === conn) this.conn = undefined;
    if (this.closingConn === conn) {
      this.closingConn = undefined;
      this.closeAt = undefined;
    }
  }

  /** The client sends `text` on `conn`: it reaches the server after the latency. */
  send(conn: ServerConn, text: string): void {
    conn.up.push({ text, at: this.#run.now + this.latency });
  }

  /**
   * Hands `receive` the frames of `conn` that arrived by `until` (at most `limit`), in order;
   * stops early when `receive` returns false (the frame ended the connection).
   */
  deliver(
    conn: ServerConn,
    until: number,
    limit: number,
    receive: (conn: ServerConn, frame: Frame) => boolean,
  ): void {
    const down = conn.down;
    let n = 0;
    while (conn.downHead < down.length && down[conn.downHead]!.at <= until && n < limit) {
      const frame = down[conn.downHead]!;
      down[conn.downHead++] = undefined as unknown as Frame;
      n++;
      if (!receive(conn, frame)) return;
    }
    if (conn.downHead === down.length) {
      down.length = 0;
      conn.downHead = 0;
      conn.overflowed = false;
    } else if (conn.downHead > 1024) {
      down.splice(0, conn.downHead);
      conn.downHead = 0;
    }
  }
}
