import { test } from "node:test";
import assert from "node:assert/strict";
import { VERSION } from "./version.ts";
import config from "./deno.json" with { type: "json" };

test("VERSION equals the version of apps/cli/deno.json", () => {
  assert.equal(VERSION, config.version);
});
