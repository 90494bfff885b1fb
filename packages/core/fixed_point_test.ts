import { test } from "node:test";
import assert from "node:assert/strict";
import {
  formatCount,
  formatDollars,
  formatPrice,
  parseCount,
  parseDollars,
  parsePrice,
} from "./fixed_point.ts";
import { FixedPointError } from "./errors.ts";

test("parsePrice() reads Kalshi dollar strings into 1/10000 units", () => {
  assert.equal(parsePrice("0.4200"), 4200);
  assert.equal(parsePrice("0.42"), 4200);
  assert.equal(parsePrice("0.0001"), 1);
  assert.equal(parsePrice("1.0000"), 10_000);
  assert.equal(parsePrice("0.420000"), 4200);
  assert.equal(parsePrice(".5"), 5000);
  assert.equal(parsePrice("3"), 30_000);
  assert.equal(parsePrice(0.42), 4200);
});

test("parsePrice() rejects inexact, negative and malformed values with the value named", () => {
  for (const bad of ["0.42001", "-0.42", "", ".", "abc", "0.4x", "1e3", "0..1"]) {
    assert.throws(() => parsePrice(bad), (e: unknown) => {
      assert.ok(e instanceof FixedPointError, `${bad}: ${e}`);
      assert.equal(e.value, bad);
      assert.ok(e.message.includes(JSON.stringify(bad)));
      return true;
    });
  }
  assert.throws(() => parsePrice(1e-7), FixedPointError);
  assert.throws(() => parsePrice(Number.NaN), FixedPointError);
  assert.throws(() => parsePrice("99999999999999999999"), FixedPointError);
});

test("parseCount() reads signed fractional counts", () => {
  assert.equal(parseCount("136.00"), 13_600);
  assert.equal(parseCount("-54.00"), -5_400);
  assert.equal(parseCount("0.01"), 1);
  assert.equal(parseCount("-0.00"), 0);
  assert.ok(Object.is(parseCount("-0.00"), 0));
  assert.equal(parseCount("+3.5"), 350);
  assert.throws(() => parseCount("0.001"), FixedPointError);
});

test("parseDollars() keeps six decimals exactly", () => {
  assert.equal(parseDollars("0.010000"), 10_000);
  assert.equal(parseDollars("-12.345678"), -12_345_678);
  assert.throws(() => parseDollars("0.0000001"), FixedPointError);
});

test("formatters write Kalshi's formats", () => {
  assert.equal(formatPrice(4200), "0.4200");
  assert.equal(formatPrice(1), "0.0001");
  assert.equal(formatPrice(10_000), "1.0000");
  assert.equal(formatCount(-5_400), "-54.00");
  assert.equal(formatCount(1), "0.01");
  assert.equal(formatCount(0), "0.00");
  assert.equal(formatDollars(10_000), "0.010000");
  assert.equal(formatDollars(420_000, 4), "0.4200");
  assert.throws(() => formatDollars(1, 4), RangeError);
  assert.throws(() => formatPrice(0.5), RangeError);
});

test("fixed-point values round-trip exactly for random integers", () => {
  let state = 12345;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31);
  for (let i = 0; i < 20_000; i++) {
    const value = next() * (next() % 2 === 0 ? 1 : -1) * (next() % 1000);
    const safe = Math.trunc(value);
    assert.equal(parseCount(formatCount(safe)), safe);
    assert.equal(parseDollars(formatDollars(safe)), safe);
    const price = Math.abs(safe);
    assert.equal(parsePrice(formatPrice(price)), price);
  }
});

test("formatPrice()/formatCount() fast paths write what the general formatter writes", () => {
  // The reference: digits padded to one more than the decimals, the dot before the last ones.
  const reference = (value: number, decimals: number) => {
    const digits = String(Math.abs(value)).padStart(decimals + 1, "0");
    const cut = digits.length - decimals;
    return `${value < 0 ? "-" : ""}${digits.slice(0, cut)}.${digits.slice(cut)}`;
  };
  let state = 99;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31);
  const edges = [0, 1, 9, 10, 99, 100, 101, 999, 1000, 9999, 10_000, 10_001, 65_535, 2 ** 31 - 1];
  const values = [...edges, 2 ** 31, 2 ** 31 + 1, 2 ** 53 - 1, 12_345_678_901];
  for (let i = 0; i < 20_000; i++) values.push(next() % 10_002, next(), next() * 4096 + next());
  for (const value of values) {
    for (const v of [value, -value]) {
      assert.equal(formatCount(v), reference(v, 2), `count ${v}`);
      if (v >= 0) assert.equal(formatPrice(v), reference(v, 4), `price ${v}`);
      assert.equal(formatPrice(v), formatPrice(v), "cached price text stays the same");
    }
  }
  assert.equal(formatCount(-0), "0.00");
  assert.equal(formatPrice(-0), "0.0000");
  assert.equal(formatPrice(-4200), "-0.4200");
  for (const bad of [0.5, 4200.5, Number.NaN, Infinity, 2 ** 53]) {
    assert.throws(() => formatPrice(bad), RangeError, `price ${bad}`);
    assert.throws(() => formatCount(bad), RangeError, `count ${bad}`);
  }
});
