import { test } from "node:test";
import assert from "node:assert/strict";
import { cliEndToEndTests, denoTestCounts } from "./cli_checks.ts";
import { pathWithoutDeno } from "../_npm.ts";

test("cliEndToEndTests() finds the CLI tests that spawn it, and only those", () => {
  const files = cliEndToEndTests();
  assert.ok(files.includes("apps/cli/main_test.ts"), files.join(", "));
  assert.ok(files.includes("apps/cli/hostile_test.ts"), files.join(", "));
  assert.ok(!files.includes("apps/cli/args_test.ts"), "unit tests run on Deno only");
});

test("denoTestCounts() reads deno test's summary line", () => {
  assert.deepEqual(denoTestCounts("x\nok | 25 passed | 0 failed (1m42s)\n"), {
    passed: 25,
    failed: 0,
  });
  assert.deepEqual(denoTestCounts("FAILED | 24 passed (3 steps) | 1 failed (2m)"), {
    passed: 24,
    failed: 1,
  });
  assert.deepEqual(denoTestCounts("error: Module not found"), { passed: 0, failed: 0 });
});

test("pathWithoutDeno() leaves out the folders holding a deno", () => {
  const withDeno = new URL("../../node_modules/.bin/", import.meta.url).pathname;
  const path = pathWithoutDeno(`/usr/bin:${withDeno}:/bin:`);
  assert.equal(path, "/usr/bin:/bin");
});
