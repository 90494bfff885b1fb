/**
 * The per-connection protocol state machine: commands in, frames out.
 *
 * One {@linkcode ProtocolConnection} per WebSocket connection. It never touches a socket or a
 * clock: the server (or a deterministic harness) feeds it text, market events and `now`, and
 * sends the {@linkcode OutFrame}s it returns, in order. This file only composes the parts,
 * each in its own module:
 *
 * - `subscription_table.ts` — sids from 1, each sid's filters and `seq` counter;
 * - `subscribe_command.ts`, `update_command.ts` — the commands and every error code they answer
 *   (parameter readers and the failure type in `command_context.ts`);
 * - `subscription_replies.ts` — `ok` acknowledgements, snapshots and initial tickers;
 * - `fan_out.ts` — exchange events to the subscriptions that route them;
 * - `outbox.ts` — frame-level faults (drop or duplicate the next sequenced frame) and drift
 *   mode, applied to every frame sent.
 *
 * @example
 * ```ts
 * import { Exchange, ProtocolConnection } from "./mod.ts";
 * const exchange = new Exchange({ seed: 7 });
 * const connection = new ProtocolConnection({ exchange, userId: "user-1" });
 * const frames = connection.handleText(
 *   '{"id":1,"cmd":"subscribe","params":{"channels":["orderbook_delta"],"market_ticker":"KXFED-26DEC-T4.25"}}',
 *   Date.UTC(2026, 10, 25),
 * );
 * frames.map((f) => JSON.parse(f.text).type); // ["subscribed", "orderbook_snapshot"]
 * connection.onEvents(exchange.step(Date.UTC(2026, 10, 25, 0, 0, 1)));
 * ```
 *
 * @module
 */

import { type CommandContext, CommandFailure, requireParams } from "./command_context.ts";
import { errorFrame, parseCommandEnvelope } from "./envelope.ts";
import type { ExchangeEvent } from "./events.ts";
import type { Exchange } from "./exchange.ts";
import { fanOut } from "./fan_out.ts";
import { Outbox, type OutFrame, type PendingFault } from "./outbox.ts";
import { ErrorCode, errorText, SEQUENCED_CHANNELS, TERMINAL_ERROR_CODES } from "./protocol.ts";
import { subscribe, unsubscribe } from "./subscribe_command.ts";
import { nextSeq, type SubscriptionInfo, SubscriptionTable } from "./subscription_table.ts";
import { updateSubscription } from "./update_command.ts";

/** Options of {@linkcode ProtocolConnection}. */
export interface ProtocolConnectionOptions {
  /** The exchange whose markets and books the connection serves. */
  readonly exchange: Exchange;
  /** The authenticated user; undefined for an anonymous (open-mode) connection. */
  readonly userId?: string | undefined;
  /** Most markets one subscription may hold before code 26 (default 10 000). */
  readonly marketLimit?: number;
  /** Drift mode: add undocumented fields and message types (see `drift_mode.ts`). */
  readonly drift?: boolean;
}

/** The protocol state machine of one connection (see the module doc). */
export class ProtocolConnection {
  readonly #ctx: CommandContext;
  readonly #subs = new SubscriptionTable();
  readonly #outbox: Outbox;
  readonly #failures: ErrorCode[] = [];

  /** Creates the state machine for a new connection. */
  constructor(options: ProtocolConnectionOptions) {
    this.#outbox = new Outbox(options.drift === true);
    this.#ctx = {
      exchange: options.exchange,
      userId: options.userId,
      marketLimit: options.marketLimit ?? 10_000,
      subs: this.#subs,
      outbox: this.#outbox,
    };
  }

  /** The authenticated user, or undefined for an anonymous connection. */
  get userId(): string | undefined {
    return this.#ctx.userId;
  }

  /** The live subscriptions, by ascending sid. */
  subscriptions(): SubscriptionInfo[] {
    return this.#subs.info();
  }

  /** Frame-level faults still waiting for a matching frame. */
  pendingFaults(): readonly PendingFault[] {
    return this.#outbox.pendingFaults();
  }

  /** Arms a fault: the next sequenced frame (of `sid`, if given) is dropped, its seq consumed. */
  dropNext(sid?: number): void {
    this.#outbox.arm({ kind: "drop", sid });
  }

  /** Arms a fault: the next sequenced frame (of `sid`, if given) is sent twice. */
  duplicateNext(sid?: number): void {
    this.#outbox.arm({ kind: "duplicate", sid });
  }

  /**
   * Arms a fault: the next command (whatever it is) is answered with error `code` instead of
   * being executed — e.g. 18 "Command timeout" or 27 "Too many requests".
   */
  failNextCommand(code: ErrorCode): void {
    this.#failures.push(code);
  }

  /** Handles one text frame from the client at `now` and returns the frames to send. */
  handleText(text: string, now: number): OutFrame[] {
    const out: OutFrame[] = [];
    const command = parseCommandEnvelope(text);
    if (!command.ok) {
      this.#outbox.push(out, { text: errorFrame(command.code, command.id) });
      return out;
    }
    const id = command.id;
    const failure = this.#failures.shift();
    if (failure !== undefined) {
      this.#outbox.push(out, { text: errorFrame(failure, id) });
      return out;
    }
    const ctx = this.#ctx;
    try {
      switch (command.cmd) {
        case "subscribe":
          subscribe(ctx, id, requireParams(command), now, out);
          break;
        case "unsubscribe":
          unsubscribe(ctx, id, requireParams(command), out);
          break;
        case "update_subscription":
          updateSubscription(ctx, id, requireParams(command), now, out);
          break;
        case "list_subscriptions":
          this.#outbox.push(out, {
            text: JSON.stringify({
              ...(id === undefined ? {} : { id }),
              type: "ok",
              msg: [...this.#subs.values()].map((s) => ({ channel: s.channel, sid: s.sid })),
            }),
          });
          break;
        default:
          throw new CommandFailure(ErrorCode.UnknownCommand);
      }
    } catch (error) {
      if (!(error instanceof CommandFailure)) throw error;
      this.#outbox.push(out, { text: errorFrame(error.code, id, error.extra) });
    }
    return out;
  }

  /** Frames for market events, to every matching subscription, in event order. */
  onEvents(events: readonly ExchangeEvent[]): OutFrame[] {
    return fanOut(events, this.#subs, this.#ctx.userId, this.#outbox);
  }

  /**
   * Raises an asynchronous error on `sid` (e.g. terminal 25 or 10): an `error` frame with `sid`
   * (and `seq` on sequenced channels). Terminal codes end the subscription. No frames when the
   * sid is not live.
   */
  raiseError(sid: number, code: ErrorCode): OutFrame[] {
    const out: OutFrame[] = [];
    const sub = this.#subs.get(sid);
    if (sub === undefined) return out;
    const msg = { code, msg: errorText(code) };
    if (SEQUENCED_CHANNELS.has(sub.channel)) {
      const seq = nextSeq(sub);
      this.#outbox.push(out, {
        text: JSON.stringify({ type: "error", sid, seq, msg }),
        sid,
        seq,
      });
    } else {
      this.#outbox.push(out, { text: JSON.stringify({ type: "error", sid, msg }), sid });
    }
    if (TERMINAL_ERROR_CODES.has(code)) this.#subs.delete(sid);
    return out;
  }

  /** A frame that is not valid JSON (fault injection: the client must survive it). */
  malformedFrame(): OutFrame {
    return { text: '{"type":"orderbook_delta","sid":1,"seq":' };
  }

  /** A well-formed frame of a `type` Kalshi never sends (fault injection). */
  unknownTypeFrame(sid?: number): OutFrame {
    return {
      text: JSON.stringify({
        type: "simulator_unknown_type",
        ...(sid === undefined ? {} : { sid }),
        msg: {},
      }),
    };
  }
}
