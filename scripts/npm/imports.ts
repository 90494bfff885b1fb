/**
 * Checks the imports of the files `deno pack` emitted for one package, and declares for Node
 * the web types its declarations name that `@types/node` lacks.
 *
 * @module
 */

import { memberPath, NPM_PACKAGES, ROOT } from "../_npm.ts";
import type { MemberConfig } from "../_npm.ts";

/** Every file under `dir` (relative paths with `/`), sorted. */
export function listFiles(dir: URL, prefix = ""): string[] {
  const out: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    if (entry.isDirectory) {
      out.push(...listFiles(new URL(`${entry.name}/`, dir), `${prefix}${entry.name}/`));
    } else out.push(`${prefix}${entry.name}`);
  }
  return out.sort();
}

/** The `exports` of a member's `deno.json` as a map (a string means `"."`). */
export function denoExports(config: MemberConfig): Record<string, string> {
  return typeof config.exports === "string" ? { ".": config.exports } : { ...config.exports };
}

/**
 * Import and export specifiers of an emitted file. `deno pack` prints each import/export
 * statement on one line; lines inside JSDoc (`* import …` in examples) are not code.
 */
export function specifiers(text: string): string[] {
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
export function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

/** The root import map. */
function rootImports(): Record<string, string> {
  const root = JSON.parse(Deno.readTextFileSync(new URL("deno.json", ROOT))) as {
    imports?: Record<string, string>;
  };
  return root.imports ?? {};
}

/** A workspace member by package name. */
export type Members = ReadonlyMap<string, { path: string; config: MemberConfig }>;

/**
 * Checks every import of the emitted files (relative ones resolve inside the package and have
 * declarations; bare ones are `node:*`, a sibling npm package exporting that subpath, or a
 * declared dependency; declarations need no `@types/*` package, which would have to become a
 * runtime dependency) and returns the sibling packages imported.
 */
export function siblingImports(
  dir: string,
  contents: URL,
  name: string,
  declared: Readonly<Record<string, string>>,
  members: Members,
): string[] {
  const files = new Set(listFiles(contents));
  const siblings = new Set<string>();
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
      const bare = packageName(spec);
      const sibling = members.get(bare);
      if (sibling) {
        if (!NPM_PACKAGES.some((d) => memberPath(d) === sibling.path)) {
          problems.push(`${file} imports "${spec}", which is not published to npm`);
          continue;
        }
        const subpath = `.${spec.slice(bare.length)}`;
        if (!(subpath in denoExports(sibling.config))) {
          problems.push(`${file} imports "${spec}", which ${bare} does not export`);
        }
        if (bare !== name) siblings.add(bare);
        continue;
      }
      if (!(bare in declared)) {
        problems.push(`${file} imports "${spec}", which is not a dependency of ${name}`);
        continue;
      }
      const types = `@types/${bare.replace(/^@/, "").replace("/", "__")}`;
      if (isDts && imports[types]) {
        problems.push(
          `${file} names types of "${spec}" (from ${types}, which would have to become a ` +
            `runtime dependency): keep them out of the public API (tag the member @internal)`,
        );
      }
    }
  }
  if (problems.length > 0) {
    throw new Error(`Fix the emitted imports of ${memberPath(dir)}:\n  ${problems.join("\n  ")}`);
  }
  return [...siblings].sort();
}

/**
 * Web globals that Deno's types (and the DOM lib) declare but `@types/node` does not, with a
 * definition that resolves under both. The build declares them locally in every `.d.ts` that
 * names them, so that Node projects type-check the packages without adding the DOM lib.
 */
const NODE_TYPE_SHIMS: Readonly<Record<string, string>> = {
  CryptoKey: "Awaited<ReturnType<typeof crypto.subtle.importKey>>",
};

/** Declares {@linkcode NODE_TYPE_SHIMS} in the `.d.ts` files that use them; returns which. */
export function shimNodeTypes(contents: URL): string[] {
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
