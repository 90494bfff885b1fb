/**
 * `deno task build:npm`: builds the npm packages `@kalshi-ws/core`, `@kalshi-ws/client`,
 * `@kalshi-ws/node` and `@kalshi-ws/simulator` from the Deno sources into `dist/npm/`.
 *
 * Per package: `deno pack` (ESM `.js` with `.d.ts`, a generated `package.json`), then this script
 * completes the `package.json` (the sibling workspace packages `deno pack` leaves out of
 * `dependencies`, `@types/*` for npm packages named in the declarations, `engines`, description,
 * repository, `publishConfig`), declares web types missing from `@types/node` (`CryptoKey`) in the
 * `.d.ts` files that use them, writes a README when the member has none, checks the result and
 * repacks it with `npm pack`. Finally `publint --strict` and `@arethetypeswrong/cli` (ESM-only
 * profile) run on every package. Any problem fails the build with a message naming it.
 *
 * Checks: one version everywhere (the root `deno.json` `version`; every member's `deno.json` must
 * carry the same, since `deno publish` reads those); the `exports` of `deno.json` and of the
 * generated `package.json` agree entry by entry and every target file exists; every relative
 * import in the emitted files resolves inside the package; every bare import is `node:*`, a
 * sibling npm package or a declared dependency (a JSR-only sibling such as `@kalshi-ws/deno`
 * fails the build).
 *
 * Usage: `deno task build:npm [--skip-lint]` (`--skip-lint` skips publint and attw).
 *
 * @module
 */

import {
  type MemberConfig,
  NPM_ONLY_IGNORES,
  NPM_PACKAGES,
  npmBin,
  OUT_DIR,
  readMember,
  ROOT,
  rootVersion,
  run,
  runOk,
  workspaceMembers,
} from "./_npm.ts";

/** The npm `package.json` fields this build reads or writes. */
interface PackageJson {
  name: string;
  version: string;
  description?: string;
  keywords?: string[];
  type?: string;
  license?: string;
  repository?: { type: string; url: string; directory: string };
  engines?: Record<string, string>;
  main?: string;
  types?: string;
  exports?: Record<string, { types?: string; import?: string; default?: string }>;
  dependencies?: Record<string, string>;
  publishConfig?: Record<string, string>;
  [field: string]: unknown;
}

/** A built package: where its tarball and unpacked contents are. */
interface Built {
  readonly dir: string;
  readonly name: string;
  readonly tarball: URL;
  readonly contents: URL;
}

const NODE_ENGINES = ">=20";

/**
 * Web globals that Deno's types (and the DOM lib) declare but `@types/node` does not, with a
 * definition that resolves under both. The build declares them locally in every `.d.ts` that
 * names them, so that Node projects type-check the packages without adding the DOM lib.
 */
const NODE_TYPE_SHIMS: Readonly<Record<string, string>> = {
  CryptoKey: "Awaited<ReturnType<typeof crypto.subtle.importKey>>",
};
const KEYWORDS = ["kalshi", "websocket", "trading", "prediction-markets", "order-book"];

/** Fails the build with a message (collected by the caller). */
class BuildError extends Error {}

/** The `exports` of a member's `deno.json` as a map (a string means `"."`). */
function denoExports(config: MemberConfig): Record<string, string> {
  return typeof config.exports === "string" ? { ".": config.exports } : { ...config.exports };
}

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
    .map((path) => ({ path, version: readMember(path).version }))
    .filter((m) => m.version !== version);
  if (wrong.length > 0) {
    const list = wrong.map((m) => `${m.path}/deno.json has "${m.version}"`).join(", ");
    throw new BuildError(
      `Set every package version to the root version "${version}": ${list} ` +
        `(or run: deno task build:npm --sync-versions)`,
    );
  }
}

/** Rewrites each member's `"version"` to the root version (keeps the file's formatting). */
function syncVersions(version: string, members: readonly string[]): void {
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

/** The module JSDoc of a member's entry file, as Markdown lines (tags and `*` removed). */
function moduleDoc(dir: string, entry: string): string {
  const source = Deno.readTextFileSync(new URL(`packages/${dir}/${entry}`, ROOT));
  const match = source.match(/^\s*\/\*\*([\s\S]*?)\*\//);
  if (!match) return "";
  return match[1]!
    .split("\n")
    .map((line) => line.replace(/^\s*\* ?/, ""))
    .filter((line) => line.trim() !== "@module")
    .map((line) => line.trim() === "@example" ? "## Example\n" : line)
    .join("\n")
    .replace(/\{@link(?:code|plain)? ([^}]+)\}/g, "`$1`")
    .trim();
}

/** First paragraph of the module doc, without the leading "`@scope/name`:" label. */
function description(doc: string): string {
  const first = doc.split(/\n\s*\n/)[0]!.replace(/\s+/g, " ").trim();
  const text = first.replace(/^`@[\w-]+\/[\w-]+`:\s*/, "").replace(/`/g, "");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * `git+https://…` of the git remote `origin`, or `undefined` when there is none or it is not a
 * public URL (a clone of a local checkout, as CI makes, has a filesystem path as its origin).
 */
async function repositoryUrl(): Promise<string | undefined> {
  const result = await run("git", ["remote", "get-url", "origin"], { cwd: ROOT });
  const url = result.stdout.trim();
  if (result.code !== 0 || url === "") return undefined;
  const ssh = url.match(/^git@([^:]+):(.+)$/);
  const https = ssh ? `https://${ssh[1]}/${ssh[2]}` : url;
  return /^https?:\/\//.test(https) ? `git+${https}` : undefined;
}

/** Every file under `dir` (relative paths with `/`). */
function listFiles(dir: URL, prefix = ""): string[] {
  const out: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    if (entry.isDirectory) {
      out.push(...listFiles(new URL(`${entry.name}/`, dir), `${prefix}${entry.name}/`));
    } else out.push(`${prefix}${entry.name}`);
  }
  return out.sort();
}

/**
 * Import and export specifiers of an emitted file. `deno pack` prints each import/export
 * statement on one line; lines inside JSDoc (`* import …` in examples) are not code.
 */
function specifiers(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/^\s*\*\/\s*/, "");
    if (/^\s*(\*|\/\/)/.test(line)) continue;
    const statement = line.match(/^\s*(?:import|export)\b.*?\bfrom\s*["']([^"']+)["']/) ??
      line.match(/^\s*import\s*["']([^"']+)["']/);
    if (statement) out.push(statement[1]!);
    for (const dynamic of line.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) {
      out.push(dynamic[1]!);
    }
  }
  return out;
}

/** The bare package name of a specifier (`@a/b/c` → `@a/b`, `x/y` → `x`). */
function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

/** The root import map (for `@types/*` versions). */
function rootImports(): Record<string, string> {
  const root = JSON.parse(Deno.readTextFileSync(new URL("deno.json", ROOT))) as {
    imports?: Record<string, string>;
  };
  return root.imports ?? {};
}

/**
 * Checks every import of the emitted files and returns the dependencies to add: sibling npm
 * packages (exact version) and `@types/*` for npm packages the declarations name.
 */
function resolveImports(
  dir: string,
  contents: URL,
  pkg: PackageJson,
  version: string,
  members: ReadonlyMap<string, { path: string; config: MemberConfig }>,
): Record<string, string> {
  const files = new Set(listFiles(contents));
  const declared = pkg.dependencies ?? {};
  const add: Record<string, string> = {};
  const problems: string[] = [];
  const imports = rootImports();
  for (const file of files) {
    const isDts = file.endsWith(".d.ts");
    if (!isDts && !file.endsWith(".js")) continue;
    const text = Deno.readTextFileSync(new URL(file, contents));
    for (const spec of specifiers(text)) {
      if (spec.startsWith(".")) {
        const target = new URL(spec, new URL(file, "file:///p/")).pathname.slice("/p/".length);
        if (!spec.endsWith(".js")) problems.push(`${file} imports "${spec}" (not a .js file)`);
        else if (!files.has(target)) problems.push(`${file} imports missing "${spec}"`);
        else if (isDts && !files.has(target.replace(/\.js$/, ".d.ts"))) {
          problems.push(`${file} imports "${spec}", which has no .d.ts (slow types?)`);
        }
        continue;
      }
      if (spec.startsWith("node:")) continue;
      const name = packageName(spec);
      const sibling = members.get(name);
      if (sibling) {
        if (!NPM_PACKAGES.some((dir) => `packages/${dir}` === sibling.path)) {
          problems.push(`${file} imports "${spec}", which is not published to npm`);
          continue;
        }
        const subpath = `.${spec.slice(name.length)}`;
        if (!(subpath in denoExports(sibling.config))) {
          problems.push(`${file} imports "${spec}", which ${name} does not export`);
        }
        if (name !== pkg.name) add[name] = version;
        continue;
      }
      if (!(name in declared)) {
        problems.push(`${file} imports "${spec}", which is not a dependency of ${pkg.name}`);
        continue;
      }
      const types = `@types/${name.replace(/^@/, "").replace("/", "__")}`;
      const mapped = imports[types];
      if (isDts && mapped) add[types] = `^${mapped.replace(/^npm:.*@/, "")}`;
    }
  }
  if (problems.length > 0) {
    throw new BuildError(`Fix the emitted imports of packages/${dir}:\n  ${problems.join("\n  ")}`);
  }
  return add;
}

/** Declares {@linkcode NODE_TYPE_SHIMS} in the emitted `.d.ts` files that use them. */
function shimNodeTypes(contents: URL): string[] {
  const patched: string[] = [];
  for (const file of listFiles(contents).filter((f) => f.endsWith(".d.ts"))) {
    const url = new URL(file, contents);
    const text = Deno.readTextFileSync(url);
    const code = text.split("\n")
      .map((line) => line.replace(/^\s*\*\/\s*/, ""))
      .filter((line) => !/^\s*(\*|\/\*\*|\/\/)/.test(line))
      .join("\n");
    const shims = Object.entries(NODE_TYPE_SHIMS).filter(([name]) =>
      new RegExp(`\\b${name}\\b`).test(code) &&
      !new RegExp(`\\b(?:type|interface|class)\\s+${name}\\b`).test(code)
    );
    if (shims.length === 0) continue;
    const declarations = shims.map(([name, type]) =>
      `/** Web Crypto's \`${name}\` (declared here: \`@types/node\` has no such global). */\n` +
      `type ${name} = ${type};\n`
    );
    Deno.writeTextFileSync(url, `${text.trimEnd()}\n${declarations.join("")}`);
    patched.push(`${file} (${shims.map(([name]) => name).join(", ")})`);
  }
  return patched;
}

/** Checks that `deno.json` and `package.json` export the same entries, and the files exist. */
function checkExports(dir: string, config: MemberConfig, pkg: PackageJson, contents: URL): void {
  const want = denoExports(config);
  const got = pkg.exports ?? {};
  const problems: string[] = [];
  const wantKeys = Object.keys(want).sort();
  const gotKeys = Object.keys(got).sort();
  if (JSON.stringify(wantKeys) !== JSON.stringify(gotKeys)) {
    problems.push(`entries differ: deno.json ${wantKeys.join(", ")}; package.json ${gotKeys}`);
  }
  for (const key of wantKeys) {
    const entry = got[key];
    if (!entry) continue;
    const base = stem(want[key]!);
    const expected = { types: `${base}.d.ts`, import: `${base}.js`, default: `${base}.js` };
    for (const [condition, path] of Object.entries(expected)) {
      const actual = entry[condition as keyof typeof entry];
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
      `Make the exports of packages/${dir}/deno.json and its package.json agree:\n  ${
        problems.join("\n  ")
      }`,
    );
  }
}

function exists(url: URL): boolean {
  try {
    Deno.statSync(url);
    return true;
  } catch {
    return false;
  }
}

/** The README written into a package whose member has none. */
function readme(name: string, doc: string, repository: string | undefined): string {
  const body = doc.replace(/^`@[\w-]+\/[\w-]+`:\s*(\w)/, (_, c: string) => c.toUpperCase());
  return [
    `# ${name}`,
    "",
    body,
    "",
    "## Install",
    "",
    "```sh",
    `npm install ${name}`,
    "```",
    "",
    "ESM only, with TypeScript declarations; needs Node.js 20 or later.",
    ...(repository
      ? ["", `Source: ${repository.replace(/^git\+/, "").replace(/\.git$/, "")}`]
      : []),
    "",
  ].join("\n");
}

/** Builds one package: pack, complete, check, repack. */
async function buildOne(
  dir: string,
  version: string,
  repository: string | undefined,
  members: ReadonlyMap<string, { path: string; config: MemberConfig }>,
): Promise<Built> {
  const config = readMember(`packages/${dir}`);
  const memberDir = new URL(`packages/${dir}/`, ROOT);
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
  ], { cwd: memberDir });
  for (const line of pack.stderr.split("\n")) {
    if (/could not generate types/i.test(line)) console.error(`  ${dir}: ${line.trim()}`);
  }

  const contents = new URL(`${dir}/`, OUT_DIR);
  Deno.mkdirSync(contents, { recursive: true });
  await runOk("tar", ["-xzf", raw.pathname, "-C", contents.pathname, "--strip-components=1"]);

  const pkgUrl = new URL("package.json", contents);
  const pkg = JSON.parse(Deno.readTextFileSync(pkgUrl)) as PackageJson;
  if (pkg.name !== config.name || pkg.version !== version) {
    throw new BuildError(
      `deno pack wrote ${pkg.name}@${pkg.version}; expected ${config.name}@${version}`,
    );
  }
  checkExports(dir, config, pkg, contents);
  const added = resolveImports(dir, contents, pkg, version, members);
  for (const file of shimNodeTypes(contents)) console.error(`  ${dir}: declared for Node ${file}`);

  const entry = denoExports(config)["."] ?? Object.values(denoExports(config))[0]!;
  const doc = moduleDoc(dir, entry.replace(/^\.\//, ""));
  const dependencies = { ...pkg.dependencies, ...added };
  const completed: PackageJson = {
    name: pkg.name,
    version,
    description: description(doc),
    keywords: KEYWORDS,
    license: pkg.license ?? config.license,
    ...(repository
      ? { repository: { type: "git", url: repository, directory: `packages/${dir}` } }
      : {}),
    type: "module",
    engines: { node: NODE_ENGINES },
    main: pkg.main,
    types: pkg.types,
    exports: pkg.exports,
    ...(Object.keys(dependencies).length > 0
      ? { dependencies: Object.fromEntries(Object.entries(dependencies).sort()) }
      : {}),
    publishConfig: { access: "public" },
  };
  if (!completed.license) throw new BuildError(`Add "license" to packages/${dir}/deno.json`);
  Deno.writeTextFileSync(pkgUrl, JSON.stringify(completed, null, 2) + "\n");
  if (!exists(new URL("README.md", contents))) {
    Deno.writeTextFileSync(new URL("README.md", contents), readme(config.name, doc, repository));
  }

  const packed = await runOk("npm", [
    "pack",
    contents.pathname,
    "--pack-destination",
    OUT_DIR.pathname,
    "--json",
    "--ignore-scripts",
  ]);
  const [info] = JSON.parse(packed.stdout) as { filename: string }[];
  return { dir, name: config.name, tarball: new URL(info!.filename, OUT_DIR), contents };
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
  const repository = await repositoryUrl();
  if (!repository) {
    console.error("warning: no public git remote 'origin'; package.json has no repository");
  }

  if (exists(OUT_DIR)) Deno.removeSync(OUT_DIR, { recursive: true });
  Deno.mkdirSync(OUT_DIR, { recursive: true });
  const built: Built[] = [];
  for (const dir of NPM_PACKAGES) {
    const one = await buildOne(dir, version, repository, members);
    built.push(one);
    console.error(
      `built ${one.name}@${version} → dist/npm/${one.tarball.pathname.split("/").pop()}`,
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
    if (!(error instanceof BuildError) && !(error instanceof Error)) throw error;
    console.error(`build:npm failed: ${error.message}`);
    Deno.exit(1);
  }
}
