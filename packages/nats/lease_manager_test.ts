import { test } from "node:test";
import assert from "node:assert/strict";
import type { KV } from "@nats-io/kv";
import { LeaseManager, type LeaseManagerOptions } from "./lease_manager.ts";
import { preferredCollector } from "./shares.ts";
import { leaseKey } from "./subjects.ts";

/** The KV operations the lease manager uses, with JetStream's revision rules and max age. */
class FakeKv {
  readonly entries = new Map<string, { value: string; revision: number; at: number }>();
  revision = 0;
  now = 0;
  readonly ttlMs: number;
  constructor(ttlMs: number) {
    this.ttlMs = ttlMs;
  }
  #live(key: string) {
    const e = this.entries.get(key);
    if (e !== undefined && this.now - e.at >= this.ttlMs) this.entries.delete(key);
    return this.entries.get(key);
  }
  put(key: string, value: string): Promise<number> {
    this.entries.set(key, { value, revision: ++this.revision, at: this.now });
    return Promise.resolve(this.revision);
  }
  create(key: string, value: string): Promise<number> {
    if (this.#live(key) !== undefined) {
      return Promise.reject(new Error(`wrong last sequence: ${this.#live(key)!.revision}`));
    }
    return this.put(key, value);
  }
  update(key: string, value: string, revision: number): Promise<number> {
    const e = this.#live(key);
    if (e?.revision !== revision) {
      return Promise.reject(new Error(`wrong last sequence: ${e?.revision ?? 0}`));
    }
    return this.put(key, value);
  }
  delete(key: string, opts?: { previousSeq?: number }): Promise<void> {
    const e = this.#live(key);
    if (opts?.previousSeq !== undefined && e?.revision !== opts.previousSeq) {
      return Promise.reject(new Error("wrong last sequence"));
    }
    this.entries.delete(key);
    return Promise.resolve();
  }
  keys(filter: string): Promise<AsyncIterable<string>> {
    const prefix = filter.slice(0, -1);
    const keys = [...this.entries.keys()].filter((k) => k.startsWith(prefix) && this.#live(k));
    return Promise.resolve((async function* () {
      yield* keys;
    })());
  }
}

const MARKETS = ["KXA-1", "KXB-2.5", "KXC-3", "KXD-4", "KXE-5.75", "KXF-6"];

function manager(
  kv: FakeKv,
  self: string,
  log: string[],
  extra: Partial<LeaseManagerOptions> = {},
) {
  return new LeaseManager(kv as unknown as KV, {
    self,
    epoch: `${self}-run`,
    markets: MARKETS,
    ttlMs: 1_000,
    tickMs: 200,
    onAcquire: (m) => (log.push(`${self} +${m}`), Promise.resolve()),
    onRelease: (m) => (log.push(`${self} -${m}`), Promise.resolve()),
    onLost: (m) => (log.push(`${self} lost ${m}`), Promise.resolve()),
    onError: (e) => log.push(`${self} error ${e.message}`),
    now: () => kv.now,
    ...extra,
  });
}

test("LeaseManager registers on its first tick and claims its preferred share on the next", async () => {
  const kv = new FakeKv(1_000);
  const log: string[] = [];
  const a = manager(kv, "a", log);
  const b = manager(kv, "b", log);
  await a.tick();
  await b.tick();
  assert.deepEqual(log, []);
  await a.tick();
  await b.tick();
  const live = ["a", "b"];
  assert.deepEqual(
    a.held.sort(),
    MARKETS.filter((m) => preferredCollector(m, live) === "a").sort(),
  );
  assert.deepEqual(
    b.held.sort(),
    MARKETS.filter((m) => preferredCollector(m, live) === "b").sort(),
  );
  for (const m of a.held) assert.equal(a.holds(m), true);
});

test("LeaseManager takes over a silent collector's markets once its leases expire", async () => {
  const kv = new FakeKv(1_000);
  const log: string[] = [];
  const a = manager(kv, "a", log);
  const b = manager(kv, "b", log);
  for (let i = 0; i < 2; i++) {
    await a.tick();
    await b.tick();
  }
  const bMarkets = b.held;
  assert.ok(bMarkets.length > 0);
  // b dies: no more ticks. Before the TTL a cannot claim; after it, a takes everything.
  kv.now = 900;
  await a.tick();
  assert.equal(a.held.length, MARKETS.length - bMarkets.length);
  kv.now = 1_000;
  await a.tick();
  assert.deepEqual(a.held.sort(), [...MARKETS].sort());
  // b's own view: its deadline passed, so it no longer claims to hold anything.
  for (const m of bMarkets) assert.equal(b.holds(m), false);
  // b comes back: its renewals fail (the keys are a's now) and it drops the markets.
  await b.tick();
  for (const m of bMarkets) assert.ok(log.includes(`b lost ${m}`), `b kept ${m}`);
});

test("LeaseManager hands its markets over on stop(true) and leaves them to expire on stop(false)", async () => {
  const kv = new FakeKv(1_000);
  const log: string[] = [];
  const a = manager(kv, "a", log);
  await a.tick();
  await a.tick();
  assert.equal(a.held.length, MARKETS.length);
  await a.stop(true);
  assert.equal(log.filter((l) => l.startsWith("a -")).length, MARKETS.length);
  assert.deepEqual([...kv.entries.keys()], []);

  const c = manager(kv, "c", log);
  await c.tick();
  await c.tick();
  await c.stop(false);
  assert.equal(kv.entries.has(leaseKey(MARKETS[0]!)), true);
});

test("LeaseManager releases markets to a collector that joins and is preferred for them", async () => {
  const kv = new FakeKv(1_000);
  const log: string[] = [];
  const a = manager(kv, "a", log);
  await a.tick();
  await a.tick();
  const b = manager(kv, "b", log);
  await b.tick(); // registers
  await a.tick(); // sees b: hands b's share over
  const toB = MARKETS.filter((m) => preferredCollector(m, ["a", "b"]) === "b");
  for (const m of toB) assert.ok(log.includes(`a -${m}`));
  await b.tick();
  assert.deepEqual(b.held.sort(), toB.sort());
});

test("LeaseManager.halt() stops at once and handOver() deletes every lease together; a delete that never answers leaves its market held, to expire", async () => {
  const kv = new FakeKv(1_000);
  const log: string[] = [];
  const a = manager(kv, "a", log);
  await a.tick();
  await a.tick();
  assert.equal(a.held.length, MARKETS.length);
  a.halt();
  await a.idle();
  // One lease's delete never answers (NATS away for it); the others are deleted together.
  const stuck = MARKETS[2]!;
  const deletes: string[] = [];
  const realDelete = kv.delete.bind(kv);
  kv.delete = (key, opts) => {
    deletes.push(key);
    return key === leaseKey(stuck) ? new Promise<void>(() => {}) : realDelete(key, opts);
  };
  const outcomes: string[] = [];
  void a.handOver((m, outcome) => outcomes.push(`${outcome} ${m}`));
  // Every delete was sent before any answered: together, not one after another.
  assert.equal(deletes.length, MARKETS.length + 1);
  await waitUntil(() => outcomes.length === MARKETS.length - 1);
  assert.deepEqual(
    outcomes.sort(),
    MARKETS.filter((m) => m !== stuck).map((m) => `released ${m}`).sort(),
  );
  assert.deepEqual(a.held, [stuck]);
  assert.deepEqual([...kv.entries.keys()], [leaseKey(stuck)]);
  // Left alone (halted: never renewed), it expires and another collector claims it.
  const b = manager(kv, "b", log);
  kv.now = 1_000;
  await b.tick();
  await b.tick();
  await b.tick();
  assert.deepEqual(b.held.sort(), [...MARKETS].sort());
});

test("LeaseManager.handOver() reports a lease found taken by another as lost", async () => {
  const kv = new FakeKv(1_000);
  const log: string[] = [];
  const a = manager(kv, "a", log);
  await a.tick();
  await a.tick();
  a.halt();
  const taken = MARKETS[0]!;
  kv.now = 1_000; // every lease expired; b takes one
  await kv.create(leaseKey(taken), "b");
  const outcomes: string[] = [];
  await a.handOver((m, outcome) => outcomes.push(`${outcome} ${m}`));
  assert.ok(outcomes.includes(`lost ${taken}`), outcomes.join(", "));
  assert.deepEqual(a.held, []);
  assert.equal(kv.entries.has(leaseKey(taken)), true, "b's lease is left alone");
});

test("LeaseManager gives back a claim that completes after halt()", async () => {
  const kv = new FakeKv(1_000);
  const log: string[] = [];
  const a = manager(kv, "a", log);
  await a.tick();
  const realCreate = kv.create.bind(kv);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => release = resolve);
  kv.create = async (key, value) => {
    const revision = await realCreate(key, value);
    await gate; // the claim is stored, its answer still on its way
    return revision;
  };
  const tick = a.tick();
  await waitUntil(() => [...kv.entries.keys()].some((k) => k.startsWith("lease.")));
  a.halt();
  release();
  await tick;
  assert.deepEqual(a.held, []);
  assert.deepEqual([...kv.entries.keys()].filter((k) => k.startsWith("lease.")), []);
  assert.equal(log.some((l) => l.startsWith("a +")), false, "nothing acquired after the halt");
});

/** Polls `condition` on the microtask/macrotask queue until true (at most 1 000 turns). */
async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1_000 && !condition(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  assert.ok(condition(), "condition never became true");
}
