/**
 * Who covers which market: rendezvous (highest-random-weight) hashing over the live collectors,
 * and the per-tick lease plan a collector carries out against the KV bucket. Pure: the lease
 * manager feeds it what it read and performs what it returns.
 *
 * Rendezvous hashing gives every market one preferred collector among those alive; when a
 * collector joins or leaves, only the markets it gains or loses move (about 1/n of them).
 *
 * @module
 */

/** A deterministic 32-bit weight of `collectorId` for `market` (FNV-1a, then a murmur3 mix). */
export function shareWeight(collectorId: string, market: string): number {
  let h = 0x811c9dc5;
  const key = collectorId + "\n" + market;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The collector among `collectors` that should cover `market` (ties: the smaller id). */
export function preferredCollector(
  market: string,
  collectors: readonly string[],
): string | undefined {
  let best: string | undefined;
  let bestWeight = -1;
  for (const id of collectors) {
    const w = shareWeight(id, market);
    if (w > bestWeight || (w === bestWeight && best !== undefined && id < best)) {
      best = id;
      bestWeight = w;
    }
  }
  return best;
}

/** What a collector knows at the start of a lease tick. */
export interface LeaseView {
  /** This collector's id. */
  readonly self: string;
  /** Every market the collectors share between them. */
  readonly markets: readonly string[];
  /** Collectors registered in the bucket (this one is added if missing). */
  readonly live: readonly string[];
  /** Markets with a lease in the bucket (anyone's, including this collector's). */
  readonly claimed: ReadonlySet<string>;
  /** Markets this collector holds (renewed successfully this tick). */
  readonly held: ReadonlySet<string>;
  /**
   * Per market, for how many consecutive ticks it was seen unclaimed (before this tick): a
   * market its preferred collector does not claim is taken by anyone after `graceTicks`.
   */
  readonly unclaimedTicks: ReadonlyMap<string, number>;
  /** Ticks an unclaimed market waits for its preferred collector (default 2). */
  readonly graceTicks?: number;
}

/** What to do this tick. */
export interface LeasePlan {
  /** Unclaimed markets to claim (atomic create: another collector may win). */
  readonly claim: string[];
  /** Held markets to hand over to their preferred collector (flush, then delete the lease). */
  readonly release: string[];
  /** The next tick's `unclaimedTicks`. */
  readonly unclaimedTicks: Map<string, number>;
}

/**
 * Plans one tick: claim unclaimed markets this collector is preferred for (or that waited past
 * the grace period), and release held markets whose preferred collector is another live one.
 */
export function planLeases(view: LeaseView): LeasePlan {
  const live = view.live.includes(view.self) ? view.live : [...view.live, view.self];
  const grace = view.graceTicks ?? 2;
  const claim: string[] = [];
  const release: string[] = [];
  const unclaimedTicks = new Map<string, number>();
  for (const market of view.markets) {
    const preferred = preferredCollector(market, live);
    if (view.held.has(market)) {
      if (preferred !== view.self) release.push(market);
      continue;
    }
    if (view.claimed.has(market)) continue;
    const waited = view.unclaimedTicks.get(market) ?? 0;
    if (preferred === view.self || waited >= grace) claim.push(market);
    else unclaimedTicks.set(market, waited + 1);
  }
  return { claim, release, unclaimedTicks };
}

/** Lease timings derived from the lease TTL. */
export interface LeaseTimings {
  /** Lease time to live (ms): a lease not renewed within it expires in the bucket. */
  readonly ttlMs: number;
  /** Interval (ms) between ticks (renew, look for unclaimed markets): a fifth of the TTL. */
  readonly tickMs: number;
}

/** Derives {@linkcode LeaseTimings} from `ttlMs` (at least 1 000 ms, the bucket's granularity). */
export function leaseTimings(ttlMs: number): LeaseTimings {
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1000) {
    throw new RangeError(`Cannot use lease TTL ${ttlMs} ms: give an integer of at least 1000`);
  }
  return { ttlMs, tickMs: Math.max(100, Math.floor(ttlMs / 5)) };
}

/**
 * Until when (ms) a lease renewed by a request sent at `sentAt` is certainly still ours: the
 * server started its TTL no earlier than `sentAt`, so `sentAt + ttlMs` is a safe deadline.
 */
export function leaseDeadline(sentAt: number, ttlMs: number): number {
  return sentAt + ttlMs;
}
