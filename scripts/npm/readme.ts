/**
 * The README of an npm package: the member's `README.md` (or, without one, its module doc)
 * with the parts marked Deno-only left out and an "Install" section for Node users inserted
 * before the first `##` heading — the one `npm install` line of the tarballs to install
 * together until the packages are on the registry, the Node versions and the TypeScript
 * settings. Also the check that keeps examples pasteable on Node.
 *
 * Markers in a member's README.md (HTML comments, invisible on JSR and GitHub):
 * `<!-- deno-only -->` … `<!-- /deno-only -->` encloses what npm users must not get.
 *
 * @module
 */

const DENO_ONLY = /<!-- deno-only -->[\s\S]*?<!-- \/deno-only -->/g;

/** What the Install section names. */
export interface InstallInfo {
  /** The package (`@kalshi-ws/node`). */
  readonly name: string;
  /** The tarballs to install together, the package's own first (`./kalshi-ws-node-0.1.0.tgz`). */
  readonly tarballs: readonly string[];
  /** The commands the package installs (`kalshi-ws`), if any. */
  readonly commands?: readonly string[];
}

/** The tarball file name `npm pack` gives a package: `@kalshi-ws/node` → `kalshi-ws-node-0.1.0.tgz`. */
export function tarballName(name: string, version: string): string {
  return `${name.replace(/^@/, "").replace("/", "-")}-${version}.tgz`;
}

/** The one-line install command of {@linkcode installSection} (tested as written). */
export function installLine(info: InstallInfo): string {
  return `npm install ${info.tarballs.map((t) => `./${t}`).join(" ")}`;
}

/** The "Install" section of an npm README. */
export function installSection(info: InstallInfo): string {
  const together = info.tarballs.length > 1
    ? [
      "Install them together, in one command: installed one at a time, npm looks for the",
      "`@kalshi-ws/*` dependencies on the registry and fails.",
    ]
    : [];
  return [
    "## Install",
    "",
    "Until the packages are on the npm registry, build the tarballs (`npx deno task build:npm` in",
    "a clone of the repository writes them to `dist/npm/`) and install them from the directory",
    "that holds them:",
    "",
    "```sh",
    installLine(info),
    "```",
    "",
    ...together,
    `Once published: \`npm install ${info.name}\`.`,
    "",
    ...commandLines(info),
    "ESM with TypeScript declarations, for Node.js 20.19+ or 22.12+ (`import`, or `require()` from",
    'CommonJS). TypeScript: `"module": "nodenext"` (or `"bundler"`), `@types/node` installed and,',
    'on TypeScript 6 or later, `"types": ["node"]` in `tsconfig.json` (the declarations use',
    "Node's web globals such as `AbortSignal`). Node 20 and 22 do not parse `await using`: call",
    "`close()` instead.",
    "",
  ].join("\n");
}

/** How to run the commands of a package, once installed (none: no lines). */
function commandLines(info: InstallInfo): string[] {
  const commands = info.commands ?? [];
  if (commands.length === 0) return [];
  const names = commands.map((c) => `\`${c}\``).join(", ");
  return [
    `Then run ${names} with \`npx\` in that directory (\`npx ${commands[0]} --help\`), or install`,
    "the same tarballs with `npm install -g` to have it on your `PATH`. Once published:",
    `\`npx ${commands[0]} demo\` anywhere.`,
    "",
  ];
}

/** The npm README from the member's README text (see the module doc). */
export function npmReadme(source: string, install: InstallInfo): string {
  const text = source.replace(DENO_ONLY, "").replace(/[ \t]+$/gm, "").replace(/\n{3,}/g, "\n\n");
  const section = installSection(install);
  const at = text.search(/^## /m);
  if (at < 0) return `${text.trimEnd()}\n\n${section}`;
  return `${text.slice(0, at).trimEnd()}\n\n${section}\n${text.slice(at)}`;
}

/** The module JSDoc of an entry file as Markdown (tags and `*` removed). */
export function moduleDocMarkdown(source: string): string {
  const match = source.match(/^\s*\/\*\*([\s\S]*?)\*\//);
  if (!match) return "";
  return match[1]!
    .split("\n")
    .map((line) => line.replace(/^\s*\* ?/, ""))
    .filter((line) => line.trim() !== "@module")
    .map((line) => line.trim() === "@example" ? "## Example\n" : line)
    .join("\n")
    .replace(/\{@link(?:code|plain)? ([^}]+)\}/g, "`$1`")
    .replace(/^```(\w+) ignore$/gm, "```$1")
    .trim();
}

/** A README made from the module doc, for a member without README.md. */
export function readmeFromDoc(name: string, doc: string): string {
  const body = doc.replace(/^`@[\w-]+\/[\w-]+`:\s*(\w)/, (_, c: string) => c.toUpperCase());
  return `# ${name}\n\n${body}\n`;
}

/** Code in fenced blocks of Markdown or of JSDoc comments (`* ` prefixes removed), by line. */
function codeLines(text: string): { line: number; code: string }[] {
  const out: { line: number; code: string }[] = [];
  let fenced = false;
  text.split("\n").forEach((raw, index) => {
    const line = raw.replace(/^\s*\*(?: |$)/, "");
    if (/^\s*```/.test(line)) {
      fenced = !fenced;
      return;
    }
    if (fenced) out.push({ line: index + 1, code: line });
  });
  return out;
}

/**
 * What a Node user could not paste from the examples of `text` (a README or a `.d.ts`):
 * `await using` (Node 20 and 22 cannot parse it), `Deno.*` APIs, and imports of
 * `@kalshi-ws/deno` (not on npm). Each problem names the line.
 */
export function examplesProblems(file: string, text: string): string[] {
  const problems: string[] = [];
  for (const { line, code: raw } of codeLines(text)) {
    const code = raw.replace(/(^|\s)\/\/\s.*$/, ""); // a trailing comment may name them
    const what = /\bawait using\b/.test(code)
      ? "`await using` (a SyntaxError on Node 20 and 22)"
      : /\bDeno\.\w/.test(code)
      ? "a Deno API"
      : /\bfrom\s*["']@kalshi-ws\/deno["']/.test(code)
      ? "@kalshi-ws/deno (not on npm)"
      : undefined;
    if (what) problems.push(`${file}:${line}: an example uses ${what}: ${raw.trim()}`);
  }
  return problems;
}

/** A fenced code block of Markdown: its language tag and text. */
export interface FencedBlock {
  readonly lang: string;
  readonly code: string;
}

/** The fenced code blocks of `markdown`, in order. */
export function fencedBlocks(markdown: string): FencedBlock[] {
  return [...markdown.matchAll(/^```(\w*)[^\n]*\n([\s\S]*?)^```/gm)].map((m) => ({
    lang: m[1]!,
    code: m[2]!,
  }));
}

/** The text of the `## heading` section of `markdown` (up to the next `## `), if any. */
export function markdownSection(markdown: string, heading: string): string | undefined {
  return markdown.split(/^## /m).find((s) => s.startsWith(heading));
}
