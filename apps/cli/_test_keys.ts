/**
 * Test helper: key files of every kind a user might hand the CLI by mistake, made at run time
 * (no key material is committed): Kalshi's RSA key as PKCS#1 and PKCS#8, and its public key,
 * encrypted forms, EC, Ed25519 and a certificate-shaped block.
 *
 * @module
 */

import { createPrivateKey, generateKeyPairSync } from "node:crypto";

/** PEM texts by kind. */
export interface TestKeys {
  readonly rsaPkcs1: string;
  readonly rsaPkcs8: string;
  readonly publicKey: string;
  readonly encryptedPkcs8: string;
  readonly encryptedPkcs1: string;
  readonly ecSec1: string;
  readonly ecPkcs8: string;
  readonly ed25519: string;
  readonly certificate: string;
}

let cached: TestKeys | undefined;

/** Builds (once per process) one key file text of every kind. */
export function testKeys(): TestKeys {
  if (cached !== undefined) return cached;
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const ed = generateKeyPairSync("ed25519");
  const key = createPrivateKey(rsa.privateKey.export({ type: "pkcs1", format: "pem" }));
  const body = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(600))));
  const dashes = "-----";
  cached = {
    rsaPkcs1: key.export({ type: "pkcs1", format: "pem" }) as string,
    rsaPkcs8: key.export({ type: "pkcs8", format: "pem" }) as string,
    publicKey: rsa.publicKey.export({ type: "spki", format: "pem" }) as string,
    encryptedPkcs8: key.export({
      type: "pkcs8",
      format: "pem",
      cipher: "aes-256-cbc",
      passphrase: "test",
    }) as string,
    encryptedPkcs1: key.export({
      type: "pkcs1",
      format: "pem",
      cipher: "aes-256-cbc",
      passphrase: "test",
    }) as string,
    ecSec1: ec.privateKey.export({ type: "sec1", format: "pem" }) as string,
    ecPkcs8: ec.privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    ed25519: ed.privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    certificate:
      `${dashes}BEGIN CERTIFICATE${dashes}\n${body}\n${dashes}END CERTIFICATE${dashes}\n`,
  };
  return cached;
}
