/**
 * The `package.json` of an npm package, completed from what `deno pack` writes: the fields a
 * registry page and a Node user rely on (description, license, repository/homepage/bugs when
 * the origin is public, engines, `./package.json` export, `sideEffects`) in a stable order.
 *
 * @module
 */

/**
 * The Node versions the packages support: ESM `import` works on every Node 20, but `require()`
 * of an ES module (what CommonJS users do) needs 20.19 or 22.12 and later.
 */
export const NODE_ENGINES = "^20.19.0 || >=22.12.0";

/** Search keywords of every package. */
export const KEYWORDS: readonly string[] = [
  "kalshi",
  "websocket",
  "trading",
  "prediction-markets",
  "order-book",
];

/** One `exports` entry as `deno pack` writes it. */
export interface ExportEntry {
  types?: string;
  import?: string;
  default?: string;
}

/** The npm `package.json` fields this build reads or writes. */
export interface PackageJson {
  name: string;
  version: string;
  description?: string;
  keywords?: readonly string[];
  type?: string;
  license?: string;
  repository?: { type: string; url: string; directory: string };
  homepage?: string;
  bugs?: { url: string };
  engines?: Record<string, string>;
  sideEffects?: boolean;
  bin?: Record<string, string>;
  main?: string;
  types?: string;
  exports?: Record<string, ExportEntry | string>;
  dependencies?: Record<string, string>;
  publishConfig?: Record<string, string>;
  [field: string]: unknown;
}

/** Where the sources live publicly: the origin as `https://host/owner/repo` (no `.git`). */
export interface PublicOrigin {
  readonly web: string;
  readonly host: string;
}

/**
 * The public web address of a git remote URL, or `undefined` when it is not a public URL: a
 * filesystem path or `file://` URL (a clone of a local checkout, as CI makes) must never reach
 * a package. Credentials in the URL (`https://user:token@…`) are dropped.
 */
export function publicOrigin(remote: string | undefined): PublicOrigin | undefined {
  const url = remote?.trim() ?? "";
  const scp = url.match(/^[\w.-]+@([\w.-]+):(?!\/)(.+)$/); // git@github.com:owner/repo.git
  const candidate = scp
    ? `https://${scp[1]}/${scp[2]}`
    : url.replace(/^(git\+)?ssh:\/\//, "https://");
  let parsed: URL;
  try {
    parsed = new URL(candidate.replace(/^git\+/, ""));
  } catch {
    return undefined;
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return undefined;
  const path = parsed.pathname.replace(/\.git$/, "").replace(/\/+$/, "");
  if (path.split("/").filter(Boolean).length < 2) return undefined;
  return { web: `https://${parsed.host}${path}`, host: parsed.hostname };
}

/** `repository`, `homepage` and (on hosts with a known issue tracker) `bugs` for a package. */
export function repositoryFields(
  origin: PublicOrigin | undefined,
  directory: string,
): Pick<PackageJson, "repository" | "homepage" | "bugs"> {
  if (origin === undefined) return {};
  const tracker = ["github.com", "gitlab.com", "codeberg.org"].includes(origin.host);
  return {
    repository: { type: "git", url: `git+${origin.web}.git`, directory },
    homepage: `${origin.web}#readme`,
    ...(tracker ? { bugs: { url: `${origin.web}/issues` } } : {}),
  };
}

/** What {@linkcode completePackageJson} adds to the `package.json` that `deno pack` wrote. */
export interface Completion {
  readonly version: string;
  readonly description: string;
  readonly license: string;
  readonly directory: string;
  readonly origin: PublicOrigin | undefined;
  readonly sideEffects: boolean;
  readonly dependencies: Record<string, string>;
  /** Commands the package installs: name → script (`./bin/kalshi-ws.js`). */
  readonly bin?: Readonly<Record<string, string>>;
}

/** The final `package.json`: `deno pack`'s entry points and exports, plus the fields above. */
export function completePackageJson(packed: PackageJson, add: Completion): PackageJson {
  const dependencies = Object.fromEntries(Object.entries(add.dependencies).sort());
  return {
    name: packed.name,
    version: add.version,
    description: add.description,
    keywords: KEYWORDS,
    license: add.license,
    ...repositoryFields(add.origin, add.directory),
    type: "module",
    engines: { node: NODE_ENGINES },
    ...(add.sideEffects ? {} : { sideEffects: false }),
    ...(add.bin !== undefined && Object.keys(add.bin).length > 0 ? { bin: { ...add.bin } } : {}),
    main: packed.main,
    types: packed.types,
    exports: { ...packed.exports, "./package.json": "./package.json" },
    ...(Object.keys(dependencies).length > 0 ? { dependencies } : {}),
    publishConfig: { access: "public" },
  };
}
