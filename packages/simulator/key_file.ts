/**
 * The simulator's test key as a file, the way Kalshi hands keys out (PKCS#1 PEM), so command-line
 * users can point `--private-key-file` or `KALSHI_PRIVATE_KEY_PATH` at it. Owner-only (0600) and
 * removed again when the simulator stops. Uses `node:fs`, so it works on Deno and Node.
 *
 * @module
 */

import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A written key file and how to remove it. */
export interface KeyFile {
  /** Absolute path of the PEM file. */
  readonly path: string;
  /** Deletes the file (and the directory, when {@linkcode writeKeyFile} created it). */
  remove(): Promise<void>;
}

/**
 * Writes `pem` to `<dir>/kalshi-sim-<keyId>.key` with mode 0600, refusing to overwrite. Without
 * `dir`, a fresh private directory under the system temp dir is created (and later removed).
 */
export async function writeKeyFile(pem: string, keyId: string, dir?: string): Promise<KeyFile> {
  const ownDir = dir === undefined;
  const directory = dir ?? await mkdtemp(join(tempRoot(), "kalshi-sim-"));
  const path = join(directory, `kalshi-sim-${keyId}.key`);
  await writeFile(path, pem, { mode: 0o600, flag: "wx" });
  await chmod(path, 0o600);
  return {
    path,
    remove: () => rm(ownDir ? directory : path, { recursive: ownDir, force: true }),
  };
}

/**
 * Why {@linkcode writeKeyFile} failed, in a few words for a one-line error (never a stack):
 * "not permitted", "no such folder", "not a folder", "a key file of that name exists".
 */
export function keyFileProblem(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const name = error instanceof Error ? error.name : "";
  if (
    name === "NotCapable" || name === "PermissionDenied" || code === "EACCES" || code === "EPERM"
  ) {
    return "not permitted";
  }
  if (name === "NotFound" || code === "ENOENT") return "no such folder";
  if (code === "ENOTDIR") return "not a folder";
  if (name === "AlreadyExists" || code === "EEXIST") return "a key file of that name exists";
  return error instanceof Error ? error.message.split("\n")[0]! : String(error);
}

/** The system temp dir, or `/tmp` where reading `TMPDIR` is not permitted (narrow Deno tasks). */
function tempRoot(): string {
  try {
    return tmpdir();
  } catch {
    return "/tmp";
  }
}
