import { test } from "node:test";
import assert from "node:assert/strict";
import { TestClient, webCryptoHeaders } from "./_test_client.ts";

test("main.ts prints its URL, key id and a 0600 PKCS#1 key file, serves it, and cleans up on SIGINT", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      "--allow-read",
      "--allow-write=/tmp",
      "--allow-env=WS_NO_BUFFER_UTIL,WS_NO_UTF_8_VALIDATE",
      new URL("./main.ts", import.meta.url).pathname,
      "--json",
      "--rate",
      "0",
      "--ping-interval",
      "0",
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  const info = JSON.parse(text.split("\n")[0]!);
  assert.match(info.url, /^ws:\/\/127\.0\.0\.1:\d+\/trade-api\/ws\/v2$/);
  const stat = await Deno.stat(info.privateKeyPath);
  assert.equal(stat.mode! & 0o777, 0o600);
  const pem = await Deno.readTextFile(info.privateKeyPath);
  assert.match(pem, /^-----BEGIN RSA PRIVATE KEY-----\n/);
  const client = await TestClient.connect(info.url, await webCryptoHeaders(info.keyId, pem));
  const [ok] = await client.request({ cmd: "list_subscriptions" });
  assert.equal(ok!.type, "ok");
  await client.close();
  child.kill("SIGINT");
  const status = await child.status;
  assert.equal(status.code, 130);
  await reader.cancel();
  const stderr = await new Response(child.stderr).text();
  assert.ok(!stderr.includes("PRIVATE KEY"), "the key never reaches the output");
  assert.ok(!text.includes("PRIVATE KEY"));
  await assert.rejects(Deno.stat(info.privateKeyPath), Deno.errors.NotFound);
});
