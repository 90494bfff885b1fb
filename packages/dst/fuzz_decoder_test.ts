/**
 * Fuzzing the decoder: real frames (every channel of the simulator's model, and frames observed
 * from Kalshi) mutated a million ways. `decodeMessage()` must return a typed message or throw a
 * `DecodeError` carrying the frame — never another exception, never a hang.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { DecodeError, decodeMessage } from "@kalshi-ws/core";
import { baseFrames, Fuzz } from "./testing/fuzz.ts";

/** CI size; `FUZZ_FRAMES=5000000 deno test -A packages/dst/fuzz_decoder_test.ts` for a long run. */
const FRAMES = Number(Deno.env.get("FUZZ_FRAMES") ?? 250_000);

test(`decodeMessage() returns a typed message or a DecodeError for ${FRAMES} random and mutated frames`, async () => {
  const fuzz = new Fuzz(0xdec0de);
  const base = await baseFrames(1);
  let decoded = 0;
  let rejected = 0;
  let slowest = 0;
  for (let i = 0; i < FRAMES; i++) {
    const frame = i < base.length ? base[i]! : fuzz.mutate(fuzz.pick(base));
    const started = performance.now();
    try {
      const message = decodeMessage(frame);
      assert.equal(typeof message.type, "string", frame);
      decoded++;
    } catch (error) {
      if (!(error instanceof DecodeError)) {
        assert.fail(`decodeMessage() threw ${error} for ${JSON.stringify(frame.slice(0, 300))}`);
      }
      assert.equal(error.frame, frame);
      rejected++;
    }
    const took = performance.now() - started;
    if (took > slowest) slowest = took;
  }
  assert.ok(
    decoded > FRAMES / 20 && rejected > FRAMES / 20,
    `${decoded} decoded, ${rejected} rejected`,
  );
  // A hang guard, not a speed goal: no frame is more than a few KB, so only runaway (super-linear)
  // work could take seconds; a GC pause or a loaded CI machine stays far below this.
  assert.ok(slowest < 5_000, `slowest frame took ${slowest.toFixed(1)} ms`);
});
