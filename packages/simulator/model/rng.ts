/**
 * A small seeded pseudo-random generator (mulberry32) so that every simulated market history is
 * reproducible from its seed: same seed, same sequence of book changes, trades and ids.
 *
 * @module
 */

import { seededRandom } from "@kalshi-ws/core";

/** Deterministic random numbers and ids from a 32-bit seed; never reads a clock. */
export class Rng {
  readonly #next: () => number;

  /** Creates a generator; equal seeds give equal sequences. */
  constructor(seed: number) {
    this.#next = seededRandom((Math.trunc(seed) ^ 0x9e3779b9) >>> 0);
  }

  /** The next unsigned 32-bit integer. */
  nextUint32(): number {
    return this.#next() * 4294967296; // exact: the float is a uint32 divided by 2^32
  }

  /** A float in [0, 1). */
  float(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [`min`, `max`] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** A uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)]!;
  }

  /** A version-4-shaped UUID drawn from the generator (deterministic, not secure). */
  uuid(): string {
    const hex = (n: number): string => n.toString(16).padStart(8, "0");
    const a = hex(this.nextUint32());
    const b = hex(this.nextUint32());
    const c = hex(this.nextUint32());
    const d = hex(this.nextUint32());
    const variant = "89ab"[this.nextUint32() & 3];
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
  }
}
