/**
 * What the benchmarks that run the CLI's `book` share: a throw-away RSA key file (the loopback
 * sender accepts any signature) and the `book` arguments that follow every market until
 * `--max-messages`, printing only the final NDJSON books.
 *
 * @module
 */

import { generateKeyPairSync } from "node:crypto";

/** Writes a fresh 2048-bit RSA key (PKCS#1 PEM) to `dir`; returns its path. */
export async function writeBenchKey(dir: string): Promise<string> {
  const keyFile = `${dir}/bench.pem`;
  await Deno.writeTextFile(
    keyFile,
    generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
      type: "pkcs1",
      format: "pem",
    }) as string,
  );
  return keyFile;
}

/** `kalshi-ws book` over `markets` at `url`, stopping after `maxMessages` data messages. */
export function bookArgs(
  url: string,
  keyFile: string,
  maxMessages: number,
  markets: readonly string[],
): string[] {
  return [
    "book",
    "--url",
    url,
    "--key-id",
    "bench",
    "--private-key-file",
    keyFile,
    "--format",
    "ndjson",
    "--interval",
    "3600000",
    "--max-messages",
    String(maxMessages),
    "--quiet",
    ...markets.flatMap((m) => ["-m", m]),
  ];
}
