/**
 * {@linkcode Subscription}: the user's handle on one `subscribe()` call. It outlives
 * connections (its sids change, the handle does not), keeps its own listeners and streams, and
 * knows where each of its data messages goes in a stream (its {@linkcode RouteTable}).
 *
 * It reaches its client only through a {@linkcode SubscriptionPort}: requests about itself,
 * streams, and its current sids and markets — never the whole session.
 *
 * @module
 */

import type { Channel, SidInfo, SubscriptionKey } from "@kalshi-ws/core";
import type { ClientEvent, ClientEventType, ClientListener } from "./client_event.ts";
import type { StreamOptions } from "./client_options.ts";
import { ClientClosedError } from "./errors.ts";
import { type EventStream, Listeners } from "./event_stream.ts";
import { type OverflowPolicies, type Route, RouteTable } from "./overflow_routing.ts";

/** What a {@linkcode Subscription} may ask of its client, all about itself. */
export interface SubscriptionPort {
  /** Its current sids, one per channel (empty while disconnected or being restored). */
  sids(): readonly SidInfo[];
  /** Its current market list (`undefined` when it has no explicit list). */
  markets(): readonly string[] | undefined;
  /** `add_markets` on every sid; resolves with the resulting list. */
  addMarkets(tickers: readonly string[]): Promise<readonly string[]>;
  /** `delete_markets` on every sid; resolves with the remaining list. */
  removeMarkets(tickers: readonly string[]): Promise<readonly string[]>;
  /** Fresh snapshots for every market; resolves once all are valid. */
  resync(): Promise<void>;
  /** Unsubscribes every sid. */
  unsubscribe(): Promise<void>;
  /**
   * A new stream for `owner`'s events (the subscription itself). `onResync` replaces the default
   * reaction to a `"resync"` overflow (asking for fresh snapshots of the markets).
   */
  openStream(
    owner: Subscription,
    options: StreamOptions | undefined,
    onResync?: (lane: number, markets: readonly string[]) => void,
  ): EventStream<ClientEvent>;
  /** Asks for fresh snapshots of `markets` on the client's own behalf (results not reported). */
  resyncMarkets(markets: readonly string[]): void;
  /** Whether the client has closed. */
  readonly closed: boolean;
}

/** How a subscription lists its markets in messages: the first few, then a count. */
const MARKETS_SHOWN = 3;

/**
 * A subscription handle. Its identity survives reconnects: the server sids behind it change
 * (see `sids` and `resubscribed` events), the object and its streams do not. Iterate it for its
 * own data and lifecycle events; `await using` unsubscribes at scope exit.
 */
export class Subscription implements AsyncIterable<ClientEvent>, AsyncDisposable {
  /** Stable key: the same for the handle's whole life, never a sid. */
  readonly key: SubscriptionKey;
  /** The channels subscribed. */
  readonly channels: readonly Channel[];
  /** Overflow policy per channel. */
  readonly overflow: OverflowPolicies;
  readonly #port: SubscriptionPort;
  readonly #routes: RouteTable;
  readonly #sids = (): readonly SidInfo[] => this.#port.sids();
  readonly #listeners = new Listeners<ClientEvent>();
  readonly #streams = new Set<EventStream<ClientEvent>>();
  /**
   * Buffers from the moment of subscribing until the first `events()` call claims it, so the
   * first snapshots are never missed by `for await (const e of await client.subscribe(...))`.
   */
  #initial: EventStream<ClientEvent> | undefined;
  /** What the unclaimed initial stream had to give up (it is discarded on a book overflow). */
  #missed: { lane: number; markets: Set<string>; dropped: number } | undefined;
  #active = true;

  /** @internal Created by `KalshiWsClient.subscribe`. */
  constructor(
    port: SubscriptionPort,
    key: SubscriptionKey,
    channels: readonly Channel[],
    overflow: OverflowPolicies,
    buffer: boolean,
  ) {
    this.#port = port;
    this.key = key;
    this.channels = channels;
    this.overflow = overflow;
    this.#routes = new RouteTable(key, channels, overflow);
    if (!buffer) return;
    const initial = port.openStream(this, undefined, (lane, markets) => {
      // Nobody reads it yet: do not hold books or ask for snapshots on its behalf. Discard it;
      // the first reader gets a `lagged` event and fresh snapshots instead.
      if (this.#initial !== initial) {
        port.resyncMarkets(markets); // claimed: repair as for any stream
        return;
      }
      this.#initial = undefined;
      const missed = this.#missed ?? { lane, markets: new Set<string>(), dropped: 0 };
      for (const market of markets) missed.markets.add(market);
      missed.dropped += initial.dropped + initial.size;
      this.#missed = missed;
      void initial.return();
    });
    this.#initial = initial;
    this.#streams.add(initial);
  }

  /** Whether the subscription still exists (not unsubscribed, lost, or closed with the client). */
  get active(): boolean {
    return this.#active;
  }

  /** Its current sids, one per channel (empty while disconnected or being restored). */
  get sids(): readonly SidInfo[] {
    return this.#port.sids();
  }

  /** Its current market list (`undefined` when it has no explicit list). */
  get markets(): readonly string[] | undefined {
    return this.#port.markets();
  }

  /** Adds markets (`add_markets` on every sid); resolves with the resulting market list. */
  addMarkets(tickers: readonly string[]): Promise<readonly string[]> {
    return this.#port.addMarkets(tickers);
  }

  /** Removes markets (`delete_markets` on the wire); resolves with the remaining list. */
  removeMarkets(tickers: readonly string[]): Promise<readonly string[]> {
    return this.#port.removeMarkets(tickers);
  }

  /** Fetches fresh order-book snapshots for every market; resolves once all are valid. */
  resync(): Promise<void> {
    return this.#port.resync();
  }

  /** Unsubscribes (all sids); its streams end after their queued items. */
  unsubscribe(): Promise<void> {
    return this.#port.unsubscribe();
  }

  /**
   * A bounded stream of this subscription's data and lifecycle events. The first call without
   * options returns the stream that has buffered everything since `subscribe()` (initial
   * snapshots included, with the client's `bufferSize`); other calls start fresh streams.
   */
  events(options?: StreamOptions): EventStream<ClientEvent> {
    const initial = this.#initial;
    if (initial !== undefined && options === undefined) {
      this.#initial = undefined;
      return initial;
    }
    const stream = this.#port.openStream(this, options);
    if (!this.#active) {
      stream.end();
      return stream;
    }
    this.#streams.add(stream);
    const missed = this.#missed;
    if (missed !== undefined) {
      this.#missed = undefined;
      const markets = [...missed.markets];
      stream.push({ type: "lagged", subscription: this, dropped: missed.dropped, markets });
      stream.hold(missed.lane, markets);
      this.#port.resyncMarkets(markets);
    }
    return stream;
  }

  /** Adds a listener for this subscription's events; returns its remover. */
  on<K extends ClientEventType | "*">(type: K, listener: ClientListener<K>): () => void {
    return this.#listeners.on(type, listener as never);
  }

  /** Iterating a subscription iterates a fresh {@linkcode Subscription.events} stream. */
  [Symbol.asyncIterator](): EventStream<ClientEvent> {
    return this.events();
  }

  /** Unsubscribes if still active (errors from a closed client are ignored). */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#active || this.#port.closed) return;
    try {
      await this.unsubscribe();
    } catch (error) {
      if (!(error instanceof ClientClosedError)) throw error;
    }
  }

  /**
   * Its channels and markets, for messages: `orderbook_delta on KXA-1, KXB-2` (the first three
   * markets, then how many more).
   */
  describe(): string {
    const channels = this.channels.join(", ");
    const markets = this.#port.markets();
    if (markets === undefined || markets.length === 0) return channels;
    const shown = markets.slice(0, MARKETS_SHOWN).join(", ");
    const more = markets.length - MARKETS_SHOWN;
    return `${channels} on ${shown}${more > 0 ? ` and ${more} more` : ""}`;
  }

  /** `Subscription(orderbook_delta on KXA-1)`: channels and markets, for logs. */
  toString(): string {
    return `Subscription(${this.describe()})`;
  }

  /** @internal Where a data message of `type` on `sid` goes in a stream. */
  _route(type: string, sid: number | undefined): Route {
    return this.#routes.route(type, sid, this.#sids);
  }

  /** @internal Whether any listener or stream would receive this subscription's events. */
  _hasReaders(): boolean {
    return this.#listeners.size !== 0 || this.#streams.size !== 0;
  }

  /** @internal Delivers an event to this subscription's listeners and streams. */
  _emit(event: ClientEvent): void {
    this.#listeners.emit(event);
    if (this.#streams.size !== 0) { for (const stream of this.#streams) stream.push(event); }
  }

  /** @internal Ends the subscription: streams finish (with `error`, if lost). */
  _end(error?: Error): void {
    if (!this.#active) return;
    this.#active = false;
    for (const stream of [...this.#streams]) stream.end(error);
    this.#streams.clear();
    this.#initial = undefined;
  }

  /** @internal Forgets a detached stream. */
  _detach(stream: EventStream<ClientEvent>): void {
    this.#streams.delete(stream);
  }
}
