/**
 * `deno task test:node`: runs the runtime-neutral tests under Node (20+) against the npm
 * packages built by `deno task build:npm`, installed from their tarballs — not against sources.
 *
 * 1. A temporary project installs `dist/npm/*.tgz` with npm (`ws` comes from the registry).
 * 2. Test files: every `*_test.ts` of the npm packages (`core`, `client`, `node`, `simulator`)
 *    plus `tests/node/*.ts`. A test is left out, with the reason printed, when its graph uses
 *    `Deno.*` or the web global `addEventListener`, imports a package that is not on npm (`@kalshi-ws/deno`), or imports a name the
 *    installed package does not export (a private module).
 * 3. Each test and its test-only helpers are copied into the project with every relative import
 *    of package source rewritten to the package name (`./fixed_point.ts` → `@kalshi-ws/core`),
 *    then bundled to JavaScript with esbuild (target node20, so `await using` is lowered), keeping
 *    every bare import external so that `@kalshi-ws/*` resolve to the installed packages. Test
 *    data (`testdata/`) is copied alongside; test-only npm packages (`yaml`, `ajv`) are installed
 *    at the versions of the root import map.
 * 4. `node --test` runs them; `tsc` type-checks every package entry and `tests/node/*.ts` as a
 *    Node user would (no DOM lib, `@types/node` 20); then the README's "Install from npm (Node)"
 *    example runs as written. The last line is `node: N passed, N failed`.
 *
 * Usage: `deno task test:node [--keep]` (`--keep` keeps the temporary project and prints it).
 *
 * @module
 */

import { NPM_PACKAGES, npmBin, OUT_DIR, readMember, ROOT, run, runOk } from "./_npm.ts";

/** One test file chosen to run, or left out with a reason. */
interface Candidate {
  /** Path relative to the root, e.g. `packages/core/fixed_point_test.ts`. */
  readonly path: string;
  skip?: string;
}

/** npm package name → its `deno.json` exports (subpath → entry, relative to the member). */
const EXPORTS = new Map<string, { dir: string; entries: Record<string, string> }>();
for (const dir of NPM_PACKAGES) {
  const config = readMember(`packages/${dir}`);
  const entries = typeof config.exports === "string" ? { ".": config.exports } : config.exports;
  EXPORTS.set(config.name, { dir, entries: { ...entries } });
}

/** `Deno.*`, or the web global error event (Deno and browsers have it, Node does not). */
/** The Node type definitions a Node 20 user would have (for the `tsc` check). */
const NODE_TYPES = "@types/node@20.19.43";

const DENO_API = /\bDeno\.(?!customInspect\b)[A-Za-z]\w*|\bglobalThis\.addEventListener\b/;
const SPECIFIER = /(\bfrom\s*|\bimport\s*\(?\s*)(["'])([^"'\n]+)\2/g;
const NAMED_IMPORT =
  /\bimport\s+(?!type\b)(?:[\w$]+\s*,\s*)?\{([^}]*)\}\s*from\s*(["'])([^"'\n]+)\2/g;

const TEXT_IMPORT = /(\bfrom\s*["'][^"'\n]+\.(\w+)["'])\s*with\s*\{\s*type:\s*["']text["']\s*\}/g;
/** Extensions imported `with { type: "text" }` (esbuild loads them with its text loader). */
const TEXT_EXTENSIONS = new Set<string>();

/** Whether `path` (relative to the root) is a module of an npm package (it has emitted JS). */
function packageOf(path: string): { name: string; specifier: string } | undefined {
  for (const [name, { dir, entries }] of EXPORTS) {
    const prefix = `packages/${dir}/`;
    if (!path.startsWith(prefix) || !path.endsWith(".ts")) continue;
    const inner = path.slice(prefix.length);
    const emitted = new URL(`${dir}/${inner.slice(0, -3)}.js`, OUT_DIR);
    if (!exists(emitted)) return undefined;
    // The export whose directory holds the module (longest first): `./model/mod.ts` owns model/.
    const owners = Object.entries(entries)
      .map(([subpath, target]) => ({
        subpath,
        base: target.replace(/^\.\//, "").replace(/[^/]*$/, ""),
      }))
      .filter((e) => inner.startsWith(e.base))
      .sort((a, b) => b.base.length - a.base.length);
    const subpath = owners[0]?.subpath ?? ".";
    return { name, specifier: subpath === "." ? name : `${name}/${subpath.slice(2)}` };
  }
  return undefined;
}

function exists(url: URL): boolean {
  try {
    Deno.statSync(url);
    return true;
  } catch {
    return false;
  }
}

/** Root-relative path of a relative specifier imported by `from` (root-relative). */
function resolvePath(from: string, specifier: string): string {
  const base = new URL(from, "file:///r/");
  return new URL(specifier, base).pathname.slice("/r/".length);
}

/** The test-side files written into the project, by root-relative path. */
type Mirror = Map<string, string>;

/**
 * Copies `path` and its test-side imports into `mirror`, rewriting imports of package modules
 * to package names. Returns the reason to skip the test, if any.
 */
function collect(
  path: string,
  mirror: Mirror,
  runtimeExports: ReadonlyMap<string, ReadonlySet<string>>,
): string | undefined {
  if (mirror.has(path)) return undefined;
  const source = Deno.readTextFileSync(new URL(path, ROOT));
  if (!path.endsWith(".ts")) {
    mirror.set(path, source);
    return undefined;
  }
  const denoOnly = source.match(DENO_API);
  if (denoOnly) return `${path} uses ${denoOnly[0]}, which Node lacks`;
  for (const match of source.matchAll(NAMED_IMPORT)) {
    const specifier = match[3]!;
    const target = specifier.startsWith(".")
      ? packageOf(resolvePath(path, specifier))?.specifier
      : specifier;
    const available = target === undefined ? undefined : runtimeExports.get(target);
    if (!available) continue;
    for (const item of match[1]!.split(",")) {
      const name = item.trim().split(/\s+as\s+/)[0]!.trim();
      if (name === "" || name.startsWith("type ")) continue;
      if (!available.has(name)) {
        return `${path} imports ${name} from "${specifier}", which ${target} does not export`;
      }
    }
  }
  mirror.set(path, ""); // placeholder against cycles
  let skip: string | undefined;
  const rewritten = source.replace(SPECIFIER, (all, lead: string, quote: string, spec: string) => {
    if (spec.startsWith("@kalshi-ws/")) {
      const name = spec.split("/").slice(0, 2).join("/");
      if (!EXPORTS.has(name)) skip ??= `${path} imports ${spec}, which is not an npm package`;
      return all;
    }
    if (!spec.startsWith(".")) return all;
    const target = resolvePath(path, spec);
    const owner = packageOf(target);
    if (owner) return `${lead}${quote}${owner.specifier}${quote}`;
    const member = target.match(/^packages\/([^/]+)\//)?.[1];
    if (member !== undefined && !NPM_PACKAGES.includes(member)) {
      skip ??= `${path} imports ${spec}, which is not in an npm package`;
      return all;
    }
    skip ??= collect(target, mirror, runtimeExports);
    return all;
  });
  // esbuild has no `type: "text"` attribute; a text loader per extension does the same.
  const plain = rewritten.replace(TEXT_IMPORT, (_all, head: string, ext: string) => {
    TEXT_EXTENSIONS.add(ext);
    return head;
  });
  mirror.set(path, plain);
  return skip;
}

/** The tests to consider: the packages' `*_test.ts` and `tests/node/*.ts`. */
function candidates(): Candidate[] {
  const out: Candidate[] = [];
  const walk = (dir: string) => {
    for (const entry of Deno.readDirSync(new URL(dir, ROOT))) {
      const path = `${dir}${entry.name}`;
      if (entry.isDirectory && entry.name !== "testdata" && entry.name !== "node_modules") {
        walk(`${path}/`);
      } else if (entry.isFile && entry.name.endsWith("_test.ts")) out.push({ path });
    }
  };
  for (const dir of NPM_PACKAGES) walk(`packages/${dir}/`);
  for (const entry of Deno.readDirSync(new URL("tests/node/", ROOT))) {
    if (entry.isFile && entry.name.endsWith(".ts")) out.push({ path: `tests/node/${entry.name}` });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * `name@version` of every bare import of the test files that the installed packages did not
 * bring, with the version of the root import map (`yaml` → `yaml@2.9.1`).
 */
function testDependencies(mirror: Mirror, project: URL): string[] {
  const imports = (JSON.parse(Deno.readTextFileSync(new URL("deno.json", ROOT))) as {
    imports?: Record<string, string>;
  }).imports ?? {};
  const wanted = new Set<string>();
  for (const [path, text] of mirror) {
    if (!path.endsWith(".ts")) continue;
    for (const match of text.matchAll(SPECIFIER)) {
      const spec = match[3]!;
      if (spec.startsWith(".") || spec.startsWith("node:") || spec.startsWith("@kalshi-ws/")) {
        continue;
      }
      const parts = spec.split("/");
      const name = spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
      if (exists(new URL(`node_modules/${name}/package.json`, project))) continue;
      const mapped = imports[name];
      if (!mapped?.startsWith("npm:")) throw new Error(`Add "${name}" to the root import map`);
      wanted.add(mapped.slice("npm:".length));
    }
  }
  return [...wanted].sort();
}

/** The runtime export names of every installed package entry (asked of Node itself). */
async function installedExports(project: URL): Promise<Map<string, Set<string>>> {
  const specifiers: string[] = [];
  for (const [name, { entries }] of EXPORTS) {
    for (const subpath of Object.keys(entries)) {
      specifiers.push(subpath === "." ? name : `${name}/${subpath.slice(2)}`);
    }
  }
  const script = `const out = {};
for (const s of ${JSON.stringify(specifiers)}) out[s] = Object.keys(await import(s));
console.log(JSON.stringify(out));`;
  const result = await runOk("node", ["--input-type=module", "-e", script], { cwd: project });
  const parsed = JSON.parse(result.stdout) as Record<string, string[]>;
  return new Map(Object.entries(parsed).map(([k, v]) => [k, new Set(v)]));
}

/**
 * Type-checks, with `tsc` as a Node user would (`module: nodenext`, `lib: es2022` without the
 * DOM lib, `@types/node` for Node 20, `skipLibCheck: false`), a file importing every package
 * entry plus the copies of `tests/node/*.ts` that import only packages.
 */
async function typeCheck(project: URL) {
  const imports = [...EXPORTS].flatMap(([name, { entries }]) =>
    Object.keys(entries).map((subpath) => (subpath === "." ? name : `${name}/${subpath.slice(2)}`))
  );
  const source = imports.map((s, i) => `import * as m${i} from "${s}";`).join("\n") +
    `\nexport const modules: readonly object[] = [${imports.map((_, i) => `m${i}`).join(", ")}];\n`;
  Deno.writeTextFileSync(new URL("types_check.ts", project), source);
  const ownTests = [...Deno.readDirSync(new URL("tests/node/", project))]
    .map((e) => `tests/node/${e.name}`)
    .filter((path) => path.endsWith(".ts"))
    .filter((path) => !/from\s*["']\./.test(Deno.readTextFileSync(new URL(path, project))));
  const config = {
    compilerOptions: {
      target: "es2022",
      module: "nodenext",
      moduleResolution: "nodenext",
      lib: ["es2022"],
      types: ["node"],
      strict: true,
      noEmit: true,
      skipLibCheck: false,
    },
    files: ["types_check.ts", ...ownTests],
  };
  Deno.writeTextFileSync(new URL("tsconfig.json", project), JSON.stringify(config, null, 2));
  return await run(npmBin("tsc"), ["-p", new URL("tsconfig.json", project).pathname], {
    cwd: project,
    timeoutMs: 120_000,
  });
}

/** The first ```js block of the README section "Install from npm (Node)". */
function readmeExample(): string | undefined {
  const readme = Deno.readTextFileSync(new URL("README.md", ROOT));
  const section = readme.split(/^## /m).find((s) => s.startsWith("Install from npm (Node)"));
  return section?.match(/```js\n([\s\S]*?)```/)?.[1];
}

/** `node: N passed, N failed` counts from the spec reporter's summary. */
function counts(output: string): { passed: number; failed: number } {
  const number = (label: string) =>
    Number(output.match(new RegExp(`^\\S*\\s*${label} (\\d+)$`, "m"))?.[1] ?? 0);
  return { passed: number("pass"), failed: number("fail") + number("cancelled") };
}

async function main(args: readonly string[]): Promise<number> {
  const keep = args.includes("--keep");
  const tarballs = [...Deno.readDirSync(OUT_DIR)]
    .filter((e) => e.name.endsWith(".tgz"))
    .map((e) => new URL(e.name, OUT_DIR).pathname);
  if (tarballs.length !== NPM_PACKAGES.length) {
    console.error(`Run deno task build:npm first: found ${tarballs.length} tarballs in dist/npm`);
    return 1;
  }
  const node = await runOk("node", ["--version"]);
  console.error(`node ${node.stdout.trim()}; installing ${tarballs.length} tarballs`);

  const project = new URL(`file://${await Deno.makeTempDir({ prefix: "kalshi-ws-node-" })}/`);
  try {
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
    ], { cwd: project });
    const runtimeExports = await installedExports(project);

    const mirror: Mirror = new Map();
    const chosen: string[] = [];
    for (const candidate of candidates()) {
      const local: Mirror = new Map(mirror);
      candidate.skip = collect(candidate.path, local, runtimeExports);
      if (candidate.skip) {
        console.error(`skip ${candidate.path}: ${candidate.skip}`);
        continue;
      }
      for (const [path, text] of local) mirror.set(path, text);
      chosen.push(candidate.path);
    }
    for (const [path, text] of mirror) {
      const url = new URL(path, project);
      Deno.mkdirSync(new URL(".", url), { recursive: true });
      Deno.writeTextFileSync(url, text);
    }
    for (const dir of new Set(chosen.map((p) => p.replace(/[^/]*$/, "")))) {
      const testdata = new URL(`${dir}testdata/`, ROOT);
      if (exists(testdata)) {
        await runOk("cp", ["-R", testdata.pathname, new URL(dir, project).pathname]);
      }
    }

    // Test-only npm packages (yaml, ajv), at the versions of the root import map.
    const extra = testDependencies(mirror, project);
    if (extra.length > 0) {
      await runOk("npm", ["install", "--no-audit", "--no-fund", "--no-package-lock", ...extra], {
        cwd: project,
      });
    }

    // One bundle per test, next to its copy (so `import.meta.url` paths still work). esbuild
    // (not `deno bundle`) because Node 20 needs `await using` lowered; every bare import stays
    // external, so the packages come from node_modules.
    await runOk(npmBin("esbuild"), [
      ...chosen.map((p) => new URL(p, project).pathname),
      "--bundle",
      "--platform=node",
      "--format=esm",
      "--target=node20",
      "--packages=external",
      ...[...TEXT_EXTENSIONS].map((ext) => `--loader:.${ext}=text`),
      "--log-level=warning",
      `--outdir=${project.pathname}`,
      `--outbase=${project.pathname}`,
    ]);
    const bundles = chosen.map((p) => new URL(p.replace(/\.ts$/, ".js"), project).pathname);
    const missing = bundles.filter((b) => !exists(new URL(`file://${b}`)));
    if (missing.length > 0) throw new Error(`esbuild wrote no ${missing.join(", ")}`);

    console.error(`node --test: ${bundles.length} test files`);
    const tested = await run("node", [
      "--test",
      "--test-reporter=spec",
      "--test-timeout=60000",
      ...bundles,
    ], { cwd: project, timeoutMs: 240_000 });
    const output = tested.stdout + tested.stderr;
    console.log(output.trimEnd());
    let { passed, failed } = counts(output);
    if (tested.code !== 0 && failed === 0) failed = 1;

    const typed = await typeCheck(project);
    if (typed.code === 0) {
      passed++;
      console.log(`TypeScript (lib es2022, ${NODE_TYPES}) accepts the declarations and tests/node`);
    } else {
      failed++;
      console.log(`TypeScript rejects the installed declarations:\n${typed.stdout}${typed.stderr}`);
    }

    const example = readmeExample();
    if (example === undefined) {
      console.error('README example: no ```js block under "## Install from npm (Node)"');
      failed++;
    } else {
      Deno.writeTextFileSync(new URL("readme_example.mjs", project), example);
      const ran = await run("node", ["readme_example.mjs"], { cwd: project, timeoutMs: 30_000 });
      if (ran.code === 0) {
        passed++;
        console.log(`README example ran as written:\n${ran.stdout.trimEnd()}`);
      } else {
        failed++;
        console.log(`README example failed (exit ${ran.code}):\n${ran.stdout}${ran.stderr}`);
      }
    }
    console.log(`node: ${passed} passed, ${failed} failed`);
    return failed === 0 && passed > 0 ? 0 : 1;
  } finally {
    if (keep) console.error(`kept ${project.pathname}`);
    else Deno.removeSync(project, { recursive: true });
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
