import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { writeKeyFile } from "./key_file.ts";

const PEM = "-----BEGIN RSA PRIVATE KEY-----\nTEST\n-----END RSA PRIVATE KEY-----\n";

test("writeKeyFile() writes an owner-only key in its own temp dir and removes both", async () => {
  const file = await writeKeyFile(PEM, "abc");
  assert.equal(readFileSync(file.path, "utf8"), PEM);
  assert.equal(statSync(file.path).mode & 0o777, 0o600);
  assert.match(file.path, /kalshi-sim-abc\.key$/);
  await file.remove();
  assert.equal(existsSync(dirname(file.path)), false);
});

test("writeKeyFile() keeps a given dir, refuses to overwrite, and removes only the file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kalshi-key-test-"));
  const file = await writeKeyFile(PEM, "def", dir);
  await assert.rejects(writeKeyFile(PEM, "def", dir), /EEXIST|exists/i);
  await file.remove();
  assert.equal(existsSync(file.path), false);
  assert.equal(existsSync(dir), true);
  Deno.removeSync(dir);
});
