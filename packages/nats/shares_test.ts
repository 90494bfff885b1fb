import { test } from "node:test";
import assert from "node:assert/strict";
import { leaseDeadline, leaseTimings, planLeases, preferredCollector } from "./shares.ts";

const MARKETS = Array.from({ length: 300 }, (_, i) => `KXM-${i}.${i % 7}`);

test("preferredCollector() spreads markets evenly and moves only the departed collector's share", () => {
  const three = ["a", "b", "c"];
  const before = new Map(MARKETS.map((m) => [m, preferredCollector(m, three)!]));
  for (const id of three) {
    const count = [...before.values()].filter((c) => c === id).length;
    assert.ok(count > 60 && count < 140, `${id} got ${count} of 300`);
  }
  const after = new Map(MARKETS.map((m) => [m, preferredCollector(m, ["a", "c"])!]));
  for (const m of MARKETS) {
    if (before.get(m) !== "b") assert.equal(after.get(m), before.get(m), `${m} moved needlessly`);
    else assert.notEqual(after.get(m), "b");
  }
  assert.equal(preferredCollector("KXA", []), undefined);
});

test("preferredCollector() does not depend on the order collectors are listed in", () => {
  for (const m of MARKETS.slice(0, 50)) {
    assert.equal(preferredCollector(m, ["a", "b", "c"]), preferredCollector(m, ["c", "a", "b"]));
  }
});

test("planLeases() claims unclaimed markets it is preferred for and releases held ones preferred elsewhere", () => {
  const live = ["a", "b"];
  const mine = MARKETS.filter((m) => preferredCollector(m, live) === "a");
  const theirs = MARKETS.filter((m) => preferredCollector(m, live) === "b");
  const plan = planLeases({
    self: "a",
    markets: MARKETS,
    live,
    claimed: new Set([theirs[0]!]),
    held: new Set([theirs[0]!, mine[0]!]),
    unclaimedTicks: new Map(),
  });
  assert.deepEqual(plan.release, [theirs[0]]);
  assert.deepEqual(plan.claim.sort(), mine.slice(1).sort());
  // Markets waiting for their preferred collector are counted, not claimed.
  assert.equal(plan.unclaimedTicks.size, theirs.length - 1);
  assert.ok([...plan.unclaimedTicks.values()].every((n) => n === 1));
});

test("planLeases() claims a market its preferred collector leaves unclaimed past the grace ticks", () => {
  const market = MARKETS.find((m) => preferredCollector(m, ["a", "b"]) === "b")!;
  const view = {
    self: "a",
    markets: [market],
    live: ["a", "b"],
    claimed: new Set<string>(),
    held: new Set<string>(),
    graceTicks: 2,
  };
  assert.deepEqual(planLeases({ ...view, unclaimedTicks: new Map([[market, 1]]) }).claim, []);
  assert.deepEqual(planLeases({ ...view, unclaimedTicks: new Map([[market, 2]]) }).claim, [market]);
  // Claimed by someone: left alone, and the wait starts over.
  const plan = planLeases({
    ...view,
    claimed: new Set([market]),
    unclaimedTicks: new Map([[market, 5]]),
  });
  assert.deepEqual(plan.claim, []);
  assert.equal(plan.unclaimedTicks.size, 0);
});

test("planLeases() counts itself live even before its registration is visible", () => {
  const plan = planLeases({
    self: "a",
    markets: ["KXA"],
    live: [],
    claimed: new Set(),
    held: new Set(),
    unclaimedTicks: new Map(),
  });
  assert.deepEqual(plan.claim, ["KXA"]);
});

test("leaseTimings() ticks five times per TTL and leaseDeadline() counts from the request", () => {
  assert.deepEqual(leaseTimings(10_000), { ttlMs: 10_000, tickMs: 2_000 });
  assert.throws(() => leaseTimings(500), RangeError);
  assert.throws(() => leaseTimings(1.5e3 + 0.5), RangeError);
  assert.equal(leaseDeadline(1_000, 3_000), 4_000);
});
