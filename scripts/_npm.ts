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
 * The workspace members published to npm: a short name (the key of the tables below and the
 * folder under `dist/npm/`) and the member's path, each after the packages it depends on.
 * `@kalshi-ws/deno` is JSR-only, so it is not here.
 */
export const NPM_MEMBERS: Readonly<Record<string, string>> = {
  core: "packages/core",
  client: "packages/client",
  node: "packages/node",
  simulator: "packages/simulator",
  nats: "packages/nats",
  metrics: "packages/metrics",
  cli: "apps/cli",
};

/** The short names of {@linkcode NPM_MEMBERS}, in build order. */
export const NPM_PACKAGES: readonly string[] = Object.keys(NPM_MEMBERS);

/** The workspace path of an npm package (`cli` → `apps/cli`). */
export function memberPath(dir: string): string {
  const path = NPM_MEMBERS[dir];
  if (path === undefined) throw new Error(`${dir} is not in NPM_MEMBERS`);
  return path;
}

/** How an npm package differs from the JSR package its `deno.json` describes. */
export interface NpmShape {
  /** Its npm name, when not the `deno.json` one. */
  readonly name?: string;
  /**
   * Its npm exports: subpath → the `deno.json` export whose files it gets. Exports not named
   * here stay out (their own files through {@linkcode NPM_ONLY_IGNORES}).
   */
  readonly exports?: Readonly<Record<string, string>>;
  /**
   * Its commands: name → the npm export whose `runProgram()` the command's `#!/usr/bin/env node`
   * script runs.
   */
  readonly bin?: Readonly<Record<string, string>>;
}

/**
 * The CLI is `kalshi-ws` on npm (unscoped, so `npx kalshi-ws demo` works): its Node entry
 * (`./node` on JSR) is the package's `.`, and the `kalshi-ws` command runs it. Its Deno entry
 * (`main.ts`, JSR's `.`) stays out.
 */
export const NPM_SHAPES: Readonly<Record<string, NpmShape>> = {
  cli: { name: "kalshi-ws", exports: { ".": "./node" }, bin: { "kalshi-ws": "." } },
  client: { exports: { ".": ".", "./internal": "./internal" } },
  nats: { exports: { ".": "." } },
};

/** The npm name of a package (`cli` → `kalshi-ws`, `core` → `@kalshi-ws/core`). */
export function npmName(dir: string): string {
  return NPM_SHAPES[dir]?.name ?? readMember(memberPath(dir)).name;
}

/** The npm exports of a package: subpath → source file (relative to the member, `./mod.ts`). */
export function npmExports(dir: string): Record<string, string> {
  const config = readMember(memberPath(dir));
  const own: Record<string, string> = typeof config.exports === "string"
    ? { ".": config.exports }
    : { ...config.exports };
  const shape = NPM_SHAPES[dir]?.exports;
  if (shape === undefined) return own;
  return Object.fromEntries(
    Object.entries(shape).map(([subpath, from]) => {
      const target = own[from];
      if (target === undefined) throw new Error(`${memberPath(dir)}/deno.json exports no ${from}`);
      return [subpath, target];
    }),
  );
}

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
 * package): the simulator's command line uses `Deno.*` and is run with `deno task simulate`; the
 * CLI's Deno entry and Deno runtime (`kalshi-ws simulate` is the simulator's command line on
 * Node); the client's and the NATS package's `./testing` suites (they run our Deno tests against
 * the simulator and `nats-server`). Test helpers are left out by the members' `publish.exclude`,
 * which `deno pack` honours.
 */
export const NPM_ONLY_IGNORES: Readonly<Record<string, readonly string[]>> = {
  client: ["testing/"],
  nats: ["testing/"],
  simulator: ["main.ts"],
  cli: ["main.ts", "runtime_deno.ts"],
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

/**
 * `PATH` without the folders that hold a `deno` executable: what a Node user without Deno has,
 * so the Node checks cannot lean on Deno by accident.
 */
export function pathWithoutDeno(path: string = Deno.env.get("PATH") ?? ""): string {
  const hasDeno = (dir: string) => {
    try {
      Deno.statSync(`${dir}/deno`);
      return true;
    } catch {
      return false;
    }
  };
  return path.split(":").filter((dir) => dir !== "" && !hasDeno(dir)).join(":");
}
