/**
 * The user's requests on existing subscriptions — `unsubscribe`, `addMarkets`/`removeMarkets`,
 * `resync` — and `listSubscriptions`: when each runs, what it sends, and how it settles.
 *
 * A request on a subscription that is not active yet (its (re-)subscribe in flight) waits for it.
 * Without a connection, requests that the connection's absence makes moot settle at once:
 * `unsubscribe` (nothing exists server-side), `addMarkets`/`removeMarkets` (they change the market
 * set the next re-subscribe sends); `resync` waits for the re-subscribe's fresh snapshots and
 * `listSubscriptions` for the next connection. Every request settles within the command timeout
 * of the call ({@linkcode UserRequests.expire} withdraws it wherever it waits).
 *
 * @module
 */

import { CHANNEL_INFO } from "./channel.ts";
import {
  addMarketsCommand,
  deleteMarketsCommand,
  listSubscriptionsCommand,
  unsubscribeCommand,
} from "./command_builders.ts";
import { validateUpdate } from "./command_validation.ts";
import { ErrorCode } from "./error_codes.ts";
import { CommandError } from "./errors.ts";
import type {
  ListPurpose,
  PurposeHandler,
  SessionContext,
  UnsubscribePurpose,
  UpdatePurpose,
} from "./session_context.ts";
import type { RequestId, SubscriptionKey } from "./session_events.ts";
import {
  type Handle,
  isActive,
  type MarketRequest,
  notActive,
  ORDERBOOK,
  type Sid,
  type SubscriptionRequest,
} from "./subscription_handle.ts";

/** Requests on subscriptions, and the `list_subscriptions` queue. */
export class UserRequests {
  readonly #ctx: SessionContext;
  /** `list_subscriptions` requests waiting for a connection. */
  readonly #queuedLists: RequestId[] = [];
  /** Requests whose command the closing connection lost, to run again (in order). */
  readonly #lostLists: RequestId[] = [];
  readonly #lostOps = new Map<Handle, MarketRequest[]>();

  /** Requests acting through `ctx`. */
  constructor(ctx: SessionContext) {
    this.#ctx = ctx;
  }

  /** What each outcome of the user's `unsubscribe` means. */
  readonly unsubscribeHandler: PurposeHandler<UnsubscribePurpose> = {
    answered: (purpose, answer, now) => {
      if (answer.kind === "unsubscribed" && answer.complete) {
        this.#ctx.plan.finishUnsubscribe(purpose.handle, purpose.request);
      }
      this.#ctx.plan.pump(now); // a channel may have become free
    },
    refused: (purpose, _command, error, now) => {
      if (error.code === ErrorCode.UnknownSid) {
        // Kalshi no longer has it: the subscription is gone, which is what was asked.
        for (const s of purpose.handle.sids.values()) this.#ctx.table.forget(s.sid);
        this.#ctx.plan.finishUnsubscribe(purpose.handle, purpose.request);
        this.#ctx.plan.pump(now);
      } else {
        purpose.handle.status = "live";
        this.#ctx.reject(purpose.request, error);
      }
    },
    timedOut: (purpose, _command, error) => {
      purpose.handle.status = "live";
      this.#ctx.reject(purpose.request, error);
    },
    lost: (purpose) => {
      // The subscription is gone with the connection, which is what was asked.
      if (purpose.handle.status === "unsubscribing") {
        this.#ctx.plan.finishUnsubscribe(purpose.handle, purpose.request);
      }
    },
    aborted: (purpose, _command, reason) => this.#ctx.reject(purpose.request, reason),
  };

  /** What each outcome of one sid's `add_markets`/`delete_markets` means. */
  readonly updateHandler: PurposeHandler<UpdatePurpose> = {
    answered: (purpose, answer) => {
      if (answer.kind === "updated") this.#updated(purpose.handle, purpose.op, answer.state);
    },
    refused: (purpose, command, error) => {
      if (command.kind === "update" && purpose.op.kind === "add_markets") {
        this.#ctx.repair.notAdded(command.sid, command.markets);
      }
      this.#fail(purpose.op, error);
    },
    timedOut: (purpose, command, error, now) => {
      this.#fail(purpose.op, error);
      if (command.kind !== "update") return;
      if (purpose.op.kind === "add_markets") {
        this.#ctx.repair.notAdded(command.sid, command.markets); // a late `ok` brings its own snapshots
      } else {
        // Kalshi may have removed them after all: their books are no longer known to be
        // fed. Ask for snapshots; if they are gone, that fails and the channel is renewed.
        const state = this.#ctx.table.sids.get(command.sid);
        if (state !== undefined && state.channel === ORDERBOOK) {
          const markets = command.markets.filter((m) => state.markets?.has(m));
          this.#ctx.repair.startResync(state, markets, now);
        }
      }
    },
    lost: (purpose) => {
      if (purpose.handle.status !== "live" || purpose.op.settled) return;
      const ops = this.#lostOps.get(purpose.handle) ?? [];
      if (!ops.includes(purpose.op)) ops.push(purpose.op); // one op spans a command per sid
      this.#lostOps.set(purpose.handle, ops);
    },
    aborted: (purpose, _command, reason) => this.#fail(purpose.op, reason),
  };

  /** What each outcome of the user's `list_subscriptions` means. */
  readonly listHandler: PurposeHandler<ListPurpose> = {
    answered: (purpose, answer) => {
      if (answer.kind !== "listed") return;
      this.#ctx.resolve(purpose.request, {
        command: "list_subscriptions",
        subscriptions: answer.subscriptions,
      });
    },
    refused: (purpose, _command, error) => this.#ctx.reject(purpose.request, error),
    timedOut: (purpose, _command, error) => this.#ctx.reject(purpose.request, error),
    lost: (purpose) => {
      this.#lostLists.push(purpose.request);
    },
    aborted: (purpose, _command, reason) => this.#ctx.reject(purpose.request, reason),
  };

  // -------------------------------------------------------------------------------------------
  // The user's calls

  /** Unsubscribes subscription `key` (all its sids); throws if it is not active. */
  unsubscribe(key: SubscriptionKey, now: number): RequestId {
    const handle = this.#liveHandle(key, "unsubscribe");
    const op: SubscriptionRequest = {
      kind: "unsubscribe",
      request: this.#ctx.newRequest("unsubscribe", now),
    };
    this.#runOrDefer(handle, op, now);
    return op.request;
  }

  /** Adds (`add_markets`) or removes (`delete_markets`) markets on every sid of `key`. */
  changeMarkets(
    key: SubscriptionKey,
    kind: "add_markets" | "delete_markets",
    tickers: readonly string[],
    now: number,
  ): RequestId {
    const action = kind === "add_markets" ? "add markets to" : "remove markets from";
    const handle = this.#liveHandle(key, action);
    if (handle.markets === undefined) {
      throw new CommandError(
        `Cannot ${action} subscription ${key}: it has no explicit market list`,
      );
    }
    for (const channel of handle.channels) {
      validateUpdate(channel, { sid: 1, action: kind, market_tickers: [...tickers] });
    }
    if (kind === "delete_markets") this.#checkMarketsLeft(handle, tickers);
    const op: MarketRequest = {
      kind,
      request: this.#ctx.newRequest("update_subscription", now),
      tickers: [...tickers],
      remaining: 0,
      settled: false,
    };
    this.#runOrDefer(handle, op, now);
    return op.request;
  }

  /** Throws when removing `tickers` (with removals still pending) would empty a required filter. */
  #checkMarketsLeft(handle: Handle, tickers: readonly string[]): void {
    const removing = new Set(tickers); // with removals still pending (deferred or in flight)
    for (const op of handle.deferred) {
      if (op.kind === "delete_markets") { for (const t of op.tickers) removing.add(t); }
    }
    for (const command of this.#ctx.table.pendingCommands()) {
      const tag = command.tag;
      if (
        tag.purpose === "update" && tag.handle === handle && tag.op.kind === "delete_markets" &&
        !tag.op.settled
      ) {
        for (const t of tag.op.tickers) removing.add(t);
      }
    }
    const left = [...(handle.markets ?? [])].filter((m) => !removing.has(m));
    const required = handle.channels.find((c) => CHANNEL_INFO[c].marketFilter === "required");
    if (left.length === 0 && required !== undefined) {
      throw new CommandError(
        `Cannot remove every market from subscription ${handle.key}: channel "${required}" needs at least one (unsubscribe instead)`,
      );
    }
  }

  /**
   * Asks for fresh order-book snapshots: of every market of subscription `key`, or of one market
   * (by ticker). Resolves when the books are valid again.
   */
  resync(target: SubscriptionKey | string, now: number): RequestId {
    let handle: Handle | undefined;
    let markets: string[] | undefined;
    if (typeof target === "number") {
      handle = this.#liveHandle(target, "resync");
    } else {
      for (const candidate of this.#ctx.handles.values()) {
        if (candidate.status !== "live" || !candidate.channels.includes(ORDERBOOK)) continue;
        const sidMarkets = candidate.sids.get(ORDERBOOK)?.markets;
        if (candidate.markets?.has(target) || sidMarkets?.has(target)) handle = candidate;
      }
      if (handle === undefined) {
        throw new CommandError(
          `Cannot resync market "${target}": no live orderbook_delta subscription covers it`,
        );
      }
      markets = [target];
    }
    if (!handle.channels.includes(ORDERBOOK)) {
      throw new CommandError(
        `Cannot resync subscription ${handle.key}: it has no "orderbook_delta" channel`,
      );
    }
    const op: SubscriptionRequest = {
      kind: "resync",
      request: this.#ctx.newRequest("get_snapshot", now),
      markets,
    };
    this.#runOrDefer(handle, op, now);
    return op.request;
  }

  /** Asks Kalshi for the connection's subscriptions (sent on the next connection if closed). */
  listSubscriptions(now: number): RequestId {
    const request = this.#ctx.newRequest("list_subscriptions", now);
    if (this.#ctx.connected) this.#sendList(request, now);
    else this.#queuedLists.push(request);
    return request;
  }

  #sendList(request: RequestId, now: number): void {
    this.#ctx.send(listSubscriptionsCommand(), { purpose: "list", request }, now);
  }

  #liveHandle(key: SubscriptionKey, action: string): Handle {
    const handle = this.#ctx.handles.get(key);
    if (handle === undefined || handle.status !== "live") {
      throw new CommandError(`Cannot ${action} subscription ${key}: subscription is not active`);
    }
    return handle;
  }

  // -------------------------------------------------------------------------------------------
  // Running and settling

  #runOrDefer(handle: Handle, op: SubscriptionRequest, now: number): void {
    if (!this.#ctx.connected) this.#runOffline(handle, op);
    else if (isActive(handle)) this.#run(handle, op, now);
    else handle.deferred.push(op);
  }

  /** Settles `op` without a connection (see the module doc for why each is sound). */
  #runOffline(handle: Handle, op: SubscriptionRequest): void {
    const ctx = this.#ctx;
    switch (op.kind) {
      case "unsubscribe":
        if (handle.status !== "live") {
          ctx.reject(op.request, notActive(handle.key));
          return;
        }
        ctx.plan.finishUnsubscribe(handle, op.request);
        return;
      case "add_markets":
      case "delete_markets": {
        if (handle.status !== "live" || handle.markets === undefined) {
          ctx.reject(op.request, notActive(handle.key));
          return;
        }
        for (const ticker of op.tickers) {
          if (op.kind === "add_markets") handle.markets.add(ticker);
          else {
            handle.markets.delete(ticker);
            ctx.books?.remove(ticker);
          }
        }
        op.settled = true;
        ctx.resolve(op.request, {
          command: op.kind,
          key: handle.key,
          markets: [...handle.markets],
        });
        return;
      }
      case "resync":
        // The re-subscribe on the next connection brings fresh snapshots of every market.
        handle.resyncWaiters.push(op.request);
        return;
    }
  }

  /** Runs `op` on an active subscription. */
  #run(handle: Handle, op: SubscriptionRequest, now: number): void {
    const ctx = this.#ctx;
    if (handle.status !== "live") {
      ctx.reject(op.request, notActive(handle.key));
      return;
    }
    switch (op.kind) {
      case "unsubscribe": {
        const sids = [...handle.sids.values()].map((s) => s.sid);
        handle.status = "unsubscribing";
        if (sids.length === 0) ctx.plan.finishUnsubscribe(handle, op.request);
        else {
          ctx.send(unsubscribeCommand(sids), {
            purpose: "unsubscribe",
            handle,
            request: op.request,
          }, now);
        }
        return;
      }
      case "add_markets":
      case "delete_markets": {
        op.remaining = handle.sids.size;
        for (const state of handle.sids.values()) {
          const body = op.kind === "add_markets"
            ? addMarketsCommand(state.sid, op.tickers)
            : deleteMarketsCommand(state.sid, op.tickers);
          if (op.kind === "add_markets" && state.channel === ORDERBOOK) {
            // New markets are untrusted until their snapshot (sent after the `ok`).
            state.awaiting ??= new Set();
            for (const t of op.tickers) if (!state.markets?.has(t)) state.awaiting.add(t);
          }
          ctx.send(body, { purpose: "update", handle, op }, now);
        }
        if (op.remaining === 0) this.#settleMarketOp(handle, op);
        return;
      }
      case "resync": {
        const state = handle.sids.get(ORDERBOOK);
        if (state === undefined) {
          ctx.reject(op.request, notActive(handle.key));
          return;
        }
        handle.resyncWaiters.push(op.request);
        ctx.repair.startResync(state, op.markets ?? [...(state.markets ?? [])], now);
        return;
      }
    }
  }

  /** One sid's `ok`: the handle's markets follow Kalshi's list; the last `ok` settles the op. */
  #updated(handle: Handle, op: MarketRequest, state: Sid | undefined): void {
    if (state?.markets !== undefined) {
      handle.markets = new Set(state.markets);
    } else if (handle.markets !== undefined) {
      for (const t of op.tickers) {
        if (op.kind === "add_markets") handle.markets.add(t);
        else handle.markets.delete(t);
      }
    }
    if (op.kind === "delete_markets" && state !== undefined && state.channel === ORDERBOOK) {
      for (const t of op.tickers) {
        state.awaiting?.delete(t);
        this.#ctx.books?.remove(t);
      }
    }
    op.remaining--;
    if (op.remaining <= 0) this.#settleMarketOp(handle, op);
  }

  #settleMarketOp(handle: Handle, op: MarketRequest): void {
    if (op.settled) return;
    op.settled = true;
    this.#ctx.resolve(op.request, {
      command: op.kind,
      key: handle.key,
      markets: [...(handle.markets ?? [])],
    });
  }

  /** Rejects a market request once (its other sids' outcomes are ignored). */
  #fail(op: MarketRequest, error: Error): void {
    if (op.settled) return;
    op.settled = true;
    this.#ctx.reject(op.request, error);
  }

  /** Runs the requests that waited for `handle` to be active (it is now). */
  flushDeferred(handle: Handle, now: number): void {
    while (handle.deferred.length > 0 && isActive(handle)) {
      this.#run(handle, handle.deferred.shift()!, now);
    }
  }

  /**
   * `request` reached its deadline unsettled: it is withdrawn wherever it waits (never sent
   * later) and rejected. A first subscribe that expires ends its subscription; a command
   * already on the wire may still take effect, as after any timeout.
   */
  expire(request: RequestId, error: Error, now: number): void {
    const ctx = this.#ctx;
    const queued = this.#queuedLists.indexOf(request);
    if (queued >= 0) this.#queuedLists.splice(queued, 1);
    for (const handle of ctx.handles.values()) {
      const op = handle.deferred.findIndex((o) => o.request === request);
      if (op >= 0) handle.deferred.splice(op, 1);
      const waiter = handle.resyncWaiters.indexOf(request);
      if (waiter >= 0) handle.resyncWaiters.splice(waiter, 1);
    }
    const handle = ctx.handles.get(request);
    if (handle !== undefined && !handle.established && handle.status === "live") {
      ctx.plan.closeHandle(handle, now);
      ctx.plan.rejectWaiting(handle, error);
    }
    ctx.reject(request, error);
  }

  // -------------------------------------------------------------------------------------------
  // Connections

  /** A connection opened: the queued `list_subscriptions` go out. */
  connectionOpened(now: number): void {
    for (const request of this.#queuedLists.splice(0)) this.#sendList(request, now);
  }

  /**
   * The requests the closed connection lost (collected by the handlers' `lost`) run again first,
   * in their order: lists on the next connection, market requests on their subscription.
   */
  requeueLost(): void {
    this.#queuedLists.unshift(...this.#lostLists.splice(0));
    for (const [handle, ops] of this.#lostOps) handle.deferred.unshift(...ops);
    this.#lostOps.clear();
  }

  /** Without a connection, requests waiting on a subscription settle locally now. */
  runDeferredOffline(): void {
    for (const handle of [...this.#ctx.handles.values()]) {
      for (const op of handle.deferred.splice(0)) this.#runOffline(handle, op);
    }
  }

  /** The session gives up: queued lists are rejected with `reason`. */
  abort(reason: Error): void {
    for (const request of this.#queuedLists.splice(0)) this.#ctx.reject(request, reason);
  }
}
