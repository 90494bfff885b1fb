import { test } from "node:test";
import assert from "node:assert/strict";
import { EventStream, type OverflowPolicy } from "./event_stream.ts";
import { LaggedError } from "./errors.ts";
// The client's plumbing, as its `./internal` entry exports it (so the Node mirror finds it).
import { type DataInfo, Listeners } from "./internal.ts";

type Item =
  | { type: "data"; lane: number; market: string; n: number; snapshot?: boolean }
  | { type: "lagged"; lane: number; dropped: number; markets: readonly string[] }
  | { type: "connected" };

function stream(policy: OverflowPolicy, capacity = 3) {
  const resyncs: [number, readonly string[]][] = [];
  let detached = 0;
  const s = new EventStream<Item>({
    capacity,
    classify: (item): DataInfo | undefined =>
      item.type === "data" ? { lane: item.lane, policy } : undefined,
    market: (item) => item.type === "data" ? item.market : undefined,
    snapshot: (item) => item.type === "data" && item.snapshot === true,
    lagged: (lane, dropped, markets) => ({ type: "lagged", lane, dropped, markets }),
    onResync: (lane, markets) => resyncs.push([lane, markets]),
    onDetach: () => detached++,
  });
  return { s, resyncs, detached: () => detached };
}

const data = (lane: number, market: string, n: number, snapshot = false): Item => ({
  type: "data",
  lane,
  market,
  n,
  snapshot,
});

async function drain(s: EventStream<Item>): Promise<Item[]> {
  const out: Item[] = [];
  while (s.size > 0) out.push((await s.next()).value as Item);
  return out;
}

test("EventStream.next() resolves a waiting reader when an item is pushed", async () => {
  const { s } = stream("latest");
  const pending = s.next();
  s.push({ type: "connected" });
  assert.deepEqual(await pending, { value: { type: "connected" }, done: false });
});

test("EventStream.push() keeps the newest per market when the policy is latest", async () => {
  const { s } = stream("latest", 2);
  s.push(data(1, "A", 1));
  s.push(data(1, "B", 2));
  s.push(data(1, "A", 3));
  s.push({ type: "connected" });
  assert.deepEqual(await drain(s), [
    data(1, "B", 2),
    { type: "lagged", lane: 1, dropped: 1, markets: ["A"] },
    data(1, "A", 3),
    { type: "connected" },
  ]);
  assert.equal(s.dropped, 1);
});

test("EventStream.push() bounds each lane separately when several share a stream", async () => {
  const { s } = stream("drop-oldest", 1);
  s.push(data(1, "A", 1));
  s.push(data(2, "A", 2));
  s.push(data(1, "A", 3));
  const items = await drain(s);
  assert.deepEqual(items.map((i) => i.type === "data" ? i.n : i.type), [2, "lagged", 3]);
});

test("EventStream.push() drops queued book data and holds the markets until a snapshot when the policy is resync", async () => {
  const { s, resyncs } = stream("resync", 2);
  s.push(data(1, "A", 1));
  s.push(data(2, "Z", 9));
  s.push(data(1, "B", 2));
  s.push(data(1, "A", 3)); // overflow: drops 1, 2 and 3
  s.push(data(1, "A", 4)); // held: a delta for a market awaiting its snapshot
  s.push(data(1, "C", 5)); // not affected
  s.push(data(1, "A", 6, true)); // the snapshot releases A
  assert.deepEqual(resyncs, [[1, ["A", "B"]]]);
  assert.deepEqual(await drain(s), [
    data(2, "Z", 9),
    { type: "lagged", lane: 1, dropped: 3, markets: ["A", "B"] },
    data(1, "C", 5),
    data(1, "A", 6, true),
  ]);
  assert.equal(s.dropped, 4);
});

test("EventStream.next() throws LaggedError after the queue drains when the policy is error", async () => {
  const { s, detached } = stream("error", 1);
  s.push(data(1, "A", 1));
  s.push(data(1, "A", 2));
  assert.deepEqual((await s.next()).value, data(1, "A", 1));
  await assert.rejects(s.next(), LaggedError);
  assert.deepEqual(await s.next(), { value: undefined, done: true });
  assert.equal(detached(), 1);
});

test("EventStream.return() detaches when the consumer breaks out of its loop", async () => {
  const { s, detached } = stream("latest");
  s.push({ type: "connected" });
  s.push({ type: "connected" });
  for await (const _ of s) break;
  assert.equal(detached(), 1);
  assert.equal(s.ended, true);
  s.push({ type: "connected" });
  assert.equal(s.size, 0);
});

test("EventStream.end() finishes a waiting reader when the client closes", async () => {
  const { s } = stream("latest");
  const pending = s.next();
  s.end();
  assert.deepEqual(await pending, { value: undefined, done: true });
});

test("Listeners.on() returns a remover that stops further calls", () => {
  const listeners = new Listeners<Item>();
  const seen: string[] = [];
  const off = listeners.on("connected", () => seen.push("connected"));
  listeners.on("*", (e) => seen.push(`* ${e.type}`));
  assert.equal(listeners.has("lagged"), true);
  listeners.emit({ type: "connected" });
  off();
  listeners.emit({ type: "connected" });
  assert.deepEqual(seen, ["connected", "* connected", "* connected"]);
});

test("Listeners.emit() still calls the other listeners when one throws", async () => {
  const listeners = new Listeners<Item>();
  const seen: string[] = [];
  const reported: unknown[] = [];
  const onError = (event: ErrorEvent) => {
    event.preventDefault();
    reported.push(event.error);
  };
  globalThis.addEventListener("error", onError);
  try {
    listeners.on("connected", () => {
      throw new Error("listener bug");
    });
    listeners.on("connected", () => seen.push("second"));
    listeners.emit({ type: "connected" });
    assert.deepEqual(seen, ["second"]);
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    assert.equal((reported[0] as Error).message, "listener bug");
  } finally {
    globalThis.removeEventListener("error", onError);
  }
});

test("EventStream.push() counts a lane by its number whatever object classify returns, and bounds it after many lanes come and go", async () => {
  const lanes = new Map<number, DataInfo>();
  let fresh = false; // classify answers a new object per item
  const s = new EventStream<Item>({
    capacity: 2,
    classify: (item): DataInfo | undefined => {
      if (item.type !== "data") return undefined;
      if (fresh) return { lane: item.lane, policy: "drop-oldest" };
      let info = lanes.get(item.lane);
      if (info === undefined) {
        lanes.set(item.lane, info = { lane: item.lane, policy: "drop-oldest" });
      }
      return info;
    },
    market: (item) => item.type === "data" ? item.market : undefined,
    snapshot: () => false,
    lagged: (lane, dropped, markets) => ({ type: "lagged", lane, dropped, markets }),
  });
  // 200 lanes, each read at once: idle lanes are forgotten, and a reused one starts at zero.
  for (let lane = 1; lane <= 200; lane++) {
    s.push(data(lane, "A", lane));
    assert.equal((await s.next()).value.n, lane);
  }
  s.push(data(7, "A", 1));
  fresh = true;
  s.push(data(7, "B", 2));
  s.push(data(7, "C", 3)); // the third of lane 7 (two objects for it): drops the oldest
  fresh = false;
  s.push(data(8, "D", 4));
  const items = await drain(s);
  assert.deepEqual(items.map((i) => i.type === "data" ? i.market : i.type), [
    "B",
    "lagged",
    "C",
    "D",
  ]);
  assert.equal(s.dropped, 1);
});

test("EventStream.next() reads items queued while the reader was away in order, and a waiting reader gets the next one at once", async () => {
  const { s } = stream("drop-oldest", 100);
  for (let n = 1; n <= 3; n++) s.push(data(1, "A", n));
  const seen: number[] = [];
  for (let n = 0; n < 3; n++) seen.push(((await s.next()).value as { n: number }).n);
  const waiting = s.next();
  s.push(data(1, "A", 4));
  s.push(data(1, "A", 5));
  seen.push(((await waiting).value as { n: number }).n);
  assert.equal(s.size, 1);
  seen.push(((await s.next()).value as { n: number }).n);
  assert.deepEqual(seen, [1, 2, 3, 4, 5]);
});

test("Listeners.emit() reaches a listener added for a type that had none when last emitted, and none after clear()", () => {
  const listeners = new Listeners<Item>();
  const seen: string[] = [];
  listeners.on("lagged", () => seen.push("lagged"));
  listeners.emit({ type: "connected" }); // nobody listens for connected yet
  listeners.on("connected", () => seen.push("connected"));
  listeners.emit({ type: "connected" });
  listeners.on("*", (e) => seen.push(`* ${e.type}`));
  listeners.emit({ type: "connected" });
  listeners.clear();
  listeners.emit({ type: "connected" });
  listeners.on("connected", () => seen.push("again"));
  listeners.emit({ type: "connected" });
  assert.deepEqual(seen, ["connected", "connected", "* connected", "again"]);
});
