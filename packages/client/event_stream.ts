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

/** How a stream sees one queued item: data (bounded, droppable) or lifecycle (always kept). */
export interface DataInfo {
  /** The lane the data takes (capacity and policy apply per lane). */
  readonly lane: number;
  /** The market the data is about, if any (`latest` coalesces and `resync` repairs per market). */
  readonly market: string | undefined;
  /** Whether the item is a full snapshot (it ends a `resync` hold on its market). */
  readonly snapshot: boolean;
  /** The lane's overflow policy. */
  readonly policy: OverflowPolicy;
}

/** Construction options of {@linkcode EventStream}. */
export interface EventStreamOptions<T> {
  /** Most data items queued per lane before the policy applies. */
  readonly capacity: number;
  /** Classifies an item: data info, or `undefined` for lifecycle events (never dropped). */
  readonly classify: (item: T) => DataInfo | undefined;
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

interface Entry<T> {
  readonly item: T;
  readonly info: DataInfo | undefined;
}

/**
 * A bounded async-iterable queue. Producers `push`; the consumer iterates with `for await`.
 * Breaking out of the loop (or `await using`) detaches it from the client.
 */
export class EventStream<T> implements AsyncIterableIterator<T>, AsyncDisposable {
  readonly #options: EventStreamOptions<T>;
  #queue: Entry<T>[] = [];
  #head = 0;
  readonly #counts = new Map<number, number>();
  /** Markets held after a `resync` overflow, per lane, until their snapshot arrives. */
  readonly #held = new Map<number, Set<string>>();
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
  }

  /** How many data items this stream has dropped so far (its lag counter). */
  get dropped(): number {
    return this.#dropped;
  }

  /** Items waiting to be read. */
  get size(): number {
    return this.#queue.length - this.#head;
  }

  /** Whether the stream has ended (no more items will be accepted). */
  get ended(): boolean {
    return this.#ended;
  }

  /** Offers an item; applies the overflow policy when its lane is at capacity. */
  push(item: T): void {
    if (this.#ended) return;
    const info = this.#options.classify(item);
    if (info !== undefined) {
      const held = this.#held.get(info.lane);
      if (held !== undefined && info.market !== undefined && held.has(info.market)) {
        if (!info.snapshot) {
          this.#drop(1);
          return;
        }
        held.delete(info.market);
        if (held.size === 0) this.#held.delete(info.lane);
      }
      const count = this.#counts.get(info.lane) ?? 0;
      if (count >= this.#options.capacity && !this.#overflow(item, info)) return;
      this.#counts.set(info.lane, (this.#counts.get(info.lane) ?? 0) + 1);
    }
    this.#deliver({ item, info });
  }

  /**
   * Drops `lane`'s data for `markets` (except snapshots, which release them) from now on:
   * used when a consumer is known to have missed data for those books.
   */
  hold(lane: number, markets: readonly string[]): void {
    if (markets.length === 0) return;
    const held = this.#held.get(lane) ?? new Set<string>();
    for (const market of markets) held.add(market);
    this.#held.set(lane, held);
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
    if (this.size > 0) return Promise.resolve({ value: this.#shift(), done: false });
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
    this.#queue = [];
    this.#head = 0;
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

  #deliver(entry: Entry<T>): void {
    if (this.#waiter !== undefined && this.size === 0) {
      const waiter = this.#waiter;
      this.#waiter = undefined;
      this.#rejecter = undefined;
      if (entry.info !== undefined) this.#decrement(entry.info.lane);
      waiter({ value: entry.item, done: false });
      return;
    }
    this.#queue.push(entry);
  }

  #shift(): T {
    const entry = this.#queue[this.#head]!;
    this.#queue[this.#head] = undefined as unknown as Entry<T>;
    this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    if (entry.info !== undefined) this.#decrement(entry.info.lane);
    if (this.size === 0 && this.#ended) queueMicrotask(() => this.#settleEmpty());
    return entry.item;
  }

  #decrement(lane: number): void {
    const count = (this.#counts.get(lane) ?? 1) - 1;
    if (count === 0) this.#counts.delete(lane);
    else this.#counts.set(lane, count);
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

  /** Removes queued data entries of `lane` matching `predicate`; returns them. */
  #remove(lane: number, predicate: (entry: Entry<T>) => boolean): Entry<T>[] {
    const removed: Entry<T>[] = [];
    const kept: Entry<T>[] = [];
    for (let i = this.#head; i < this.#queue.length; i++) {
      const entry = this.#queue[i]!;
      if (entry.info?.lane === lane && predicate(entry)) removed.push(entry);
      else kept.push(entry);
    }
    this.#queue = kept;
    this.#head = 0;
    for (let i = 0; i < removed.length; i++) this.#decrement(lane);
    return removed;
  }

  /** Applies the policy; returns whether `item` should still be queued. */
  #overflow(item: T, info: DataInfo): boolean {
    const { lane, market } = info;
    switch (info.policy) {
      case "latest": {
        let index = -1;
        if (market !== undefined) {
          for (let i = this.#head; i < this.#queue.length; i++) {
            const e = this.#queue[i]!.info;
            if (e?.lane === lane && e.market === market) {
              index = i;
              break;
            }
          }
        }
        if (index === -1) {
          index = this.#queue.findIndex((e, i) => i >= this.#head && e.info?.lane === lane);
        }
        this.#queue.splice(index, 1);
        this.#decrement(lane);
        this.#lag(lane, 1, market === undefined ? [] : [market]);
        return true;
      }
      case "drop-oldest": {
        const index = this.#queue.findIndex((e, i) => i >= this.#head && e.info?.lane === lane);
        const dropped = this.#queue[index]!.info?.market;
        this.#queue.splice(index, 1);
        this.#decrement(lane);
        this.#lag(lane, 1, dropped === undefined ? [] : [dropped]);
        return true;
      }
      case "resync": {
        // Every market with dropped data (plus this item's) is held until its snapshot.
        const markets = new Set<string>();
        if (market !== undefined) markets.add(market);
        const removed = this.#remove(lane, () => true);
        for (const entry of removed) {
          if (entry.info?.market !== undefined) markets.add(entry.info.market);
        }
        const held = this.#held.get(lane) ?? new Set<string>();
        for (const m of markets) held.add(m);
        if (held.size > 0) this.#held.set(lane, held);
        const list = [...markets];
        this.#lag(lane, removed.length + 1, list);
        if (list.length > 0) this.#options.onResync?.(lane, list);
        void item;
        return false;
      }
      case "error": {
        this.#drop(1);
        const capacity = this.#options.capacity;
        this.end(this.#options.laggedError?.(lane, capacity) ?? new LaggedError(capacity));
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
    this.#deliver({ item: this.#options.lagged(lane, dropped, markets), info: undefined });
  }
}

/** A listener registry: `on(type, fn)` returns the function that removes it. */
export class Listeners<E extends { readonly type: string }> {
  readonly #byType = new Map<string, Set<(event: never) => void>>();
  /** Listeners registered in all: `emit` returns at once when there are none (the usual case). */
  #total = 0;

  /** Adds `listener` for events of `type` (`"*"` for all); returns its remover. */
  on<K extends E["type"] | "*">(
    type: K,
    listener: (event: K extends "*" ? E : Extract<E, { type: K }>) => void,
  ): () => void {
    let set = this.#byType.get(type);
    if (set === undefined) this.#byType.set(type, set = new Set());
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
    return (this.#byType.get(type)?.size ?? 0) > 0 || (this.#byType.get("*")?.size ?? 0) > 0;
  }

  /**
   * Calls the listeners of `event.type` and `"*"`. A throwing listener does not disturb the
   * client or other listeners; its error is rethrown asynchronously, where the runtime reports it.
   */
  emit(event: E): void {
    if (this.#total === 0) return;
    const typed = this.#byType.get(event.type);
    if (typed !== undefined && typed.size > 0) callAll(typed, event);
    const any = this.#byType.get("*");
    if (any !== undefined && any.size > 0) callAll(any, event);
  }

  /** Removes every listener. */
  clear(): void {
    this.#byType.clear();
    this.#total = 0;
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
