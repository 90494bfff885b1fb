/**
 * Every rule of Kalshi's subscription protocol for one connection, in one place (h11's
 * "Rule 1"): which frame answers which command, what each sid is (channel, markets, last `seq`),
 * how `seq` is checked, and which errors kill a subscription.
 *
 * {@linkcode SubscriptionTable} is a transition table over decoded frames: feed it a response
 * and it says what happened (a `Transition`, `subscription_transitions.ts`); feed it a sequenced frame and
 * {@linkcode checkSeq} says whether it is in order. It knows nothing of time, user handles,
 * books or healing: the session composes those on top. Tests drive it without any bytes.
 *
 * The rules (protocol reference §4, §7.1):
 * - `subscribe` with N channels is answered by N `subscribed` (one new sid each), or by an
 *   `error`, possibly after some `subscribed`s. An `ok` carrying a sid also answers a
 *   `subscribe`: Kalshi merges a subscribe to a channel already subscribed on the connection
 *   into the existing sid.
 * - `unsubscribe` is answered by one `unsubscribed` per sid; `update_subscription` by an `ok`
 *   (for `get_snapshot` the `ok` may or may not come, and snapshots carrying the command id do);
 *   `list_subscriptions` by an `ok` whose `msg` is an array.
 * - `seq` is per sid, starts at 1, and every frame of the sid that carries a numeric `seq`
 *   consumes one (snapshots, deltas, `ok`, `unsubscribed`, sid-scoped errors, trades, lifecycle,
 *   …). Frames without `seq` (`subscribed`, `ticker`, `fill`, the list reply) are never gaps.
 *   `seq !== last + 1` with `seq > last + 1` is a gap; `seq <= last` is a duplicate or regression.
 * - Errors the code table marks terminal (`error_codes.ts`: 10 channel error, 25 buffer
 *   overflow) kill the sid they name: the subscription is gone and must be re-created.
 *
 * @example
 * ```ts
 * import { SubscriptionTable } from "./subscriptions.ts";
 * import { subscribeCommand } from "./command_builders.ts";
 * const table = new SubscriptionTable<string, string>();
 * table.track(1, subscribeCommand({ channels: ["trade"] }), "my-tag");
 * const t = table.receive({ type: "subscribed", id: 1, msg: { channel: "trade", sid: 4 } });
 * if (t.kind === "subscribed") t.complete; // true
 * ```
 *
 * @module
 */

import { CHANNEL_INFO, isChannel } from "./channel.ts";
import type { CommandBody, SubscribeParams } from "./command.ts";
import { isRetryableError, isTerminalError } from "./error_codes.ts";
import { CommandTimeoutError, ServerError } from "./errors.ts";
import type {
  IgnoredTransition,
  OutOfOrder,
  PendingCommand,
  PendingSubscribe,
  SubscribedTransition,
  Transition,
} from "./subscription_transitions.ts";
import type { ResponseMessage } from "./message.ts";
import type { ErrorMessage, OkMessage } from "./message_responses.ts";

/** Whether a command failed for a passing reason (no answer, or a retryable code). */
export function isTransientFailure(error: Error): boolean {
  return error instanceof CommandTimeoutError ||
    (error instanceof ServerError && isRetryableError(error.code));
}

/** Outcome of a sequence check, as a small integer so the hot path allocates nothing. */
export const SeqVerdict = {
  /** `seq === last + 1` (or the frame carries no seq): in order. */
  Ok: 0,
  /** `seq > last + 1`: frames were lost. Tracking continues from the received seq. */
  Gap: 1,
  /** `seq <= last`: a duplicate or a regression; the frame should not be applied. */
  Stale: 2,
} as const;

/** A {@linkcode SeqVerdict} value. */
export type SeqVerdict = typeof SeqVerdict[keyof typeof SeqVerdict];

/**
 * Checks `seq` against `state.lastSeq` and advances it on `Ok` and `Gap` (after a gap, the
 * received seq is the new baseline; the missing frames cannot be recovered). On `Gap`, the
 * expected value was `state.lastSeq + 1` before the call. A fresh sid has `lastSeq` 0, so a
 * first seq other than 1 is a gap from 0.
 */
export function checkSeq(state: { lastSeq: number }, seq: number): SeqVerdict {
  const last = state.lastSeq;
  if (seq === last + 1) {
    state.lastSeq = seq;
    return SeqVerdict.Ok;
  }
  if (seq > last) {
    state.lastSeq = seq;
    return SeqVerdict.Gap;
  }
  return SeqVerdict.Stale;
}

/**
 * One server subscription (sid) on the current connection. Mutable on purpose: the session
 * updates it on the hot path without copying. `O` is the owner type the session attaches
 * (its user-level handle).
 */
export interface SidState<O> {
  /** Server-assigned subscription id (unique within the connection). */
  readonly sid: number;
  /** Its channel, as echoed by `subscribed`. */
  readonly channel: string;
  /** The user-level subscription this sid belongs to, if any (orphans have none). */
  owner: O | undefined;
  /**
   * Markets the subscription covers, kept up to date from what was requested, `add_markets`/
   * `delete_markets` and the full lists in `ok` replies; `undefined` when the channel has no
   * market filter or the subscription covers every market.
   */
  markets: Set<string> | undefined;
  /** Last `seq` seen (0 before the first sequenced frame). */
  lastSeq: number;
  /** Being unsubscribed by the engine (replaced or discarded): its frames are not delivered. */
  discarding: boolean;
  /** Order-book markets whose current book is not trusted until their next snapshot arrives. */
  awaiting: Set<string> | undefined;
  /** A repair is in progress: emit `resynced` once `awaiting` empties. */
  resyncing: boolean;
}

/** The market list a subscribe or update names (`market_ticker` or `market_tickers`). */
export function requestedMarkets(
  params: Pick<SubscribeParams, "market_ticker" | "market_tickers">,
): string[] {
  if (params.market_tickers !== undefined) return [...params.market_tickers];
  if (params.market_ticker !== undefined) return [params.market_ticker];
  return [];
}

/** Whether a sid of `channel` created with `params` tracks an explicit market set. */
function initialMarkets(channel: string, params: SubscribeParams): Set<string> | undefined {
  if (isChannel(channel) && CHANNEL_INFO[channel].marketFilter === "none") return undefined;
  const markets = requestedMarkets(params);
  return markets.length === 0 ? undefined : new Set(markets);
}

/** Creates the state of a new sid. */
export function newSidState<O>(
  sid: number,
  channel: string,
  owner: O | undefined,
  markets: Set<string> | undefined,
): SidState<O> {
  return {
    sid,
    channel,
    owner,
    markets,
    lastSeq: 0,
    discarding: false,
    awaiting: undefined,
    resyncing: false,
  };
}

/**
 * The subscription state of one connection: sids and pending commands. Create a new one (or
 * {@linkcode SubscriptionTable.clear}) per connection: sids and command ids restart.
 *
 * `O` is the owner type attached to sids, `T` the tag attached to commands.
 */
export class SubscriptionTable<O, T> {
  /** Live sids of this connection. Read directly on the hot path. */
  readonly sids: Map<number, SidState<O>> = new Map();
  readonly #pending: Map<number, PendingCommand<O, T>> = new Map();

  /** Number of commands awaiting an answer. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** The commands awaiting an answer, oldest first. */
  pendingCommands(): IterableIterator<PendingCommand<O, T>> {
    return this.#pending.values();
  }

  /** The pending command with wire id `id`, if any. */
  pending(id: number): PendingCommand<O, T> | undefined {
    return this.#pending.get(id);
  }

  /**
   * Records that command `id` was sent; its answers will be matched to it. `deadline` is when
   * the caller will time it out (kept here only so the caller can find the earliest one).
   */
  track(id: number, body: CommandBody, tag: T, deadline = Infinity): PendingCommand<O, T> {
    let command: PendingCommand<O, T>;
    switch (body.cmd) {
      case "subscribe":
        command = {
          kind: "subscribe",
          id,
          body,
          tag,
          deadline,
          params: body.params,
          channels: body.params.channels,
          acked: [],
        };
        break;
      case "unsubscribe":
        command = {
          kind: "unsubscribe",
          id,
          body,
          tag,
          deadline,
          remaining: new Set(body.params.sids),
        };
        break;
      case "update_subscription": {
        const p = body.params;
        const sid = p.sid ?? p.sids?.[0] ?? -1;
        command = {
          kind: "update",
          id,
          body,
          tag,
          deadline,
          sid,
          action: p.action,
          markets: requestedMarkets(p),
          acknowledged: false,
        };
        break;
      }
      case "list_subscriptions":
        command = { kind: "list", id, body, tag, deadline };
        break;
    }
    this.#pending.set(id, command);
    return command;
  }

  /** Stops waiting for command `id` (answered elsewhere, or timed out); returns it. */
  complete(id: number): PendingCommand<O, T> | undefined {
    const command = this.#pending.get(id);
    if (command !== undefined) this.#pending.delete(id);
    return command;
  }

  /** Whether any live sid (including ones being discarded) is on `channel`. */
  holdsChannel(channel: string): boolean {
    for (const state of this.sids.values()) if (state.channel === channel) return true;
    return false;
  }

  /** Removes sid `sid` (dead, or given up on); returns its state. */
  forget(sid: number): SidState<O> | undefined {
    const state = this.sids.get(sid);
    if (state !== undefined) this.sids.delete(sid);
    return state;
  }

  /** Forgets everything (the connection ended); returns the commands that were pending. */
  clear(): PendingCommand<O, T>[] {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    this.sids.clear();
    return pending;
  }

  /**
   * Applies one response frame (`subscribed`, `unsubscribed`, `ok`, `error`) and says what it
   * did. Counts the frame's `seq` on its sid. Never throws on peer misbehaviour.
   */
  receive(message: ResponseMessage): Transition<O, T> {
    switch (message.type) {
      case "subscribed":
        return this.#subscribed(message.id, message.msg.sid, message.msg.channel);
      case "unsubscribed":
        return this.#unsubscribed(message.id, message.sid, message.seq);
      case "ok":
        if (Array.isArray(message.msg)) {
          const command = message.id === undefined ? undefined : this.#pending.get(message.id);
          if (command?.kind !== "list") return IGNORED;
          this.#pending.delete(command.id);
          return { kind: "listed", command, subscriptions: message.msg, outOfOrder: undefined };
        }
        return this.#ok(message as OkMessage);
      case "error":
        return this.#error(message);
    }
  }

  #subscribed(id: number | undefined, sid: number, channel: string): Transition<O, T> {
    const command = id === undefined ? undefined : this.#pending.get(id);
    if (command?.kind !== "subscribe") {
      const orphan = newSidState<O>(sid, channel, undefined, undefined);
      this.sids.set(sid, orphan);
      return { kind: "orphan", state: orphan, outOfOrder: undefined };
    }
    const state = newSidState<O>(sid, channel, undefined, initialMarkets(channel, command.params));
    this.sids.set(sid, state);
    return this.#acked(command, state, false, undefined);
  }

  #acked(
    command: PendingSubscribe<O, T>,
    state: SidState<O>,
    merged: boolean,
    outOfOrder: OutOfOrder<O> | undefined,
  ): SubscribedTransition<O, T> {
    command.acked.push(state);
    const complete = command.acked.length >= command.channels.length;
    if (complete) this.#pending.delete(command.id);
    return { kind: "subscribed", command, complete, state, merged, outOfOrder };
  }

  #unsubscribed(id: number | undefined, sid: number, seq: number | undefined): Transition<O, T> {
    const state = this.sids.get(sid);
    const outOfOrder = sequence(state, seq);
    this.sids.delete(sid);
    const command = id === undefined ? undefined : this.#pending.get(id);
    if (command?.kind !== "unsubscribe") {
      if (state === undefined) return IGNORED;
      return { kind: "unsubscribed", command: undefined, complete: false, state, outOfOrder };
    }
    command.remaining.delete(sid);
    const complete = command.remaining.size === 0;
    if (complete) this.#pending.delete(command.id);
    return { kind: "unsubscribed", command, complete, state, outOfOrder };
  }

  #ok(message: OkMessage): Transition<O, T> {
    const { id, sid, seq, msg } = message;
    const command = id === undefined ? undefined : this.#pending.get(id);
    let state = sid === undefined ? undefined : this.sids.get(sid);
    // An `ok` answering `subscribe`: Kalshi merged it into an existing subscription.
    if (command?.kind === "subscribe" && sid !== undefined) {
      if (state === undefined) {
        state = newSidState<O>(
          sid,
          command.channels[command.acked.length] ?? "",
          undefined,
          undefined,
        );
        if (seq !== undefined) state.lastSeq = seq - 1; // adopt: we never saw its history
        this.sids.set(sid, state);
      }
    }
    const outOfOrder = sequence(state, seq);
    // `ok` lists are the full resulting filter: the best source of truth for the sid's markets.
    if (state !== undefined && msg?.market_tickers !== undefined) {
      state.markets = new Set(msg.market_tickers);
    }
    switch (command?.kind) {
      case "subscribe":
        if (state === undefined) return IGNORED;
        return this.#acked(command, state, true, outOfOrder);
      case "update": {
        const target = state ?? this.sids.get(command.sid);
        if (target !== undefined && msg?.market_tickers === undefined) {
          applyMarketAction(target, command.action, command.markets);
        }
        command.acknowledged = true;
        // get_snapshot completes when its snapshots are in; the caller decides.
        const complete = command.action !== "get_snapshot";
        if (complete) this.#pending.delete(command.id);
        return { kind: "updated", command, complete, state: target, outOfOrder };
      }
      default:
        return outOfOrder === undefined ? IGNORED : { kind: "ignored", outOfOrder };
    }
  }

  #error(message: ErrorMessage): Transition<O, T> {
    const { id, sid, seq } = message;
    const error = new ServerError(message.msg.code, message.msg.msg, { id, sid });
    const state = sid === undefined ? undefined : this.sids.get(sid);
    const outOfOrder = sequence(state, seq);
    const terminal = sid !== undefined && isTerminalError(error.code);
    if (terminal && state !== undefined) this.sids.delete(state.sid);
    const command = id === undefined ? undefined : this.#pending.get(id);
    if (command !== undefined) {
      this.#pending.delete(command.id);
      return command.kind === "subscribe"
        ? { kind: "subscribe_failed", command, state, error, terminal, outOfOrder }
        : { kind: "command_failed", command, state, error, terminal, outOfOrder };
    }
    if (sid !== undefined) {
      return { kind: "subscription_error", state, error, terminal, outOfOrder };
    }
    return { kind: "error", error, outOfOrder };
  }
}

/** The transition of a frame with nothing to do and nothing out of order. */
const IGNORED: IgnoredTransition<never> = { kind: "ignored", outOfOrder: undefined };

/**
 * Counts a response frame's `seq` on its sid (when it has both) and returns what was out of
 * order, if anything.
 */
function sequence<O>(
  state: SidState<O> | undefined,
  seq: number | undefined,
): OutOfOrder<O> | undefined {
  if (state === undefined || seq === undefined) return undefined;
  const expected = state.lastSeq + 1;
  const verdict = checkSeq(state, seq);
  return verdict === SeqVerdict.Ok ? undefined : { state, verdict, expected, received: seq };
}

/** Applies an `add_markets`/`delete_markets` the server acknowledged without a list. */
export function applyMarketAction(
  state: { markets: Set<string> | undefined },
  action: string,
  markets: readonly string[],
): void {
  if (action === "add_markets") {
    state.markets ??= new Set();
    for (const m of markets) state.markets.add(m);
  } else if (action === "delete_markets" && state.markets !== undefined) {
    for (const m of markets) state.markets.delete(m);
  }
}
