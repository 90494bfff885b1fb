/**
 * Fault injection into a running {@linkcode Simulator}: per connection (drops, duplicates,
 * disconnects, silence, errors, malformed frames), per subscription channel (terminal-error
 * storms), and at the edges of a connection (handshakes refused or never answered, for a count
 * or for a while; a command swallowed and the link cut before its reply). The socket server asks
 * this class what to do with each handshake and each command; everything else acts at once.
 *
 * @module
 */

import { type Channel, ErrorCode } from "@kalshi-ws/core";
import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";
import type { ProtocolConnection } from "./model/connection.ts";
import type { OutFrame } from "./model/outbox.ts";
import { ErrorStorm } from "./model/error_storm.ts";

/** Which connection (and optionally which subscription) a fault targets. */
export interface FaultTarget {
  /** Connection id (see `Simulator.connections`); default: the newest open connection. */
  readonly connection?: number;
  /** Subscription id on that connection; default: any sequenced frame. */
  readonly sid?: number;
}

/** What the server does with one handshake. */
export type HandshakeAnswer =
  | { readonly kind: "accept" }
  | {
    readonly kind: "reject";
    readonly status: number;
    readonly body: string | undefined;
    /** A `Retry-After` header value sent with the refusal, if any. */
    readonly retryAfter?: string | undefined;
  }
  | { readonly kind: "hang" };

/** Options of {@linkcode Faults.errorStorm}. */
export interface ErrorStormOptions {
  /** The channel whose subscriptions are killed (every connection, new ones included). */
  readonly channel: Channel;
  /** The terminal code (25, the default, or 10). */
  readonly code?: 10 | 25;
  /** How long the storm lasts (ms; default until {@linkcode Faults.stopErrorStorm}). */
  readonly forMs?: number;
}

/** @internal What the faults need from the simulator's connections. */
export interface FaultLive {
  readonly id: number;
  readonly ws: WebSocket;
  readonly socket: Duplex;
  readonly model: ProtocolConnection;
  silent: boolean;
}

/** @internal The simulator, as the faults see it. */
export interface FaultHost {
  _live(id?: number): FaultLive;
  _lives(): Iterable<FaultLive>;
  _deliver(live: FaultLive, frames: readonly OutFrame[]): void;
}

const ACCEPT: HandshakeAnswer = { kind: "accept" };
const HANG: HandshakeAnswer = { kind: "hang" };

/** Injects faults into live connections and their handshakes (see each method). */
export class Faults {
  readonly #sim: FaultHost;
  readonly #queued: HandshakeAnswer[] = [];
  #window: { answer: HandshakeAnswer; until: number } | undefined;
  #cut: { connection: number | undefined; cmd: string | undefined } | undefined;
  #storm: ErrorStorm | undefined;

  /** @internal Created by the simulator. */
  constructor(sim: FaultHost) {
    this.#sim = sim;
  }

  /** The next sequenced frame (of `sid`, if given) is not sent; its seq is consumed (a gap). */
  dropNext(target: FaultTarget = {}): void {
    this.#sim._live(target.connection).model.dropNext(target.sid);
  }

  /** The next sequenced frame (of `sid`, if given) is sent twice. */
  duplicateNext(target: FaultTarget = {}): void {
    this.#sim._live(target.connection).model.duplicateNext(target.sid);
  }

  /** Cuts the connection abruptly: no close frame, the TCP socket is destroyed. */
  disconnect(target: FaultTarget = {}): void {
    cut(this.#sim._live(target.connection));
  }

  /** The connection goes silent: no frames, no pings, no pongs, commands ignored; socket stays open. */
  goSilent(target: FaultTarget = {}): void {
    this.#sim._live(target.connection).silent = true;
  }

  /** Sends a frame that is not valid JSON. */
  sendMalformed(target: FaultTarget = {}): void {
    const live = this.#sim._live(target.connection);
    this.#sim._deliver(live, [live.model.malformedFrame()]);
  }

  /** Sends a well-formed frame of an unknown `type` (on `sid`, if given). */
  sendUnknownType(target: FaultTarget = {}): void {
    const live = this.#sim._live(target.connection);
    this.#sim._deliver(live, [live.model.unknownTypeFrame(target.sid)]);
  }

  /** Raises error `code` on `sid` (terminal for 10 and 25: the subscription ends). */
  raiseError(target: FaultTarget & { readonly sid: number }, code: ErrorCode): void {
    const live = this.#sim._live(target.connection);
    const frames = live.model.raiseError(target.sid, code);
    if (frames.length === 0) {
      throw new RangeError(`Cannot raise error on sid ${target.sid}: subscription is not active`);
    }
    this.#sim._deliver(live, frames);
  }

  /** The connection's next command is answered with error `code` (e.g. 18 or 27) instead of run. */
  failNextCommand(code: ErrorCode, target: FaultTarget = {}): void {
    this.#sim._live(target.connection).model.failNextCommand(code);
  }

  /**
   * The next `count` handshakes are refused with `status` (default 503) and a short body, with a
   * `Retry-After: retryAfter` header when given (e.g. `"2"` on a 429).
   */
  rejectHandshakes(count: number, status = 503, body?: string, retryAfter?: string): void {
    for (let i = 0; i < count; i++) {
      this.#queued.push({ kind: "reject", status, body, retryAfter });
    }
  }

  /** The next `count` handshakes (default 1) are accepted over TCP but never answered. */
  hangHandshakes(count = 1): void {
    for (let i = 0; i < count; i++) this.#queued.push(HANG);
  }

  /**
   * Every handshake in the next `ms` (`Infinity`: until {@linkcode Faults.recoverHandshakes}) is
   * refused with `status` (default 503): a server that is down for a while, or for good.
   */
  rejectHandshakesFor(ms: number, status = 503): void {
    this.#window = { answer: { kind: "reject", status, body: undefined }, until: deadline(ms) };
  }

  /** Every handshake in the next `ms` (`Infinity`: until recovered) is never answered. */
  hangHandshakesFor(ms: number): void {
    this.#window = { answer: HANG, until: deadline(ms) };
  }

  /** Handshakes are answered normally again (queued and timed handshake faults are dropped). */
  recoverHandshakes(): void {
    this.#queued.length = 0;
    this.#window = undefined;
  }

  /**
   * The next command (named `cmd`, if given; on connection `connection`, if given, else on any)
   * is swallowed and its connection cut right after it arrived: the link dies between a
   * command and its reply. Combine with a handshake fault for a server that is not back at once.
   */
  dropBeforeReply(target: { readonly connection?: number; readonly cmd?: string } = {}): void {
    this.#cut = { connection: target.connection, cmd: target.cmd };
  }

  /**
   * A terminal-error storm: while it lasts, every subscription of `channel` (on every
   * connection, new ones included) is killed with error 25 (or 10) as soon as it exists.
   */
  errorStorm(options: ErrorStormOptions): void {
    this.#storm = new ErrorStorm(
      options.channel,
      options.code ?? ErrorCode.BufferOverflow,
      deadline(options.forMs),
    );
    for (const live of this.#sim._lives()) this._strike(live);
  }

  /** Ends the error storm. */
  stopErrorStorm(): void {
    this.#storm = undefined;
  }

  /** Subscriptions the current (or last) error storm killed. */
  get stormKills(): number {
    return this.#storm?.kills ?? 0;
  }

  /** @internal How to answer the next handshake. */
  _handshake(): HandshakeAnswer {
    const queued = this.#queued.shift();
    if (queued !== undefined) return queued;
    const window = this.#window;
    if (window === undefined) return ACCEPT;
    if (performance.now() < window.until) return window.answer;
    this.#window = undefined;
    return ACCEPT;
  }

  /** @internal Whether command `text` arriving on `live` is swallowed (and the link cut). */
  _cuts(live: FaultLive, text: string): boolean {
    const armed = this.#cut;
    if (armed === undefined) return false;
    if (armed.connection !== undefined && armed.connection !== live.id) return false;
    if (armed.cmd !== undefined && commandOf(text) !== armed.cmd) return false;
    this.#cut = undefined;
    cut(live);
    return true;
  }

  /** @internal After a reply on `live`: the storm kills what it created. */
  _strike(live: FaultLive): void {
    const storm = this.#storm;
    if (storm === undefined) return;
    if (!storm.active(performance.now())) {
      this.#storm = undefined;
      return;
    }
    const frames = storm.strike(live.model, performance.now());
    if (frames.length > 0) this.#sim._deliver(live, frames);
  }
}

/** The `cmd` of a command frame, or `undefined` when it has none. */
export function commandOf(text: string): string | undefined {
  try {
    const cmd = (JSON.parse(text) as { cmd?: unknown }).cmd;
    return typeof cmd === "string" ? cmd : undefined;
  } catch {
    return undefined;
  }
}

function deadline(ms: number | undefined): number {
  if (ms === undefined || ms === Infinity) return Infinity;
  if (!(ms >= 0)) throw new RangeError(`Set the fault duration to 0 ms or more: got ${ms}`);
  return performance.now() + ms;
}

function cut(live: FaultLive): void {
  live.socket.destroy();
  live.ws.terminate();
}
