/**
 * Every inbound text frame of a session, from text to effect: decoded (plain `orderbook_delta`
 * frames by the session's {@linkcode DeltaScanner}, everything else by `decodeMessage`, counting
 * protocol drift), then routed — order-book frames to {@linkcode BookRepair}, command responses
 * through the {@linkcode SubscriptionTable} to the purpose of the command they answer, other
 * channel data `seq`-checked and queued as `data` events.
 *
 * Never throws on peer misbehaviour: a malformed frame is a `decode_error` event, an unknown
 * type is delivered as data, an error frame is a `server_error` event or a refused command.
 *
 * @module
 */

import type { DriftLog } from "./drift.ts";
import { DecodeError } from "./errors.ts";
import { DeltaScanner } from "./fast_decode.ts";
import {
  type DataMessage,
  decodeMessage,
  type ResponseMessage,
  type ServerMessage,
  type UnknownMessage,
} from "./message.ts";
import type { SessionContext, SessionTransition } from "./session_context.ts";
import { SeqVerdict } from "./subscriptions.ts";

/** Decodes and routes the inbound frames of one session. */
export class Inbound {
  readonly #ctx: SessionContext;
  readonly #drift: DriftLog;
  /** The `orderbook_delta` fast path, with this session's own memory of markets. */
  readonly #scanner = new DeltaScanner();

  /** Routes frames into `ctx`, counting drift in `drift`. */
  constructor(ctx: SessionContext, drift: DriftLog) {
    this.#ctx = ctx;
    this.#drift = drift;
  }

  /** One text frame arrived at `now` on an open connection. */
  receive(frame: string, now: number): void {
    // The hottest frame skips the generic decoder when it has the plain shape (same result).
    const scanner = this.#scanner;
    const delta = scanner.scan(frame);
    if (delta !== undefined) {
      this.#ctx.repair.delta(delta, now, scanner.price, scanner.delta, scanner.slot);
      return;
    }
    let message: ServerMessage;
    try {
      message = decodeMessage(frame, this.#drift);
    } catch (error) {
      if (error instanceof DecodeError) {
        this.#reportDrift();
        this.#ctx.emit({ type: "decode_error", error });
        return;
      }
      throw error;
    }
    this.#reportDrift();
    switch (message.type) {
      case "orderbook_delta":
        this.#ctx.repair.delta(message, now);
        return;
      case "orderbook_snapshot":
        this.#ctx.repair.snapshot(message, now);
        return;
      case "subscribed":
      case "unsubscribed":
      case "ok":
      case "error":
        this.#response(message, now);
        return;
      case "unknown": {
        const raw = message.raw;
        const sid = typeof raw.sid === "number" ? raw.sid : undefined;
        const seq = typeof raw.seq === "number" ? raw.seq : undefined;
        this.#data(message, sid, seq, now);
        return;
      }
      default:
        this.#data(message, message.sid, message.seq, now);
    }
  }

  /** One `drift` event per kind of drift seen for the first time. */
  #reportDrift(): void {
    if (!this.#drift.hasFresh) return;
    for (const event of this.#drift.takeFresh()) this.#ctx.emit(event);
  }

  /** A channel data message (or an unknown frame): `seq`-checked, then delivered. */
  #data(
    message: DataMessage | UnknownMessage,
    sid: number | undefined,
    seq: number | undefined,
    now: number,
  ): void {
    const ctx = this.#ctx;
    const state = sid === undefined ? undefined : ctx.table.sids.get(sid);
    if (state === undefined) {
      ctx.emit({ type: "data", key: undefined, sid, message });
      return;
    }
    if (state.discarding) return;
    if (seq !== undefined && !ctx.repair.sequenced(state, seq, now)) return;
    ctx.emit({ type: "data", key: state.owner?.key, sid, message });
  }

  /** A command response: what it did to the table, then what that means for its purpose. */
  #response(message: ResponseMessage, now: number): void {
    const ctx = this.#ctx;
    const t = ctx.table.receive(message);
    const late = t.outOfOrder;
    if (late !== undefined && t.kind !== "unsubscribed") {
      if (late.verdict === SeqVerdict.Gap) {
        ctx.repair.gap(late.state, late.expected, late.received, now);
      } else {
        ctx.repair.anomaly(late.state, late.expected, late.received);
      }
    }
    switch (t.kind) {
      case "subscribed":
      case "updated":
      case "listed":
        ctx.handlerOf(t.command.tag).answered(t.command.tag, t, now);
        break;
      case "unsubscribed":
        if (t.command !== undefined) ctx.handlerOf(t.command.tag).answered(t.command.tag, t, now);
        else if (t.state?.owner !== undefined && !t.state.discarding) {
          // Kalshi ended a sid nobody asked to end: restore it.
          ctx.plan.replace(t.state.owner, t.state, "server_unsubscribed", now);
        } else ctx.plan.pump(now); // a channel may have become free
        break;
      case "subscribe_failed":
      case "command_failed":
        ctx.handlerOf(t.command.tag).refused(t.command.tag, t.command, t.error, now);
        break;
      case "orphan":
        ctx.plan.discard(t.state, now);
        break;
      case "subscription_error":
        ctx.emit({
          type: "server_error",
          key: t.state?.owner?.key,
          sid: t.error.sid,
          error: t.error,
          terminal: t.terminal,
        });
        break;
      case "error":
        ctx.emit({
          type: "server_error",
          key: undefined,
          sid: t.error.sid,
          error: t.error,
          terminal: false,
        });
        break;
      case "ignored":
        break;
    }
    this.#terminal(t, now);
  }

  /** A terminal error killed an owned sid: report it if no one else did, and restore it. */
  #terminal(t: SessionTransition, now: number): void {
    if (
      t.kind !== "subscribe_failed" && t.kind !== "command_failed" &&
      t.kind !== "subscription_error"
    ) return;
    const state = t.state;
    if (!t.terminal || state === undefined || state.owner === undefined) return;
    if (t.kind === "command_failed") {
      this.#ctx.emit({
        type: "server_error",
        key: state.owner.key,
        sid: state.sid,
        error: t.error,
        terminal: true,
      });
    }
    this.#ctx.plan.replace(state.owner, state, "terminal_error", now);
  }
}
