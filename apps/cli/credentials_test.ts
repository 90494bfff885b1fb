import { test } from "node:test";
import assert from "node:assert/strict";
import { parseDotEnv, resolveCredentials } from "./credentials.ts";
import { UsageError } from "./args.ts";
import { testKeys } from "./_test_keys.ts";

const KEYS = testKeys();
const PEM = KEYS.rsaPkcs1;

function sources(env: Record<string, string>, extra: { keyId?: string; file?: string } = {}) {
  return {
    keyId: extra.keyId,
    privateKeyFile: extra.file,
    env: (name: string) => env[name],
    readTextFile: (path: string) => {
      if (path === "key.pem") return PEM;
      if (path === "/keys-dir/u/keys/key.pem") return PEM;
      if (path === "plain.txt") return "SECRETSECRET";
      const kind = /^(\w+)\.pem$/.exec(path)?.[1];
      if (kind !== undefined && kind in KEYS) return KEYS[kind as keyof typeof KEYS];
      throw new Deno.errors.NotFound(`no such file ${path}`);
    },
  };
}

test("resolveCredentials() returns undefined when nothing is configured", () => {
  assert.equal(resolveCredentials(sources({})), undefined);
});

test("resolveCredentials() prefers flags over the environment", () => {
  const creds = resolveCredentials(
    sources({ KALSHI_API_KEY_ID: "env-id", KALSHI_PRIVATE_KEY: "nope" }, {
      keyId: "flag-id",
      file: "key.pem",
    }),
  );
  assert.deepEqual(creds, { keyId: "flag-id", privateKeyPem: PEM, keySource: "file 'key.pem'" });
});

test("resolveCredentials() reads KALSHI_PRIVATE_KEY with escaped newlines", () => {
  const creds = resolveCredentials(
    sources({ KALSHI_API_KEY_ID: "id", KALSHI_PRIVATE_KEY: PEM.replaceAll("\n", "\\n") }),
  );
  assert.equal(creds?.privateKeyPem, PEM);
});

test("resolveCredentials() names what is missing and never echoes key material", () => {
  const cases = [
    sources({ KALSHI_PRIVATE_KEY_PATH: "key.pem" }),
    sources({ KALSHI_API_KEY_ID: "id" }),
    sources({ KALSHI_API_KEY_ID: "id", KALSHI_PRIVATE_KEY_PATH: "missing.pem" }),
    sources({ KALSHI_API_KEY_ID: "id", KALSHI_PRIVATE_KEY_PATH: "plain.txt" }),
    sources({ KALSHI_API_KEY_ID: "id", KALSHI_PRIVATE_KEY: "SECRETSECRET" }),
  ];
  for (const source of cases) {
    assert.throws(() => resolveCredentials(source), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.ok(!`${error.message} ${error.hint}`.includes("SECRETSECRET"));
      return true;
    });
  }
});

test("parseDotEnv() reads NAME=value lines with quotes, export and comments", () => {
  const values = parseDotEnv([
    "# comment",
    "KALSHI_API_KEY_ID=abc-123 # trailing comment",
    "export KALSHI_PRIVATE_KEY_PATH='/keys/my key.pem'",
    'KALSHI_PRIVATE_KEY="-----BEGIN RSA PRIVATE KEY-----\\nAAA\\n-----END RSA PRIVATE KEY-----"',
    "  EMPTY=",
    "not a line",
  ].join("\n"));
  assert.equal(values.get("KALSHI_API_KEY_ID"), "abc-123");
  assert.equal(values.get("KALSHI_PRIVATE_KEY_PATH"), "/keys/my key.pem");
  assert.equal(
    values.get("KALSHI_PRIVATE_KEY"),
    "-----BEGIN RSA PRIVATE KEY-----\nAAA\n-----END RSA PRIVATE KEY-----",
  );
  assert.equal(values.get("EMPTY"), "");
  assert.equal(values.size, 4);
});

test("resolveCredentials() names the file and what is wrong with keys that cannot be Kalshi's", () => {
  const cases: [string, RegExp][] = [
    ["encryptedPkcs8", /file 'encryptedPkcs8\.pem' is encrypted with a passphrase/],
    ["encryptedPkcs1", /file 'encryptedPkcs1\.pem' is encrypted with a passphrase/],
    ["publicKey", /file 'publicKey\.pem' holds a public key/],
    ["certificate", /file 'certificate\.pem' holds a certificate, not a private key/],
    ["ecSec1", /file 'ecSec1\.pem' holds an EC key/],
    ["ecPkcs8", /file 'ecPkcs8\.pem' holds an EC key \(PKCS#8\)/],
    ["ed25519", /file 'ed25519\.pem' holds an Ed25519 key/],
    ["plain.txt", /file 'plain\.txt' is not PEM/],
  ];
  for (const [name, pattern] of cases) {
    const file = name.includes(".") ? name : `${name}.pem`;
    assert.throws(
      () => resolveCredentials(sources({}, { keyId: "id", file })),
      (error: unknown) => {
        assert.ok(error instanceof UsageError, String(error));
        assert.match(error.message, pattern);
        assert.ok(!error.message.includes("\n"), "one line");
        assert.ok(!error.message.includes("-----"), "no PEM text");
        return true;
      },
    );
  }
  const pkcs8 = resolveCredentials(sources({}, { keyId: "id", file: "rsaPkcs8.pem" }));
  assert.equal(pkcs8?.privateKeyPem, KEYS.rsaPkcs8, "PKCS#8 RSA is fine");
});

test("resolveCredentials() resolves a relative KALSHI_PRIVATE_KEY_PATH against the caller's folder", () => {
  const creds = resolveCredentials({
    ...sources({ KALSHI_API_KEY_ID: "id", KALSHI_PRIVATE_KEY_PATH: "keys/key.pem" }),
    resolvePath: (path) => `/keys-dir/u/${path}`,
  });
  assert.equal(creds?.keySource, "file '/keys-dir/u/keys/key.pem'");
});

test("parseDotEnv() keeps the first variable of a file that starts with a UTF-8 byte-order mark", () => {
  const values = parseDotEnv("\uFEFFKALSHI_API_KEY_ID=abc\r\nKALSHI_PRIVATE_KEY_PATH=k.pem\r\n");
  assert.equal(values.get("KALSHI_API_KEY_ID"), "abc");
  assert.equal(values.get("KALSHI_PRIVATE_KEY_PATH"), "k.pem");
});
