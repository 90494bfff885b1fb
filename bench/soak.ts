/**
 * Soak the real client against the real simulator over loopback, with a fault every few
 * seconds (see `packages/dst/soak.ts`):
 *
 *   deno task soak [--minutes 30] [--fault-every 3] [--rate 200] [--seed 1]
 *
 * Progress goes to stderr; the last stdout line is the JSON report. Exits 1 when the client
 * failed to heal, lost a subscription, or a book differed from the simulator's truth.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { runSoak } from "@kalshi-ws/dst";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    minutes: { type: "string", default: "1" },
    "fault-every": { type: "string", default: "3" },
    rate: { type: "string", default: "200" },
    seed: { type: "string", default: "1" },
  },
});
const minutes = Number(values.minutes);
const faultEvery = Number(values["fault-every"]);
if (!(minutes > 0) || !(faultEvery > 0)) {
  console.error("soak: set --minutes and --fault-every to positive numbers");
  Deno.exit(2);
}
if (typeof (globalThis as { gc?: unknown }).gc !== "function") {
  console.error("soak: run with --v8-flags=--expose-gc for stable heap figures");
}
console.error(`soak: ${minutes} min, a fault every ${faultEvery} s, seed ${values.seed}`);
const report = await runSoak({
  durationMs: minutes * 60_000,
  faultEveryMs: faultEvery * 1000,
  rate: Number(values.rate),
  seed: Number(values.seed),
  log: (line) => console.error(line),
});
console.error(
  `soak: ${Math.round(report.durationMs / 1000)} s, ${report.frames} frames, ` +
    `${report.reconnects} reconnects, ${report.gaps} gaps, ${report.resyncs} resyncs, ` +
    `${report.resubscribes} re-subscribes, ${report.bookChecks} book checks, max heal ` +
    `${report.maxHealMs} ms, heap ${report.heapStartMiB} → ${report.heapEndMiB} MiB` +
    (report.failures.length === 0 ? ", ok" : `, FAILED: ${report.failures.join("; ")}`),
);
console.log(JSON.stringify(report));
if (report.failures.length > 0) Deno.exit(1);
