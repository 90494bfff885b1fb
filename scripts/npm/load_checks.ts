/**
 * Checks of how the installed packages load under Node: `require()` from CommonJS gives the
 * same exports as `import` (what `engines` promises for Node 20.19+), and importing an entry
 * has no observable effect — no new global, process listener or pending handle — which is what
 * `sideEffects: false` tells bundlers.
 *
 * @module
 */

import { run } from "../_npm.ts";
import { check, type CheckResult } from "./check.ts";

/** `require()` of every entry, compared with `import()` of the same entry. */
async function requireProblems(project: URL, specifiers: readonly string[]): Promise<string[]> {
  const script = `"use strict";
const problems = [];
(async () => {
  for (const s of ${JSON.stringify(specifiers)}) {
    let required;
    try { required = require(s); } catch (e) { problems.push(s + ": require() threw " + e.code + " " + e.message); continue; }
    const imported = await import(s);
    const a = Object.keys(required).sort().join(",");
    const b = Object.keys(imported).sort().join(",");
    if (a !== b) problems.push(s + ": require() and import() export different names");
    if (Object.keys(required).length === 0) problems.push(s + ": require() exports nothing");
  }
  console.log(JSON.stringify(problems));
})();`;
  Deno.writeTextFileSync(new URL("require_check.cjs", project), script);
  const result = await run("node", ["require_check.cjs"], { cwd: project, timeoutMs: 60_000 });
  if (result.code !== 0) return [`node require_check.cjs exited ${result.code}: ${result.stderr}`];
  return JSON.parse(result.stdout) as string[];
}

/** Each entry imported alone in a fresh Node process, with its effects on the process. */
async function sideEffectProblems(project: URL, specifiers: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  const script = `const state = () => ({
  globals: Object.getOwnPropertyNames(globalThis).sort(),
  listeners: process.eventNames().map(String).sort(),
  resources: process.getActiveResourcesInfo().sort(),
  exitCode: process.exitCode,
});
const before = state();
await import(process.argv[2]);
const after = state();
const changed = [];
for (const key of Object.keys(before)) {
  const was = JSON.stringify(before[key]);
  const is = JSON.stringify(after[key]);
  if (was !== is) changed.push(key + ": " + was.slice(0, 200) + " -> " + is.slice(0, 200));
}
console.log(JSON.stringify(changed));`;
  Deno.writeTextFileSync(new URL("side_effects_check.mjs", project), script);
  for (const specifier of specifiers) {
    const result = await run("node", ["side_effects_check.mjs", specifier], {
      cwd: project,
      timeoutMs: 30_000,
    });
    if (result.code !== 0) {
      problems.push(`${specifier}: import failed (exit ${result.code}): ${result.stderr}`);
      continue;
    }
    for (const change of JSON.parse(result.stdout) as string[]) {
      problems.push(`importing ${specifier} changed ${change}`);
    }
  }
  return problems;
}

/** Runs the load checks in `project` (every package installed there). */
export async function loadChecks(
  project: URL,
  specifiers: readonly string[],
  nodeVersion: string,
): Promise<CheckResult[]> {
  return [
    await check(
      `load: require() of every entry works on Node ${nodeVersion} and exports what import() does`,
      () => requireProblems(project, specifiers),
    ),
    await check(
      "load: importing any entry adds no global, process listener or handle (sideEffects: false)",
      () => sideEffectProblems(project, specifiers),
    ),
  ];
}
