/**
 * Where relative paths point. `deno task cli` runs from the repository root, not from where the
 * user typed the command; `deno task` (like npm) passes that folder as `INIT_CWD`. Relative
 * `-o`, `--private-key-file`, `KALSHI_PRIVATE_KEY_PATH`, `--key-dir`, recordings and `.env` are
 * resolved against `--cwd`, else `INIT_CWD`, else the process's working directory, so they mean
 * what the user meant.
 *
 * @module
 */

import { isAbsolute, resolve } from "node:path";
import { type CliArgs, UsageError } from "./args.ts";

/** What the working folder is found from (injectable for tests). */
export interface WorkDirSources {
  /** The process's working directory (undefined when not permitted to read it). */
  readonly processCwd: () => string | undefined;
  /** An environment lookup (`INIT_CWD`); undefined when unset or not permitted. */
  readonly env: (name: string) => string | undefined;
  /** Whether `path` is an existing directory. */
  readonly isDirectory: (path: string) => boolean;
}

/**
 * The folder the user ran the command from: `--cwd`, else `INIT_CWD`, else the process's;
 * undefined when none is known (a task without read permission: relative paths stay relative).
 */
export function workDir(args: CliArgs, sources: WorkDirSources): string | undefined {
  const initCwd = sources.env("INIT_CWD");
  const base = initCwd !== undefined && isAbsolute(initCwd) ? initCwd : sources.processCwd();
  if (args.cwd === undefined) return base;
  if (base === undefined && !isAbsolute(args.cwd)) {
    throw new UsageError(`Invalid --cwd '${args.cwd}': give an absolute folder`);
  }
  const dir = base === undefined ? args.cwd : resolve(base, args.cwd);
  if (!sources.isDirectory(dir)) {
    throw new UsageError(`Invalid --cwd '${args.cwd}': not a directory`);
  }
  return dir;
}

/** `path` against `dir` (absolute paths and `-`, meaning stdin/stdout, unchanged). */
export function resolveIn(dir: string, path: string): string;
export function resolveIn(dir: string, path: string | undefined): string | undefined;
export function resolveIn(dir: string, path: string | undefined): string | undefined {
  if (path === undefined || path === "-" || isAbsolute(path)) return path;
  return resolve(dir, path);
}

/** `args` with `cwd` set to `dir` and every path option resolved against it. */
export function withPathsIn(args: CliArgs, dir: string | undefined): CliArgs {
  if (dir === undefined) return args;
  return {
    ...args,
    cwd: dir,
    out: resolveIn(dir, args.out),
    file: resolveIn(dir, args.file),
    privateKeyFile: resolveIn(dir, args.privateKeyFile),
    keyDir: resolveIn(dir, args.keyDir),
  };
}
