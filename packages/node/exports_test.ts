import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as deno from "@kalshi-ws/deno";
import * as node from "./mod.ts";

/** The names a module's source exports, values and types alike. */
function exportedNames(url: string): string[] {
  const source = readFileSync(new URL(url), "utf8");
  const names = new Set<string>();
  for (const block of source.matchAll(/export\s*{([^}]*)}/g)) {
    for (const item of block[1]!.split(",")) {
      const name = item.trim().replace(/^type\s+/, "");
      if (name !== "") names.add(name);
    }
  }
  for (const m of source.matchAll(/export\s+(?:const|function|type|interface|class)\s+(\w+)/g)) {
    names.add(m[1]!);
  }
  return [...names].sort();
}

test("@kalshi-ws/node exports the same names as @kalshi-ws/deno when compared at runtime", () => {
  assert.deepEqual(Object.keys(node).sort(), Object.keys(deno).sort());
  assert.notEqual(node.transport, deno.transport);
  assert.equal(node.transport.seesPings, true);
  assert.equal(deno.transport.seesPings, true);
});

test("@kalshi-ws/node exports the same types as @kalshi-ws/deno when compared in source", () => {
  assert.deepEqual(
    exportedNames(import.meta.resolve("./mod.ts")),
    exportedNames(import.meta.resolve("@kalshi-ws/deno")),
  );
});
