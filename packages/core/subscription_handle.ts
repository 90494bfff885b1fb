/**
 * The session's record of one user subscription (a {@linkcode Handle}): what the user asked for,
 * which sids serve it on the current connection, which channels still need a `subscribe`, and
 * the user requests waiting for it. Unlike a sid, a handle outlives connections: its key is the
 * user's {@linkcode SubscriptionKey}.
 *
 * Also the internal shapes of the user requests that act on a subscription
 * ({@linkcode SubscriptionRequest}) and the small questions every part of the session asks of a
 * handle (its sids, whether it is active).
 *
 * @module
 */

import type { Channel } from "./channel.ts";
import type { SubscribeParams } from "./command.ts";
import { KalshiWsError } from "./errors.ts";
import type { RequestId, ResubscribeReason, SidInfo, SubscriptionKey } from "./session_events.ts";
import { requestedMarkets, type SidState } from "./subscriptions.ts";

/** The one channel whose sids keep books (snapshots, deltas, repair). */
export const ORDERBOOK = "orderbook_delta";

/** `live`, being unsubscribed at the user's request, or ended. */
export type HandleStatus = "live" | "unsubscribing" | "closed";

/** The user's `unsubscribe`. */
export interface UnsubscribeRequest {
  /** Discriminant. */
  readonly kind: "unsubscribe";
  /** Its request id. */
  readonly request: RequestId;
}

/** The user's `addMarkets`/`removeMarkets`: one `update_subscription` per sid of the handle. */
export interface MarketRequest {
  /** Discriminant. */
  readonly kind: "add_markets" | "delete_markets";
  /** Its request id. */
  readonly request: RequestId;
  /** The markets added or removed. */
  readonly tickers: readonly string[];
  /** Sids whose `ok` is still awaited. */
  remaining: number;
  /** Answered already (resolved or rejected): later outcomes are ignored. */
  settled: boolean;
}

/** The user's `resync`: fresh snapshots of some (or all) order-book markets of the handle. */
export interface ResyncRequest {
  /** Discriminant. */
  readonly kind: "resync";
  /** Its request id. */
  readonly request: RequestId;
  /** One market, or `undefined` for every market of the handle. */
  readonly markets: string[] | undefined;
}

/** A user request that acts on an existing subscription (and may wait until it is active). */
export type SubscriptionRequest = UnsubscribeRequest | MarketRequest | ResyncRequest;

/** One user subscription, across connections. */
export interface Handle {
  /** The user's key (also the request id of its first `subscribe`). */
  readonly key: SubscriptionKey;
  /** The params of the user's subscribe. */
  readonly params: SubscribeParams;
  /** Its channels. */
  readonly channels: readonly Channel[];
  /** Current market filter (what a re-subscribe sends); `undefined` = as in `params`. */
  markets: Set<string> | undefined;
  /** Books of this subscription report NO levels at YES prices. */
  readonly useYesPrice: boolean;
  /** Channel → sid on this connection. */
  readonly sids: Map<string, SidState<Handle>>;
  /** Channels that need a `subscribe` on this connection. */
  readonly needs: Set<string>;
  /** Channels with a `subscribe` in flight. */
  readonly inflight: Set<string>;
  /** Whether the user still wants it. */
  status: HandleStatus;
  /** The first subscribe completed (later completions are re-subscribes). */
  established: boolean;
  /** Why its next completion is a re-subscribe. */
  reason: ResubscribeReason | undefined;
  /** Requests waiting for the subscription to be active. */
  readonly deferred: SubscriptionRequest[];
  /** `resync` requests waiting for the repair to finish. */
  readonly resyncWaiters: RequestId[];
  /** An automatic re-subscribe is paced: do not send it before this instant. */
  retryAt: number | undefined;
}

/** A sid of the session's table, owned by a handle (or by none: an orphan). */
export type Sid = SidState<Handle>;

/** A new live handle for the user's subscribe `key` with `params` (every channel needed). */
export function newHandle(key: SubscriptionKey, params: SubscribeParams): Handle {
  const markets = requestedMarkets(params);
  return {
    key,
    params,
    channels: [...params.channels],
    markets: markets.length > 0 ? new Set(markets) : undefined,
    useYesPrice: params.use_yes_price === true,
    sids: new Map(),
    needs: new Set(params.channels),
    inflight: new Set(),
    status: "live",
    established: false,
    reason: undefined,
    deferred: [],
    resyncWaiters: [],
    retryAt: undefined,
  };
}

/** The handle's sids on this connection, in channel order. */
export function sidsOf(handle: Handle): SidInfo[] {
  const sids: SidInfo[] = [];
  for (const channel of handle.channels) {
    const state = handle.sids.get(channel);
    if (state !== undefined) sids.push({ channel, sid: state.sid });
  }
  return sids;
}

/** Live, with every channel subscribed and nothing in flight: requests can run now. */
export function isActive(handle: Handle): boolean {
  return handle.status === "live" && handle.needs.size === 0 && handle.inflight.size === 0;
}

/** The error of a request whose subscription ended before it could run. */
export function notActive(key: SubscriptionKey): KalshiWsError {
  return new KalshiWsError(`Cannot run request on subscription ${key}: subscription is not active`);
}
