import { test } from "node:test";
import assert from "node:assert/strict";
import {
  channelOfType,
  dataSubject,
  dataSubjects,
  decodeToken,
  encodeToken,
  leaseKey,
  marketFilter,
  marketOfSubject,
  snapshotSubject,
} from "./subjects.ts";

test("encodeToken() escapes the dots of Kalshi tickers and round-trips through decodeToken()", () => {
  assert.equal(encodeToken("KXFED-26DEC-T4.25"), "KXFED-26DEC-T4=2E25");
  assert.equal(encodeToken("KXA-1_B"), "KXA-1_B");
  for (const value of ["KXFED-26DEC-T4.25", "a*b>c d", "=", "%2E", "é.ü", "A.B.C"]) {
    const token = encodeToken(value);
    assert.match(token, /^[A-Za-z0-9_=-]+$/, `token of ${value}`);
    assert.equal(decodeToken(token), value);
  }
});

test("encodeToken() keeps distinct values distinct when they look alike", () => {
  assert.notEqual(encodeToken("A.B"), encodeToken("A=2EB"));
  assert.notEqual(encodeToken("A_B"), encodeToken("A.B"));
});

test("encodeToken() rejects an empty value and decodeToken() a malformed escape", () => {
  assert.throws(() => encodeToken(""), RangeError);
  assert.throws(() => decodeToken("A=2"), RangeError);
  assert.throws(() => decodeToken("A=ZZ"), RangeError);
});

test("dataSubject() puts snapshots and deltas on one orderbook_delta subject per market", () => {
  assert.equal(channelOfType("orderbook_snapshot"), "orderbook_delta");
  assert.equal(channelOfType("trade"), "trade");
  assert.equal(
    dataSubject("kalshi", channelOfType("orderbook_snapshot"), "KXFED-26DEC-T4.25"),
    "kalshi.orderbook_delta.KXFED-26DEC-T4=2E25",
  );
  assert.equal(snapshotSubject("kalshi", "KXA"), "kalshi.snapshot.KXA");
});

test("marketFilter() matches every subject about one market and marketOfSubject() reads it back", () => {
  const filter = marketFilter("kalshi", "KXFED-26DEC-T4.25");
  assert.equal(filter, "kalshi.*.KXFED-26DEC-T4=2E25");
  const subject = snapshotSubject("kalshi", "KXFED-26DEC-T4.25");
  assert.equal(subject.split(".").length, filter.split(".").length);
  assert.equal(marketOfSubject(subject), "KXFED-26DEC-T4.25");
  assert.equal(leaseKey("KXFED-26DEC-T4.25"), "lease.KXFED-26DEC-T4=2E25");
});

test("dataSubjects() names the same subjects as dataSubject(), memoized", () => {
  const subjects = dataSubjects("kalshi");
  for (const [channel, market] of [["trade", "KXFED-26DEC-T4.25"], ["ticker", "KXA"]] as const) {
    assert.equal(subjects(channel, market), dataSubject("kalshi", channel, market));
    assert.equal(subjects(channel, market), dataSubject("kalshi", channel, market));
  }
});
