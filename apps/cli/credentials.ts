/**
 * Finds the API key id and private key for a connection: flags first, then the environment
 * (`KALSHI_API_KEY_ID`, `KALSHI_PRIVATE_KEY_PATH` or `KALSHI_PRIVATE_KEY`), then a `.env` file in
 * the user's working directory (which never overrides variables already set). A key that cannot
 * be Kalshi's (encrypted, public, a certificate, EC, ...) is refused here, naming its source.
 *
 * The key text is handed to the client and never printed: errors name the variable or file,
 * never its content.
 *
 * @module
 */

import { UsageError } from "./args.ts";
import { privateKeyProblem } from "./key_check.ts";
import type { CliRuntime } from "./runtime.ts";

/** A key id and the PEM text of its private key. */
export interface Credentials {
  readonly keyId: string;
  readonly privateKeyPem: string;
  /** Where the key came from, for messages ("file 'x.pem'", "KALSHI_PRIVATE_KEY"). */
  readonly keySource?: string;
}

/** Where credentials may come from (injectable for tests). */
export interface CredentialSources {
  readonly keyId?: string | undefined;
  readonly privateKeyFile?: string | undefined;
  readonly env: (name: string) => string | undefined;
  readonly readTextFile: (path: string) => string;
  /** Resolves a relative key path (default: as is). */
  readonly resolvePath?: (path: string) => string;
}

/** The variables the CLI reads from the environment or `.env`. */
export const CREDENTIAL_VARIABLES = [
  "KALSHI_API_KEY_ID",
  "KALSHI_PRIVATE_KEY_PATH",
  "KALSHI_PRIVATE_KEY",
] as const;

/**
 * Parses `.env` text (`NAME=value`, optional `export `, single or double quotes, `\n` escapes
 * inside double quotes, `#` comments). Only a parser: nothing is put into the environment, so
 * the CLI needs no permission to set variables and unrelated entries are ignored.
 */
export function parseDotEnv(text: string): Map<string, string> {
  const values = new Map<string, string>();
  // Editors on Windows start files with a byte-order mark; it would hide the first name.
  if (text.startsWith("\uFEFF")) text = text.slice(1);
  const pattern =
    /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*("(?:[^"\\]|\\.)*"|'[^']*'|[^\n]*)/gm;
  for (const match of text.matchAll(pattern)) {
    let value = match[2]!.trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
      value = value.slice(1, -1).replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    } else if (value.startsWith("'") && value.endsWith("'") && value.length >= 2) {
      value = value.slice(1, -1);
    } else {
      value = value.replace(/\s+#.*$/, "");
    }
    values.set(match[1]!, value);
  }
  return values;
}

/**
 * An environment lookup for the credential variables: the process environment first, then
 * the `.env` file at `path` (which never overrides variables already set).
 */
export function credentialEnv(
  runtime: Pick<CliRuntime, "env" | "readSmallTextFile">,
  path = ".env",
): (name: string) => string | undefined {
  let dotEnv: Map<string, string> | undefined;
  return (name) => {
    const value = runtime.env(name);
    if (value !== undefined) return value;
    if (dotEnv === undefined) {
      try {
        dotEnv = parseDotEnv(runtime.readSmallTextFile(path));
      } catch {
        dotEnv = new Map();
      }
    }
    return dotEnv.get(name);
  };
}

/**
 * Resolves credentials, or returns undefined when none are configured at all. Throws
 * {@linkcode UsageError} when they are half configured or the key file cannot be read.
 */
export function resolveCredentials(sources: CredentialSources): Credentials | undefined {
  const keyId = sources.keyId ?? nonEmpty(sources.env("KALSHI_API_KEY_ID"));
  const envFile = nonEmpty(sources.env("KALSHI_PRIVATE_KEY_PATH"));
  const file = sources.privateKeyFile ??
    (envFile === undefined ? undefined : sources.resolvePath?.(envFile) ?? envFile);
  const inline = file === undefined ? nonEmpty(sources.env("KALSHI_PRIVATE_KEY")) : undefined;
  if (keyId === undefined && file === undefined && inline === undefined) return undefined;
  if (keyId === undefined) {
    throw new UsageError(
      "A private key is configured but no key id",
      "Pass --key-id or set KALSHI_API_KEY_ID",
    );
  }
  let pem: string;
  if (file !== undefined) {
    try {
      pem = sources.readTextFile(file);
    } catch (error) {
      const reason = error instanceof RangeError
        ? error.message
        : error instanceof Error
        ? error.name
        : "unreadable";
      throw new UsageError(
        `Cannot read private key file '${file}': ${reason}`,
        "Check --private-key-file or KALSHI_PRIVATE_KEY_PATH",
      );
    }
  } else if (inline !== undefined) {
    pem = inline.includes("\\n") ? inline.replaceAll("\\n", "\n") : inline;
  } else {
    throw new UsageError(
      `Key id '${keyId}' has no private key`,
      "Pass --private-key-file or set KALSHI_PRIVATE_KEY_PATH or KALSHI_PRIVATE_KEY",
    );
  }
  const keySource = file === undefined ? "KALSHI_PRIVATE_KEY" : `file '${file}'`;
  const problem = privateKeyProblem(pem);
  if (problem !== undefined) {
    throw new UsageError(
      `The private key ${
        file === undefined ? "in KALSHI_PRIVATE_KEY" : `file '${file}'`
      } ${problem}`,
      file === undefined
        ? "Check KALSHI_PRIVATE_KEY"
        : "Check --private-key-file or KALSHI_PRIVATE_KEY_PATH",
    );
  }
  return { keyId, privateKeyPem: pem, keySource };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
