/**
 * The CI share of the deterministic simulation: seeds 5001–10000 (the other half runs in
 * `dst_seeds_a_test.ts`, so `deno test --parallel` uses both cores). A failure names each
 * failing seed with its one-line replay command.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { replayCommand, simulate } from "./harness.ts";

const FIRST = 5001;
const CHUNK = 1_000;

for (let from = FIRST; from < FIRST + 5 * CHUNK; from += CHUNK) {
  const to = from + CHUNK - 1;
  test(`simulate() keeps every invariant for seeds ${from}–${to}`, () => {
    const failures: string[] = [];
    for (let seed = from; seed <= to; seed++) {
      const result = simulate(seed);
      if (result.failure !== undefined) {
        failures.push(`${result.failure}\n  replay: ${replayCommand(seed)}`);
      }
    }
    assert.deepEqual(failures, []);
  });
}
