/**
 * Market leases in a JetStream key-value bucket. Each collector registers itself
 * (`collector.<id>`) and holds `lease.<market>` keys; the bucket's max age is the lease TTL, so
 * a key that is not re-put within it disappears — that is how a dead collector's markets free
 * up. Claims are atomic (`create` fails when the key exists); renewals are compare-and-set on
 * the revision (`update` fails when someone else took the key after it expired), so two
 * collectors never both believe they hold a market past the local deadline.
 *
 * @module
 */

import type { KV } from "@nats-io/kv";
import { leaseDeadline, planLeases } from "./shares.ts";
import { collectorKey, decodeToken, leaseKey } from "./subjects.ts";

/** Callbacks and settings of a {@linkcode LeaseManager}. */
export interface LeaseManagerOptions {
  /** This collector's id. */
  readonly self: string;
  /** This run of the collector (stored in its lease values, for operators). */
  readonly epoch: string;
  /** The market set shared by all collectors. */
  readonly markets: readonly string[];
  /** Lease TTL (ms): the bucket's max age. */
  readonly ttlMs: number;
  /** Interval (ms) between ticks. */
  readonly tickMs: number;
  /** A market was claimed: start covering it (subscribe). */
  readonly onAcquire: (market: string) => Promise<void>;
  /** A market is being handed over: stop covering it and flush; the lease is deleted after. */
  readonly onRelease: (market: string) => Promise<void>;
  /** A market's lease was found taken or expired: stop covering it now. */
  readonly onLost: (market: string) => Promise<void>;
  /** A tick failed (NATS unreachable, …); the next tick retries. */
  readonly onError: (error: Error) => void;
  /** Clock (ms). */
  readonly now?: () => number;
}

interface Held {
  revision: number;
  deadline: number;
}

/** Claims, renews and releases market leases on a timer (see the module doc). */
export class LeaseManager {
  readonly #kv: KV;
  readonly #options: LeaseManagerOptions;
  readonly #now: () => number;
  readonly #held = new Map<string, Held>();
  #unclaimedTicks = new Map<string, number>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  #ticks = 0;

  /** Binds to an opened bucket; call `start()` to begin ticking. */
  constructor(kv: KV, options: LeaseManagerOptions) {
    this.#kv = kv;
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Markets held now (claimed and not yet released or lost). */
  get held(): string[] {
    return [...this.#held.keys()];
  }

  /** Whether this collector certainly still holds `market` (held and within its deadline). */
  holds(market: string): boolean {
    const lease = this.#held.get(market);
    return lease !== undefined && this.#now() < lease.deadline;
  }

  /** Runs the first tick now and then one every `tickMs` (each after the previous finished). */
  start(): Promise<void> {
    return this.#loop();
  }

  /** One tick: register, renew, then claim and release per {@linkcode planLeases}. */
  async tick(): Promise<void> {
    const { self, epoch, ttlMs } = this.#options;
    const kv = this.#kv;
    const value = JSON.stringify({ collector: self, epoch });
    // Register first: the registration then expires no later than the leases renewed below,
    // so others stop preferring a dead collector by the time its leases free up.
    await kv.put(
      collectorKey(self),
      JSON.stringify({ collector: self, epoch, held: this.#held.size }),
    );
    await Promise.all([...this.#held].map(async ([market, lease]) => {
      const sentAt = this.#now();
      try {
        lease.revision = await kv.update(leaseKey(market), value, lease.revision);
        lease.deadline = leaseDeadline(sentAt, ttlMs);
      } catch (error) {
        if (!isWrongRevision(error)) throw error;
        if (this.#held.get(market) !== lease) return;
        this.#held.delete(market);
        await this.#options.onLost(market);
      }
    }));
    if (this.#stopped) return;
    const live = (await collect(await kv.keys("collector.>"))).map((k) => decodeToken(k.slice(10)));
    const claimed = new Set(
      (await collect(await kv.keys("lease.>"))).map((k) => decodeToken(k.slice(6))),
    );
    const plan = planLeases({
      self,
      markets: this.#options.markets,
      live,
      claimed,
      held: new Set(this.#held.keys()),
      unclaimedTicks: this.#unclaimedTicks,
    });
    this.#unclaimedTicks = plan.unclaimedTicks;
    // The first tick only registers: collectors started together then see each other before
    // anyone claims, instead of the first one claiming everything and handing most of it over.
    if (this.#ticks++ === 0) return;
    for (const market of plan.claim) {
      if (this.#stopped) return;
      const sentAt = this.#now();
      let revision: number;
      try {
        revision = await kv.create(leaseKey(market), value);
      } catch (error) {
        if (isWrongRevision(error)) continue; // another collector won the race
        throw error;
      }
      if (this.#stopped) {
        // Stopped while the claim was on its way: give it back rather than hold it unseen.
        await kv.delete(leaseKey(market), { previousSeq: revision }).catch(() => {});
        return;
      }
      this.#held.set(market, { revision, deadline: leaseDeadline(sentAt, ttlMs) });
      try {
        await this.#options.onAcquire(market);
      } catch (error) {
        this.#options.onError(asError(error));
        await this.#release(market);
      }
    }
    for (const market of plan.release) {
      if (this.#stopped) return;
      await this.#release(market);
    }
  }

  /**
   * Stops ticking. With `release` (a clean shutdown) every held market is handed over at once
   * (`onRelease` for all of them together, then {@linkcode LeaseManager.handOver}) instead of
   * waiting for the TTL. Waits for a tick in progress: bound it yourself (a collector's close
   * uses `halt`, `idle` and `handOver` under one deadline).
   */
  async stop(release: boolean): Promise<void> {
    this.halt();
    await this.idle();
    if (!release) return;
    await Promise.all(this.held.map(async (market) => {
      try {
        await this.#options.onRelease(market);
      } catch (error) {
        this.#options.onError(asError(error));
      }
    }));
    await this.handOver();
  }

  /**
   * Stops ticking at once. A tick in progress ends on its own and claims nothing more (a claim
   * already on its way is given back); the leases held are renewed no more, so each expires
   * within the TTL of its last renewal unless handed over.
   */
  halt(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Resolves once no tick is running (a renewal in flight changes the revisions held). */
  idle(): Promise<void> {
    return this.#running?.catch(() => {}) ?? Promise.resolve();
  }

  /**
   * Deletes every held lease and this collector's registration, all at once (call after
   * `halt`, once what was published for the markets is stored). A market leaves `held` as its
   * lease is deleted (`released`) or found gone or taken by another (`lost`: it expired); one
   * whose delete does not answer (NATS away) stays in `held` and expires within the TTL.
   */
  async handOver(
    onDone?: (market: string, outcome: "released" | "lost") => void,
  ): Promise<void> {
    const registration = this.#kv.delete(collectorKey(this.#options.self)).catch(() => {});
    await Promise.all([...this.#held].map(async ([market, lease]) => {
      let outcome: "released" | "lost" = "released";
      try {
        await this.#kv.delete(leaseKey(market), { previousSeq: lease.revision });
      } catch (error) {
        if (!isWrongRevision(error)) return; // unanswered: the TTL frees it
        outcome = "lost";
      }
      if (this.#held.get(market) !== lease) return;
      this.#held.delete(market);
      onDone?.(market, outcome);
    }));
    await registration;
  }

  async #release(market: string): Promise<void> {
    const lease = this.#held.get(market);
    if (lease === undefined) return;
    await this.#options.onRelease(market);
    this.#held.delete(market);
    await this.#kv.delete(leaseKey(market), { previousSeq: lease.revision }).catch(() => {
      // Renewed by someone else after expiry, or NATS is away: either way the TTL frees it.
    });
  }

  async #loop(): Promise<void> {
    if (this.#stopped) return;
    const run = this.tick().catch((error) => this.#options.onError(asError(error)));
    this.#running = run;
    await run;
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#loop();
    }, this.#options.tickMs);
  }
}

function isWrongRevision(error: unknown): boolean {
  return error instanceof Error && /wrong last sequence|key exists/i.test(error.message);
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

async function collect(iterator: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const item of iterator) out.push(item);
  return out;
}
