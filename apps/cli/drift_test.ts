/**
 * End-to-end: protocol drift as a user sees it — `check` against the simulator's drift mode run
 * as its own process (`deno task simulate --drift`, with that task's permissions), and the
 * `drift` lines and exit summaries of `stream` and `record` — over real loopback sockets.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { startSimulator } from "@kalshi-ws/simulator";
import { runCli } from "./_spawn.ts";

const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

/**
 * `deno task simulate <args>` as a child process: the workspace's task, so with exactly its
 * permissions (`deno task` passes Ctrl-C on to the simulator).
 */
class SimulatorProcess {
  readonly child: Deno.ChildProcess;
  readonly #lines: ReadableStreamDefaultReader<string>;

  constructor(args: readonly string[]) {
    this.child = new Deno.Command(Deno.execPath(), {
      args: ["task", "--quiet", "--config", CONFIG, "simulate", ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
      cwd: "/tmp",
    }).spawn();
    this.#lines = this.child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** The `--json` line: URL, key id and key file. */
  async connection(): Promise<{ url: string; keyId: string; privateKeyPath: string }> {
    let text = "";
    while (!text.includes("\n")) {
      const { value, done } = await this.#lines.read();
      if (done) throw new Error(`simulator exited before printing its URL: ${text}`);
      text += value;
    }
    return JSON.parse(text.slice(0, text.indexOf("\n")));
  }

  /** Ctrl-C, then waits for the exit code (130). */
  async stop(): Promise<number> {
    this.child.kill("SIGINT");
    await this.#lines.cancel();
    return (await this.child.status).code;
  }
}

type Row = { kind: string; message_type: string; field: string | null; count: number };

test("check against 'simulate --drift' reports the injected unknown fields and types", async () => {
  const sim = new SimulatorProcess(["--drift", "--json", "--ping-interval", "0"]);
  try {
    const { url, keyId, privateKeyPath } = await sim.connection();
    const flags = ["--url", url, "--key-id", keyId, "--private-key-file", privateKeyPath];
    const ndjson = await runCli(["check", ...flags, "--format", "ndjson"]);
    assert.equal(ndjson.code, 0, ndjson.stderr);
    const report = JSON.parse(ndjson.lines.at(-1)!) as { type: string; drift: Row[] };
    assert.equal(report.type, "check");
    const found = report.drift.map((r) => `${r.kind} ${r.message_type} ${r.field ?? "-"}`);
    for (
      const expected of [
        "unknown_type simulated_new_type -",
        "unknown_field subscribed simulated_envelope_field",
        "unknown_field ok simulated_envelope_field",
        "unknown_field ticker msg.simulated_new_field",
      ]
    ) assert.ok(found.includes(expected), `${expected} in ${found.join("; ")}`);
    assert.ok(report.drift.every((r) => r.count >= 1));
    assert.match(ndjson.stderr, /protocol drift: unknown/);
    assert.match(ndjson.stderr, /protocol drift seen/);

    const text = await runCli(["check", ...flags, "--format", "text"]);
    assert.equal(text.code, 0, text.stderr);
    const output = text.lines.join("\n");
    assert.match(output, /^drift {9}unknown /m);
    assert.match(output, /unknown type simulated_new_type ×\d+/);
    assert.match(output, /unknown field ticker msg\.simulated_new_field ×\d+/);
  } finally {
    assert.equal(await sim.stop(), 130);
  }
});

test("check against a plain simulator reports no drift", async () => {
  await using sim = await startSimulator({ seed: 4, pingIntervalMs: 0 });
  const dir = await Deno.makeTempDir({ prefix: "kalshi-drift-test-" });
  try {
    const keyFile = `${dir}/key.pem`;
    await Deno.writeTextFile(keyFile, sim.privateKeyPem, { mode: 0o600 });
    const result = await runCli([
      "check",
      ...["--url", sim.url, "--key-id", sim.keyId, "--private-key-file", keyFile],
      "--format",
      "ndjson",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.lines.at(-1)!).drift, []);
    assert.doesNotMatch(result.stderr, /drift/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

test("stream and record show drift as it is first seen and summarise it at exit", async () => {
  await using sim = await startSimulator({ seed: 4, pingIntervalMs: 0, drift: true });
  const dir = await Deno.makeTempDir({ prefix: "kalshi-drift-test-" });
  try {
    const keyFile = `${dir}/key.pem`;
    await Deno.writeTextFile(keyFile, sim.privateKeyPem, { mode: 0o600 });
    const flags = ["--url", sim.url, "--key-id", sim.keyId, "--private-key-file", keyFile];
    const stream = await runCli([
      "stream",
      ...flags,
      "-c",
      "ticker",
      "--max-messages",
      "8",
      "--format",
      "ndjson",
    ]);
    assert.equal(stream.code, 0, stream.stderr);
    const lines = stream.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const drift = lines.filter((l) => l.type === "drift");
    assert.ok(
      drift.some((l) =>
        l.kind === "unknown_field" && l.message_type === "ticker" &&
        l.field === "msg.simulated_new_field" && typeof l.example === "string"
      ),
      JSON.stringify(drift),
    );
    assert.ok(drift.some((l) => l.kind === "unknown_type"));
    const stderr = stream.stderr.split("\n").filter((l) => l.startsWith("protocol drift: "));
    const firstSeen = stderr.filter((l) => l.includes("(first seen; counting)"));
    // Warned as each was first seen (the first five in full, as for any repeated warning).
    assert.ok(firstSeen.length >= Math.min(drift.length, 5), stream.stderr);
    const summary = stderr.filter((l) => / ×\d+/.test(l));
    assert.equal(summary.length, 1, stream.stderr); // one summary line at exit
    assert.match(summary[0]!, /unknown field ticker msg\.simulated_new_field ×\d+/);

    const record = await runCli([
      "record",
      ...flags,
      "-c",
      "ticker",
      "--max-messages",
      "3",
      "-o",
      `${dir}/rec.jsonl`,
    ]);
    assert.equal(record.code, 0, record.stderr);
    assert.match(record.stderr, /^protocol drift: .*unknown type simulated_new_type ×\d+/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
