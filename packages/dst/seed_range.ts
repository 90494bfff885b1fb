/**
 * Registers the CI share of the deterministic simulation as tests of 1 000 seeds each. The
 * 10 000 seeds are split over two test files so `deno test --parallel` uses both cores; a
 * failure names each failing seed with its one-line replay command.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { replayCommand, simulate } from "./harness.ts";

const CHUNK = 1_000;

/** Registers tests covering seeds `first` to `first + count - 1`. */
export function seedRangeTests(first: number, count: number): void {
  for (let from = first; from < first + count; from += CHUNK) {
    const to = Math.min(from + CHUNK, first + count) - 1;
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
}
