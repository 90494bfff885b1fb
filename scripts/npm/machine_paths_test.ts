import { test } from "node:test";
import assert from "node:assert/strict";
import { findMachinePaths } from "./machine_paths.ts";

const FORBIDDEN = ["/srv/ci/checkout", "/srv/builder"];

test("findMachinePaths() finds a machine path or file:// URL in text", () => {
  assert.deepEqual(findMachinePaths("at /srv/ci/checkout/packages/a.ts:1", FORBIDDEN), [
    "/srv/ci/checkout",
  ]);
  assert.deepEqual(findMachinePaths('"sources":["file:///x/a.ts"]', FORBIDDEN), [
    "file:///x/a.ts",
  ]);
});

test("findMachinePaths() looks inside base64 data: URLs (inline source maps)", () => {
  const map = btoa(JSON.stringify({ sources: ["/srv/builder/a.ts"] }));
  const text = `code();\n//# sourceMappingURL=data:application/json;base64,${map}`;
  assert.deepEqual(findMachinePaths(text, FORBIDDEN), ["/srv/builder (in a data: URL)"]);
});

test("findMachinePaths() passes clean text", () => {
  assert.deepEqual(findMachinePaths("ws://127.0.0.1:8765/trade-api/ws/v2 ./a.js", FORBIDDEN), []);
});
