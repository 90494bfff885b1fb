/**
 * Handshake authentication as Kalshi does it: `KALSHI-ACCESS-KEY`, `KALSHI-ACCESS-TIMESTAMP`
 * (Unix ms, fresh) and `KALSHI-ACCESS-SIGNATURE` (RSA-PSS, SHA-256, MGF1-SHA-256, salt 32, over
 * `timestamp + "GET" + "/trade-api/ws/v2"`, base64) verified against registered public keys.
 *
 * Private keys are never logged, and never part of an error or `toString()`.
 *
 * @module
 */

import {
  constants,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomUUID,
  sign,
  verify,
} from "node:crypto";
import { Buffer } from "node:buffer";

/** The WebSocket path Kalshi serves and signs. */
export const WS_PATH = "/trade-api/ws/v2";

/** An RSA key pair as Kalshi issues it: a key id and a PKCS#1 PEM private key. */
export interface TestKeyPair {
  /** The API key id (a UUID), sent as `KALSHI-ACCESS-KEY`. */
  readonly keyId: string;
  /** SPKI PEM public key, registered with the simulator. */
  readonly publicKeyPem: string;
  /** PKCS#1 PEM private key (an `RSA PRIVATE KEY` block). Keep it out of logs. */
  readonly privateKeyPem: string;
}

/** Generates an RSA-2048 key pair with a fresh UUID key id, for tests and the CLI. */
export function generateTestKeyPair(): TestKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
  });
  return { keyId: randomUUID(), publicKeyPem: publicKey, privateKeyPem: privateKey };
}

/**
 * The three handshake headers for `keyId`, signed with `privateKeyPem` (PKCS#1 or PKCS#8) at
 * `timestampMs`. A convenience for tests of code that connects to the simulator.
 */
export function signHandshake(
  keyId: string,
  privateKeyPem: string,
  timestampMs: number,
): Record<string, string> {
  const timestamp = String(Math.trunc(timestampMs));
  const signature = sign("sha256", Buffer.from(`${timestamp}GET${WS_PATH}`), {
    key: createPrivateKey(privateKeyPem),
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: 32,
  });
  return {
    "KALSHI-ACCESS-KEY": keyId,
    "KALSHI-ACCESS-TIMESTAMP": timestamp,
    "KALSHI-ACCESS-SIGNATURE": signature.toString("base64"),
  };
}

/** Outcome of checking a handshake: who it is, or why it is rejected (a short 401 body). */
export type AuthResult =
  | { readonly ok: true; readonly keyId: string | undefined; readonly userId: string | undefined }
  | { readonly ok: false; readonly reason: string };

interface RegisteredKey {
  readonly publicKey: KeyObject;
  readonly userId: string;
}

/** Registered public keys and the handshake check against them. */
export class KeyRegistry {
  readonly #keys = new Map<string, RegisteredKey>();

  /** Registers `publicKeyPem` under `keyId` for `userId`. Throws for an unreadable key. */
  register(keyId: string, publicKeyPem: string, userId: string): void {
    this.#keys.set(keyId, { publicKey: createPublicKey(publicKeyPem), userId });
  }

  /** The user a key id belongs to, if registered. */
  userOf(keyId: string): string | undefined {
    return this.#keys.get(keyId)?.userId;
  }

  /**
   * Checks the handshake headers at `now` (Unix ms): the timestamp must be within `windowMs`.
   * With `open`, a request without any auth header is accepted anonymously.
   */
  check(
    headers: Readonly<Record<string, string | string[] | undefined>>,
    now: number,
    windowMs: number,
    open: boolean,
  ): AuthResult {
    const key = header(headers, "kalshi-access-key");
    const timestamp = header(headers, "kalshi-access-timestamp");
    const signature = header(headers, "kalshi-access-signature");
    if (open && key === undefined && timestamp === undefined && signature === undefined) {
      return { ok: true, keyId: undefined, userId: undefined };
    }
    if (key === undefined) return { ok: false, reason: "Missing KALSHI-ACCESS-KEY header" };
    if (timestamp === undefined) {
      return { ok: false, reason: "Missing KALSHI-ACCESS-TIMESTAMP header" };
    }
    if (signature === undefined) {
      return { ok: false, reason: "Missing KALSHI-ACCESS-SIGNATURE header" };
    }
    const registered = this.#keys.get(key);
    if (registered === undefined) return { ok: false, reason: "Unknown API key" };
    if (!/^\d{1,16}$/.test(timestamp)) {
      return { ok: false, reason: "Invalid KALSHI-ACCESS-TIMESTAMP: expected Unix milliseconds" };
    }
    if (Math.abs(Number(timestamp) - now) > windowMs) {
      return {
        ok: false,
        reason: "Stale KALSHI-ACCESS-TIMESTAMP: expected current Unix milliseconds",
      };
    }
    let valid = false;
    try {
      valid = verify(
        "sha256",
        Buffer.from(`${timestamp}GET${WS_PATH}`),
        { key: registered.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
        Buffer.from(signature, "base64"),
      );
    } catch {
      valid = false;
    }
    if (!valid) return { ok: false, reason: "Invalid KALSHI-ACCESS-SIGNATURE" };
    return { ok: true, keyId: key, userId: registered.userId };
  }
}

function header(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  name: string,
): string | undefined {
  const value = headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === "" ? undefined : text;
}
