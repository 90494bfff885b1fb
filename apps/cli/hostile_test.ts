/**
 * End-to-end: the CLI as a child process against a hostile server (and hostile users and
 * recordings). Nothing a server sends may reach the terminal raw, usage mistakes are one line
 * with exit 2 before connecting, runtime failures one line with exit 1, no stack traces.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { CliProcess, runCli } from "./_spawn.ts";
import { type HostileScript, startHostileServer } from "./_hostile_server.ts";
import { testKeys } from "./_test_keys.ts";

const ESC = "\u001b";
/** Every byte a terminal acts on except newline: C0, DEL, C1. */
// deno-lint-ignore no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
const EVIL = `${ESC}[2J${ESC}]0;pwned\u0007${ESC}[31m\u009b1m\r`;
const STACK = /\n\s+at \S+ \(?\S+:\d+:\d+\)?/;

/** A folder with a valid key file; removed at dispose. */
async function keyFolder(): Promise<{ dir: string; key: string } & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix: "kalshi-hostile-" });
  const key = `${dir}/key.pem`;
  await Deno.writeTextFile(key, testKeys().rsaPkcs1, { mode: 0o600 });
  return {
    dir,
    key,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

function credentials(url: string, key: string): string[] {
  return [
    "--url",
    url,
    "--key-id",
    "00000000-0000-4000-8000-000000000000",
    "--private-key-file",
    key,
  ];
}

/** `stream -c ticker --format ndjson` against `url` with the key at `key`, plus `extra`. */
function streamNdjson(url: string, key: string, ...extra: string[]): CliProcess {
  return new CliProcess([
    "stream",
    "-c",
    "ticker",
    "--format",
    "ndjson",
    ...extra,
    ...credentials(url, key),
  ]);
}

function assertPrintable(what: string, text: string): void {
  const at = text.search(RAW_CONTROL);
  assert.equal(
    at,
    -1,
    `${what} has a raw control character at ${at}: ${
      JSON.stringify(text.slice(Math.max(0, at - 40), at + 40))
    }`,
  );
}

const HOSTILE_FRAMES: HostileScript["frames"] = [
  { type: `evil${EVIL}`, sid: 1, msg: { market_ticker: `KX${EVIL}`, note: EVIL } },
  { type: "error", msg: { code: 11, msg: `bad ${EVIL}` } },
  `{"type":"orderbook_delta","sid":1,"seq":${EVIL}`,
  { type: "trade", sid: 99, seq: 1, msg: { market_ticker: EVIL } },
];

for (const format of ["text", "ndjson"] as const) {
  test(`stream --format ${format}: no raw escape sequence from a hostile server reaches stdout or stderr; Ctrl-C exits 130`, async () => {
    await using keys = await keyFolder();
    await using server = startHostileServer({
      frames: HOSTILE_FRAMES,
      closeWith: { code: 4000, reason: `bye ${EVIL}` },
    });
    const cli = new CliProcess([
      "stream",
      "-c",
      "ticker",
      "--format",
      format,
      "-v",
      ...credentials(server.url, keys.key),
    ]);
    await cli.waitForStderr("reconnecting");
    await cli.waitForStderr("resubscribed");
    cli.child.kill("SIGINT");
    assert.equal(await cli.exit(), 130);
    const stdout = cli.lines.join("\n");
    assertPrintable("stdout", stdout);
    assertPrintable("stderr", cli.stderr.replaceAll("\n", " "));
    assert.ok(!STACK.test(cli.stderr), cli.stderr);
    assert.match(cli.stderr, /server error|Kalshi error 11: bad \\u001b\[2J/);
    assert.match(cli.stderr, /undecodable frame skipped/);
    assert.match(cli.stderr, /unknown sid 99/);
    assert.match(cli.stderr, /disconnected \(code 4000: bye \\u001b\[2J/);
    assert.ok(!/Kalshi error 11: Kalshi error 11/.test(cli.stderr), "not doubled");
    assert.ok(stdout.includes("\\u001b"), "shown escaped, not dropped");
    if (format === "ndjson") {
      const lines = cli.json();
      assert.ok(lines.some((l) => l.type === "unexpected" && l.sid === 99), "unknown sid reported");
      assert.ok(!lines.some((l) => l.type === "trade"), "not printed as data");
      const evil = lines.find((l) => l.type === "unknown");
      assert.equal(evil?.wireType, `evil${EVIL}`, "NDJSON keeps the exact value, escaped");
    } else {
      assert.match(stdout, /-- unexpected sid=99/);
    }
  });
}

test("stream: 20 000 undecodable frames make a few lines of stderr, with a count", async () => {
  await using keys = await keyFolder();
  await using server = startHostileServer({
    floodCount: 20_000,
    flood: `not json ${EVIL}`,
    frames: [],
  });
  const cli = streamNdjson(server.url, keys.key);
  await cli.waitFor(
    "every frame",
    () => cli.lines.filter((l) => l.includes('"decode_error"')).length >= 20_000,
    60_000,
  );
  cli.child.kill("SIGINT");
  assert.equal(await cli.exit(), 130);
  assertPrintable("stderr", cli.stderr.replaceAll("\n", " "));
  assert.ok(cli.stderr.length < 4_000, `${cli.stderr.length} bytes of stderr:\n${cli.stderr}`);
  const counted = [...cli.stderr.matchAll(/… (\d+) more undecodable frames skipped/g)]
    .reduce((sum, m) => sum + Number(m[1]), 0);
  const shown = (cli.stderr.match(/^undecodable frame skipped/gm) ?? []).length;
  assert.equal(shown + counted, 20_000, cli.stderr);
});

test("a server error prints once ('Kalshi error 11: …'), exit 1, one line", async () => {
  await using keys = await keyFolder();
  await using server = startHostileServer({
    refuseSubscribe: { code: 11, msg: `Invalid parameter ${EVIL}` },
  });
  const result = await runCli(["stream", "-c", "ticker", ...credentials(server.url, keys.key)]);
  assert.equal(result.code, 1);
  const errors = result.stderr.split("\n").filter((l) => l.startsWith("error:"));
  assert.deepEqual(errors, [
    "error: Kalshi error 11: Invalid parameter \\u001b[2J\\u001b]0;pwned\\u0007\\u001b[31m\\u009b1m\\r",
  ]);
  assert.ok(!STACK.test(result.stderr));
});

test("a frame above maxFrameBytes (20 MB) is reported and never buffered whole", async () => {
  await using keys = await keyFolder();
  await using server = startHostileServer({
    frames: [
      JSON.stringify({ type: "ticker", sid: 1, pad: "x".repeat(20_000_000) }),
      { type: "after_the_big_one", sid: 1, msg: {} },
    ],
  });
  const cli = streamNdjson(server.url, keys.key);
  // Both runtimes' transports refuse it before buffering it (Deno's tcp_transport.ts, Node's ws
  // with maxPayload): the link closes with 1009 naming the limit, and the client reconnects.
  await cli.waitForLine("the 1009 close", (l) => l.type === "disconnected" && l.code === 1009);
  await cli.waitForStderr("reconnected", 30_000);
  cli.child.kill("SIGINT");
  assert.equal(await cli.exit(), 130);
  assert.match(
    cli.stderr,
    /disconnected \(code 1009: message larger than maxFrameBytes \(16777216 bytes\)\)/,
  );
  assert.ok(!/code 1006/.test(cli.stderr), "no dropped connection");
});

test("record | head -1 exits 0 like stream", async () => {
  await using keys = await keyFolder();
  await using server = startHostileServer({
    floodCount: 20_000,
    flood: JSON.stringify({ type: "ticker_like", sid: 1, msg: { pad: "x".repeat(100) } }),
  });
  const cli = new CliProcess(["record", "-c", "ticker", ...credentials(server.url, keys.key)]);
  await cli.waitFor("the header line", () => cli.lines.length >= 1);
  await cli.closeStdout();
  assert.equal(await cli.exit(), 0, cli.stderr);
  assert.match(cli.stderr, /stdout_closed/);
  assert.ok(!/error/i.test(cli.stderr), cli.stderr);
});

test("a --duration of 30 days runs (no timer overflow) until Ctrl-C, which exits 130", async () => {
  await using keys = await keyFolder();
  await using server = startHostileServer({ frames: [{ type: "hello", sid: 1, msg: {} }] });
  const cli = streamNdjson(server.url, keys.key, "--duration", "2592000");
  await cli.waitForLine("data", (l) => l.wireType === "hello");
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(cli.child.pid > 0 && !cli.stderr.includes("stopped"), true, cli.stderr);
  cli.child.kill("SIGINT");
  assert.equal(await cli.exit(), 130);
  assert.match(cli.stderr, /stopped \(interrupted\)/);
});

test("usage mistakes exit 2 with one line naming the flag or file, before connecting", async () => {
  await using keys = await keyFolder();
  const k = testKeys();
  const files: Record<string, string> = {};
  for (const kind of ["encryptedPkcs8", "publicKey", "certificate", "ecSec1", "ecPkcs8"] as const) {
    files[kind] = `${keys.dir}/${kind}.pem`;
    await Deno.writeTextFile(files[kind]!, k[kind]);
  }
  const closed = "ws://127.0.0.1:9/trade-api/ws/v2"; // would be exit 1 if anything connected
  const id = ["--key-id", "00000000-0000-4000-8000-000000000000"];
  const cases: [string[], RegExp][] = [
    [["--key-id", "", "--private-key-file", keys.key, "--url", closed], /Invalid --key-id ''/],
    [[...id, "--private-key-file", keys.key, "--url", "ws://"], /Invalid --url 'ws:\/\/'/],
    [
      [...id, "--private-key-file", keys.key, "--url", "ws://bad host/"],
      /Invalid --url 'ws:\/\/bad host\/'/,
    ],
    [
      [...id, "--private-key-file", keys.key, "--url", closed, "--duration", "-1"],
      /Invalid --duration '-1'/,
    ],
    [
      [...id, "--private-key-file", keys.key, "--url", closed, "--duration", "1e400"],
      /Invalid --duration '1e400'/,
    ],
    [
      [...id, "--private-key-file", keys.key, "--url", closed, "--duration", "0"],
      /Invalid --duration '0'/,
    ],
    [
      [...id, "--private-key-file", files.encryptedPkcs8!, "--url", closed],
      /encryptedPkcs8\.pem' is encrypted/,
    ],
    [
      [...id, "--private-key-file", files.publicKey!, "--url", closed],
      /publicKey\.pem' holds a public key/,
    ],
    [
      [...id, "--private-key-file", files.certificate!, "--url", closed],
      /certificate\.pem' holds a certificate/,
    ],
    [[...id, "--private-key-file", files.ecSec1!, "--url", closed], /ecSec1\.pem' holds an EC key/],
    [
      [...id, "--private-key-file", files.ecPkcs8!, "--url", closed],
      /ecPkcs8\.pem' holds an EC key/,
    ],
  ];
  for (const [args, pattern] of cases) {
    const result = await runCli(["stream", "-c", "ticker", ...args]);
    const what = args.join(" ");
    assert.equal(result.code, 2, `${what}: ${result.stderr}`);
    assert.equal(
      result.stderr.trimEnd().split("\n").length,
      1,
      `${what}: one line: ${result.stderr}`,
    );
    assert.match(result.stderr, pattern, what);
    assert.ok(!result.stderr.includes("-----"), "no key text");
  }
});

test("relative paths and .env (with a byte-order mark) resolve against INIT_CWD or --cwd", async () => {
  await using keys = await keyFolder();
  await using server = startHostileServer({ frames: [{ type: "hello", sid: 1, msg: {} }] });
  await Deno.writeTextFile(
    `${keys.dir}/.env`,
    "\uFEFFKALSHI_API_KEY_ID=00000000-0000-4000-8000-000000000000\nKALSHI_PRIVATE_KEY_PATH=key.pem\n",
  );
  const args = [
    "record",
    "-c",
    "ticker",
    "--url",
    server.url,
    "--max-messages",
    "1",
    "-o",
    "rec.jsonl",
  ];
  const viaTask = await runCli(args, { env: { INIT_CWD: keys.dir } });
  assert.equal(viaTask.code, 0, viaTask.stderr);
  assert.match(
    await Deno.readTextFile(`${keys.dir}/rec.jsonl`),
    /"frame":"\{\\"type\\":\\"hello\\"/,
  );
  await Deno.remove(`${keys.dir}/rec.jsonl`);
  const viaFlag = await runCli([...args, "--cwd", keys.dir]);
  assert.equal(viaFlag.code, 0, viaFlag.stderr);
  await Deno.stat(`${keys.dir}/rec.jsonl`);
  const missing = await runCli([...args, "--cwd", `${keys.dir}/nope`]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^kalshi-ws: Invalid --cwd '.*nope': not a directory/);
});

test("check does not follow an HTTP redirect to another host", async () => {
  await using keys = await keyFolder();
  const elsewhere: string[] = [];
  const other = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    elsewhere.push(request.url);
    return new Response("hi");
  });
  try {
    const port = (other.addr as Deno.NetAddr).port;
    await using server = startHostileServer({
      http: () =>
        new Response(null, {
          status: 302,
          headers: { location: `http://127.0.0.1:${port}/steal` },
        }),
    });
    const result = await runCli([
      "check",
      "--format",
      "ndjson",
      ...credentials(server.url, keys.key),
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(server.httpRequests.length, 1, "asked the endpoint's host once");
    assert.deepEqual(elsewhere, [], "never went where the redirect pointed");
  } finally {
    await other.shutdown();
  }
});

test("replay --serve survives a null client frame, 100 000-deep nesting and a recording holding a null frame", async () => {
  await using keys = await keyFolder();
  const file = `${keys.dir}/hostile.jsonl`;
  const subscribe = { channels: ["ticker"] };
  const lines = [
    { type: "recording", version: 1, created: "x", tool: "t", endpoint: "demo", subscribe },
    { t: 1, event: "connected", url: "ws://x" },
    { t: 2, sent: JSON.stringify({ id: 1, cmd: "subscribe", params: subscribe }) },
    {
      t: 3,
      frame: JSON.stringify({ id: 1, type: "subscribed", msg: { channel: "ticker", sid: 1 } }),
    },
    { t: 4, frame: "null" },
    { t: 5, bad_frame: "null", length: 4 },
    { t: 6, frame: JSON.stringify({ type: "after", sid: 1, msg: {} }) },
  ];
  // ...and a last line cut short by a killed recorder.
  await Deno.writeTextFile(file, lines.map((l) => JSON.stringify(l)).join("\n") + '\n{"t":7,"fr');
  const server = new CliProcess(["replay", file, "--serve", "--format", "ndjson"]);
  const { url } = await server.waitForLine("the URL", (l) => typeof l.url === "string");
  const socket = new WebSocket(url as string);
  const replies: Record<string, unknown>[] = [];
  socket.onmessage = (event) => replies.push(JSON.parse(String(event.data)));
  await new Promise((resolve) => (socket.onopen = resolve));
  socket.send("null");
  socket.send("[".repeat(100_000) + "]".repeat(100_000));
  socket.send(`{"id":5,"cmd":"subscribe","params":${"[".repeat(100_000)}${"]".repeat(100_000)}}`);
  socket.send(JSON.stringify({ id: 9, cmd: "subscribe", params: subscribe }));
  await server.waitFor("the recorded frames", () => replies.some((r) => r.type === "after"));
  assert.deepEqual(
    replies.slice(0, 3).map((r) => (r.msg as { code: number }).code),
    [1, 1, 1],
    JSON.stringify(replies),
  );
  assert.deepEqual(replies.slice(3).map((r) => r.type), ["subscribed", "after"]);
  socket.close();
  server.child.kill("SIGINT");
  assert.equal(await server.exit(), 130);
  assert.ok(!STACK.test(server.stderr), server.stderr);
  assert.match(server.stderr, /last line 8 is cut short/);
  assert.match(server.stderr, /not a JSON object, skipped: null/);
  assert.match(server.stderr, /recorded bad frame skipped/);
});

test("simulate removes its 0600 key file on SIGTERM and names a --key-dir it cannot use", async () => {
  const sim = new CliProcess(["simulate", "--format", "ndjson", "--rate", "0"]);
  const info = await sim.waitForLine("connection info", (l) => typeof l.url === "string");
  await Deno.stat(info.private_key_path as string);
  sim.child.kill("SIGTERM");
  assert.equal(await sim.exit(), 143);
  await assert.rejects(Deno.stat(info.private_key_path as string), Deno.errors.NotFound);
  const bad = await runCli(["simulate", "--key-dir", "/nonexistent/keys"]);
  assert.equal(bad.code, 2);
  assert.match(
    bad.stderr,
    /^kalshi-ws: Cannot write the key file in --key-dir '\/nonexistent\/keys': no such folder\./,
  );
  assert.equal(bad.stderr.trimEnd().split("\n").length, 1);
  const fast = await runCli(["simulate", "--rate", "1e9"]);
  assert.equal(fast.code, 2);
  assert.match(fast.stderr, /Invalid --rate '1e9': expected a number 0\.\.10000/);
});
