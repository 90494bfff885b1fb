/**
 * Fuzzing `kalshi-ws replay --serve` (the replay server's per-connection logic) with the hostile
 * client frames of `@kalshi-ws/dst/testing` — real commands mutated, random JSON values and junk
 * — and with hostile recordings (frames and commands mangled, non-object frames, damaged
 * entries). It must answer every frame without throwing, with Kalshi's error codes only (from a
 * clean recording), and keep answering commands afterwards. The simulator's command handling
 * gets the same frames in `packages/dst/fuzz_servers_test.ts`.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { checkReply, COMMANDS, Fuzz, hostileFrame, tryParse } from "@kalshi-ws/dst/testing";
import { Exchange, ProtocolConnection } from "@kalshi-ws/simulator/model";
import type { RecordingEntry } from "./recording.ts";
import { ReplayConnection } from "./replay_server.ts";

/** CI size; `FUZZ_SERVERS=1000000 deno test -A apps/cli/replay_fuzz_test.ts` for more. */
const FRAMES = Number(Deno.env.get("FUZZ_SERVERS") ?? 50_000);

/** A recorded connection: the valid commands and what the model answered, plus data frames. */
function recordedSegment(seed: number): RecordingEntry[] {
  const exchange = new Exchange({ seed });
  const connection = new ProtocolConnection({ exchange, userId: undefined });
  const entries: RecordingEntry[] = [];
  let t = 0;
  for (const command of COMMANDS.slice(0, 3)) {
    const text = JSON.stringify(command);
    entries.push({ t: t++, sent: text });
    for (const f of connection.handleText(text, t)) entries.push({ t: t++, frame: f.text });
  }
  for (let i = 0; i < 50; i++) {
    for (const f of connection.onEvents(exchange.step(i * 100))) {
      entries.push({ t: t++, frame: f.text });
    }
  }
  return entries;
}

/** A recording entry mangled the way a hostile or damaged recording would be. */
function hostileEntry(fuzz: Fuzz, entry: RecordingEntry): RecordingEntry {
  if ("frame" in entry && fuzz.chance(0.3)) return { t: entry.t, frame: fuzz.mutate(entry.frame) };
  if ("sent" in entry && fuzz.chance(0.3)) return { t: entry.t, sent: fuzz.mutate(entry.sent) };
  if (fuzz.chance(0.05)) return { t: entry.t, frame: fuzz.pick(["null", "[]", "1", '"x"']) };
  if (fuzz.chance(0.02)) return { t: entry.t, bad_frame: fuzz.string(20), length: 20 };
  return entry;
}

test(`replay --serve answers ${FRAMES} hostile client frames and hostile recordings without throwing`, () => {
  const fuzz = new Fuzz(0x4e91a);
  const segment = recordedSegment(5);
  let served = 0;
  for (let round = 0; served < FRAMES; round++) {
    const entries = round % 2 === 0 ? segment : segment.map((e) => hostileEntry(fuzz, e));
    const sent: string[] = [];
    let closed = false;
    const replay = new ReplayConnection(entries, {
      send: (text) => sent.push(text),
      close: () => (closed = true),
      warn: () => {},
    }, 0);
    try {
      replay.start();
      for (let i = 0; i < 500 && !closed; i++, served++) {
        const text = fuzz.chance(0.1) ? JSON.stringify(fuzz.pick(COMMANDS)) : hostileFrame(fuzz);
        const before = sent.length;
        replay.receive(text);
        const context = `round ${round} frame ${i}: ${text.slice(0, 120)}`;
        for (const reply of sent.slice(before)) {
          assert.equal(typeof reply, "string", context);
          // A hostile recording's frames pass through as recorded (malformed ones included);
          // from a clean one, every error is the replay's own answer and must be Kalshi's.
          if (entries === segment) checkReply(reply, context);
        }
      }
      if (!closed) {
        // Still serving: a command it never saw is answered from its own state.
        const before = sent.length;
        replay.receive('{"id":4242,"cmd":"list_subscriptions"}');
        const answer = sent.slice(before).map(tryParse).find((r) => r?.id === 4242);
        assert.ok(answer !== undefined, `round ${round}: still answers`);
      }
    } catch (error) {
      assert.fail(`ReplayConnection threw ${error} in round ${round}`);
    } finally {
      replay.stop();
    }
  }
});
