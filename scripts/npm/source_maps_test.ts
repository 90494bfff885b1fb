import { test } from "node:test";
import assert from "node:assert/strict";
import { externalizeSourceMap } from "./source_maps.ts";

function inline(map: object): string {
  const base64 = btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(map))));
  return `export const a = 1;\n//# sourceMappingURL=data:application/json;base64,${base64}`;
}

test("externalizeSourceMap() moves the map next to the module and names the source relatively", () => {
  const js = inline({
    version: 3,
    sources: ["file:///srv/builder/repo/packages/simulator/model/exchange.ts"],
    sourcesContent: ["export const a: number = 1;\n"],
    names: [],
    mappings: "AAAA",
  });
  const out = externalizeSourceMap("model/exchange.js", js, "exchange.ts")!;
  assert.equal(out.js, "export const a = 1;\n//# sourceMappingURL=exchange.js.map\n");
  assert.equal(out.mapName, "exchange.js.map");
  const map = JSON.parse(out.map);
  assert.deepEqual(map.sources, ["exchange.ts"]);
  assert.equal(map.file, "exchange.js");
  assert.deepEqual(map.sourcesContent, ["export const a: number = 1;\n"]);
  assert.doesNotMatch(out.map + out.js, /srv\/builder|file:/);
});

test("externalizeSourceMap() leaves a module without an inline map alone", () => {
  assert.equal(externalizeSourceMap("a.js", "export {};\n", "a.ts"), undefined);
});
