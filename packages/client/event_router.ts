/**
 * Where the client's events go: every event to the client's listeners and client-wide streams,
 * and a subscription's events also to that subscription's listeners and streams. The router
 * owns the table of live {@linkcode Subscription} handles (by key), turns session events into
 * {@linkcode ClientEvent}s (through `client_event.ts`, the one place that renames) and builds
 * the bounded streams, whose data it routes by `overflow_routing.ts`.
 *
 * The per-frame path is {@linkcode EventRouter.data}: when nobody would receive the event it
 * builds nothing at all (a books-only user); otherwise one event object, pushed to each reader.
 *
 * @module
 */

import type { DataEvent, DataMessage, SubscriptionKey, UnknownMessage } from "@kalshi-ws/core";
import {
  type ClientEvent,
  type ClientEventType,
  type ClientListener,
  dataEvent,
  type LinkFacts,
  type ReportedSessionEvent,
  toClientEvent,
} from "./client_event.ts";
import type { StreamOptions } from "./client_options.ts";
import { LaggedError } from "./errors.ts";
import { type DataInfo, EventStream, Listeners } from "./event_stream.ts";
import { channelOfLane, keyOfLane, unownedRoute } from "./overflow_routing.ts";
import type { Subscription } from "./subscription.ts";

/** Market ticker of a data message, for overflow policies (`user_order` names it `ticker`). */
function marketOf(message: DataMessage | UnknownMessage): string | undefined {
  const msg = (message as { msg?: { market_ticker?: unknown; ticker?: unknown } }).msg;
  if (msg === undefined || msg === null) return undefined;
  const ticker = msg.market_ticker ?? msg.ticker;
  return typeof ticker === "string" ? ticker : undefined;
}

/** Options of an {@linkcode EventRouter}. */
export interface RouterOptions {
  /** Default capacity of a stream, per lane. */
  readonly bufferSize: number;
  /** Asks for fresh snapshots of `markets` after a stream's `"resync"` overflow. */
  readonly resyncMarkets: (markets: readonly string[]) => void;
}

/** Delivers client events to listeners and streams; owns the subscription handles. */
export class EventRouter {
  /** The live subscription handles, by key. */
  readonly subscriptions: Map<SubscriptionKey, Subscription> = new Map();
  readonly #options: RouterOptions;
  readonly #listeners = new Listeners<ClientEvent>();
  readonly #streams = new Set<EventStream<ClientEvent>>();
  #dropped = 0;
  /** The handle the last data event went to (a live one is in `subscriptions` under its key). */
  #last: Subscription | undefined;

  /** Creates a router with no subscriptions, listeners or streams. */
  constructor(options: RouterOptions) {
    this.#options = options;
  }

  /** Data messages dropped by slow streams so far (the client-wide lag counter). */
  get dropped(): number {
    return this.#dropped;
  }

  /** Adds a client-wide listener; returns its remover. */
  on<K extends ClientEventType | "*">(type: K, listener: ClientListener<K>): () => void {
    return this.#listeners.on(type, listener as never);
  }

  /** A new client-wide stream (every event); ended at once with `endedWith` when given. */
  clientStream(
    options: StreamOptions | undefined,
    ended: boolean,
    endedWith?: Error,
  ): EventStream<ClientEvent> {
    const stream = this.openStream(options, undefined);
    if (ended) stream.end(endedWith);
    else this.#streams.add(stream);
    return stream;
  }

  /** A session data event, to whoever reads it (the per-frame path). */
  data(event: DataEvent): void {
    const key = event.key;
    let subscription: Subscription | undefined;
    if (key !== undefined) {
      // Frames come in runs of one subscription: the last handle found, while still live.
      subscription = this.#last;
      if (subscription === undefined || subscription.key !== key || !subscription.active) {
        subscription = this.#last = this.subscriptions.get(key);
      }
    }
    // Nobody to tell (a books-only user): build no event object at all.
    if (
      this.#listeners.size === 0 && this.#streams.size === 0 &&
      (subscription === undefined || !subscription._hasReaders())
    ) return;
    this.emit(dataEvent(event, subscription), subscription);
  }

  /**
   * A non-data session event, to whoever reads it. A subscription's last event
   * (`unsubscribed`, `subscription_lost`) also ends its handle.
   */
  report(event: Exclude<ReportedSessionEvent, DataEvent>, link: LinkFacts): void {
    const key = "key" in event ? event.key : undefined;
    const subscription = key === undefined ? undefined : this.subscriptions.get(key);
    // Events that always name a subscription are only news while the handle exists.
    if (subscription === undefined && isAboutOneSubscription(event)) return;
    this.emit(toClientEvent(event, subscription, link), subscription);
    if (event.type === "unsubscribed") this.forget(key!);
    else if (event.type === "subscription_lost") this.forget(key!, event.error);
  }

  /** Delivers `event` to client listeners and streams, and to `subscription`'s. */
  emit(event: ClientEvent, subscription: Subscription | undefined): void {
    this.#listeners.emit(event);
    if (this.#streams.size !== 0) { for (const stream of this.#streams) stream.push(event); }
    subscription?._emit(event);
  }

  /** Drops the handle of `key` and ends it (its streams end, with `error` when given). */
  forget(key: SubscriptionKey, error?: Error): void {
    const subscription = this.subscriptions.get(key);
    if (subscription === undefined) return;
    this.subscriptions.delete(key);
    subscription._end(error);
  }

  /** The client ended: every handle and stream ends after a last `closed` event. */
  end(error: Error | undefined): void {
    for (const subscription of this.subscriptions.values()) subscription._end(error);
    this.subscriptions.clear();
    this.emit({ type: "closed", error }, undefined);
    for (const stream of [...this.#streams]) stream.end(error);
    this.#streams.clear();
  }

  /**
   * A bounded stream of client events, owned by `owner` (a subscription) or client-wide. Data
   * takes the lane and policy of its subscription's route; `onResync` replaces the default
   * reaction to a `"resync"` overflow.
   */
  openStream(
    options: StreamOptions | undefined,
    owner: Subscription | undefined,
    onResync: (lane: number, markets: readonly string[]) => void = (_lane, markets) =>
      this.#options.resyncMarkets(markets),
  ): EventStream<ClientEvent> {
    const subscriptions = this.subscriptions;
    const signal = options?.signal;
    const stream: EventStream<ClientEvent> = new EventStream<ClientEvent>({
      capacity: options?.bufferSize ?? this.#options.bufferSize,
      // The route object is the subscription's own (one per channel), so the stream finds the
      // lane's count by identity; the market is read only when a lane overflows or holds markets.
      classify: (event): DataInfo | undefined => {
        if (event.type !== "data") return undefined;
        const subscription = event.subscription;
        return subscription === undefined
          ? unownedRoute(event.message.type)
          : subscription._route(event.message.type, event.sid);
      },
      market: (event) => event.type === "data" ? marketOf(event.message) : undefined,
      snapshot: (event) => event.type === "data" && event.message.type === "orderbook_snapshot",
      onDropped: (count) => {
        this.#dropped += count;
      },
      lagged: (lane, dropped, markets) => ({
        type: "lagged",
        subscription: subscriptions.get(keyOfLane(lane)),
        dropped,
        markets,
      }),
      laggedError: (lane, capacity) =>
        new LaggedError(
          capacity,
          channelOfLane(lane),
          subscriptions.get(keyOfLane(lane))?.describe(),
        ),
      onResync,
      onDetach: () => {
        this.#streams.delete(stream);
        owner?._detach(stream);
        signal?.removeEventListener("abort", abort);
      },
    });
    const abort = () => stream.end();
    if (signal?.aborted) stream.end();
    else signal?.addEventListener("abort", abort, { once: true });
    return stream;
  }
}

/** Session event types that always name a subscription (checked against the type: all, only). */
type AboutOneSubscription = Extract<
  ReportedSessionEvent,
  { readonly key: SubscriptionKey }
>["type"];
const ABOUT_ONE_SUBSCRIPTION: Readonly<Record<AboutOneSubscription, true>> = {
  subscribed: true,
  resubscribed: true,
  resubscribe_scheduled: true,
  unsubscribed: true,
  subscription_lost: true,
};

/** Whether `event` always names a subscription (as opposed to "the subscription, if known"). */
function isAboutOneSubscription(event: ReportedSessionEvent): boolean {
  return Object.hasOwn(ABOUT_ONE_SUBSCRIPTION, event.type);
}
