import { test } from "node:test";
import assert from "node:assert/strict";
import { DeltaScanner } from "./fast_decode.ts";
import { parseCount, parsePrice } from "./fixed_point.ts";
import { decodeMessage, type ServerMessage } from "./message.ts";
import spec from "./testdata/spec_examples.json" with { type: "json" };
import observedText from "./testdata/observed_frames.jsonl" with { type: "text" };
import { seededRandom as prng } from "./random.ts";

/** One scanner for the whole file, so later tests run with the templates earlier ones taught it. */
const scanner = new DeltaScanner();

function generic(text: string): ServerMessage | Error {
  try {
    return decodeMessage(text);
  } catch (error) {
    return error as Error;
  }
}

/**
 * The property: the fast path either declines (`undefined`) or returns exactly what the generic
 * decoder returns — equal values, same keys in the same order — and never accepts a frame the
 * generic decoder rejects. Runs each frame twice: the second run may take the known-market lane.
 */
function check(text: string, label: string): boolean {
  const expected = generic(text);
  let hit = false;
  for (let round = 0; round < 2; round++) {
    const fast = scanner.scan(text);
    if (fast === undefined) continue;
    hit = true;
    assert.ok(!(expected instanceof Error), `${label}: fast path accepted a bad frame ${text}`);
    assert.deepStrictEqual(fast, expected, `${label}: ${text}`);
    assert.equal(JSON.stringify(fast), JSON.stringify(expected), `${label}: key order ${text}`);
    // The numbers it parsed on the way are exactly the book's (NaN: left to the book).
    const { price_dollars: price, delta_fp: delta } = fast.msg;
    if (!Number.isNaN(scanner.price)) assert.equal(scanner.price, parsePrice(price), label);
    if (!Number.isNaN(scanner.delta)) assert.equal(scanner.delta, parseCount(delta), label);
  }
  return hit;
}

/** Decimal strings `fixed_point.ts` accepts or refuses, canonical or not. */
const ODD_NUMBERS = [
  "0.42",
  "00.4200",
  "0.420000",
  "0.42001",
  "-0.00",
  "-0.4200",
  ".5",
  "5.",
  "+1.00",
  "1.5",
  "123456789.00",
  "1234567890.00",
  "9007199254740.99",
  "0.5e1",
  "",
];

const CANONICAL =
  '{"type":"orderbook_delta","sid":2,"seq":3,"msg":{"market_ticker":"FED-23DEC-T3.00",' +
  '"market_id":"9b0f6b43-5b68-4f9f-9f02-9a2d1b8ac1a1","price_dollars":"0.9600",' +
  '"delta_fp":"-54.00","side":"yes","ts":"2022-11-22T20:44:01Z","ts_ms":1669149841000}}';

test("DeltaScanner.scan() matches decodeMessage() on every recorded and spec frame", () => {
  const frames = observedText.split("\n").filter((line: string) => line.trim() !== "");
  for (const example of spec.examples as { direction: string; payload: unknown }[]) {
    if (example.direction === "server_to_client" && typeof example.payload === "object") {
      frames.push(JSON.stringify(example.payload));
    }
  }
  let hits = 0;
  for (const frame of frames) if (check(frame, "testdata")) hits++;
  assert.ok(hits >= 2, `expected the plain deltas to take the fast path, got ${hits}`);
  // The spec's delta example is exactly Kalshi's layout: it must take the fast path.
  assert.ok(check(CANONICAL, "canonical"));
});

test("DeltaScanner.scan() declines frames it cannot prove identical", () => {
  const cases = [
    CANONICAL.replace('"sid":2', '"sid":02'), // leading zero: invalid JSON
    CANONICAL.replace('"seq":3', '"seq":-3'),
    CANONICAL.replace('"seq":3', '"seq":3.0'),
    CANONICAL.replace('"seq":3', '"seq":1234567890123456'), // beyond 15 digits
    CANONICAL.replace('"side":"yes"', '"side":"maybe"'),
    CANONICAL.replace('"FED-23DEC-T3.00"', '""'),
    CANONICAL.replace("FED-23DEC", "FED\\u002d23DEC"), // an escape
    CANONICAL.replace("FED-23DEC", "FED\u000123DEC"), // a raw control character
    CANONICAL.replace('"delta_fp":"-54.00"', '"delta_fp":-54'), // a number: decoder converts
    CANONICAL.replace(',"ts_ms":1669149841000', ',"ts_ms":1669149841000,"side":"no"'),
    CANONICAL.replace('"msg":{', '"msg": {'),
    CANONICAL + " ",
    CANONICAL.slice(0, -1),
    CANONICAL.replace('{"type":"orderbook_delta","sid":2,', '{"sid":2,"type":"orderbook_delta",'),
    CANONICAL.replace(',"ts":"2022-11-22T20:44:01Z"', ',"ts":null'),
    CANONICAL.replace('"market_id"', '"future_field":{"a":[1]},"market_id"'),
  ];
  for (const frame of cases) {
    assert.equal(scanner.scan(frame), undefined, frame);
    assert.equal(scanner.scan(frame), undefined, `second run: ${frame}`);
    check(frame, "declined");
  }
});

test("DeltaScanner.scan() keeps the frame's key order for other layouts", () => {
  const frame = '{"type":"orderbook_delta","sid":9,"seq":0,"msg":{"side":"no","ts_ms":5,' +
    '"delta_fp":"1.00","client_order_id":"o-1","subaccount":3,"price_dollars":"0.01",' +
    '"market_ticker":"KXA"}}';
  assert.ok(check(frame, "reordered"));
  assert.deepEqual(Object.keys(scanner.scan(frame)!.msg), [
    "side",
    "ts_ms",
    "delta_fp",
    "client_order_id",
    "subaccount",
    "price_dollars",
    "market_ticker",
  ]);
});

// -------------------------------------------------------------------------------------------
// Random and mutated frames

const KEYS = [
  "market_ticker",
  "market_id",
  "price_dollars",
  "delta_fp",
  "side",
  "client_order_id",
  "subaccount",
  "ts",
  "ts_ms",
] as const;

const WEIRD_STRINGS = ["", 'a"b', "a\\b", "\u0000", "\n", "é", "\u2028", "\ud800", "KX A", "{}"];

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}

function randomValue(key: string, rand: () => number, markets: readonly string[]): unknown {
  const r = rand();
  if (r < 0.04) return pick(rand, [null, true, 1.5, -1, 1e21, [], {}, "yes"]);
  if (r < 0.08) return pick(rand, WEIRD_STRINGS);
  switch (key) {
    case "market_ticker":
      return pick(rand, markets);
    case "market_id":
      return r < 0.5 ? "3f2a7c1e-9b4d-4e8a-a1c2-5d6e7f809a1b" : "";
    case "price_dollars":
      if (r < 0.15) return pick(rand, ODD_NUMBERS);
      return r < 0.9 ? `0.${String(Math.floor(rand() * 10000)).padStart(4, "0")}` : 0.42;
    case "delta_fp":
      if (r < 0.15) return pick(rand, ODD_NUMBERS);
      return r < 0.9 ? `${rand() < 0.5 ? "-" : ""}${Math.floor(rand() * 500)}.00` : -4;
    case "side":
      return r < 0.95 ? pick(rand, ["yes", "no"]) : "No";
    case "client_order_id":
      return `order-${Math.floor(rand() * 100)}`;
    case "subaccount":
      return Math.floor(rand() * 5);
    case "ts":
      return new Date(1_700_000_000_000 + Math.floor(rand() * 1e10)).toISOString();
    default:
      return Math.floor(rand() * 2 ** 43);
  }
}

function randomFrame(rand: () => number, markets: readonly string[]): string {
  const msg: Record<string, unknown> = {};
  const layout = rand();
  const keys = layout < 0.5
    ? ["market_ticker", "market_id", "price_dollars", "delta_fp", "side", "ts", "ts_ms"]
    : layout < 0.6
    ? ["market_ticker", "market_id", "price_dollars", "delta_fp", "side"]
    : KEYS.filter(() => rand() < 0.8).sort(() => rand() - 0.5);
  for (const key of keys) msg[key] = randomValue(key, rand, markets);
  const frame: Record<string, unknown> = {
    type: rand() < 0.95 ? "orderbook_delta" : "orderbook_snapshot",
    sid: rand() < 0.97 ? Math.floor(rand() * 20) : pick(rand, [-1, 1.5, "1", 2 ** 60]),
    seq: rand() < 0.97 ? Math.floor(rand() * 1e7) : pick(rand, [0.5, null, 2 ** 54]),
    msg,
  };
  return JSON.stringify(frame);
}

const MUTATION_CHARS = ['"', "\\", ",", "}", "{", ":", " ", "\u0001", "0", "-", "e", ".", "é"];

function mutate(frame: string, rand: () => number): string {
  const at = Math.floor(rand() * frame.length);
  switch (Math.floor(rand() * 5)) {
    case 0:
      return frame.slice(0, at) + frame.slice(at + 1); // delete
    case 1:
      return frame.slice(0, at) + pick(rand, MUTATION_CHARS) + frame.slice(at); // insert
    case 2:
      return frame.slice(0, at) + pick(rand, MUTATION_CHARS) + frame.slice(at + 1); // replace
    case 3:
      return frame.slice(0, at); // truncate
    default: { // duplicate a key/value pair
      const start = frame.indexOf(',"', Math.max(at, 48));
      const end = start < 0 ? -1 : frame.indexOf(',"', start + 1);
      return start < 0 || end < 0 ? frame : frame.slice(0, end) + frame.slice(start, end) +
        frame.slice(end);
    }
  }
}

test("DeltaScanner.scan() equals decodeMessage() on random and mutated frames", () => {
  for (const seed of [1, 2, 3, 4]) {
    const rand = prng(seed);
    const markets = ["KXA", "FED-23DEC-T3.00", "KXBTCD-26AUG2717-T113999.99", "KXNUM-1"];
    let hits = 0;
    let total = 0;
    for (let i = 0; i < 3000; i++) {
      const frame = randomFrame(rand, markets);
      total++;
      if (check(frame, `seed ${seed} frame ${i}`)) hits++;
      for (let m = 0; m < 3; m++) {
        const mutated = mutate(frame, rand);
        check(mutated, `seed ${seed} frame ${i} mutation ${m}`);
        // Some mutations stay canonical enough for the known-market lane; check mixed orders.
        check(frame, `seed ${seed} frame ${i} after mutation ${m}`);
      }
    }
    // About a third of the generated frames are valid plain deltas: the fast path takes them.
    assert.ok(
      hits > total * 0.25,
      `seed ${seed}: only ${hits} of ${total} frames took the fast path`,
    );
  }
});

test("DeltaScanner.scan() known-market lane equals decodeMessage() on mutated stream frames", () => {
  const rand = prng(99);
  const markets = [
    "KXA",
    "FED-23DEC-T3.00",
    "KXBTCD-26AUG2717-T113999.99",
    "KXBTCD-26AUG2717-T114249.99",
  ];
  const ids = ["3f2a7c1e-9b4d-4e8a-a1c2-5d6e7f809a1b", ""];
  let lane = 0;
  for (let i = 0; i < 4000; i++) {
    const m = Math.floor(rand() * markets.length);
    const msg: Record<string, unknown> = {
      market_ticker: markets[m],
      market_id: ids[m % 2],
      price_dollars: rand() < 0.05
        ? pick(rand, ODD_NUMBERS)
        : `0.${String(Math.floor(rand() * 10000)).padStart(4, "0")}`,
      delta_fp: rand() < 0.05
        ? pick(rand, ODD_NUMBERS)
        : `${rand() < 0.5 ? "-" : ""}${Math.floor(rand() * 500)}.00`,
      side: rand() < 0.5 ? "yes" : "no",
    };
    if (rand() < 0.8) {
      msg.ts = new Date(1_787_838_983_996 + i * 7).toISOString().replace("Z", "443Z");
      msg.ts_ms = 1_787_838_983_996 + i * 7;
    }
    const frame = JSON.stringify({ type: "orderbook_delta", sid: 1, seq: i + 1, msg });
    if (check(frame, `stream frame ${i}`)) lane++;
    for (let k = 0; k < 4; k++) check(mutate(frame, rand), `stream frame ${i} mutation ${k}`);
  }
  assert.ok(lane > 3900, `only ${lane} stream frames took the fast path`);
});

test("DeltaScanner.slot is the market's own slot on the known lane, and none otherwise", () => {
  const own = new DeltaScanner();
  const frame = (market: string, seq: number) =>
    `{"type":"orderbook_delta","sid":3,"seq":${seq},"msg":{"market_ticker":"${market}",` +
    `"market_id":"id-${market}","price_dollars":"0.4200","delta_fp":"-4.00","side":"yes",` +
    `"ts":"2026-08-27T13:56:01Z","ts_ms":1787000000000}}`;
  assert.notEqual(own.scan(frame("KXA", 1)), undefined); // key by key: remembered
  assert.equal(own.slot, undefined);
  own.scan(frame("KXB", 2));
  assert.notEqual(own.scan(frame("KXA", 3)), undefined);
  const a = own.slot;
  assert.notEqual(a, undefined);
  assert.notEqual(own.scan(frame("KXB", 4)), undefined);
  const b = own.slot;
  assert.notEqual(b, undefined);
  assert.notEqual(a, b);
  own.scan(frame("KXA", 5));
  assert.equal(own.slot, a);
  assert.equal(own.scan('{"type":"orderbook_delta","sid":3}'), undefined);
  assert.equal(own.slot, undefined);
});

test("DeltaScanner.scan() reads seq and ts_ms of 1–15 digits exactly on the known lane", () => {
  assert.ok(check(CANONICAL, "teach the market"));
  // The known lane reads integers in two halves (the last 9 digits and those before them).
  const values = [
    "0",
    "7",
    "999999999",
    "1000000000",
    "1000000001",
    "1669149841000",
    "9007199254740991",
    "999999999999999",
    "100000000000000",
  ];
  for (const value of values) {
    for (
      const frame of [
        CANONICAL.replace('"seq":3', `"seq":${value}`),
        CANONICAL.replace("1669149841000", value),
      ]
    ) {
      const taken = check(frame, `integer ${value}`);
      assert.equal(taken, value.length <= 15, `${value}: ${frame}`);
      if (taken) {
        scanner.scan(frame);
        assert.ok(scanner.slot !== undefined, `${value}: not on the known lane`);
      }
    }
  }
  const refused = ["01", "0000000001", "1a", "12345a7890123", "1234567890a23", "-1", "1.5", "1e3"];
  for (const value of refused) {
    for (
      const frame of [
        CANONICAL.replace('"seq":3', `"seq":${value}`),
        CANONICAL.replace("1669149841000", value),
      ]
    ) {
      assert.equal(scanner.scan(frame), undefined, frame);
      check(frame, `refused ${value}`);
    }
  }
});
