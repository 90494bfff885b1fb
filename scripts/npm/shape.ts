/**
 * An npm package whose shape differs from its JSR package (`NPM_SHAPES` in `../_npm.ts`): the
 * npm name, the exports taken from the `deno.json` exports it names (the rest stay out), and a
 * `#!/usr/bin/env node` script per command, which imports the package's own entry and runs it.
 *
 * @module
 */

import type { NpmShape } from "../_npm.ts";
import type { ExportEntry, PackageJson } from "./package_json.ts";

/** `packed` (what `deno pack` wrote) with the npm name and exports of `shape`. */
export function reshape(packed: PackageJson, shape: NpmShape | undefined): PackageJson {
  if (shape === undefined) return packed;
  const exports = packed.exports ?? {};
  const picked: Record<string, ExportEntry | string> = {};
  for (const [subpath, from] of Object.entries(shape.exports ?? {})) {
    const entry = exports[from];
    if (entry === undefined) throw new Error(`deno pack wrote no export ${from}`);
    picked[subpath] = entry;
  }
  const result: PackageJson = {
    ...packed,
    name: shape.name ?? packed.name,
    exports: shape.exports === undefined ? exports : picked,
  };
  const main = picked["."];
  if (shape.exports !== undefined && main !== undefined && typeof main !== "string") {
    result.main = main.import;
    result.types = main.types;
  }
  return result;
}

/** The path of a command's script in the package (`kalshi-ws` → `bin/kalshi-ws.js`). */
export function binPath(command: string): string {
  if (!/^[a-z][a-z0-9-]*$/.test(command)) throw new Error(`Invalid command name "${command}"`);
  return `bin/${command}.js`;
}

/**
 * The script of a command: runs `runProgram()` of the package entry at `entry` (a `.js` path
 * relative to the package root, e.g. `./node.js`). Top-level `await` keeps the process alive
 * until the program exits.
 */
export function binScript(command: string, entry: string): string {
  return [
    "#!/usr/bin/env node",
    `// \`${command}\`: runs the CLI as this process (see ${entry.replace(/^\.\//, "../")}).`,
    `import { runProgram } from "${entry.replace(/^\.\//, "../")}";`,
    "await runProgram();",
    "",
  ].join("\n");
}

/**
 * The commands of `shape` as a `package.json` `bin` map, with the script text of each (written
 * by the build): name → {path, text}.
 */
export function binScripts(
  shape: NpmShape | undefined,
  pkg: PackageJson,
): Map<string, { path: string; text: string }> {
  const scripts = new Map<string, { path: string; text: string }>();
  for (const [command, subpath] of Object.entries(shape?.bin ?? {})) {
    const entry = pkg.exports?.[subpath];
    if (entry === undefined || typeof entry === "string" || entry.import === undefined) {
      throw new Error(`Command ${command} runs export ${subpath}, which the package lacks`);
    }
    scripts.set(command, { path: binPath(command), text: binScript(command, entry.import) });
  }
  return scripts;
}
