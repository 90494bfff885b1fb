/**
 * `deno task test:node`: checks the npm packages built by `deno task build:npm` as a Node user
 * gets them — from the tarballs, under Node (20.19+), never against the sources.
 *
 * 1. The tarballs as files (`npm/tarball_checks.ts`): LICENSE, no build-machine path, external
 *    source maps, `package.json` fields, pasteable examples.
 * 2. The README's install lines as written, each in a fresh directory, the `npx kalshi-ws …`
 *    lines given with them (no `deno` on the `PATH`) and the programs after them
 *    (`npm/install_checks.ts`); then every package README's install line.
 * 3. A project with every tarball installed: `require()` and side-effect checks
 *    (`npm/load_checks.ts`); the repository's runtime-neutral tests and `tests/node/*.ts`
 *    mirrored onto the packages and run with `node --test` (`npm/mirror_tests.ts`); the CLI's
 *    end-to-end tests against its installed `kalshi-ws` command on Node (`npm/cli_checks.ts`);
 *    `tsc` 5.9 and 6.0 on the declarations and every README example (`npm/type_checks.ts`).
 *
 * NATS: the programs and tests that need a server get `NATS_URL`, else a `nats-server` this
 * script starts on loopback when one is on the PATH. The last line is
 * `node: N passed, N failed` (each `node:test` test, each CLI test and each check counts once).
 *
 * Usage: `deno task test:node [--keep]` (`--keep` keeps the temporary directory and prints it).
 *
 * @module
 */

import {
  exists,
  NPM_PACKAGES,
  NPM_SHAPES,
  npmName,
  OUT_DIR,
  ROOT,
  rootVersion,
  run,
  runOk,
} from "./_npm.ts";
import { type TestNatsServer, testNatsServer } from "../packages/nats/testing/nats_server.ts";
import type { CheckResult } from "./npm/check.ts";
import { cliEndToEnd } from "./npm/cli_checks.ts";
import { NODE_SECTION, packageReadmeChecks, rootReadmeChecks } from "./npm/install_checks.ts";
import { loadChecks } from "./npm/load_checks.ts";
import { entrySpecifiers, mirrorTests } from "./npm/mirror_tests.ts";
import { fencedBlocks, markdownSection, tarballName } from "./npm/readme.ts";
import { tarballChecks } from "./npm/tarball_checks.ts";
import { type Example, markdownExamples, readmeTsconfig, typeChecks } from "./npm/type_checks.ts";

/** The Node type definitions a Node 20 user would have (for the `tsc` checks). */
const NODE_TYPES = "@types/node@20.19.43";

/** `node: N passed, N failed` counts from the spec reporter's summary. */
function counts(output: string): { passed: number; failed: number } {
  const number = (label: string) =>
    Number(output.match(new RegExp(`^\\S*\\s*${label} (\\d+)$`, "m"))?.[1] ?? 0);
  return { passed: number("pass"), failed: number("fail") + number("cancelled") };
}

/** The tarballs of every npm package, or the reason they are not all there. */
function findTarballs(): string[] | string {
  const version = rootVersion();
  const wanted = NPM_PACKAGES.map((dir) => tarballName(npmName(dir), version));
  const missing = wanted.filter((name) => !exists(new URL(name, OUT_DIR)));
  if (missing.length > 0) return `Run deno task build:npm first: no ${missing.join(", ")}`;
  return wanted.map((name) => new URL(name, OUT_DIR).pathname);
}

/** The examples to type-check: the README's Node programs and every package README's. */
function examples(readme: string, project: URL, names: readonly string[]): Example[] {
  const section = markdownSection(readme, NODE_SECTION) ?? "";
  const own = fencedBlocks(section)
    .filter((b) => b.lang === "js")
    .map((b, i) => ({
      name: b.code.match(/^\/\/ (\S+)\.mjs/)?.[1] ?? `readme-${i + 1}`,
      code: b.code,
    }));
  const packages = names.flatMap((name) =>
    markdownExamples(
      Deno.readTextFileSync(new URL(`node_modules/${name}/README.md`, project)),
      name.replace(/^@kalshi-ws\//, ""),
    )
  );
  return [...own, ...packages];
}

/** Runs the repository's tests mirrored onto the installed packages; returns the counts. */
async function nodeTests(
  project: URL,
  natsUrl: string | undefined,
): Promise<{ passed: number; failed: number }> {
  const mirrored = await mirrorTests(project);
  for (const skip of mirrored.skipped) console.error(`skip ${skip}`);
  console.error(`node --test: ${mirrored.bundles.length} test files`);
  const tested = await run("node", [
    "--test",
    "--test-reporter=spec",
    "--test-timeout=90000",
    ...mirrored.bundles,
  ], { cwd: project, timeoutMs: 300_000, env: natsUrl ? { NATS_URL: natsUrl } : {} });
  const output = tested.stdout + tested.stderr;
  console.log(output.trimEnd());
  const result = counts(output);
  if (tested.code !== 0 && result.failed === 0) result.failed = 1;
  return result;
}

async function main(args: readonly string[]): Promise<number> {
  const keep = args.includes("--keep");
  const tarballs = findTarballs();
  if (typeof tarballs === "string") {
    console.error(tarballs);
    return 1;
  }
  const nodeVersion = (await runOk("node", ["--version"])).stdout.trim();
  console.error(`node ${nodeVersion}; ${tarballs.length} tarballs`);
  const names = NPM_PACKAGES.map(npmName);
  const readme = Deno.readTextFileSync(new URL("README.md", ROOT));

  const scratch = new URL(`file://${await Deno.makeTempDir({ prefix: "kalshi-ws-node-" })}/`);
  const project = new URL("project/", scratch);
  let server: TestNatsServer | undefined;
  let natsUrl = Deno.env.get("NATS_URL") || undefined;
  const results: CheckResult[] = [];
  let tests = { passed: 0, failed: 0 };
  try {
    if (natsUrl === undefined) {
      try {
        server = await testNatsServer();
        natsUrl = server.url;
        console.error(`nats-server started at ${natsUrl}`);
      } catch (error) {
        console.error(`no NATS server for the NATS checks: ${(error as Error).message}`);
      }
    }
    results.push(...await tarballChecks(tarballs, new URL("unpacked/", scratch)));
    results.push(...await rootReadmeChecks(readme, tarballs, scratch, natsUrl));

    Deno.mkdirSync(project, { recursive: true });
    Deno.writeTextFileSync(
      new URL("package.json", project),
      JSON.stringify({ name: "kalshi-ws-node-tests", private: true, type: "module" }, null, 2),
    );
    await runOk("npm", [
      "install",
      "--no-audit",
      "--no-fund",
      "--no-package-lock",
      ...tarballs,
      NODE_TYPES,
    ], { cwd: project, timeoutMs: 300_000 });
    results.push(...await packageReadmeChecks(project, names, tarballs, scratch));
    results.push(...await loadChecks(project, entrySpecifiers(), nodeVersion));
    tests = await nodeTests(project, natsUrl);
    for (const [dir, shape] of Object.entries(NPM_SHAPES)) {
      for (const command of Object.keys(shape.bin ?? {})) {
        console.error(`${npmName(dir)}: the ${command} command's end-to-end tests on Node`);
        const cli = await cliEndToEnd(new URL(`node_modules/.bin/${command}`, project).pathname);
        tests = { passed: tests.passed + cli.passed, failed: tests.failed + cli.failed };
      }
    }
    results.push(
      ...await typeChecks(
        project,
        entrySpecifiers(),
        NODE_TYPES,
        readmeTsconfig(readme, NODE_SECTION),
        examples(readme, project, names),
      ),
    );
  } finally {
    await server?.close();
    if (keep) console.error(`kept ${scratch.pathname}`);
    else Deno.removeSync(scratch, { recursive: true });
  }
  const checksFailed = results.filter((r) => r.problems.length > 0);
  const passed = tests.passed + results.length - checksFailed.length;
  const failed = tests.failed + checksFailed.length;
  for (const result of checksFailed) console.log(`failed: ${result.name}`);
  console.log(`node: ${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
