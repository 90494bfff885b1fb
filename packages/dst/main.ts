/**
 * `deno task dst`: runs the deterministic simulation over many seeds (see `harness.ts`).
 *
 *   deno task dst [--seeds 10000] [--start 1] [--seed N] [--trace] [--fault-steps N] [--calm-steps N]
 *
 * `--seed N` replays one seed (with `--trace`, prints its last steps). Exits 1 on any failure,
 * printing each failing seed's replay command.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { replayCommand, simulate, type SimulationOptions } from "./harness.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    seeds: { type: "string", default: "1000" },
    start: { type: "string", default: "1" },
    seed: { type: "string" },
    trace: { type: "boolean", default: false },
    "fault-steps": { type: "string" },
    "calm-steps": { type: "string" },
  },
});
const options: SimulationOptions = {
  trace: values.trace,
  ...(values["fault-steps"] === undefined ? {} : { faultSteps: Number(values["fault-steps"]) }),
  ...(values["calm-steps"] === undefined ? {} : { calmSteps: Number(values["calm-steps"]) }),
};
const first = Number(values.seed ?? values.start);
const count = values.seed === undefined ? Number(values.seeds) : 1;
if (!Number.isSafeInteger(first) || !Number.isSafeInteger(count) || count < 1) {
  console.error("dst: set --seeds, --start and --seed to integers (--seeds at least 1)");
  Deno.exit(2);
}
const started = performance.now();
let failed = 0;
let frames = 0;
let faults = 0;
let maxHeal = 0;
let stops = 0;
let outages = 0;
let maxStop = 0;
let timeouts = 0;
let resubscribes = 0;
for (let seed = first; seed < first + count; seed++) {
  const result = simulate(seed, options);
  frames += result.stats.frames;
  faults += result.stats.faults;
  maxHeal = Math.max(maxHeal, result.stats.healMs);
  if (result.profile === "stop") stops++;
  if (result.profile === "outage") outages++;
  maxStop = Math.max(maxStop, result.stats.stopMs);
  timeouts += result.stats.handshakeTimeouts;
  resubscribes = Math.max(resubscribes, result.stats.resubscribesPerMinute);
  if (result.failure !== undefined) {
    failed++;
    if (values.trace) { for (const line of result.trace) console.error(line); }
    console.error(`FAIL ${result.failure}\n  replay: ${replayCommand(seed)}`);
  } else if (count === 1) {
    console.error(`ok seed ${seed}: ${JSON.stringify(result.stats)}`);
  }
}
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(
  `dst: ${count - failed}/${count} seeds passed in ${seconds} s ` +
    `(${frames} frames, ${faults} faults, longest heal ${maxHeal} ms virtual; ${stops} stop ` +
    `and ${outages} outage runs, longest stop ${maxStop} ms; ${timeouts} handshake timeouts; ` +
    `at most ${resubscribes} automatic re-subscribes of a subscription in a minute)`,
);
if (failed > 0) Deno.exit(1);
