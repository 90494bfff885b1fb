/**
 * End-to-end tests: the CLI as a child process against the simulator on loopback, checking
 * stdout line by line, stderr and exit codes. Every wait is on output, never a fixed sleep.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { type Simulator, startSimulator } from "@kalshi-ws/simulator";
import { CliProcess, runCli } from "./_spawn.ts";
import config from "./deno.json" with { type: "json" };

const A = "KXFED-26DEC-T4.25";
const B = "KXCPI-26DEC-T0.3";

interface Fixture {
  sim: Simulator;
  args: string[];
  [Symbol.asyncDispose](): Promise<void>;
}

/** A simulator that moves only when the test steps it, and the flags to reach it. */
async function fixture(): Promise<Fixture> {
  const sim = await startSimulator({ seed: 11, autoStart: false, pingIntervalMs: 0 });
  const dir = await Deno.makeTempDir({ prefix: "kalshi-cli-test-" });
  const keyFile = `${dir}/key.pem`;
  await Deno.writeTextFile(keyFile, sim.privateKeyPem, { mode: 0o600 });
  return {
    sim,
    args: ["--url", sim.url, "--key-id", sim.keyId, "--private-key-file", keyFile],
    async [Symbol.asyncDispose]() {
      await sim.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

type Line = Record<string, unknown>;

/** The `book` line of `ticker` equals the simulator's true book. */
function equalsTruth(sim: Simulator, ticker: string): (line: Line) => boolean {
  return (line) => {
    if (line.type !== "book" || line.market_ticker !== ticker) return false;
    const truth = sim.truth.book(ticker);
    return JSON.stringify(line.yes_dollars_fp) === JSON.stringify(truth.yes) &&
      JSON.stringify(line.no_dollars_fp) === JSON.stringify(truth.no);
  };
}

function finalLines(cli: CliProcess): Map<string, Line> {
  const finals = new Map<string, Line>();
  for (const line of cli.json()) {
    if (line.final === true) finals.set(line.market_ticker as string, line);
  }
  return finals;
}

function assertFinalEqualsTruth(cli: CliProcess, sim: Simulator, tickers: string[]): void {
  const finals = finalLines(cli);
  assert.deepEqual([...finals.keys()].sort(), [...tickers].sort(), "a final line per market");
  for (const ticker of tickers) {
    const truth = sim.truth.book(ticker);
    assert.deepEqual(finals.get(ticker)!.yes_dollars_fp, truth.yes, `${ticker} yes`);
    assert.deepEqual(finals.get(ticker)!.no_dollars_fp, truth.no, `${ticker} no`);
  }
}

test("main.ts --version and --help print to stdout and exit 0", async () => {
  const version = await runCli(["--version"]);
  assert.equal(version.code, 0);
  assert.deepEqual(version.lines, [`kalshi-ws ${config.version}`]);
  const help = await runCli(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.lines.join("\n"), /Usage: kalshi-ws <command>/);
  const bookHelp = await runCli(["book", "--help"]);
  assert.equal(bookHelp.code, 0);
  assert.match(bookHelp.lines.join("\n"), /--interval MS/);
});

test("main.ts exits 2 with one line and a hint on a usage error", async () => {
  const result = await runCli(["stream", "--channel", "ticker", "--bogus"]);
  assert.equal(result.code, 2);
  assert.deepEqual(result.lines, [], "nothing on stdout");
  const stderr = result.stderr.trimEnd().split("\n");
  assert.equal(stderr.length, 2, result.stderr);
  assert.match(stderr[0]!, /^kalshi-ws: Unknown option '--bogus'/);
  assert.match(stderr[1]!, /--help/);
  const missing = await runCli(["book"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /at least one --market/);
});

test("main.ts exits 2 when no credentials are configured", async () => {
  const result = await runCli(["stream", "-c", "ticker", "--url", "ws://127.0.0.1:9"]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /without API credentials/);
});

test("main.ts exits 1 and says 401 when the handshake is rejected", async () => {
  await using fx = await fixture();
  const args = [...fx.args];
  args[3] = "00000000-0000-4000-8000-000000000000"; // an unknown key id
  const result = await runCli(["stream", "-c", "ticker", ...args]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /Handshake rejected \(HTTP 401/);
  assert.ok(!result.stderr.includes("PRIVATE KEY"), "no key material");
  assert.deepEqual(result.lines, []);
});

test("stream --max-messages prints that many data lines plus lifecycle lines, exit 0", async () => {
  await using fx = await fixture();
  const cli = new CliProcess([
    "stream",
    "-c",
    "orderbook_delta",
    "-m",
    A,
    "-m",
    B,
    "--max-messages",
    "5",
    ...fx.args,
  ]);
  await cli.waitForLine(
    "two snapshots",
    () => cli.json().filter((l) => l.type === "orderbook_snapshot").length === 2,
  );
  for (
    let i = 0;
    i < 50 && cli.json().filter((l) => l.type === "orderbook_delta").length < 3;
    i++
  ) {
    fx.sim.step(5);
    await cli.waitFor("a little output", () => true);
  }
  assert.equal(await cli.exit(), 0);
  const lines = cli.json();
  const data = lines.filter((l) => l.type === "orderbook_snapshot" || l.type === "orderbook_delta");
  assert.equal(data.length, 5);
  assert.ok(lines.some((l) => l.type === "subscribed"), "a lifecycle line for the subscription");
  for (const line of data) assert.equal(typeof line.seq, "number");
  assert.match(cli.stderr, /unsubscribed 1 and closed/);
  assert.match(cli.stderr, /stopped \(max_messages\)/);
});

test("stream reports a sequence gap and its repair as lines; Ctrl-C exits 130 after unsubscribing", async () => {
  await using fx = await fixture();
  const cli = new CliProcess(["stream", "-c", "orderbook_delta", "-m", A, ...fx.args]);
  await cli.waitForLine("the snapshot", (l) => l.type === "orderbook_snapshot");
  const sid = fx.sim.connections()[0]!.subscriptions[0]!.sid;
  fx.sim.faults.dropNext({ sid });
  for (let i = 0; i < 100 && !cli.json().some((l) => l.type === "gap"); i++) {
    fx.sim.step(2);
    await cli.waitFor("output", () => true);
  }
  const gap = await cli.waitForLine("a gap line", (l) => l.type === "gap");
  assert.equal(gap.sid, sid);
  assert.equal(gap.channel, "orderbook_delta");
  assert.equal((gap.received as number) - (gap.expected as number), 1);
  await cli.waitForLine("a resynced line", (l) => l.type === "resynced");
  const lines = cli.json();
  const gapAt = lines.findIndex((l) => l.type === "gap");
  const resyncedAt = lines.findIndex((l) => l.type === "resynced");
  assert.ok(
    lines.slice(gapAt, resyncedAt).some((l) => l.type === "orderbook_snapshot"),
    "a fresh snapshot after the gap",
  );
  cli.child.kill("SIGINT");
  assert.equal(await cli.exit(), 130);
  assert.match(cli.stderr, /unsubscribed 1 and closed/);
  assert.match(cli.stderr, /stopped \(interrupted\)/);
});

test("book --format ndjson --duration survives a dropped connection; final lines equal the truth", async () => {
  await using fx = await fixture();
  fx.sim.step(20);
  const cli = new CliProcess([
    "book",
    "-m",
    A,
    "-m",
    B,
    "--format",
    "ndjson",
    "--interval",
    "100",
    "--duration",
    "6",
    ...fx.args,
  ]);
  await cli.waitForLine("book A", equalsTruth(fx.sim, A));
  await cli.waitForLine("book B", equalsTruth(fx.sim, B));
  fx.sim.step(30);
  fx.sim.faults.disconnect();
  fx.sim.step(30); // while the client is away
  await cli.waitForStderr("reconnected");
  await cli.waitForStderr("resubscribed");
  fx.sim.step(10);
  await cli.waitFor("books at the truth", () => {
    const lines = cli.json();
    const last = (t: string) => lines.findLast((l) => l.market_ticker === t);
    const a = last(A);
    const b = last(B);
    return a !== undefined && b !== undefined && equalsTruth(fx.sim, A)(a) &&
      equalsTruth(fx.sim, B)(b);
  });
  assert.equal(await cli.exit(), 0);
  assertFinalEqualsTruth(cli, fx.sim, [A, B]);
  for (const line of cli.json()) {
    assert.equal(line.type, "book");
    assert.ok(Array.isArray(line.yes_dollars_fp) && Array.isArray(line.no_dollars_fp));
  }
  assert.match(cli.stderr, /disconnected \(code 1006/);
  assert.match(cli.stderr, /stopped \(duration\)/);
});

test("book --idle-timeout recovers from a silent server; final lines equal the truth after Ctrl-C", async () => {
  await using fx = await fixture();
  fx.sim.step(20);
  const cli = new CliProcess([
    "book",
    "-m",
    A,
    "--format",
    "ndjson",
    "--interval",
    "100",
    "--idle-timeout",
    "1",
    ...fx.args,
  ]);
  await cli.waitForLine("book A", equalsTruth(fx.sim, A));
  fx.sim.faults.goSilent();
  fx.sim.step(40); // the silent connection hears none of it
  await cli.waitForStderr("reconnected", 20_000);
  await cli.waitFor("book at the truth", () => {
    const last = cli.json().findLast((l) => l.market_ticker === A);
    return last !== undefined && equalsTruth(fx.sim, A)(last);
  });
  cli.child.kill("SIGINT");
  assert.equal(await cli.exit(), 130);
  assertFinalEqualsTruth(cli, fx.sim, [A]);
});

test("book lines of one market are at least --interval apart", async () => {
  await using fx = await fixture();
  const cli = new CliProcess([
    "book",
    "-m",
    A,
    "--format",
    "ndjson",
    "--interval",
    "300",
    "--duration",
    "2",
    ...fx.args,
  ]);
  await cli.waitForLine("book A", (l) => l.type === "book");
  const stepper = setInterval(() => fx.sim.step(3), 20);
  try {
    assert.equal(await cli.exit(), 0);
  } finally {
    clearInterval(stepper);
  }
  const times = cli.json().filter((l) => l.final !== true).map((l) => l.t as number);
  assert.ok(times.length >= 2, `several lines: ${times.length}`);
  for (let i = 1; i < times.length; i++) {
    assert.ok(times[i]! - times[i - 1]! >= 295, `${times[i]! - times[i - 1]!} ms apart`);
  }
});

test("stream ends cleanly with exit 0 when stdout is closed (| head -1)", async () => {
  await using fx = await fixture();
  const cli = new CliProcess(["stream", "-c", "orderbook_delta", "-m", A, ...fx.args]);
  await cli.waitForLine("the snapshot", (l) => l.type === "orderbook_snapshot");
  await cli.closeStdout();
  const stepper = setInterval(() => fx.sim.step(2), 20);
  try {
    assert.equal(await cli.exit(), 0);
  } finally {
    clearInterval(stepper);
  }
  assert.match(cli.stderr, /stopped \(stdout_closed\)/);
});
