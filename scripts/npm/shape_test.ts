import { test } from "node:test";
import assert from "node:assert/strict";
import { binPath, binScripts, reshape } from "./shape.ts";
import type { PackageJson } from "./package_json.ts";

const PACKED: PackageJson = {
  name: "@kalshi-ws/cli",
  version: "1.0.0",
  main: "./main.js",
  types: "./main.d.ts",
  exports: {
    ".": { types: "./main.d.ts", import: "./main.js", default: "./main.js" },
    "./node": { types: "./node.d.ts", import: "./node.js", default: "./node.js" },
  },
};

const SHAPE = { name: "kalshi-ws", exports: { ".": "./node" }, bin: { "kalshi-ws": "." } };

test("reshape() renames, takes the named deno.json export as npm's `.`, and drops the rest", () => {
  const shaped = reshape(PACKED, SHAPE);
  assert.equal(shaped.name, "kalshi-ws");
  assert.deepEqual(shaped.exports, {
    ".": { types: "./node.d.ts", import: "./node.js", default: "./node.js" },
  });
  assert.equal(shaped.main, "./node.js");
  assert.equal(shaped.types, "./node.d.ts");
  assert.equal(reshape(PACKED, undefined), PACKED, "no shape: unchanged");
  assert.throws(() => reshape(PACKED, { exports: { ".": "./bin" } }), /no export \.\/bin/);
});

test("binScripts() writes a node script per command that runs the entry's runProgram()", () => {
  const scripts = binScripts(SHAPE, reshape(PACKED, SHAPE));
  const script = scripts.get("kalshi-ws")!;
  assert.equal(script.path, "bin/kalshi-ws.js");
  assert.match(script.text, /^#!\/usr\/bin\/env node\n/);
  assert.match(
    script.text,
    /import \{ runProgram \} from "\.\.\/node\.js";\nawait runProgram\(\);/,
  );
  assert.equal(binScripts(undefined, PACKED).size, 0);
  assert.throws(() => binScripts({ bin: { x: "./missing" } }, PACKED), /lacks/);
  assert.throws(() => binPath("../evil"), /Invalid command name/);
});
