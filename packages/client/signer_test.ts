import { test } from "node:test";
import assert from "node:assert/strict";
import { constants, generateKeyPairSync, verify } from "node:crypto";
import { inspect } from "node:util";
import { createAuthHeaders, createRsaPssSigner, importRsaPrivateKey } from "./signer.ts";
import { pkcs1ToPkcs8 } from "./_der.ts";

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const pkcs1 = privateKey.export({ type: "pkcs1", format: "pem" }) as string;
const pkcs8 = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
const pkcs1Der = privateKey.export({ type: "pkcs1", format: "der" });
const pkcs8Der = privateKey.export({ type: "pkcs8", format: "der" });
const keyBody = pkcs1.split("\n")[1]!;

function verifies(message: string, signatureBase64: string): boolean {
  return verify("sha256", new TextEncoder().encode(message), {
    key: publicKey,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: 32,
  }, Buffer.from(signatureBase64, "base64"));
}

test("pkcs1ToPkcs8() produces the same DER node:crypto exports", () => {
  assert.deepEqual(Buffer.from(pkcs1ToPkcs8(new Uint8Array(pkcs1Der))), pkcs8Der);
});

for (const [format, pem] of [["PKCS#1", pkcs1], ["PKCS#8", pkcs8]] as const) {
  test(`createAuthHeaders() signs ts+GET+path verifiably when the key is ${format}`, async () => {
    const signer = await createRsaPssSigner(pem);
    const headers = await createAuthHeaders("key-id", signer, 1703123456789);
    assert.equal(headers["KALSHI-ACCESS-KEY"], "key-id");
    assert.equal(headers["KALSHI-ACCESS-TIMESTAMP"], "1703123456789");
    assert.match(headers["KALSHI-ACCESS-SIGNATURE"], /^[A-Za-z0-9+/]{342}==$/);
    assert.ok(verifies("1703123456789GET/trade-api/ws/v2", headers["KALSHI-ACCESS-SIGNATURE"]));
  });
}

test("createAuthHeaders() signs the bare path when the path has a query string", async () => {
  const signer = await createRsaPssSigner(pkcs8);
  const headers = await createAuthHeaders("k", signer, 5, "/trade-api/ws/v2?x=1");
  assert.ok(verifies("5GET/trade-api/ws/v2", headers["KALSHI-ACCESS-SIGNATURE"]));
});

test("importRsaPrivateKey() returns a non-extractable RSA-PSS signing key", async () => {
  const key = await importRsaPrivateKey(pkcs1);
  assert.equal(key.extractable, false);
  assert.equal(key.algorithm.name, "RSA-PSS");
  assert.deepEqual(key.usages, ["sign"]);
});

test("createRsaPssSigner() never reveals the key when printed", async () => {
  const signer = await createRsaPssSigner(pkcs1);
  for (
    const text of [
      String(signer),
      JSON.stringify({ signer }),
      inspect(signer),
      Deno.inspect(signer),
    ]
  ) {
    assert.ok(!text.includes(keyBody), text);
    assert.match(text, /RsaPssSigner/);
  }
});

test("importRsaPrivateKey() rejects without quoting the key when the PEM is bad", async () => {
  const cases = [
    "not a pem",
    pkcs1.replace("RSA PRIVATE KEY", "EC PRIVATE KEY").replace("RSA PRIVATE KEY", "EC PRIVATE KEY"),
    pkcs1.replace(keyBody, keyBody.replace(/[A-Z]/g, "!")),
    pkcs8.replace("BEGIN PRIVATE KEY", "BEGIN RSA PRIVATE KEY").replace(
      "END PRIVATE KEY",
      "END RSA PRIVATE KEY",
    ),
    pkcs1.replace(keyBody, keyBody.slice(0, 40)),
  ];
  for (const pem of cases) {
    await assert.rejects(importRsaPrivateKey(pem), (error: Error) => {
      assert.match(error.message, /^Cannot (read|import) private key/);
      assert.ok(!error.message.includes(keyBody.slice(0, 20)));
      assert.ok(!String(error.stack).includes(keyBody.slice(0, 20)));
      return true;
    });
  }
});
