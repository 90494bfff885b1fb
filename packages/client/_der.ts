/**
 * Private PEM/DER helpers for {@linkcode ./signer.ts}: just enough ASN.1 to wrap a PKCS#1
 * `RSAPrivateKey` into a PKCS#8 `PrivateKeyInfo`, which is all WebCrypto imports.
 *
 * Error messages here never quote the input: it is key material.
 *
 * @module
 */

/** The PEM block kinds we accept for RSA private keys. */
export type PemKind = "pkcs1" | "pkcs8";

const PEM_LABELS: Readonly<Record<string, PemKind>> = {
  "RSA PRIVATE KEY": "pkcs1",
  "PRIVATE KEY": "pkcs8",
};

/** Decodes the first private-key PEM block in `pem` into DER bytes and names its format. */
export function decodePem(pem: string): { kind: PemKind; der: Uint8Array<ArrayBuffer> } {
  const match = /-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/.exec(pem);
  if (match === null) {
    throw new TypeError(
      "Cannot read private key: expected a PEM block (PKCS#1 'RSA PRIVATE KEY' or PKCS#8 'PRIVATE KEY')",
    );
  }
  const label = match[1]!;
  const kind = PEM_LABELS[label];
  if (kind === undefined) {
    throw new TypeError(
      `Cannot read private key: unsupported PEM label "${label}" (expected "RSA PRIVATE KEY" or "PRIVATE KEY")`,
    );
  }
  const body = match[2]!;
  if (/^[A-Za-z-]+:/m.test(body)) {
    throw new TypeError("Cannot read private key: encrypted PEM keys are not supported");
  }
  let binary: string;
  try {
    binary = atob(body.replace(/\s+/g, ""));
  } catch {
    throw new TypeError("Cannot read private key: the PEM body is not valid base64");
  }
  const der = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) der[i] = binary.charCodeAt(i);
  return { kind, der };
}

/** Encodes a DER length (short form below 128, long form above). */
function derLength(length: number): number[] {
  if (length < 0x80) return [length];
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

/** Concatenates a DER tag, length and content. */
function derTlv(tag: number, content: Uint8Array): Uint8Array<ArrayBuffer> {
  const header = [tag, ...derLength(content.length)];
  const out = new Uint8Array(header.length + content.length);
  out.set(header, 0);
  out.set(content, header.length);
  return out;
}

/** `INTEGER 0` followed by `AlgorithmIdentifier { rsaEncryption, NULL }`. */
const PKCS8_RSA_PREFIX = new Uint8Array([
  0x02,
  0x01,
  0x00, // version 0
  0x30,
  0x0d,
  0x06,
  0x09,
  0x2a,
  0x86,
  0x48,
  0x86,
  0xf7,
  0x0d,
  0x01,
  0x01,
  0x01,
  0x05,
  0x00,
]);

/** Wraps a DER PKCS#1 `RSAPrivateKey` into a DER PKCS#8 `PrivateKeyInfo`. */
export function pkcs1ToPkcs8(pkcs1: Uint8Array): Uint8Array<ArrayBuffer> {
  if (pkcs1[0] !== 0x30) {
    throw new TypeError("Cannot read private key: the PKCS#1 body is not a DER sequence");
  }
  const octets = derTlv(0x04, pkcs1);
  const content = new Uint8Array(PKCS8_RSA_PREFIX.length + octets.length);
  content.set(PKCS8_RSA_PREFIX, 0);
  content.set(octets, PKCS8_RSA_PREFIX.length);
  return derTlv(0x30, content);
}

/** Standard base64 (with padding) of `bytes`. */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
