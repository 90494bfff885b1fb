/**
 * Handshake signing for Kalshi's WebSocket API.
 *
 * Kalshi authenticates the HTTP upgrade with three headers; the signature is RSA-PSS (SHA-256,
 * MGF1-SHA-256, salt 32) over `timestamp + "GET" + path`. The private key is imported once into
 * a non-extractable WebCrypto key; a custom {@linkcode Signer} lets it live elsewhere (an HSM, a
 * KMS, another process).
 *
 * @module
 */

import { decodePem, pkcs1ToPkcs8, toBase64 } from "./_der.ts";

/**
 * Produces the base64 signature of a handshake message. Implement this to keep the key outside
 * JavaScript; {@linkcode createRsaPssSigner} is the built-in implementation.
 */
export interface Signer {
  /** Signs the UTF-8 bytes of `message`; resolves to standard base64 with padding. */
  sign(message: string): Promise<string>;
}

/** The path Kalshi signs for its WebSocket API (the same for every host). */
export const SIGNING_PATH = "/trade-api/ws/v2";

/** RSA-PSS parameters Kalshi requires: salt length equals the SHA-256 digest length. */
const RSA_PSS = { name: "RSA-PSS", saltLength: 32 } as const;

/** The built-in signer: holds only a non-extractable `CryptoKey`. */
class RsaPssSigner implements Signer {
  readonly #key: CryptoKey;

  constructor(key: CryptoKey) {
    this.#key = key;
  }

  async sign(message: string): Promise<string> {
    const data = new TextEncoder().encode(message);
    const signature = await crypto.subtle.sign(RSA_PSS, this.#key, data);
    return toBase64(new Uint8Array(signature));
  }

  toString(): string {
    return "RsaPssSigner";
  }

  toJSON(): string {
    return "RsaPssSigner";
  }

  [Symbol.for("Deno.customInspect")](): string {
    return "RsaPssSigner";
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return "RsaPssSigner";
  }
}

/**
 * Imports an RSA private key PEM as a non-extractable RSA-PSS/SHA-256 signing key.
 *
 * Accepts the PKCS#1 PEM Kalshi hands out (an `RSA PRIVATE KEY` block) as well as PKCS#8
 * (a `PRIVATE KEY` block). Errors never quote the key.
 */
export async function importRsaPrivateKey(pem: string): Promise<CryptoKey> {
  const { kind, der } = decodePem(pem);
  const pkcs8 = kind === "pkcs1" ? pkcs1ToPkcs8(der) : der;
  try {
    return await crypto.subtle.importKey(
      "pkcs8",
      pkcs8,
      { name: "RSA-PSS", hash: "SHA-256" },
      false,
      ["sign"],
    );
  } catch (error) {
    // WebCrypto's message never contains the key bytes, but keep only its name to be sure.
    const name = error instanceof Error ? error.name : "Error";
    throw new TypeError(`Cannot import private key: WebCrypto rejected it (${name})`);
  } finally {
    pkcs8.fill(0);
    der.fill(0);
  }
}

/**
 * Creates the built-in {@linkcode Signer} from an RSA private key PEM (PKCS#1 or PKCS#8).
 *
 * The key is imported once, non-extractable; the returned object prints as `RsaPssSigner`
 * everywhere (`toString`, `JSON.stringify`, `Deno.inspect`, `util.inspect`).
 *
 * @example
 * ```ts ignore
 * import { readFileSync } from "node:fs";
 *
 * const signer = await createRsaPssSigner(readFileSync("kalshi.key", "utf8"));
 * const headers = await createAuthHeaders("my-key-id", signer, Date.now());
 * ```
 */
export async function createRsaPssSigner(pem: string): Promise<Signer> {
  return new RsaPssSigner(await importRsaPrivateKey(pem));
}

/** Wraps a `CryptoKey` you imported yourself (RSA-PSS, SHA-256, usage `sign`) as a signer. */
export function signerFromCryptoKey(key: CryptoKey): Signer {
  return new RsaPssSigner(key);
}

/** The three headers Kalshi's WebSocket upgrade request must carry. */
export interface AuthHeaders {
  /** The API key id (a UUID). */
  readonly "KALSHI-ACCESS-KEY": string;
  /** Unix time in milliseconds, as a decimal string. */
  readonly "KALSHI-ACCESS-TIMESTAMP": string;
  /** Base64 RSA-PSS signature of `timestamp + "GET" + path`. */
  readonly "KALSHI-ACCESS-SIGNATURE": string;
  /** Headers are plain strings (lets the object be passed where a header record is expected). */
  readonly [name: string]: string;
}

/**
 * Builds the handshake headers for one connection attempt; call it on every (re)connect, since
 * the timestamp must be fresh. `nowMs` is wall-clock Unix milliseconds; `path` defaults to
 * {@linkcode SIGNING_PATH} (any query string is ignored).
 */
export async function createAuthHeaders(
  keyId: string,
  signer: Signer,
  nowMs: number,
  path: string = SIGNING_PATH,
): Promise<AuthHeaders> {
  const timestamp = String(Math.floor(nowMs));
  const queryAt = path.indexOf("?");
  const bare = queryAt === -1 ? path : path.slice(0, queryAt);
  const signature = await signer.sign(`${timestamp}GET${bare}`);
  return {
    "KALSHI-ACCESS-KEY": keyId,
    "KALSHI-ACCESS-TIMESTAMP": timestamp,
    "KALSHI-ACCESS-SIGNATURE": signature,
  };
}
