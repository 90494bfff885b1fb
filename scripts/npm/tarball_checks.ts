/**
 * Checks of the npm tarballs as files, before anything is installed: what every tarball must
 * contain (LICENSE, `package.json` fields, external source maps) and must not (paths of the
 * build machine, examples a Node user cannot paste).
 *
 * @module
 */

import { ROOT, runOk } from "../_npm.ts";
import { check, type CheckResult } from "./check.ts";
import { listFiles } from "./imports.ts";
import { findMachinePaths, machinePaths } from "./machine_paths.ts";
import { NODE_ENGINES, type PackageJson } from "./package_json.ts";
import { examplesProblems } from "./readme.ts";

/** A tarball unpacked for inspection. */
interface Unpacked {
  /** The tarball's file name. */
  readonly tarball: string;
  /** Its `package/` directory. */
  readonly dir: URL;
  /** Its files, relative to `package/`. */
  readonly files: readonly string[];
}

async function unpack(tarballs: readonly string[], into: URL): Promise<Unpacked[]> {
  const out: Unpacked[] = [];
  for (const tarball of tarballs) {
    const name = tarball.split("/").pop()!;
    const dir = new URL(`${name.replace(/\.tgz$/, "")}/`, into);
    Deno.mkdirSync(dir, { recursive: true });
    await runOk("tar", ["-xzf", tarball, "-C", dir.pathname]);
    const root = new URL("package/", dir);
    out.push({ tarball: name, dir: root, files: listFiles(root) });
  }
  return out;
}

function read(unpacked: Unpacked, file: string): string {
  return Deno.readTextFileSync(new URL(file, unpacked.dir));
}

function licenseProblems(all: readonly Unpacked[]): string[] {
  const license = Deno.readTextFileSync(new URL("LICENSE", ROOT));
  return all.flatMap((u) =>
    !u.files.includes("LICENSE")
      ? [`${u.tarball} has no LICENSE`]
      : read(u, "LICENSE") !== license
      ? [`${u.tarball}: LICENSE differs from the repository's`]
      : []
  );
}

function pathProblems(all: readonly Unpacked[]): string[] {
  const forbidden = machinePaths(ROOT);
  return all.flatMap((u) =>
    u.files.flatMap((file) =>
      findMachinePaths(read(u, file), forbidden).map((path) => `${u.tarball} ${file}: ${path}`)
    )
  );
}

/** The command scripts of a package (its `bin`), relative to `package/`. */
function binFiles(u: Unpacked): Set<string> {
  const pkg = JSON.parse(read(u, "package.json")) as PackageJson;
  return new Set(Object.values(pkg.bin ?? {}).map((path) => path.replace(/^\.\//, "")));
}

function sourceMapProblems(all: readonly Unpacked[]): string[] {
  const problems: string[] = [];
  for (const u of all) {
    const bins = binFiles(u);
    for (const file of u.files.filter((f) => f.endsWith(".js"))) {
      if (bins.has(file)) continue; // a few lines written by the build, no TypeScript source
      const text = read(u, file);
      const url = text.match(/\/\/# sourceMappingURL=(\S+)\s*$/)?.[1];
      const mapFile = `${file}.map`;
      if (url === undefined) {
        problems.push(`${u.tarball} ${file}: no sourceMappingURL`);
        continue;
      }
      if (url !== mapFile.split("/").pop()) {
        problems.push(`${u.tarball} ${file}: sourceMappingURL is ${url.slice(0, 60)}`);
        continue;
      }
      if (!u.files.includes(mapFile)) {
        problems.push(`${u.tarball} ${file}: ${mapFile} is missing`);
        continue;
      }
      const map = JSON.parse(read(u, mapFile)) as { sources: string[]; sourcesContent?: string[] };
      for (const source of map.sources) {
        if (/^(\/|[a-z]+:)/i.test(source)) {
          problems.push(`${u.tarball} ${mapFile}: source "${source}" is not relative`);
        }
      }
      if (map.sourcesContent?.length !== map.sources.length) {
        problems.push(`${u.tarball} ${mapFile}: no sourcesContent`);
      }
    }
  }
  return problems;
}

function packageJsonProblems(all: readonly Unpacked[]): string[] {
  const problems: string[] = [];
  for (const u of all) {
    const pkg = JSON.parse(read(u, "package.json")) as PackageJson;
    const where = `${u.tarball} package.json`;
    if (pkg.engines?.node !== NODE_ENGINES) {
      problems.push(`${where}: engines.node is ${pkg.engines?.node}, expected ${NODE_ENGINES}`);
    }
    if (pkg.sideEffects !== false) problems.push(`${where}: no "sideEffects": false`);
    if (pkg.exports?.["./package.json"] !== "./package.json") {
      problems.push(`${where}: no "./package.json" export`);
    }
    for (const [command, path] of Object.entries(pkg.bin ?? {})) {
      const file = path.replace(/^\.\//, "");
      if (!u.files.includes(file)) problems.push(`${where}: bin ${command} (${path}) is missing`);
      else if (!read(u, file).startsWith("#!/usr/bin/env node\n")) {
        problems.push(`${where}: bin ${command} (${path}) does not start #!/usr/bin/env node`);
      }
    }
    for (const dep of Object.keys(pkg.dependencies ?? {})) {
      if (dep.startsWith("@types/")) {
        problems.push(`${where}: type-only package ${dep} is a runtime dependency`);
      }
    }
    const repo = pkg.repository?.url;
    if (repo !== undefined && !/^git\+https:\/\/[^/@\s]+\/\S+\.git$/.test(repo)) {
      problems.push(`${where}: repository.url ${repo} is not a public https URL`);
    }
    if (!pkg.description || !pkg.license) problems.push(`${where}: description or license missing`);
  }
  return problems;
}

function exampleProblems(all: readonly Unpacked[]): string[] {
  return all.flatMap((u) =>
    u.files
      .filter((f) => f === "README.md" || f.endsWith(".d.ts"))
      .flatMap((f) => examplesProblems(`${u.tarball} ${f}`, read(u, f)))
  );
}

/** Runs every tarball check; `scratch` is an empty directory to unpack into. */
export async function tarballChecks(
  tarballs: readonly string[],
  scratch: URL,
): Promise<CheckResult[]> {
  const all = await unpack(tarballs, scratch);
  return [
    await check("tarballs: every one has the repository's LICENSE", () => licenseProblems(all)),
    await check(
      "tarballs: no file (data: URLs and source maps included) names a path of the build machine",
      () => pathProblems(all),
    ),
    await check(
      "tarballs: source maps are external .js.map files naming their TypeScript source relatively",
      () => sourceMapProblems(all),
    ),
    await check(
      `tarballs: package.json has engines "${NODE_ENGINES}", sideEffects false, the ./package.json export, no @types/* dependency, bin scripts with #!/usr/bin/env node`,
      () => packageJsonProblems(all),
    ),
    await check(
      "tarballs: README and declaration examples use no `await using`, Deno API or @kalshi-ws/deno",
      () => exampleProblems(all),
    ),
  ];
}
