/**
 * The repository's layout rules, checked by `layout_test.ts`: the workspace members (`packages/*`
 * and `apps/*`) talk to each other only through package names and their exports — a package's
 * test helpers included (`@kalshi-ws/client/testing`, …) — never by reaching into each other's
 * files; nothing in `packages/` or `apps/` depends on an app; and no document or source names a
 * path of the machine it was written on.
 *
 * What counts as reaching in: a relative import (`import`/`export … from`, `import()`) that
 * leaves the importer's member, and a `new URL("…", import.meta.url)` that points into another
 * member (how tests spawn programs or read fixtures). The repository tools (`bench/`, `scripts/`,
 * `tests/`) are not members and may open package files.
 *
 * @module
 */

/** A workspace member: its folder (`packages/core`) and package name (`@kalshi-ws/core`). */
export interface Member {
  /** Folder relative to the root, no trailing slash. */
  readonly dir: string;
  /** Its `deno.json` name. */
  readonly name: string;
}

/** One source file: its path relative to the root and its text. */
export interface SourceFile {
  /** Path relative to the root (`packages/node/behaviour_test.ts`). */
  readonly path: string;
  /** Its text. */
  readonly text: string;
}

/** A reference that leaves the rules, allowed anyway: who, to what, and why. */
export interface Exception {
  /** The referring file. */
  readonly from: string;
  /** The path it points at (relative to the root). */
  readonly to: string;
  /** Why it is allowed. */
  readonly why: string;
}

/**
 * Files outside every member that a member may import: the workspace's own configuration,
 * where the tasks and their permissions are defined (tests check them).
 */
export const ROOT_FILES_IMPORTABLE: readonly string[] = ["deno.json"];

/** The only cross-member references allowed, each with its reason. */
export const EXCEPTIONS: readonly Exception[] = [
  {
    from: "packages/dst/testing/fuzz.ts",
    to: "packages/core/testdata/observed_frames.jsonl",
    why: "the decoder fuzz corpus reads the frames observed from Kalshi, kept (and documented) " +
      "once, beside the core decoder tests that pin them",
  },
];

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])([^"'\n]+)\1/g;
const URL_REFERENCE = /new URL\(\s*(["'])([^"'\n]+)\1\s*,\s*import\.meta\.url\s*\)/g;
const RESOLVE = /import\.meta\.resolve\(\s*(["'])([^"'\n]+)\1\s*\)/g;

/** `specifier` resolved against the file at `from` (both relative to the root). */
export function resolvePath(from: string, specifier: string): string {
  const base = new URL(from, "file:///r/");
  const target = new URL(specifier, base).pathname;
  return target.startsWith("/r/") ? target.slice(3) : `../${target.slice(1)}`;
}

/** The member whose folder holds `path`, if any. */
function memberOf(path: string, members: readonly Member[]): Member | undefined {
  return members.find((m) => path === m.dir || path.startsWith(`${m.dir}/`));
}

/** The member a bare specifier names (`@kalshi-ws/nats/testing` → nats), if any. */
function memberNamed(specifier: string, members: readonly Member[]): Member | undefined {
  return members.find((m) => specifier === m.name || specifier.startsWith(`${m.name}/`));
}

const isApp = (member: Member) => member.dir.startsWith("apps/");

/** Every breach of the layout rules in `files` (see the module doc), one line each. */
export function layoutProblems(
  files: readonly SourceFile[],
  members: readonly Member[],
  exceptions: readonly Exception[] = EXCEPTIONS,
): string[] {
  const problems: string[] = [];
  for (const file of files) {
    const own = memberOf(file.path, members);
    if (own === undefined) continue;
    const excepted = (to: string) => exceptions.some((e) => e.from === file.path && e.to === to);
    for (const [, , specifier] of file.text.matchAll(IMPORT)) {
      if (specifier!.startsWith(".")) {
        const target = resolvePath(file.path, specifier!);
        if (memberOf(target, [own]) !== undefined) continue;
        if (ROOT_FILES_IMPORTABLE.includes(target) || excepted(target)) continue;
        const other = memberOf(target, members);
        problems.push(
          `${file.path} imports "${specifier}", outside ${own.dir}` +
            (other === undefined ? "" : `: import ${other.name} (or its ./testing) instead`),
        );
      } else {
        const named = memberNamed(specifier!, members);
        if (named !== undefined && named !== own && isApp(named)) {
          problems.push(`${file.path} imports the app ${named.name} ("${specifier}")`);
        }
      }
    }
    for (const [, , specifier] of file.text.matchAll(URL_REFERENCE)) {
      const target = resolvePath(file.path, specifier!);
      const other = memberOf(target, members);
      if (other === undefined || other === own || excepted(target)) continue;
      problems.push(`${file.path} points into ${other.dir} (new URL("${specifier}"))`);
    }
    for (const [, , specifier] of file.text.matchAll(RESOLVE)) {
      const named = memberNamed(specifier!, members);
      if (named !== undefined && named !== own && isApp(named)) {
        problems.push(`${file.path} resolves the app ${named.name} ("${specifier}")`);
      }
    }
  }
  return problems;
}

/**
 * The paths of this machine that no tracked text may mention: the checkout's absolute path and
 * the folder holding it (where sibling checkouts live), each followed by `/`. A parent as short
 * as `/` or `/tmp` is left out (it would match ordinary text).
 */
export function machineDirs(root: string): string[] {
  const checkout = root.replace(/\/+$/, "");
  const parent = checkout.slice(0, checkout.lastIndexOf("/"));
  return [checkout, parent].filter((p) => p.length > 4).map((p) => `${p}/`);
}

/** `path: line N names <dir>` for every line of `files` that mentions one of `dirs`. */
export function machinePathProblems(
  files: readonly SourceFile[],
  dirs: readonly string[],
): string[] {
  const problems: string[] = [];
  for (const file of files) {
    file.text.split("\n").forEach((line, index) => {
      for (const dir of dirs) {
        if (line.includes(dir)) problems.push(`${file.path}:${index + 1} names ${dir}`);
      }
    });
  }
  return problems;
}
