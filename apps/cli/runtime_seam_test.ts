/**
 * The CLI runs on Deno and on Node from one source because only the seam's two implementations
 * touch a runtime: this test reads every CLI module (tests and `_`-prefixed test helpers aside)
 * and fails on a `Deno.*` call or a Deno-only import outside `runtime_deno.ts`, and on Node's
 * process, file, terminal or socket APIs outside `runtime_node.ts`.
 */

import { test } from "node:test";
import assert from "node:assert/strict";

const CLI = new URL("./", import.meta.url);

/** Every `.ts` module of the CLI (relative paths), tests (`_test`, `_itest`) and test helpers excluded. */
function modules(dir = CLI, prefix = ""): string[] {
  const out: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const path = `${prefix}${entry.name}`;
    if (entry.isDirectory) out.push(...modules(new URL(`${entry.name}/`, dir), `${path}/`));
    else if (
      entry.name.endsWith(".ts") && !/_i?test\.ts$/.test(entry.name) && !entry.name.startsWith("_")
    ) {
      out.push(path);
    }
  }
  return out.sort();
}

/** The code of a module without its comments (doc comments may name either runtime). */
function code(path: string): string {
  const text = Deno.readTextFileSync(new URL(path, CLI));
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

/** What only the Deno implementation may use. */
const DENO_ONLY = [/\bDeno\./, /from\s*["']@kalshi-ws\/deno["']/];

/** What only the Node implementation may use (pure `node:` modules such as `node:path` are fine). */
const NODE_ONLY = [
  /\bprocess\.\w/,
  /from\s*["']node:(process|fs|fs\/promises|tty|http|net|child_process)["']/,
  /from\s*["']@kalshi-ws\/node["']/,
  /from\s*["']ws["']/,
];

test("only runtime_deno.ts uses Deno.* or @kalshi-ws/deno; only runtime_node.ts Node's process, files, terminal and sockets", () => {
  const found: string[] = [];
  for (const path of modules()) {
    const text = code(path);
    const forbidden = [
      ...(path === "runtime_deno.ts" ? [] : DENO_ONLY),
      ...(path === "runtime_node.ts" ? [] : NODE_ONLY),
    ];
    for (const pattern of forbidden) {
      const match = text.match(pattern);
      if (match) found.push(`${path}: ${match[0]}`);
    }
  }
  assert.deepEqual(found, [], "move these calls behind the runtime seam (runtime.ts)");
});

test("the seam's check sees a Deno call and a Node call where they do not belong", () => {
  assert.ok(modules().includes("commands/book.ts"), "commands are checked too");
  assert.ok(DENO_ONLY.some((p) => p.test("const rows = Deno.consoleSize().rows;")));
  assert.ok(NODE_ONLY.some((p) => p.test("process.exit(1);")));
  assert.ok(!DENO_ONLY.some((p) => p.test(code("runtime.ts"))), "comments are not code");
});
