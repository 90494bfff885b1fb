/**
 * Shared by `scripts/build_npm.ts` and `scripts/test_node.ts`: which workspace members become
 * npm packages, where the tarballs go, and a small command runner.
 *
 * @module
 */

/** The repository root (a `file:` URL ending in `/`). */
export const ROOT: URL = new URL("../", import.meta.url);

/** Where `deno task build:npm` writes the tarballs and their unpacked contents. */
export const OUT_DIR: URL = new URL("dist/npm/", ROOT);

/**
 * The workspace members published to npm, by directory under `packages/`, each after the
 * packages it depends on. `@kalshi-ws/deno` is JSR-only and the CLI is not a library yet, so
 * neither is here.
 */
export const NPM_PACKAGES: readonly string[] = ["core", "client", "node", "simulator", "nats"];

/**
 * Packages a member's README examples need besides its dependencies, so its install line names
 * their tarballs too: the client's examples use the Node adapter, a NATS collector connects to
 * Kalshi with its transport, and the simulator's example tests a client against it.
 */
export const README_COMPANIONS: Readonly<Record<string, readonly string[]>> = {
  client: ["node"],
  nats: ["node"],
  simulator: ["node"],
};

/**
 * Files of a member that are Deno-only and stay out of its npm tarball (they remain in the JSR
 * package): the simulator's command line uses `Deno.*` and is run with `deno task simulate`.
 */
export const NPM_ONLY_IGNORES: Readonly<Record<string, readonly string[]>> = {
  simulator: ["main.ts"],
};

/** The fields of a member's `deno.json` that the npm build reads. */
export interface MemberConfig {
  readonly name: string;
  readonly version: string;
  readonly license?: string;
  readonly exports: string | Readonly<Record<string, string>>;
}

/** Reads the `deno.json` of a workspace member (`path` as in the root `workspace`: `packages/core`). */
export function readMember(path: string): MemberConfig {
  const url = new URL(`${path}/deno.json`, ROOT);
  const config = JSON.parse(Deno.readTextFileSync(url)) as Partial<MemberConfig>;
  if (typeof config.name !== "string" || typeof config.version !== "string" || !config.exports) {
    throw new Error(`Add "name", "version" and "exports" to ${path}/deno.json`);
  }
  return config as MemberConfig;
}

/**
 * Every workspace member that `deno publish` publishes (not `"publish": false`), as paths relative
 * to the root (`packages/core`, `apps/cli`).
 */
export function workspaceMembers(): string[] {
  const root = JSON.parse(Deno.readTextFileSync(new URL("deno.json", ROOT))) as {
    workspace?: string[];
  };
  return (root.workspace ?? [])
    .map((path) => path.replace(/^\.\//, "").replace(/\/$/, ""))
    .filter((path) => {
      const config = JSON.parse(Deno.readTextFileSync(new URL(`${path}/deno.json`, ROOT)));
      return config.publish !== false;
    });
}

/** The single version every package carries: the root `deno.json` `version`. */
export function rootVersion(): string {
  const config = JSON.parse(Deno.readTextFileSync(new URL("deno.json", ROOT))) as {
    version?: unknown;
  };
  if (typeof config.version !== "string" || !/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(config.version)) {
    throw new Error(
      `Set "version" in the root deno.json to a semver string (got ${config.version})`,
    );
  }
  return config.version;
}

/** Options of {@linkcode run}: working directory, extra environment, a kill deadline. */
export interface RunOptions {
  readonly cwd?: URL | string;
  readonly env?: Record<string, string>;
  readonly timeoutMs?: number;
}

/** The result of {@linkcode run}. */
export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion, capturing its output (no shell). */
export async function run(
  cmd: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const out = await new Deno.Command(cmd, {
    signal: options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs),
    args: [...args],
    cwd: options.cwd,
    env: { NO_COLOR: "1", ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}

/** Runs a command and throws (with its output) unless it exits 0. */
export async function runOk(
  cmd: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const result = await run(cmd, args, options);
  if (result.code !== 0) {
    throw new Error(
      `Command failed (exit ${result.code}): ${cmd} ${
        args.join(" ")
      }\n${result.stdout}${result.stderr}`,
    );
  }
  return result;
}

/** Whether a file or directory exists. */
export function exists(url: URL): boolean {
  try {
    Deno.statSync(url);
    return true;
  } catch {
    return false;
  }
}

/** Path of an executable installed by `npm ci` in the root `node_modules/.bin`. */
export function npmBin(name: string): string {
  return new URL(`node_modules/.bin/${name}`, ROOT).pathname;
}
