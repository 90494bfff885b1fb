import { test } from "node:test";
import assert from "node:assert/strict";
import { dirname } from "node:path";
import { TestClient, webCryptoHeaders } from "./_test_client.ts";
import config from "../../deno.json" with { type: "json" };

/** The permission flags of the root `simulate` task, so the test runs with exactly those. */
const TASK_PERMISSIONS = config.tasks.simulate.split(" ").filter((flag) =>
  flag.startsWith("--allow-")
);

/** Starts `main.ts` as `deno task simulate` would, with `args`. */
function spawn(args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...TASK_PERMISSIONS,
      new URL("./main.ts", import.meta.url).pathname,
      ...args,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Reads the first stdout line (the `--json` connection info). */
async function firstLine(child: Deno.ChildProcess) {
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  return { text, reader, info: JSON.parse(text.split("\n")[0]!) };
}

test("main.ts prints its URL, key id and a 0600 PKCS#1 key file, serves it, and cleans up on SIGINT", async () => {
  const child = spawn(["--json", "--rate", "0", "--ping-interval", "0"]);
  const { text, reader, info } = await firstLine(child);
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

for (const signal of ["SIGTERM", "SIGHUP"] as const) {
  test(`main.ts removes its key file and folder on ${signal} too`, async () => {
    const child = spawn(["--json", "--rate", "0", "--ping-interval", "0"]);
    const { reader, info } = await firstLine(child);
    await Deno.stat(info.privateKeyPath);
    child.kill(signal);
    assert.equal((await child.status).code, 130);
    await reader.cancel();
    await child.stderr.cancel();
    await assert.rejects(Deno.stat(info.privateKeyPath), Deno.errors.NotFound);
    await assert.rejects(Deno.stat(dirname(info.privateKeyPath)), Deno.errors.NotFound);
  });
}

test("main.ts refuses rates beyond the shared bound, bad numbers and a --key-dir it may not write, in one line", async () => {
  const cases: [string[], RegExp][] = [
    [["--rate", "1e9"], /^simulate: Invalid --rate "1e9": expected a number 0\.\.10000/],
    [["--rate", "-1"], /^simulate: Invalid --rate "-1"/],
    [["--port", "-1"], /^simulate: Invalid --port "-1"/],
    [["--seed", "1e400"], /^simulate: Invalid --seed "1e400"/],
    [["--ping-interval", "1e12"], /^simulate: Invalid --ping-interval/],
    [
      ["--key-dir", "/etc"],
      /^simulate: Cannot write the key file in --key-dir '\/etc': not permitted/,
    ],
    [["--key-dir", "/tmp/no/such/dir"], /--key-dir '\/tmp\/no\/such\/dir': no such folder/],
  ];
  for (const [args, pattern] of cases) {
    const output = await spawn(args).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 2, `${args.join(" ")}: ${stderr}`);
    assert.match(stderr, pattern);
    assert.equal(stderr.trimEnd().split("\n").length, 1, `one line: ${stderr}`);
    assert.ok(!/\bat \S+:\d+:\d+/.test(stderr), "no stack trace");
  }
});
