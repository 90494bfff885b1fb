/**
 * A seeded pseudo-random generator (mulberry32) for everything that must be reproducible from a
 * seed: backoff jitter in tests, property tests, fuzzers, simulations. Not cryptographic.
 *
 * @example
 * ```ts
 * import { seededRandom } from "./random.ts";
 * const random = seededRandom(42);
 * random(); // the same float in [0, 1) for seed 42, every time
 * ```
 *
 * @module
 */

/** Returns a generator of floats in [0, 1); equal seeds give equal sequences. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
