/**
 * The CI-sized soak: the real client against the real simulator over loopback for a few
 * seconds, a fault every second, every book compared with the truth between faults. The
 * 30-minute run is `deno task soak --minutes 30` (result in the README).
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { runSoak } from "./soak.ts";

test("runSoak() heals every injected fault and keeps every book equal to the truth (short run)", async () => {
  const report = await runSoak({ durationMs: 12_000, faultEveryMs: 1_000, seed: 7 });
  assert.deepEqual(report.failures, []);
  assert.ok(report.bookChecks >= 5, `${report.bookChecks} book checks`);
  assert.ok(report.reconnects >= 1, `${report.reconnects} reconnects`);
  assert.ok(report.frames > 100, `${report.frames} frames`);
});
