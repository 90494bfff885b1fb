/**
 * `deno task build:npm`: builds the npm packages `@kalshi-ws/core`, `@kalshi-ws/client`,
 * `@kalshi-ws/node`, `@kalshi-ws/simulator`, `@kalshi-ws/nats` and the CLI `kalshi-ws` from the
 * Deno sources into `dist/npm/`.
 *
 * Per package: `deno pack` (ESM `.js` with `.d.ts`, a generated `package.json`), then this
 * script moves the inline source maps into `.js.map` files with relative source names
 * (`npm/source_maps.ts`), hides `@internal` members from the declarations
 * (`npm/declarations.ts`), declares web types missing from `@types/node` (`CryptoKey`),
 * completes the `package.json` (`npm/package_json.ts`: sibling `@kalshi-ws/*` dependencies,
 * description, repository/homepage/bugs when the git origin is public, `engines`,
 * `sideEffects: false`, the `./package.json` export), writes the npm README with its install
 * line (`npm/readme.ts`) and the LICENSE, gives a package whose npm shape differs from its JSR
 * one (`NPM_SHAPES`: the CLI) its npm name, exports and `#!/usr/bin/env node` command scripts
 * (`npm/shape.ts`), checks the result and repacks it with `npm pack`.
 * Finally `publint --strict` and `@arethetypeswrong/cli` (ESM-only profile) run on every
 * package. Any problem fails the build with a message naming it.
 *
 * Checks: one version everywhere (the root `deno.json` `version`; every member's `deno.json` must
 * carry the same, since `deno publish` reads those); the `exports` of `deno.json` and of the
 * generated `package.json` agree entry by entry and every target file exists; every relative
 * import in the emitted files resolves inside the package; every bare import is `node:*`, a
 * sibling npm package or a declared dependency (a JSR-only sibling such as `@kalshi-ws/deno`
 * fails the build); no public declaration needs a `@types/*` package or shows an untagged
 * `_`-prefixed member; no example in a README or declaration uses `await using`, `Deno.*` or
 * `@kalshi-ws/deno`; no file mentions a path of the build machine.
 *
 * Usage: `deno task build:npm [--skip-lint] [--sync-versions]` (`--skip-lint` skips publint and
 * attw).
 *
 * @module
 */

import {
  exists,
  type MemberConfig,
  memberPath,
  NPM_ONLY_IGNORES,
  NPM_PACKAGES,
  NPM_SHAPES,
  npmBin,
  npmExports,
  npmName,
  OUT_DIR,
  README_COMPANIONS,
  readMember,
  ROOT,
  rootVersion,
  run,
  runOk,
  workspaceMembers,
} from "./_npm.ts";
import { hideInternals } from "./npm/declarations.ts";
import { listFiles, type Members, shimNodeTypes, siblingImports } from "./npm/imports.ts";
import { findMachinePaths, machinePaths } from "./npm/machine_paths.ts";
import {
  completePackageJson,
  type ExportEntry,
  type PackageJson,
  type PublicOrigin,
  publicOrigin,
} from "./npm/package_json.ts";
import {
  examplesProblems,
  moduleDocMarkdown,
  npmReadme,
  readmeFromDoc,
  tarballName,
} from "./npm/readme.ts";
import { binScripts, reshape } from "./npm/shape.ts";
import { externalizeSourceMap } from "./npm/source_maps.ts";

/** A package packed, rewritten and completed, not yet checked and repacked. */
interface Prepared {
  readonly dir: string;
  readonly name: string;
  /** Its unpacked contents (`dist/npm/<dir>/`). */
  readonly contents: URL;
  /** Its entry module, relative to the member (`mod.ts`). */
  readonly entry: string;
  /** Its `@kalshi-ws/*` dependencies, direct and indirect. */
  readonly siblings: readonly string[];
  /** Problems found so far (reported with the final checks). */
  readonly problems: readonly string[];
}

/** A built package: its tarball, next to its unpacked contents. */
interface Built extends Prepared {
  readonly tarball: URL;
}

/** Fails the build with a message. */
class BuildError extends Error {}

/** `./a/b.ts` → `./a/b` (the emitted `.js`/`.d.ts` share that stem). */
function stem(target: string): string {
  if (!target.endsWith(".ts")) {
    throw new BuildError(`Point export "${target}" at a .ts file; deno pack emits .js for those`);
  }
  return target.slice(0, -3);
}

/** Refuses to build when a member's version differs from the root version. */
function checkVersions(version: string, members: readonly string[]): void {
  const wrong = members
    .map((path) => ({ file: `${path}/deno.json`, version: readMember(path).version }))
    .filter((m) => m.version !== version);
  const cli = Deno.readTextFileSync(VERSION_MODULE).match(VERSION_CONSTANT)?.[2];
  if (cli !== version) {
    wrong.push({ file: VERSION_MODULE.pathname.slice(ROOT.pathname.length), version: `${cli}` });
  }
  if (wrong.length > 0) {
    const list = wrong.map((m) => `${m.file} has "${m.version}"`).join(", ");
    throw new BuildError(
      `Set every package version to the root version "${version}": ${list} ` +
        `(or run: deno task build:npm --sync-versions)`,
    );
  }
}

/** The CLI's version constant (printed by `--version`, written into recordings). */
const VERSION_MODULE = new URL("apps/cli/version.ts", ROOT);
const VERSION_CONSTANT = /(export const VERSION = )"([^"]*)"/;

/**
 * Rewrites each member's `"version"` and the CLI's version constant to the root version (keeps
 * the files' formatting).
 */
function syncVersions(version: string, members: readonly string[]): void {
  const cli = Deno.readTextFileSync(VERSION_MODULE);
  const next = cli.replace(VERSION_CONSTANT, `$1"${version}"`);
  if (next !== cli) Deno.writeTextFileSync(VERSION_MODULE, next);
  for (const path of members) {
    const url = new URL(`${path}/deno.json`, ROOT);
    const text = Deno.readTextFileSync(url);
    const next = text.replace(/("version"\s*:\s*)"[^"]*"/, `$1"${version}"`);
    if (next !== text) {
      Deno.writeTextFileSync(url, next);
      console.error(`${path}/deno.json: version set to ${version}`);
    }
  }
}

/** First paragraph of the module doc, without the leading "`@scope/name`:" label. */
function description(doc: string): string {
  const first = doc.split(/\n\s*\n/)[0]!.replace(/\s+/g, " ").trim();
  const text = first.replace(/^`(@[\w-]+\/)?[\w-]+`:\s*/, "").replace(/`/g, "");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The public web address of the git remote `origin`, if it has one. */
async function gitOrigin(): Promise<PublicOrigin | undefined> {
  const result = await run("git", ["remote", "get-url", "origin"], { cwd: ROOT });
  return result.code === 0 ? publicOrigin(result.stdout) : undefined;
}

/** Checks that the npm exports (see `npmExports`) and `package.json` agree, and the files exist. */
function checkExports(dir: string, pkg: PackageJson, contents: URL): void {
  const want = npmExports(dir);
  const got = pkg.exports ?? {};
  const problems: string[] = [];
  const wantKeys = Object.keys(want).sort();
  const gotKeys = Object.keys(got).sort();
  if (JSON.stringify(wantKeys) !== JSON.stringify(gotKeys)) {
    problems.push(`entries differ: deno.json ${wantKeys.join(", ")}; package.json ${gotKeys}`);
  }
  for (const key of wantKeys) {
    const entry = got[key];
    if (entry === undefined || typeof entry === "string") continue;
    const base = stem(want[key]!);
    const expected = { types: `${base}.d.ts`, import: `${base}.js`, default: `${base}.js` };
    for (const [condition, path] of Object.entries(expected)) {
      const actual = entry[condition as keyof ExportEntry];
      if (actual !== path) {
        problems.push(`"${key}" ${condition} is ${actual}, expected ${path}`);
      } else if (!exists(new URL(path, contents))) {
        problems.push(`"${key}" ${condition} ${path} is not in the package`);
      }
    }
    if (Object.keys(entry)[0] !== "types") problems.push(`"${key}": "types" must come first`);
  }
  if (want["."]) {
    if (pkg.main !== `${stem(want["."])}.js`) problems.push(`main is ${pkg.main}`);
    if (pkg.types !== `${stem(want["."])}.d.ts`) problems.push(`types is ${pkg.types}`);
  }
  if (problems.length > 0) {
    throw new BuildError(
      `Make the exports of ${memberPath(dir)}/deno.json and its package.json agree:\n  ${
        problems.join("\n  ")
      }`,
    );
  }
}

/** External source maps and declarations without internals; returns the problems found. */
function rewriteEmitted(dir: string, contents: URL): string[] {
  const problems: string[] = [];
  for (const file of listFiles(contents)) {
    const url = new URL(file, contents);
    if (file.endsWith(".js")) {
      const source = file.split("/").pop()!.replace(/\.js$/, ".ts");
      const external = externalizeSourceMap(file, Deno.readTextFileSync(url), source);
      if (external) {
        Deno.writeTextFileSync(url, external.js);
        Deno.writeTextFileSync(new URL(external.mapName, url), external.map);
      }
    } else if (file.endsWith(".d.ts")) {
      const result = hideInternals(file, Deno.readTextFileSync(url));
      Deno.writeTextFileSync(url, result.text);
      for (const member of result.untagged) {
        problems.push(
          `${
            memberPath(dir)
          }: ${member} is public in ${file}: tag it @internal or make it #private`,
        );
      }
    }
  }
  return problems;
}

/** Problems of the final contents: unpasteable examples, paths of this machine. */
function checkContents(dir: string, contents: URL): string[] {
  const problems: string[] = [];
  const forbidden = machinePaths(ROOT);
  for (const file of listFiles(contents)) {
    const text = Deno.readTextFileSync(new URL(file, contents));
    if (file === "README.md" || file.endsWith(".d.ts")) {
      problems.push(...examplesProblems(`${dir}/${file}`, text));
    }
    for (const path of findMachinePaths(text, forbidden)) {
      problems.push(`${dir}/${file} mentions a path of this machine: ${path}`);
    }
  }
  return problems;
}

/** The README of a package (see `npm/readme.ts`) with its install line. */
function writeReadme(dir: string, entry: string, contents: URL, install: string[]): void {
  const own = new URL(`${memberPath(dir)}/README.md`, ROOT);
  const name = npmName(dir);
  const doc = moduleDocMarkdown(
    Deno.readTextFileSync(new URL(`${memberPath(dir)}/${entry}`, ROOT)),
  );
  const source = exists(own) ? Deno.readTextFileSync(own) : readmeFromDoc(name, doc);
  const commands = Object.keys(NPM_SHAPES[dir]?.bin ?? {});
  const text = npmReadme(source, { name, tarballs: install, commands });
  Deno.writeTextFileSync(new URL("README.md", contents), text);
}

/** Prepares one package: pack, rewrite, complete (dependencies first: see NPM_PACKAGES). */
async function prepare(
  dir: string,
  version: string,
  origin: PublicOrigin | undefined,
  members: Members,
  prepared: ReadonlyMap<string, Prepared>,
): Promise<Prepared> {
  const config = readMember(memberPath(dir));
  const name = npmName(dir);
  const work = new URL(`_work/${dir}/`, OUT_DIR);
  Deno.mkdirSync(work, { recursive: true });
  const raw = new URL("deno-pack.tgz", work);
  const ignores = NPM_ONLY_IGNORES[dir] ?? [];
  const pack = await runOk(Deno.execPath(), [
    "pack",
    "--allow-dirty",
    "--set-version",
    version,
    "--output",
    raw.pathname,
    ...(ignores.length > 0 ? [`--ignore=${ignores.join(",")}`] : []),
  ], { cwd: new URL(`${memberPath(dir)}/`, ROOT) });
  for (const line of pack.stderr.split("\n")) {
    // Modules outside the public API (internal helpers) have no declarations; that is fine
    // as long as no declaration imports them, which siblingImports checks.
    if (/could not generate types/i.test(line)) {
      console.error(`  ${dir}: ${line.trim().replace(/'file:\/\/[^']*\/(packages|apps)\//, "'")}`);
    }
  }

  const contents = new URL(`${dir}/`, OUT_DIR);
  Deno.mkdirSync(contents, { recursive: true });
  await runOk("tar", ["-xzf", raw.pathname, "-C", contents.pathname, "--strip-components=1"]);

  const pkgUrl = new URL("package.json", contents);
  const packedRaw = JSON.parse(Deno.readTextFileSync(pkgUrl)) as PackageJson;
  if (packedRaw.name !== config.name || packedRaw.version !== version) {
    throw new BuildError(
      `deno pack wrote ${packedRaw.name}@${packedRaw.version}; expected ${config.name}@${version}`,
    );
  }
  const packed = reshape(packedRaw, NPM_SHAPES[dir]);
  checkExports(dir, packed, contents);
  const problems = rewriteEmitted(dir, contents);
  const direct = siblingImports(dir, contents, config.name, packed.dependencies ?? {}, members);
  for (const file of shimNodeTypes(contents)) console.error(`  ${dir}: declared for Node ${file}`);

  const siblings = new Set<string>();
  for (const name of direct) {
    const dep = [...prepared.values()].find((b) => b.name === name);
    if (!dep) throw new BuildError(`Build ${name} before ${config.name} (order of NPM_MEMBERS)`);
    siblings.add(name);
    for (const indirect of dep.siblings) siblings.add(indirect);
  }
  const exports = npmExports(dir);
  const entry = exports["."] ?? Object.values(exports)[0]!;
  const doc = moduleDocMarkdown(
    Deno.readTextFileSync(new URL(`${memberPath(dir)}/${entry}`, ROOT)),
  );
  const license = packed.license ?? config.license;
  if (!license) throw new BuildError(`Add "license" to ${memberPath(dir)}/deno.json`);
  const bin: Record<string, string> = {};
  for (const [command, script] of binScripts(NPM_SHAPES[dir], packed)) {
    const url = new URL(script.path, contents);
    Deno.mkdirSync(new URL(".", url), { recursive: true });
    Deno.writeTextFileSync(url, script.text, { mode: 0o755 });
    bin[command] = `./${script.path}`;
  }
  const completed = completePackageJson(packed, {
    version,
    description: description(doc),
    license,
    directory: memberPath(dir),
    origin,
    sideEffects: false,
    bin,
    dependencies: {
      ...packed.dependencies,
      ...Object.fromEntries(direct.map((name) => [name, version])),
    },
  });
  Deno.writeTextFileSync(pkgUrl, JSON.stringify(completed, null, 2) + "\n");

  return {
    dir,
    name,
    contents,
    entry: entry.replace(/^\.\//, ""),
    siblings: [...siblings].sort(),
    problems,
  };
}

/**
 * The tarballs a package's README tells to install together: the package's own first, then
 * everything it and its README's companions need, dependents before dependencies.
 */
function installTarballs(
  one: Prepared,
  all: ReadonlyMap<string, Prepared>,
  version: string,
): string[] {
  const install = new Set([one.name, ...one.siblings]);
  for (const companion of README_COMPANIONS[one.dir] ?? []) {
    const other = all.get(companion);
    if (!other) throw new BuildError(`README_COMPANIONS names ${companion}, which is not built`);
    install.add(other.name);
    for (const name of other.siblings) install.add(name);
  }
  const order = NPM_PACKAGES.map((d) => all.get(d)!.name).reverse();
  return [...install]
    .sort((a, b) => a === one.name ? -1 : b === one.name ? 1 : order.indexOf(a) - order.indexOf(b))
    .map((name) => tarballName(name, version));
}

/** Finishes one package: README, LICENSE, final checks, `npm pack`. */
async function finish(
  one: Prepared,
  all: ReadonlyMap<string, Prepared>,
  version: string,
): Promise<Built> {
  writeReadme(one.dir, one.entry, one.contents, installTarballs(one, all, version));
  Deno.copyFileSync(new URL("LICENSE", ROOT), new URL("LICENSE", one.contents));
  const problems = [...one.problems, ...checkContents(one.dir, one.contents)];
  if (problems.length > 0) throw new BuildError(problems.join("\n"));

  const repacked = await runOk("npm", [
    "pack",
    one.contents.pathname,
    "--pack-destination",
    OUT_DIR.pathname,
    "--json",
    "--ignore-scripts",
  ]);
  const [info] = JSON.parse(repacked.stdout) as { filename: string }[];
  if (info!.filename !== tarballName(one.name, version)) {
    throw new BuildError(`npm pack wrote ${info!.filename}, not ${tarballName(one.name, version)}`);
  }
  return { ...one, tarball: new URL(info!.filename, OUT_DIR) };
}

/** publint (strict) and attw (ESM-only profile) on one built package; returns problems. */
async function lint(built: Built): Promise<string[]> {
  const problems: string[] = [];
  const publint = await run(npmBin("publint"), ["--strict", built.contents.pathname]);
  if (publint.code !== 0) {
    problems.push(`publint ${built.name}:\n${publint.stdout}${publint.stderr}`);
  }
  const attw = await run(npmBin("attw"), [
    built.tarball.pathname,
    "--profile",
    "esm-only",
    "--format",
    "ascii",
  ]);
  if (attw.code !== 0) problems.push(`attw ${built.name}:\n${attw.stdout}${attw.stderr}`);
  return problems;
}

async function main(args: readonly string[]): Promise<number> {
  const unknown = args.filter((a) => a !== "--skip-lint" && a !== "--sync-versions");
  if (unknown.length > 0) {
    console.error(`Unknown argument ${unknown[0]}; use --skip-lint or --sync-versions`);
    return 2;
  }
  const version = rootVersion();
  const everyMember = workspaceMembers();
  if (args.includes("--sync-versions")) syncVersions(version, everyMember);
  checkVersions(version, everyMember);

  const members = new Map<string, { path: string; config: MemberConfig }>();
  for (const path of everyMember) {
    const config = readMember(path);
    members.set(config.name, { path, config });
  }
  const origin = await gitOrigin();
  if (!origin) {
    console.error("note: no public git remote 'origin'; package.json has no repository");
  }

  if (exists(OUT_DIR)) Deno.removeSync(OUT_DIR, { recursive: true });
  Deno.mkdirSync(OUT_DIR, { recursive: true });
  const prepared = new Map<string, Prepared>();
  for (const dir of NPM_PACKAGES) {
    prepared.set(dir, await prepare(dir, version, origin, members, prepared));
  }
  const built: Built[] = [];
  for (const one of prepared.values()) {
    const done = await finish(one, prepared, version);
    built.push(done);
    const size = Deno.statSync(done.tarball).size;
    console.error(
      `built ${done.name}@${version} → dist/npm/${done.tarball.pathname.split("/").pop()} ` +
        `(${(size / 1024).toFixed(1)} KiB)`,
    );
  }
  Deno.removeSync(new URL("_work/", OUT_DIR), { recursive: true });

  if (!args.includes("--skip-lint")) {
    const problems = (await Promise.all(built.map(lint))).flat();
    if (problems.length > 0) {
      console.error(problems.join("\n"));
      return 1;
    }
    console.error(`publint and attw: ${built.length} packages clean`);
  }
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    console.error(`build:npm failed: ${error.message}`);
    Deno.exit(1);
  }
}
