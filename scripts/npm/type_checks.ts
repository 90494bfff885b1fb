/**
 * Type checks of the installed packages with the TypeScript versions of the toolchain (5.9 and
 * 6.0, which no longer loads `@types/*` unless `types` names them), as Node users compile:
 *
 * - the declarations of every entry and the `tests/node/*.ts` that import only packages, with
 *   `lib: es2022` (no DOM lib), `@types/node` 20, `skipLibCheck: false`;
 * - the root README's Node programs and the `js`/`ts` examples of every package README, under
 *   the `tsconfig.json` the README documents (strict), each as an `.mts` module.
 *
 * @module
 */

import { ROOT, run } from "../_npm.ts";
import { check, type CheckResult } from "./check.ts";
import { fencedBlocks, markdownSection } from "./readme.ts";

/** A TypeScript compiler of the toolchain (root `package.json` devDependencies). */
interface Compiler {
  readonly label: string;
  /** Its `package.json` directory under `node_modules`. */
  readonly module: string;
}

const COMPILERS: readonly Compiler[] = [
  { label: "TypeScript 5.9", module: "typescript" },
  { label: "TypeScript 6.0", module: "typescript6" },
];

/** An example to type-check: a file name and its code. */
export interface Example {
  readonly name: string;
  readonly code: string;
}

async function tsc(compiler: Compiler, tsconfig: URL, cwd: URL): Promise<string[]> {
  const bin = new URL(`node_modules/${compiler.module}/bin/tsc`, ROOT);
  const version = await run("node", [bin.pathname, "--version"]);
  if (version.code !== 0) {
    return [`${compiler.label} is not installed (node_modules/${compiler.module}): run npm ci`];
  }
  const result = await run("node", [bin.pathname, "-p", tsconfig.pathname], {
    cwd,
    timeoutMs: 180_000,
  });
  return result.code === 0 ? [] : [`${version.stdout.trim()}:\n${result.stdout}${result.stderr}`];
}

/** Writes the config of the declarations check into `project`; returns its URL. */
function declarationsConfig(project: URL, specifiers: readonly string[]): URL {
  const source = specifiers.map((s, i) => `import * as m${i} from "${s}";`).join("\n") +
    `\nexport const modules: readonly object[] = [${
      specifiers.map((_, i) => `m${i}`).join(", ")
    }];\n`;
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
  const url = new URL("tsconfig.declarations.json", project);
  Deno.writeTextFileSync(url, JSON.stringify(config, null, 2));
  return url;
}

/**
 * Writes the examples as `.mts` files into `project/readme_types/` with a `tsconfig.json` that
 * extends the README's own (verbatim, in `tsconfig.readme.json`); returns its URL.
 */
function examplesConfig(project: URL, readmeTsconfig: string, examples: readonly Example[]): URL {
  const dir = new URL("readme_types/", project);
  Deno.mkdirSync(dir, { recursive: true });
  Deno.writeTextFileSync(new URL("tsconfig.readme.json", dir), readmeTsconfig);
  const files = examples.map((example) => {
    const file = `${example.name.replace(/[^\w.-]+/g, "_").replace(/\.(m?js|ts)$/, "")}.mts`;
    const module = /^\s*(import|export)\b/m.test(example.code) ? "" : "\nexport {};\n";
    Deno.writeTextFileSync(new URL(file, dir), example.code + module);
    return file;
  });
  const config = { extends: "./tsconfig.readme.json", compilerOptions: { noEmit: true }, files };
  const url = new URL("tsconfig.json", dir);
  Deno.writeTextFileSync(url, JSON.stringify(config, null, 2));
  return url;
}

/** The README's documented `tsconfig.json` (the `json` block of its Node section). */
export function readmeTsconfig(readme: string, section: string): string | undefined {
  const text = markdownSection(readme, section);
  return text === undefined ? undefined : fencedBlocks(text).find((b) => b.lang === "json")?.code;
}

/** The `js`/`ts` examples of a Markdown text, named `<prefix>-<n>`. */
export function markdownExamples(markdown: string, prefix: string): Example[] {
  return fencedBlocks(markdown)
    .filter((b) => /^(js|ts|javascript|typescript)$/.test(b.lang))
    .map((b, i) => ({ name: `${prefix}-${i + 1}`, code: b.code }));
}

/** Runs the type checks in `project` (every package and `@types/node` installed there). */
export async function typeChecks(
  project: URL,
  specifiers: readonly string[],
  nodeTypes: string,
  tsconfig: string | undefined,
  examples: readonly Example[],
): Promise<CheckResult[]> {
  const declarations = declarationsConfig(project, specifiers);
  const readme = tsconfig === undefined ? undefined : examplesConfig(project, tsconfig, examples);
  const results: CheckResult[] = [];
  for (const compiler of COMPILERS) {
    results.push(
      await check(
        `${compiler.label}: the installed declarations and tests/node type-check (lib es2022, no DOM, ${nodeTypes})`,
        () => tsc(compiler, declarations, project),
      ),
      await check(
        `${compiler.label}: the README's Node programs and every package README example type-check under the README's tsconfig.json (strict)`,
        () =>
          readme === undefined
            ? ["the README's Node section has no ```json tsconfig block"]
            : tsc(compiler, readme, project),
      ),
    );
  }
  return results;
}
