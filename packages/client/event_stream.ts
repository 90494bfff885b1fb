/**
 * Bounded, async-iterable event queues with an explicit overflow policy per lane (one
 * subscription's data on one channel, see `overflow_routing.ts`), and synchronous listeners. A
 * slow consumer never makes memory grow without bound and never misses data silently: every drop
 * is counted and announced in the stream itself.
 *
 * @module
 */

import { LaggedError } from "./errors.ts";

/**
 * What a stream does when a subscription's queued data of one channel reaches capacity:
 * - `"resync"` (order books): drop that channel's queued data for the affected markets,
 *   ignore their further deltas until a fresh snapshot arrives, and ask for those snapshots; a
 *   book is never silently wrong.
 * - `"latest"` (tickers): keep only the newest message per market; older ones are dropped.
 * - `"drop-oldest"`: drop the subscription's oldest queued message.
 * - `"error"`: end the stream with a {@linkcode LaggedError} once the queued items are read.
 *
 * Every drop increments the stream's `dropped` counter and emits a `lagged` event in order.
 */
export type OverflowPolicy = "resync" | "latest" | "drop-oldest" | "error";

/**
 * How a stream sees one lane of data items, as {@linkcode EventStreamOptions.classify} returns
 * it. Return the same object for every item of a lane: the stream then finds the lane's count
 * without a lookup (another object with the same `lane` is still counted with it, only slower).
 */
export interface DataInfo {
  /** The lane the data takes (capacity and policy apply per lane). */
  readonly lane: number;
  /** The lane's overflow policy. */
  readonly policy: OverflowPolicy;
}

/** Construction options of {@linkcode EventStream}. */
export interface EventStreamOptions<T> {
  /** Most data items queued per lane before the policy applies. */
  readonly capacity: number;
  /** Classifies an item: its lane, or `undefined` for lifecycle events (never dropped). */
  readonly classify: (item: T) => DataInfo | undefined;
  /**
   * The market a data item is about, if any (`latest` coalesces and `resync` repairs per
   * market). Asked only when a lane overflows or holds markets, never per item otherwise.
   */
  readonly market: (item: T) => string | undefined;
  /** Whether a data item is a full snapshot (it ends a `resync` hold on its market). */
  readonly snapshot: (item: T) => boolean;
  /** Builds the `lagged` event queued after a drop. */
  readonly lagged: (lane: number, dropped: number, markets: readonly string[]) => T;
  /** Builds the error that ends the stream under the `"error"` policy (names what overflowed). */
  readonly laggedError?: (lane: number, capacity: number) => Error;
  /** Called when a `resync` overflow needs fresh snapshots of `markets` of `lane`. */
  readonly onResync?: (lane: number, markets: readonly string[]) => void;
  /** Called with the number of data items dropped, on every drop (for client-wide counters). */
  readonly onDropped?: (count: number) => void;
  /** Called once when the stream ends or its consumer stops reading. */
  readonly onDetach?: () => void;
}

/** One lane's state in a stream: data items queued, markets held after a `resync` overflow. */
interface Lane {
  readonly lane: number;
  count: number;
  held: Set<string> | undefined;
}

/** Lanes a stream remembers before it forgets the idle ones (nothing queued, nothing held). */
const IDLE_LANES = 64;

/**
 * A bounded async-iterable queue. Producers `push`; the consumer iterates with `for await`.
 * Breaking out of the loop (or `await using`) detaches it from the client.
 *
 * Per item: the queue holds the item and its lane side by side (no wrapper object), the lane of
 * the previous item is reused when `classify` returns the same object, and a reader waiting on
 * an empty queue gets the item at once. `next()` on a non-empty queue returns one resolved
 * promise (what `for await` needs) and nothing else.
 */
export class EventStream<T> implements AsyncIterableIterator<T>, AsyncDisposable {
  readonly #options: EventStreamOptions<T>;
  readonly #capacity: number;
  /** Queued items, `#head` to `#tail`; `#lanes` holds each one's lane (`undefined`: lifecycle). */
  #items: (T | undefined)[] = [];
  #lanes: (Lane | undefined)[] = [];
  #head = 0;
  #tail = 0;
  readonly #byLane = new Map<number, Lane>();
  /** The lane of the last `classify` answer, by identity. */
  #lastInfo: DataInfo | undefined;
  #lastLane: Lane | undefined;
  #waiter: ((result: IteratorResult<T>) => void) | undefined;
  #rejecter: ((error: unknown) => void) | undefined;
  #ended = false;
  #error: unknown;
  #dropped = 0;

  /** Creates an empty stream. */
  constructor(options: EventStreamOptions<T>) {
    if (!(options.capacity >= 1)) {
      throw new RangeError(`Set capacity to 1 or more: got ${options.capacity}`);
    }
    this.#options = options;
    this.#capacity = options.capacity;
  }

  /** How many data items this stream has dropped so far (its lag counter). */
  get dropped(): number {
    return this.#dropped;
  }

  /** Items waiting to be read. */
  get size(): number {
    return this.#tail - this.#head;
  }

  /** Whether the stream has ended (no more items will be accepted). */
  get ended(): boolean {
    return this.#ended;
  }

  /** Offers an item; applies the overflow policy when its lane is at capacity. */
  push(item: T): void {
    if (this.#ended) return;
    const info = this.#options.classify(item);
    if (info === undefined) {
      this.#deliver(item, undefined);
      return;
    }
    const lane = info === this.#lastInfo ? this.#lastLane! : this.#laneOf(info);
    if (lane.held !== undefined && this.#heldBack(lane, item)) return;
    if (lane.count >= this.#capacity && !this.#overflow(item, info.policy, lane)) return;
    this.#deliver(item, lane);
  }

  /**
   * Drops `lane`'s data for `markets` (except snapshots, which release them) from now on:
   * used when a consumer is known to have missed data for those books.
   */
  hold(lane: number, markets: readonly string[]): void {
    if (markets.length === 0) return;
    const state = this.#lane(lane);
    const held = state.held ?? new Set<string>();
    for (const market of markets) held.add(market);
    state.held = held;
  }

  /** Ends the stream: queued items are still read, then iteration stops (or throws `error`). */
  end(error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    if (this.size === 0) this.#settleEmpty();
    this.#options.onDetach?.();
  }

  /** Resolves with the next item, waiting for one if the queue is empty. */
  next(): Promise<IteratorResult<T>> {
    if (this.#head !== this.#tail) return Promise.resolve({ value: this.#shift(), done: false });
    if (this.#ended) {
      if (this.#error !== undefined) {
        const error = this.#error;
        this.#error = undefined;
        return Promise.reject(error);
      }
      return Promise.resolve({ value: undefined, done: true });
    }
    if (this.#waiter !== undefined) {
      return Promise.reject(new TypeError("Cannot read an event stream from two loops at once"));
    }
    return new Promise((resolve, reject) => {
      this.#waiter = resolve;
      this.#rejecter = reject;
    });
  }

  /** Stops reading: drops what is queued and detaches from the client. */
  return(): Promise<IteratorResult<T>> {
    this.#items = [];
    this.#lanes = [];
    this.#head = 0;
    this.#tail = 0;
    this.#error = undefined;
    this.end();
    this.#settleEmpty();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** The stream is its own iterator (`for await (const e of stream)`). */
  [Symbol.asyncIterator](): this {
    return this;
  }

  /** `await using` support: detaches like breaking out of the loop. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }

  /** The state of the lane `info` names, remembered for the next item. */
  #laneOf(info: DataInfo): Lane {
    const lane = this.#lane(info.lane);
    this.#lastInfo = info;
    this.#lastLane = lane;
    return lane;
  }

  /** The state of lane `lane` (created on first use; idle lanes are forgotten now and then). */
  #lane(lane: number): Lane {
    let state = this.#byLane.get(lane);
    if (state !== undefined) return state;
    if (this.#byLane.size >= IDLE_LANES) {
      for (const [n, idle] of this.#byLane) {
        if (idle.count === 0 && idle.held === undefined) this.#byLane.delete(n);
      }
      this.#lastInfo = undefined;
      this.#lastLane = undefined;
    }
    state = { lane, count: 0, held: undefined };
    this.#byLane.set(lane, state);
    return state;
  }

  /** Whether `item` is dropped because its market is held (a snapshot releases the market). */
  #heldBack(lane: Lane, item: T): boolean {
    const held = lane.held!;
    const market = this.#options.market(item);
    if (market === undefined || !held.has(market)) return false;
    if (!this.#options.snapshot(item)) {
      this.#drop(1);
      return true;
    }
    held.delete(market);
    if (held.size === 0) lane.held = undefined;
    return false;
  }

  /** Hands `item` to a waiting reader, or queues it (counted in `lane`). */
  #deliver(item: T, lane: Lane | undefined): void {
    const waiter = this.#waiter;
    if (waiter !== undefined && this.#head === this.#tail) {
      this.#waiter = undefined;
      this.#rejecter = undefined;
      waiter({ value: item, done: false });
      return;
    }
    if (lane !== undefined) lane.count++;
    const tail = this.#tail++;
    this.#items[tail] = item;
    this.#lanes[tail] = lane;
  }

  #shift(): T {
    const head = this.#head;
    const item = this.#items[head] as T;
    const lane = this.#lanes[head];
    this.#items[head] = undefined;
    this.#lanes[head] = undefined;
    if (lane !== undefined) lane.count--;
    if (head + 1 === this.#tail) {
      // Empty again: start over at the front (the arrays keep their room, no copying).
      this.#head = 0;
      this.#tail = 0;
      if (this.#ended) queueMicrotask(() => this.#settleEmpty());
    } else if (head > 1024 && head * 2 > this.#tail) {
      this.#items = this.#items.slice(head + 1, this.#tail);
      this.#lanes = this.#lanes.slice(head + 1, this.#tail);
      this.#tail -= head + 1;
      this.#head = 0;
    } else this.#head = head + 1;
    return item;
  }

  #settleEmpty(): void {
    const waiter = this.#waiter;
    const rejecter = this.#rejecter;
    if (waiter === undefined || rejecter === undefined) return;
    this.#waiter = undefined;
    this.#rejecter = undefined;
    if (this.#error !== undefined) {
      const error = this.#error;
      this.#error = undefined;
      rejecter(error);
    } else waiter({ value: undefined, done: true });
  }

  /** Removes the queued item at `index` (a data item of `lane`); returns it. */
  #removeAt(index: number, lane: Lane): T {
    const item = this.#items[index] as T;
    this.#items.splice(index, 1);
    this.#lanes.splice(index, 1);
    this.#tail--;
    lane.count--;
    return item;
  }

  /** The index of `lane`'s oldest queued item about `market` (any market: `undefined`). */
  #find(lane: Lane, market: string | undefined): number {
    for (let i = this.#head; i < this.#tail; i++) {
      if (this.#lanes[i] !== lane) continue;
      if (market === undefined || this.#options.market(this.#items[i] as T) === market) return i;
    }
    return -1;
  }

  /** Applies the policy; returns whether `item` should still be queued. */
  #overflow(item: T, policy: OverflowPolicy, lane: Lane): boolean {
    switch (policy) {
      case "latest": {
        const market = this.#options.market(item);
        let index = market === undefined ? -1 : this.#find(lane, market);
        if (index === -1) index = this.#find(lane, undefined);
        this.#removeAt(index, lane);
        this.#lag(lane.lane, 1, market === undefined ? [] : [market]);
        return true;
      }
      case "drop-oldest": {
        const dropped = this.#options.market(this.#removeAt(this.#find(lane, undefined), lane));
        this.#lag(lane.lane, 1, dropped === undefined ? [] : [dropped]);
        return true;
      }
      case "resync": {
        // Every market with dropped data (plus this item's) is held until its snapshot.
        const markets = new Set<string>();
        const market = this.#options.market(item);
        if (market !== undefined) markets.add(market);
        let removed = 0;
        const items: (T | undefined)[] = [];
        const lanes: (Lane | undefined)[] = [];
        for (let i = this.#head; i < this.#tail; i++) {
          if (this.#lanes[i] === lane) {
            removed++;
            const queued = this.#options.market(this.#items[i] as T);
            if (queued !== undefined) markets.add(queued);
          } else {
            items.push(this.#items[i]);
            lanes.push(this.#lanes[i]);
          }
        }
        this.#items = items;
        this.#lanes = lanes;
        this.#head = 0;
        this.#tail = items.length;
        lane.count = 0;
        const held = lane.held ?? new Set<string>();
        for (const m of markets) held.add(m);
        if (held.size > 0) lane.held = held;
        const list = [...markets];
        this.#lag(lane.lane, removed + 1, list);
        if (list.length > 0) this.#options.onResync?.(lane.lane, list);
        return false;
      }
      case "error": {
        this.#drop(1);
        const capacity = this.#capacity;
        this.end(this.#options.laggedError?.(lane.lane, capacity) ?? new LaggedError(capacity));
        return false;
      }
    }
  }

  #drop(count: number): void {
    this.#dropped += count;
    this.#options.onDropped?.(count);
  }

  #lag(lane: number, dropped: number, markets: readonly string[]): void {
    this.#drop(dropped);
    this.#deliver(this.#options.lagged(lane, dropped, markets), undefined);
  }
}

/** A listener registry: `on(type, fn)` returns the function that removes it. */
export class Listeners<E extends { readonly type: string }> {
  readonly #byType = new Map<string, Set<(event: never) => void>>();
  /** Listeners registered in all: `emit` returns at once when there are none (the usual case). */
  #total = 0;
  /** The listeners of `"*"`, and of the type `emit` last looked up (events come in runs). */
  #any: Set<(event: never) => void> | undefined;
  #lastType: string | undefined;
  #lastSet: Set<(event: never) => void> | undefined;

  /** Adds `listener` for events of `type` (`"*"` for all); returns its remover. */
  on<K extends E["type"] | "*">(
    type: K,
    listener: (event: K extends "*" ? E : Extract<E, { type: K }>) => void,
  ): () => void {
    let set = this.#byType.get(type);
    if (set === undefined) {
      this.#byType.set(type, set = new Set());
      if (type === "*") this.#any = set;
      this.#lastType = undefined;
      this.#lastSet = undefined;
    }
    const fn = listener as (event: never) => void;
    if (!set.has(fn)) {
      set.add(fn);
      this.#total++;
    }
    return () => {
      // After clear() the set is no longer ours: its listeners were already uncounted.
      if (set.delete(fn) && this.#byType.get(type) === set) this.#total--;
    };
  }

  /** Number of listeners registered (any type). */
  get size(): number {
    return this.#total;
  }

  /** Whether anyone listens for `type` (lets the producer skip building events). */
  has(type: string): boolean {
    return (this.#byType.get(type)?.size ?? 0) > 0 || (this.#any?.size ?? 0) > 0;
  }

  /**
   * Calls the listeners of `event.type` and `"*"`. A throwing listener does not disturb the
   * client or other listeners; its error is rethrown asynchronously, where the runtime reports it.
   */
  emit(event: E): void {
    if (this.#total === 0) return;
    const type = event.type;
    let typed = this.#lastSet;
    if (type !== this.#lastType) {
      typed = this.#lastSet = this.#byType.get(type);
      this.#lastType = type;
    }
    if (typed !== undefined && typed.size > 0) callAll(typed, event);
    const any = this.#any;
    if (any !== undefined && any.size > 0) callAll(any, event);
  }

  /** Removes every listener. */
  clear(): void {
    this.#byType.clear();
    this.#total = 0;
    this.#any = undefined;
    this.#lastType = undefined;
    this.#lastSet = undefined;
  }
}

/** Calls every listener in `set`; a throwing one is reported asynchronously, the rest still run. */
function callAll<E>(set: Set<(event: never) => void>, event: E): void {
  for (const listener of set) {
    try {
      (listener as (event: E) => void)(event);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}
