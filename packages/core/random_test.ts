import { test } from "node:test";
import assert from "node:assert/strict";
import { seededRandom } from "./random.ts";

test("seededRandom() repeats its sequence for a seed and stays in [0, 1)", () => {
  const a = seededRandom(7);
  const b = seededRandom(7);
  const other = seededRandom(8);
  let differs = false;
  for (let i = 0; i < 10_000; i++) {
    const x = a();
    assert.equal(x, b());
    assert.ok(x >= 0 && x < 1);
    if (x !== other()) differs = true;
  }
  assert.ok(differs);
});

test("seededRandom() is mulberry32, so recorded seeds keep replaying the same runs", () => {
  const random = seededRandom(1);
  const firsts = [random(), random(), random()].map((x) => Math.round(x * 4294967296));
  assert.deepEqual(firsts, [2693262067, 11749833, 2265367787]);
});
