/**
 * The repository's tests, turned into tests of the installed npm packages: each test file and
 * its test-only helpers are copied into a Node project with every relative import of package
 * source rewritten to the package name (`./fixed_point.ts` → `@kalshi-ws/core`), then bundled
 * to JavaScript for Node 20 with esbuild (which lowers `await using`), every bare import kept
 * external so that `@kalshi-ws/*` resolve to the installed packages.
 *
 * A test is left out, with the reason, when its graph uses `Deno.*`, the web global
 * `addEventListener` or the web global `WebSocket` (Node 22 has it, Node 20 not), imports a package that is not on npm (`@kalshi-ws/deno`), or imports a
 * name the installed package does not export (a private module). The CLI's tests are not
 * mirrored: its end-to-end tests run its installed command instead (`cli_checks.ts`).
 *
 * @module
 */

import {
  exists,
  memberPath,
  NPM_PACKAGES,
  npmBin,
  npmExports,
  npmName,
  OUT_DIR,
  readMember,
  ROOT,
  runOk,
} from "../_npm.ts";

/** npm package name → its `deno.json` exports (subpath → entry, relative to the member). */
export const EXPORTS: ReadonlyMap<string, { dir: string; entries: Record<string, string> }> =
  (() => {
    const map = new Map<string, { dir: string; entries: Record<string, string> }>();
    for (const dir of NPM_PACKAGES) map.set(npmName(dir), { dir, entries: npmExports(dir) });
    return map;
  })();

/** Every import specifier of every package entry (`@kalshi-ws/simulator/model`). */
export function entrySpecifiers(): string[] {
  return [...EXPORTS].flatMap(([name, { entries }]) =>
    Object.keys(entries).map((subpath) => (subpath === "." ? name : `${name}/${subpath.slice(2)}`))
  );
}

/** `Deno.*`, or the web global error event (Deno and browsers have it, Node does not). */
const DENO_API = /\bDeno\.(?!customInspect\b)[A-Za-z]\w*|\bglobalThis\.addEventListener\b/;
const SPECIFIER = /(\bfrom\s*|\bimport\s*\(?\s*)(["'])([^"'\n]+)\2/g;
const NAMED_IMPORT =
  /\bimport\s+(?!type\b)(?:[\w$]+\s*,\s*)?\{([^}]*)\}\s*from\s*(["'])([^"'\n]+)\2/g;
const TEXT_IMPORT = /(\bfrom\s*["'][^"'\n]+\.(\w+)["'])\s*with\s*\{\s*type:\s*["']text["']\s*\}/g;

/** Whether `path` (relative to the root) is a module of an npm package (it has emitted JS). */
function packageOf(path: string): { name: string; specifier: string } | undefined {
  for (const [name, { dir, entries }] of EXPORTS) {
    const prefix = `${memberPath(dir)}/`;
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

/**
 * The entry of `owner`'s package to import `names` from: the module's own entry when it exports
 * them all, else another entry of the package that does (`@kalshi-ws/client/internal` for the
 * client's plumbing, which lives beside the root entry).
 */
function entryExporting(
  owner: { name: string; specifier: string } | undefined,
  names: readonly string[],
  runtimeExports: ReadonlyMap<string, ReadonlySet<string>>,
): string | undefined {
  if (owner === undefined) return undefined;
  const exportsAll = (specifier: string) =>
    names.every((name) => runtimeExports.get(specifier)?.has(name));
  if (exportsAll(owner.specifier)) return owner.specifier;
  const subpaths = Object.keys(EXPORTS.get(owner.name)?.entries ?? {});
  const specifiers = subpaths.map((
    sub,
  ) => (sub === "." ? owner.name : `${owner.name}/${sub.slice(2)}`));
  return specifiers.find(exportsAll) ?? owner.specifier;
}

/**
 * The source of an entry the npm package leaves out (`@kalshi-ws/client/testing`: shared test
 * suites), root-relative, or `undefined` when `specifier` is an npm entry. Tests get a copy.
 */
function testOnlyEntry(specifier: string): string | undefined {
  const name = specifier.split("/").slice(0, 2).join("/");
  const pkg = EXPORTS.get(name);
  if (pkg === undefined) return undefined;
  const subpath = `.${specifier.slice(name.length)}`; // "." or "./testing"
  if (subpath in pkg.entries) return undefined;
  const config = readMember(memberPath(pkg.dir)).exports;
  const own = typeof config === "string" ? { ".": config } : config;
  const target = own[subpath];
  return target === undefined ? undefined : `${memberPath(pkg.dir)}/${target.replace(/^\.\//, "")}`;
}

/** A relative specifier from root-relative `from` to root-relative `to`. */
function relativeSpecifier(from: string, to: string): string {
  const up = from.split("/").length - 1;
  const shared = from.split("/").slice(0, -1);
  const parts = to.split("/");
  let common = 0;
  while (common < shared.length && shared[common] === parts[common]) common++;
  const path = [...Array(up - common).fill(".."), ...parts.slice(common)].join("/");
  return path.startsWith(".") ? path : `./${path}`;
}

/** Root-relative path of a relative specifier imported by `from` (root-relative). */
function resolvePath(from: string, specifier: string): string {
  const base = new URL(from, "file:///r/");
  return new URL(specifier, base).pathname.slice("/r/".length);
}

/** The test-side files written into the project, by root-relative path. */
export type Mirror = Map<string, string>;

/** Extensions imported `with { type: "text" }` (esbuild loads them with its text loader). */
const TEXT_EXTENSIONS = new Set<string>();

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
  if (/\bnew WebSocket\(/.test(source) && !/\bimport\s+(?:type\s+)?WebSocket\b/.test(source)) {
    return `${path} uses the web global WebSocket, which Node 20 lacks`;
  }
  /** Relative specifier → the package entry that exports what is imported from it. */
  const entries = new Map<string, string>();
  for (const match of source.matchAll(NAMED_IMPORT)) {
    const specifier = match[3]!;
    const names = match[1]!.split(",")
      .map((item) => item.trim().split(/\s+as\s+/)[0]!.trim())
      .filter((name) => name !== "" && !name.startsWith("type "));
    const target = specifier.startsWith(".")
      ? entryExporting(packageOf(resolvePath(path, specifier)), names, runtimeExports)
      : specifier;
    if (specifier.startsWith(".") && target !== undefined) entries.set(specifier, target);
    const available = target === undefined ? undefined : runtimeExports.get(target);
    if (!available) continue;
    for (const name of names) {
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
      const copied = testOnlyEntry(spec);
      if (copied === undefined) return all;
      skip ??= collect(copied, mirror, runtimeExports);
      return `${lead}${quote}${relativeSpecifier(path, copied)}${quote}`;
    }
    if (!spec.startsWith(".")) return all;
    const target = resolvePath(path, spec);
    const owner = packageOf(target);
    if (owner) return `${lead}${quote}${entries.get(spec) ?? owner.specifier}${quote}`;
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
function candidates(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of Deno.readDirSync(new URL(dir, ROOT))) {
      const path = `${dir}${entry.name}`;
      if (entry.isDirectory && entry.name !== "testdata" && entry.name !== "node_modules") {
        walk(`${path}/`);
      } else if (entry.isFile && entry.name.endsWith("_test.ts")) out.push(path);
    }
  };
  for (const dir of NPM_PACKAGES) {
    if (memberPath(dir).startsWith("packages/")) walk(`${memberPath(dir)}/`);
  }
  for (const entry of Deno.readDirSync(new URL("tests/node/", ROOT))) {
    if (entry.isFile && entry.name.endsWith(".ts")) out.push(`tests/node/${entry.name}`);
  }
  return out.sort();
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
  const script = `const out = {};
for (const s of ${JSON.stringify(entrySpecifiers())}) out[s] = Object.keys(await import(s));
console.log(JSON.stringify(out));`;
  const result = await runOk("node", ["--input-type=module", "-e", script], { cwd: project });
  const parsed = JSON.parse(result.stdout) as Record<string, string[]>;
  return new Map(Object.entries(parsed).map(([k, v]) => [k, new Set(v)]));
}

/** The bundled tests written into `project`, and the tests left out with their reasons. */
export interface MirroredTests {
  /** Absolute paths of the bundled `.js` test files. */
  readonly bundles: readonly string[];
  /** `path: reason` of each test left out. */
  readonly skipped: readonly string[];
}

/** Mirrors, installs the test-only dependencies of, and bundles the tests (see module doc). */
export async function mirrorTests(project: URL): Promise<MirroredTests> {
  const runtimeExports = await installedExports(project);
  const mirror: Mirror = new Map();
  const chosen: string[] = [];
  const skipped: string[] = [];
  for (const candidate of candidates()) {
    const local: Mirror = new Map(mirror);
    const skip = collect(candidate, local, runtimeExports);
    if (skip) {
      skipped.push(`${candidate}: ${skip}`);
      continue;
    }
    for (const [path, text] of local) mirror.set(path, text);
    chosen.push(candidate);
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
  return { bundles, skipped };
}
