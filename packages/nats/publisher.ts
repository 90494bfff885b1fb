/**
 * A bounded, ordered publish queue in front of JetStream. Messages are sent in order with a
 * window of unacknowledged publishes; when a publish fails (JetStream slow or down) the queue
 * stalls, keeps accepting messages up to its bound, probes with the oldest message after a
 * backoff, and on success re-sends every unacknowledged message in order. Re-sent messages
 * carry the same `Nats-Msg-Id` and body, so the ones JetStream did store are not stored twice.
 * Sizes count Kalshi messages (`frames`: a batch weighs as many as it carries), so the bound
 * means the same with or without batching.
 *
 * Transport-neutral: it calls a `send` function, so tests drive it without a server.
 *
 * @module
 */

/** One message to publish. */
export interface OutboundMessage {
  /** Subject. */
  readonly subject: string;
  /** Body (JSON text). */
  readonly data: string;
  /** `Nats-Msg-Id`: JetStream stores a message with an id it saw recently only once. */
  readonly msgId: string;
  /** Other headers. */
  readonly headers: Readonly<Record<string, string>>;
  /** The market it concerns, if any (for `admit`). */
  readonly market?: string;
  /** Kalshi messages it carries (a batch: several; default 1): what the sizes count. */
  readonly frames?: number;
}

/** Sends one message; resolves when JetStream acknowledged it, rejects when it did not. */
export type SendFn = (message: OutboundMessage) => Promise<void>;

/** Something the publisher reports. */
export type PublisherEvent =
  | {
    /** A publish failed: the queue holds messages until JetStream answers again. */
    readonly type: "stalled";
    /** The failure. */
    readonly error: Error;
    /** Messages waiting. */
    readonly queued: number;
  }
  | {
    /** JetStream acknowledged again after a stall. */
    readonly type: "resumed";
    /** How long the stall lasted (ms). */
    readonly stalledMs: number;
    /** Messages waiting. */
    readonly queued: number;
  };

/** Options of a {@linkcode Publisher}. */
export interface PublisherOptions {
  /** Sends one message (JetStream publish with the headers and msg id). */
  readonly send: SendFn;
  /**
   * Most unacknowledged Kalshi messages held (counted by `frames`); `offer` refuses beyond it,
   * except into an empty queue (default 10 000).
   */
  readonly capacity?: number;
  /** Most publishes awaiting their ack at once (default 256). */
  readonly maxInFlight?: number;
  /** First retry delay after a failure (ms, default 100); doubles up to `maxRetryDelayMs`. */
  readonly retryDelayMs?: number;
  /** Longest retry delay (ms, default 5 000). */
  readonly maxRetryDelayMs?: number;
  /** Asked just before each send: false discards the message unsent (e.g. its lease expired). */
  readonly admit?: (message: OutboundMessage) => boolean;
  /** Hears stalls and resumptions. */
  readonly onEvent?: (event: PublisherEvent) => void;
  /** Clock (ms), for the stall duration and lag. */
  readonly now?: () => number;
  /** Retry timer (tests pass a manual one; default `setTimeout`). */
  readonly setTimer?: (fn: () => void, ms: number) => () => void;
}

interface Entry {
  readonly message: OutboundMessage;
  /** `message.frames` (at least 1). */
  readonly weight: number;
  readonly offeredAt: number;
  acked: boolean;
  /** Send round it was last sent in (0: never sent). */
  round: number;
}

/** The ordered, bounded publish queue (see the module doc). */
export class Publisher {
  readonly #send: SendFn;
  readonly #capacity: number;
  readonly #maxInFlight: number;
  readonly #retryDelayMs: number;
  readonly #maxRetryDelayMs: number;
  readonly #admit: ((message: OutboundMessage) => boolean) | undefined;
  readonly #onEvent: ((event: PublisherEvent) => void) | undefined;
  readonly #now: () => number;
  readonly #setTimer: (fn: () => void, ms: number) => () => void;
  /** Unacknowledged entries in order; `#head` is the first live index. */
  #queue: Entry[] = [];
  #head = 0;
  /** Sum of the weights of the entries from `#head` on. */
  #weight = 0;
  /** Index of the next entry to send. */
  #next = 0;
  #inFlight = 0;
  #round = 1;
  #stalledAt: number | undefined;
  #probing = false;
  #retryDelay: number;
  #cancelRetry: (() => void) | undefined;
  #closed = false;
  #published = 0;
  #acknowledged = 0;
  #discarded = 0;
  #idleWaiters: (() => void)[] = [];

  /** Creates an idle publisher; nothing is sent until `offer`. */
  constructor(options: PublisherOptions) {
    this.#send = options.send;
    this.#capacity = options.capacity ?? 10_000;
    this.#maxInFlight = options.maxInFlight ?? 256;
    this.#retryDelayMs = options.retryDelayMs ?? 100;
    this.#maxRetryDelayMs = options.maxRetryDelayMs ?? 5_000;
    this.#admit = options.admit;
    this.#onEvent = options.onEvent;
    this.#now = options.now ?? Date.now;
    this.#setTimer = options.setTimer ?? ((fn, ms) => {
      const timer = setTimeout(fn, ms);
      return () => clearTimeout(timer);
    });
    this.#retryDelay = this.#retryDelayMs;
    if (!(this.#capacity >= 1) || !(this.#maxInFlight >= 1)) {
      throw new RangeError(
        `Cannot create publisher with capacity ${this.#capacity} and window ${this.#maxInFlight}: give positive sizes`,
      );
    }
  }

  /** Kalshi messages offered but not yet acknowledged (queued or in flight). */
  get queued(): number {
    return this.#weight;
  }

  /** Room left before `offer` refuses. */
  get room(): number {
    return this.#capacity - this.queued;
  }

  /** The bound given as `capacity`. */
  get capacity(): number {
    return this.#capacity;
  }

  /** Whether JetStream stopped acknowledging (between a failure and the next ack). */
  get stalled(): boolean {
    return this.#stalledAt !== undefined;
  }

  /** Age (ms) of the oldest unacknowledged message: how far the stream lags behind. */
  get lagMs(): number {
    const first = this.#queue[this.#head];
    return first === undefined ? 0 : Math.max(0, this.#now() - first.offeredAt);
  }

  /** Kalshi messages acknowledged so far (a batch counts its `frames`). */
  get published(): number {
    return this.#published;
  }

  /** JetStream messages acknowledged so far (a batch counts once). */
  get acknowledged(): number {
    return this.#acknowledged;
  }

  /** Kalshi messages dropped unsent because `admit` refused them. */
  get discarded(): number {
    return this.#discarded;
  }

  /** Queues `message`; false (nothing queued) when it does not fit in `capacity`. */
  offer(message: OutboundMessage): boolean {
    if (this.#closed) return false;
    const weight = Math.max(1, message.frames ?? 1);
    if (this.#weight > 0 && this.#weight + weight > this.#capacity) return false;
    this.#weight += weight;
    this.#queue.push({ message, weight, offeredAt: this.#now(), acked: false, round: 0 });
    this.#pump();
    return true;
  }

  /** Resolves once every message offered so far is acknowledged (or the publisher closed). */
  flush(): Promise<void> {
    if (this.queued === 0 || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * While stalled and waiting out the backoff, probes now instead (a final flush before a close
   * should not wait for a retry due after its deadline). Otherwise does nothing.
   */
  retryNow(): void {
    if (this.#closed || this.#stalledAt === undefined || this.#cancelRetry === undefined) return;
    this.#cancelRetry();
    this.#cancelRetry = undefined;
    this.#probe();
  }

  /** Stops sending; queued messages are dropped and pending `flush` calls resolve. */
  close(): void {
    this.#closed = true;
    this.#cancelRetry?.();
    this.#cancelRetry = undefined;
    this.#queue = [];
    this.#head = 0;
    this.#weight = 0;
    this.#next = 0;
    this.#wakeIdle();
  }

  #pump(): void {
    if (this.#closed || this.#stalledAt !== undefined) return;
    while (this.#inFlight < this.#maxInFlight && this.#next < this.#queue.length) {
      const entry = this.#queue[this.#next++]!;
      if (entry.acked || entry.round === this.#round) continue;
      this.#dispatch(entry);
    }
  }

  #dispatch(entry: Entry): void {
    if (this.#admit !== undefined && !this.#admit(entry.message)) {
      entry.acked = true; // never to be sent: treat as settled
      this.#discarded += entry.weight;
      this.#trim();
      return;
    }
    const round = this.#round;
    entry.round = round;
    this.#inFlight++;
    let sent: Promise<void>;
    try {
      sent = this.#send(entry.message);
    } catch (error) {
      sent = Promise.reject(error);
    }
    sent.then(
      () => this.#acked(entry, round),
      (error: unknown) => this.#failed(entry, round, error),
    );
  }

  #acked(entry: Entry, round: number): void {
    if (round === this.#round) this.#inFlight--;
    if (this.#closed) return;
    if (!entry.acked) {
      entry.acked = true;
      this.#published += entry.weight;
      this.#acknowledged++;
    }
    if (this.#stalledAt !== undefined && round === this.#round) {
      // The probe went through: resume, re-sending every unacknowledged message in order.
      const stalledMs = this.#now() - this.#stalledAt;
      this.#stalledAt = undefined;
      this.#probing = false;
      this.#retryDelay = this.#retryDelayMs;
      this.#trim();
      this.#onEvent?.({ type: "resumed", stalledMs, queued: this.queued });
    } else this.#trim();
    this.#pump();
  }

  #failed(entry: Entry, round: number, error: unknown): void {
    if (round === this.#round) this.#inFlight--;
    if (this.#closed || entry.acked || round !== this.#round) return;
    const err = error instanceof Error ? error : new Error(String(error));
    if (this.#stalledAt === undefined) {
      this.#stalledAt = this.#now();
      this.#onEvent?.({ type: "stalled", error: err, queued: this.queued });
    }
    this.#probing = false;
    // Every publish of this round is now in doubt: forget them and start a new round later.
    this.#round++;
    this.#inFlight = 0;
    this.#scheduleProbe();
  }

  #scheduleProbe(): void {
    if (this.#cancelRetry !== undefined || this.#closed) return;
    const delay = this.#retryDelay;
    this.#retryDelay = Math.min(this.#maxRetryDelayMs, this.#retryDelay * 2);
    this.#cancelRetry = this.#setTimer(() => {
      this.#cancelRetry = undefined;
      this.#probe();
    }, delay);
  }

  /** Sends the oldest unacknowledged message alone; its ack resumes the queue. */
  #probe(): void {
    if (this.#closed || this.#probing) return;
    this.#trim();
    this.#next = this.#head;
    const first = this.#queue[this.#head];
    if (first === undefined) {
      // Nothing left to prove: resume on the next offer.
      const stalledMs = this.#stalledAt === undefined ? 0 : this.#now() - this.#stalledAt;
      this.#stalledAt = undefined;
      this.#retryDelay = this.#retryDelayMs;
      this.#onEvent?.({ type: "resumed", stalledMs, queued: 0 });
      return;
    }
    this.#probing = true;
    this.#next = this.#head + 1;
    this.#dispatch(first);
    if (first.acked && this.#probing) {
      // `admit` discarded it: probe with the next one.
      this.#probing = false;
      this.#probe();
    } else if (this.#stalledAt === undefined) this.#pump();
  }

  /** Drops acknowledged entries from the front; wakes `flush` callers when empty. */
  #trim(): void {
    const queue = this.#queue;
    while (this.#head < queue.length && queue[this.#head]!.acked) {
      this.#weight -= queue[this.#head]!.weight;
      this.#head++;
    }
    if (this.#next < this.#head) this.#next = this.#head;
    if (this.#head > 1024 && this.#head * 2 > queue.length) {
      this.#queue = queue.slice(this.#head);
      this.#next -= this.#head;
      this.#head = 0;
    }
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
      this.#weight = 0;
      this.#next = 0;
      this.#wakeIdle();
    }
  }

  #wakeIdle(): void {
    const waiters = this.#idleWaiters;
    if (waiters.length === 0) return;
    this.#idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
