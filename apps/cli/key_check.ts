/**
 * Says what is wrong with a private key before anything connects, naming where it came from:
 * users hand the CLI encrypted keys, public keys, certificates, EC or OpenSSH keys, and the
 * library's WebCrypto wording ("unsupported PEM label") does not tell them which file or what to
 * do. Messages name the PEM block kind, never any key content.
 *
 * @module
 */

/** The OID of rsaEncryption (1.2.840.113549.1.1.1) as DER bytes. */
const RSA_OID = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
/** id-ecPublicKey (1.2.840.10045.2.1). */
const EC_OID = [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
/** Ed25519 (1.3.101.112). */
const ED25519_OID = [0x06, 0x03, 0x2b, 0x65, 0x70];

const KALSHI_KEY = "Kalshi API keys are RSA private keys (PKCS#1 PEM, or PKCS#8)";

/**
 * Why `pem` cannot be a Kalshi signing key, as the end of a sentence that starts with the key's
 * source ("is encrypted with a passphrase; …"), or undefined when it looks like one.
 */
export function privateKeyProblem(pem: string): string | undefined {
  const block = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(pem);
  if (block === null) {
    return pem.includes("-----BEGIN")
      ? "holds a PEM block without its matching END line (cut short?)"
      : `is not PEM; ${KALSHI_KEY}`;
  }
  const label = block[1]!;
  const body = block[2]!;
  switch (label) {
    case "ENCRYPTED PRIVATE KEY":
      return "is encrypted with a passphrase; decrypt it first (openssl pkey -in KEY -out PLAIN)";
    case "PUBLIC KEY":
    case "RSA PUBLIC KEY":
      return "holds a public key; pass the private key Kalshi gave you";
    case "CERTIFICATE":
    case "X509 CERTIFICATE":
    case "TRUSTED CERTIFICATE":
      return "holds a certificate, not a private key";
    case "EC PRIVATE KEY":
      return `holds an EC key; ${KALSHI_KEY}`;
    case "OPENSSH PRIVATE KEY":
      return `holds an OpenSSH key; ${KALSHI_KEY}`;
    case "RSA PRIVATE KEY":
    case "PRIVATE KEY":
      break;
    default:
      return `holds a '${label}' block, not a private key; ${KALSHI_KEY}`;
  }
  if (/^Proc-Type:\s*4,ENCRYPTED/m.test(body)) {
    return "is encrypted with a passphrase; decrypt it first (openssl rsa -in KEY -out PLAIN)";
  }
  let der: Uint8Array;
  try {
    der = Uint8Array.from(atob(body.replace(/\s+/g, "")), (c) => c.charCodeAt(0));
  } catch {
    return "is damaged: its PEM body is not base64";
  }
  if (label === "PRIVATE KEY") {
    // PKCS#8 names its algorithm near the start.
    const head = der.subarray(0, 40);
    if (contains(head, EC_OID)) return `holds an EC key (PKCS#8); ${KALSHI_KEY}`;
    if (contains(head, ED25519_OID)) return `holds an Ed25519 key (PKCS#8); ${KALSHI_KEY}`;
    if (!contains(head, RSA_OID)) return `holds a PKCS#8 key of another algorithm; ${KALSHI_KEY}`;
  }
  if (der.length < 64) return "is damaged: its PEM body is too short for an RSA key";
  return undefined;
}

function contains(bytes: Uint8Array, needle: readonly number[]): boolean {
  outer: for (let i = 0; i + needle.length <= bytes.length; i++) {
    for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}
