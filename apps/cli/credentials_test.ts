import { test } from "node:test";
import assert from "node:assert/strict";
import { parseDotEnv, resolveCredentials } from "./credentials.ts";
import { UsageError } from "./args.ts";

const PEM = "-----BEGIN RSA PRIVATE KEY-----\nSECRETSECRET\n-----END RSA PRIVATE KEY-----\n";

function sources(env: Record<string, string>, extra: { keyId?: string; file?: string } = {}) {
  return {
    keyId: extra.keyId,
    privateKeyFile: extra.file,
    env: (name: string) => env[name],
    readTextFile: (path: string) => {
      if (path === "key.pem") return PEM;
      if (path === "plain.txt") return "SECRETSECRET";
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
  assert.deepEqual(creds, { keyId: "flag-id", privateKeyPem: PEM });
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
