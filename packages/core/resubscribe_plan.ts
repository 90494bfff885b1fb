/**
 * The resubscribe plan: which user subscriptions need a `subscribe` on this connection, when it
 * may go out, and what each outcome means. It owns the life of a {@linkcode Handle} — created by
 * `Session.subscribe`, subscribed channel by channel, restored after every reconnect, terminal
 * error, failed repair or unasked `unsubscribed`, and finally ended (unsubscribed, lost, or
 * aborted).
 *
 * Rules:
 * - A channel is subscribed only when no other subscription holds or is subscribing it (Kalshi
 *   would merge the two into one sid), and never while an old sid of it is still being
 *   discarded.
 * - A re-subscribe after a reconnect goes out at once; every other automatic re-subscribe is
 *   paced per subscription by a {@linkcode ResubscribeBackoff} and announced
 *   (`resubscribe_scheduled`), so an error storm cannot become a subscribe storm.
 * - A re-subscribe refused for a passing reason (no answer, or a retryable code) is tried again;
 *   a first subscribe that fails is rejected.
 *
 * @module
 */

import type { BackoffOptions } from "./backoff.ts";
import { CHANNEL_INFO, paramsForChannels } from "./channel.ts";
import type { SubscribeParams } from "./command.ts";
import { subscribeCommand, unsubscribeCommand } from "./command_builders.ts";
import { CommandError, KalshiWsError } from "./errors.ts";
import { ResubscribeBackoff } from "./resubscribe_backoff.ts";
import type {
  DiscardPurpose,
  Pending,
  PurposeHandler,
  SessionContext,
  SubscribePurpose,
} from "./session_context.ts";
import type { RequestId, ResubscribeReason, SubscriptionKey } from "./session_events.ts";
import { type Handle, newHandle, ORDERBOOK, type Sid, sidsOf } from "./subscription_handle.ts";
import { isTransientFailure } from "./subscriptions.ts";
import type { SubscribedTransition } from "./subscription_transitions.ts";

const DISCARD: DiscardPurpose = { purpose: "discard" };

/** Subscriptions, their (re-)subscribes, their pacing and their end. */
export class ResubscribePlan {
  readonly #ctx: SessionContext;
  readonly #pacing: ResubscribeBackoff<SubscriptionKey>;

  /** A plan acting through `ctx`, pacing automatic re-subscribes with `resubscribe`. */
  constructor(ctx: SessionContext, resubscribe: BackoffOptions | undefined) {
    this.#ctx = ctx;
    this.#pacing = new ResubscribeBackoff(resubscribe);
  }

  /** What each outcome of a `subscribe` means for its subscription. */
  readonly subscribeHandler: PurposeHandler<SubscribePurpose> = {
    answered: (purpose, answer, now) => {
      if (answer.kind === "subscribed") this.#subscribed(purpose.handle, answer, now);
    },
    refused: (purpose, command, error, now) => {
      if (command.kind !== "subscribe") return;
      this.#subscribeFailed(purpose.handle, command.channels, command.acked, error, now);
    },
    timedOut: (purpose, command, error, now) => {
      if (command.kind !== "subscribe") return;
      for (const c of command.channels) purpose.handle.inflight.delete(c);
      this.#subscribeFailed(purpose.handle, command.channels, command.acked, error, now);
    },
    lost: () => {}, // the handle is renewed by connectionLost()
    aborted: () => {}, // the handle is settled by abort()
  };

  /** An `unsubscribe` of unwanted sids: once it is answered (or given up), channels may be free. */
  readonly discardHandler: PurposeHandler<DiscardPurpose> = {
    answered: (_purpose, _answer, now) => this.pump(now),
    refused: (_purpose, command, _error, now) => this.#giveUp(command, now),
    timedOut: (_purpose, command, _error, now) => this.#giveUp(command, now),
    lost: () => {},
    aborted: () => {},
  };

  /**
   * Creates the subscription of the user's subscribe (its key is request `key`) and sends its
   * `subscribe` as soon as it can. Throws {@linkcode CommandError} when another live subscription
   * streams one of its channels.
   */
  create(key: RequestId, params: SubscribeParams, now: number): Handle {
    const handle = newHandle(key, params);
    this.#ctx.handles.set(key, handle);
    this.pump(now);
    return handle;
  }

  /** Throws unless no live subscription streams a channel of `params` (see the session doc). */
  checkChannelsFree(params: SubscribeParams): void {
    for (const other of this.#ctx.handles.values()) {
      if (other.status !== "live") continue;
      for (const channel of params.channels) {
        if (other.channels.includes(channel)) {
          throw new CommandError(
            `Cannot subscribe to "${channel}" twice on one connection: subscription ${other.key} already streams it (add markets to it instead)`,
          );
        }
      }
    }
  }

  /** Sends a `subscribe` for every subscription whose channels need one and are free. */
  pump(now: number): void {
    const ctx = this.#ctx;
    if (!ctx.connected) return;
    for (const handle of ctx.handles.values()) {
      if (handle.status !== "live" || handle.needs.size === 0) continue;
      if (handle.retryAt !== undefined) {
        if (handle.retryAt > now) continue;
        handle.retryAt = undefined; // the pause is over; sent as soon as its channels are free
      }
      let free = true;
      for (const channel of handle.needs) {
        if (ctx.table.holdsChannel(channel) || this.#inflightElsewhere(channel, handle)) {
          free = false; // an old sid of that channel is still being unsubscribed
          break;
        }
      }
      if (!free) continue;
      const channels = handle.channels.filter((c) => handle.needs.has(c));
      if (
        handle.markets?.size === 0 && channels.some((c) => CHANNEL_INFO[c].marketFilter !== "none")
      ) {
        // Every market was removed (e.g. a removal that timed out had in fact been applied):
        // nothing is left to subscribe to, and an empty market list cannot be sent.
        this.closeHandle(handle, now);
        const error = new KalshiWsError(`Subscription ${handle.key} has no markets left`);
        if (!handle.established) ctx.reject(handle.key, error);
        this.rejectWaiting(handle, error);
        ctx.emit({ type: "unsubscribed", key: handle.key });
        continue;
      }
      handle.needs.clear();
      handle.retryAt = undefined;
      for (const c of channels) handle.inflight.add(c);
      const params = paramsForChannels(handle.params, handle.markets, channels);
      ctx.send(subscribeCommand(params), { purpose: "subscribe", handle }, now);
    }
  }

  /** The earliest paced re-subscribe, while connected. */
  nextRetry(): number | undefined {
    if (!this.#ctx.connected) return undefined;
    let earliest: number | undefined;
    for (const handle of this.#ctx.handles.values()) {
      const at = handle.retryAt;
      if (at !== undefined && handle.needs.size > 0 && (earliest === undefined || at < earliest)) {
        earliest = at;
      }
    }
    return earliest;
  }

  #inflightElsewhere(channel: string, handle: Handle): boolean {
    for (const other of this.#ctx.handles.values()) {
      if (other !== handle && other.inflight.has(channel)) return true;
    }
    return false;
  }

  /** One channel of `handle`'s subscribe is live (the whole subscription, once `complete`). */
  #subscribed(handle: Handle, t: SubscribedTransition<Handle, unknown>, now: number): void {
    const ctx = this.#ctx;
    const state = t.state;
    if (handle.status !== "live") {
      this.discard(state, now);
      return;
    }
    if (state.discarding) {
      // Kalshi merged this subscribe into a sid being unsubscribed, so it dies with that
      // unsubscribe: subscribe the channel again once the sid is gone.
      handle.inflight.delete(state.channel);
      handle.needs.add(state.channel);
      this.pump(now);
      return;
    }
    state.owner = handle;
    handle.sids.set(state.channel, state);
    handle.inflight.delete(state.channel);
    if (state.channel === ORDERBOOK) {
      state.resyncing = handle.established || handle.resyncWaiters.length > 0;
      if (t.merged) {
        // No snapshots come for markets the merged sid already had: ask for them.
        ctx.repair.startResync(state, [...(state.markets ?? handle.markets ?? [])], now);
      } else {
        ctx.repair.expectSnapshots(state, new Set(state.markets ?? handle.markets ?? []), now);
      }
    }
    if (!t.complete) return;
    // Health counts from the last subscribe the server did not kill (a reconnect is no failure).
    if (handle.reason !== "reconnect") this.#pacing.healthy(handle.key, now);
    const sids = sidsOf(handle);
    if (!handle.established) {
      handle.established = true;
      ctx.emit({ type: "subscribed", key: handle.key, sids });
      ctx.resolve(handle.key, { command: "subscribe", key: handle.key, sids });
    } else {
      ctx.emit({
        type: "resubscribed",
        key: handle.key,
        sids,
        reason: handle.reason ?? "reconnect",
      });
    }
    handle.reason = undefined;
    ctx.requests.flushDeferred(handle, now);
  }

  /**
   * A subscribe (first or repeat) failed: roll back what it created, then retry a re-subscribe
   * refused for a passing reason after a pause, or give the handle up.
   */
  #subscribeFailed(
    handle: Handle,
    channels: readonly string[],
    acked: readonly Sid[],
    error: Error,
    now: number,
  ): void {
    for (const state of acked) this.discard(state, now);
    if (handle.status !== "live") return;
    if (handle.established && isTransientFailure(error)) {
      for (const state of acked) {
        this.#ctx.repair.invalidateBooks(state);
        if (handle.sids.get(state.channel) === state) handle.sids.delete(state.channel);
      }
      for (const channel of channels) {
        handle.inflight.delete(channel);
        handle.needs.add(channel);
      }
      this.#schedule(handle, handle.reason ?? "reconnect", now);
      return;
    }
    this.closeHandle(handle, now);
    if (!handle.established) this.#ctx.reject(handle.key, error);
    else this.#ctx.emit({ type: "subscription_lost", key: handle.key, error });
    this.rejectWaiting(handle, error);
  }

  /** A discarding `unsubscribe` failed or timed out: forget its sids and move on. */
  #giveUp(command: Pending, now: number): void {
    if (command.kind === "unsubscribe") {
      for (const sid of command.remaining) this.#ctx.table.forget(sid);
    }
    this.pump(now);
  }

  /** Ends `handle`: discards its sids, drops its books, forgets it. */
  closeHandle(handle: Handle, now: number): void {
    handle.status = "closed";
    for (const state of handle.sids.values()) {
      this.discard(state, now);
      if (state.channel === ORDERBOOK) {
        for (const m of state.markets ?? []) this.#ctx.books?.remove(m);
      }
    }
    handle.sids.clear();
    handle.needs.clear();
    handle.inflight.clear();
    this.#ctx.handles.delete(handle.key);
    this.#pacing.forget(handle.key);
  }

  /** Rejects every request waiting on `handle` with `error`. */
  rejectWaiting(handle: Handle, error: Error): void {
    for (const op of handle.deferred.splice(0)) this.#ctx.reject(op.request, error);
    for (const request of handle.resyncWaiters.splice(0)) this.#ctx.reject(request, error);
  }

  /** The user's unsubscribe of `handle` is done (acknowledged, or moot without a connection). */
  finishUnsubscribe(handle: Handle, request: RequestId | undefined): void {
    const ctx = this.#ctx;
    handle.status = "closed";
    if (ctx.books !== undefined && handle.channels.includes(ORDERBOOK)) {
      const markets = handle.sids.get(ORDERBOOK)?.markets ?? handle.markets ?? new Set();
      for (const m of markets) ctx.books.remove(m);
    }
    handle.sids.clear();
    handle.needs.clear();
    handle.inflight.clear();
    ctx.handles.delete(handle.key);
    this.#pacing.forget(handle.key);
    const error = new KalshiWsError(`Subscription ${handle.key} was unsubscribed`);
    if (!handle.established) ctx.reject(handle.key, error);
    this.rejectWaiting(handle, error);
    ctx.emit({ type: "unsubscribed", key: handle.key });
    if (request !== undefined) ctx.resolve(request, { command: "unsubscribe", key: handle.key });
  }

  /** Drops a sid the session no longer wants: its frames are ignored until Kalshi confirms. */
  discard(state: Sid, now: number): void {
    if (state.discarding || !this.#ctx.table.sids.has(state.sid)) return;
    state.discarding = true;
    this.#ctx.send(unsubscribeCommand([state.sid]), DISCARD, now);
  }

  /** A sid of `handle` died or is being replaced: subscribe its channel again, paced. */
  replace(handle: Handle, state: Sid, reason: ResubscribeReason, now: number): void {
    this.#ctx.repair.invalidateBooks(state);
    if (handle.sids.get(state.channel) === state) handle.sids.delete(state.channel);
    if (handle.status !== "live") return;
    this.discard(state, now);
    handle.needs.add(state.channel);
    handle.reason = reason;
    this.#pacing.unhealthy(handle.key, now);
    if (handle.retryAt === undefined || handle.retryAt <= now) this.#schedule(handle, reason, now);
  }

  /** Paces the next automatic re-subscribe of `handle` and announces it. */
  #schedule(handle: Handle, reason: ResubscribeReason, now: number): void {
    const { attempt, delayMs } = this.#pacing.next(handle.key);
    handle.retryAt = now + delayMs;
    this.#ctx.emit({
      type: "resubscribe_scheduled",
      key: handle.key,
      attempt,
      delayMs,
      reason,
    });
  }

  /**
   * The connection closed: every sid is gone and its books invalid; subscriptions being
   * unsubscribed are done; every other one needs all its channels again, at once.
   */
  connectionLost(): void {
    for (const handle of [...this.#ctx.handles.values()]) {
      for (const state of handle.sids.values()) this.#ctx.repair.invalidateBooks(state);
      handle.sids.clear();
      handle.inflight.clear();
      if (handle.status === "unsubscribing") {
        this.finishUnsubscribe(handle, undefined);
        continue;
      }
      for (const channel of handle.channels) handle.needs.add(channel);
      handle.retryAt = undefined; // a new connection re-subscribes at once
      if (handle.established) handle.reason = "reconnect";
    }
  }

  /**
   * The session gives up: every subscription ends — `subscription_lost` for established ones,
   * a rejected subscribe for the others — and every request waiting on one is rejected.
   */
  abort(reason: Error): void {
    const ctx = this.#ctx;
    for (const handle of [...ctx.handles.values()]) {
      handle.status = "closed";
      if (handle.established) {
        ctx.emit({ type: "subscription_lost", key: handle.key, error: reason });
      } else {
        ctx.reject(handle.key, reason);
      }
      this.rejectWaiting(handle, reason);
      for (const state of handle.sids.values()) ctx.repair.invalidateBooks(state);
    }
    ctx.handles.clear();
  }
}
