import { test } from "node:test";
import assert from "node:assert/strict";
import {
  layoutProblems,
  machineDirs,
  machinePathProblems,
  type Member,
  resolvePath,
  type SourceFile,
} from "./layout.ts";

const ROOT = new URL("../", import.meta.url);
const SKIPPED_DIRS = new Set(["node_modules", "dist", ".git", "testdata"]);

/** The workspace members of the root `deno.json`, with their package names. */
function workspaceMembers(): Member[] {
  const root = JSON.parse(Deno.readTextFileSync(new URL("deno.json", ROOT))) as {
    workspace: string[];
  };
  return root.workspace.map((entry) => {
    const dir = entry.replace(/^\.\//, "").replace(/\/$/, "");
    const config = JSON.parse(Deno.readTextFileSync(new URL(`${dir}/deno.json`, ROOT)));
    return { dir, name: config.name as string };
  });
}

/** Every file under `dir` (relative to the root) whose name ends with one of `extensions`. */
function filesUnder(dir: string, extensions: readonly string[]): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (path: string) => {
    for (const entry of Deno.readDirSync(new URL(path || ".", ROOT))) {
      const child = path === "" ? entry.name : `${path}/${entry.name}`;
      if (entry.isDirectory && !SKIPPED_DIRS.has(entry.name)) walk(child);
      else if (entry.isFile && extensions.some((e) => entry.name.endsWith(e))) {
        out.push({ path: child, text: Deno.readTextFileSync(new URL(child, ROOT)) });
      }
    }
  };
  walk(dir);
  return out;
}

const CODE = [".ts", ".tsx", ".js", ".mjs"];

test("no workspace member reaches into another's files or depends on an app", () => {
  const members = workspaceMembers();
  assert.ok(
    members.some((m) => m.dir === "packages/core") && members.some((m) => m.dir === "apps/cli"),
  );
  const files = [...filesUnder("packages", CODE), ...filesUnder("apps", CODE)];
  assert.ok(files.length > 100, `only ${files.length} source files found`);
  assert.deepEqual(layoutProblems(files, members), []);
});

test("the layout check catches relative imports across members, imports of an app, and paths into another member", () => {
  const members: Member[] = [
    { dir: "packages/client", name: "@kalshi-ws/client" },
    { dir: "packages/node", name: "@kalshi-ws/node" },
    { dir: "packages/nats", name: "@kalshi-ws/nats" },
    { dir: "apps/cli", name: "@kalshi-ws/cli" },
  ];
  const file = (path: string, text: string): SourceFile => ({ path, text });
  const problems = layoutProblems(
    [
      file("packages/node/a_test.ts", 'import { x } from "../client/testing/suite.ts";'),
      file("packages/node/b_test.ts", 'export * from "../../scripts/tool.ts";'),
      file(
        "packages/nats/testing/spawn.ts",
        'new URL("../../../apps/cli/main.ts", import.meta.url)',
      ),
      file("packages/nats/c.ts", 'const m = await import("@kalshi-ws/cli");'),
      file("packages/nats/d.ts", 'import.meta.resolve("@kalshi-ws/cli/node")'),
      // Allowed: inside the member, through package names, the root config, outside the repo.
      file(
        "packages/node/e_test.ts",
        'import { behaviourSuite } from "@kalshi-ws/client/testing";',
      ),
      file("packages/node/f.ts", 'import { y } from "./sub/y.ts";\nimport "../node/g.ts";'),
      file(
        "packages/node/h_test.ts",
        'import config from "../../deno.json" with { type: "json" };',
      ),
      file("apps/cli/i_test.ts", 'new URL("../../../shared/spec/api.yaml", import.meta.url)'),
      file("apps/cli/j_test.ts", 'import { startCollector } from "@kalshi-ws/nats";'),
      file("bench/k.ts", 'import { Session } from "../packages/core/session.ts";'),
    ],
    members,
    [],
  );
  assert.deepEqual(problems, [
    'packages/node/a_test.ts imports "../client/testing/suite.ts", outside packages/node: ' +
    "import @kalshi-ws/client (or its ./testing) instead",
    'packages/node/b_test.ts imports "../../scripts/tool.ts", outside packages/node',
    'packages/nats/testing/spawn.ts points into apps/cli (new URL("../../../apps/cli/main.ts"))',
    'packages/nats/c.ts imports the app @kalshi-ws/cli ("@kalshi-ws/cli")',
    'packages/nats/d.ts resolves the app @kalshi-ws/cli ("@kalshi-ws/cli/node")',
  ]);
  assert.equal(resolvePath("packages/a/b.ts", "../../../shared/x"), "../shared/x");
});

test("no document or source names a path of this machine", () => {
  const dirs = machineDirs(decodeURIComponent(ROOT.pathname));
  const files = filesUnder("", [".md", ".ts", ".json"]);
  assert.deepEqual(machinePathProblems(files, dirs), []);
});

test("the machine-path check names the checkout and the folder holding it, not / or /tmp", () => {
  assert.deepEqual(machineDirs("/srv/ci/repo/"), ["/srv/ci/repo/", "/srv/ci/"]);
  assert.deepEqual(machineDirs("/tmp/repo"), ["/tmp/repo/"]);
  assert.deepEqual(machineDirs("/repo"), ["/repo/"]);
  assert.deepEqual(
    machinePathProblems([{ path: "bench/README.md", text: "a\nexport PATH=/srv/ci/x/bin" }], [
      "/srv/ci/",
    ]),
    ["bench/README.md:2 names /srv/ci/"],
  );
});
