/**
 * Where relative paths point. `deno task cli` runs from the repository root, not from where the
 * user typed the command; `deno task` (like npm) passes that folder as `INIT_CWD`. Relative
 * `-o`, `--private-key-file`, `KALSHI_PRIVATE_KEY_PATH`, `--key-dir`, recordings and `.env` are
 * resolved against `--cwd`, else `INIT_CWD`, else the process's working directory, so they mean
 * what the user meant.
 *
 * @module
 */

import { type CliArgs, UsageError } from "./args.ts";
import { isAbsolutePath, resolvePath } from "./path_names.ts";

/** What the working folder is found from (injectable for tests). */
export interface WorkDirSources {
  /** The process's working directory (undefined when not permitted to read it). */
  readonly processCwd: () => string | undefined;
  /** An environment lookup (`INIT_CWD`); undefined when unset or not permitted. */
  readonly env: (name: string) => string | undefined;
  /** Whether `path` is an existing directory. */
  readonly isDirectory: (path: string) => boolean;
  /** Whether paths are Windows paths (the runtime's `windowsPaths`). */
  readonly windowsPaths: boolean;
}

/**
 * The folder the user ran the command from: `--cwd`, else `INIT_CWD`, else the process's;
 * undefined when none is known (a task without read permission: relative paths stay relative).
 */
export function workDir(args: CliArgs, sources: WorkDirSources): string | undefined {
  const windows = sources.windowsPaths;
  const initCwd = sources.env("INIT_CWD");
  const base = initCwd !== undefined && isAbsolutePath(initCwd, windows)
    ? initCwd
    : sources.processCwd();
  if (args.cwd === undefined) return base;
  if (base === undefined && !isAbsolutePath(args.cwd, windows)) {
    throw new UsageError(`Invalid --cwd '${args.cwd}': give an absolute folder`);
  }
  const dir = base === undefined ? args.cwd : resolvePath(base, args.cwd, windows);
  if (!sources.isDirectory(dir)) {
    throw new UsageError(`Invalid --cwd '${args.cwd}': not a directory`);
  }
  return dir;
}

/**
 * `path` against `dir` (absolute paths and `-`, meaning stdin/stdout, unchanged); `windows`:
 * Windows paths (the runtime's `windowsPaths`).
 */
export function resolveIn(dir: string, path: string, windows: boolean): string;
export function resolveIn(
  dir: string,
  path: string | undefined,
  windows: boolean,
): string | undefined;
export function resolveIn(
  dir: string,
  path: string | undefined,
  windows: boolean,
): string | undefined {
  if (path === undefined || path === "-" || isAbsolutePath(path, windows)) return path;
  return resolvePath(dir, path, windows);
}

/** `args` with `cwd` set to `dir` and every path option resolved against it. */
export function withPathsIn(args: CliArgs, dir: string | undefined, windows: boolean): CliArgs {
  if (dir === undefined) return args;
  return {
    ...args,
    cwd: dir,
    out: resolveIn(dir, args.out, windows),
    file: resolveIn(dir, args.file, windows),
    privateKeyFile: resolveIn(dir, args.privateKeyFile, windows),
    keyDir: resolveIn(dir, args.keyDir, windows),
  };
}
