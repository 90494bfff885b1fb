/**
 * End-to-end tests: the CLI as a child process against the simulator on loopback, checking
 * stdout line by line, stderr and exit codes. Every wait is on output, never a fixed sleep.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import type { Simulator } from "@kalshi-ws/simulator";
import { simFixture as fixture } from "./_sim_fixture.ts";
import { CliProcess, DEMO_PERMISSIONS, runCli } from "./_spawn.ts";
import config from "./deno.json" with { type: "json" };

const A = "KXFED-26DEC-T4.25";
const B = "KXCPI-26DEC-T0.3";

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

test("main.ts exits 2 with one line (message and hint) on a usage error", async () => {
  const result = await runCli(["stream", "--channel", "ticker", "--bogus"]);
  assert.equal(result.code, 2);
  assert.deepEqual(result.lines, [], "nothing on stdout");
  const stderr = result.stderr.trimEnd().split("\n");
  assert.equal(stderr.length, 1, result.stderr);
  assert.match(stderr[0]!, /^kalshi-ws: Unknown option '--bogus'\. Run 'kalshi-ws --help'/);
  const none = await runCli([]);
  assert.equal(none.code, 2);
  assert.deepEqual(none.lines, []);
  assert.match(none.stderr, /^kalshi-ws: Missing command\. .*--help.*\n$/);
  const missing = await runCli(["book"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /at least one --market/);
});

test("main.ts exits 2 when no credentials are configured", async () => {
  const result = await runCli(["stream", "-c", "ticker", "--url", "ws://127.0.0.1:9"]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /without API credentials/);
});

test("main.ts exits 1 and says 401 when the handshake is rejected, and when nothing listens", async () => {
  await using fx = await fixture();
  const args = [...fx.args];
  args[3] = "00000000-0000-4000-8000-000000000000"; // an unknown key id
  const result = await runCli(["stream", "-c", "ticker", ...args]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /Handshake rejected \(HTTP 401/);
  assert.ok(!result.stderr.includes("PRIVATE KEY"), "no key material");
  assert.deepEqual(result.lines, []);
  const closedPort = [...fx.args];
  closedPort[1] = "ws://127.0.0.1:9/trade-api/ws/v2"; // nothing listens there
  const refused = await runCli(["stream", "-c", "ticker", ...closedPort]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^error: Cannot connect to "ws:\/\/127\.0\.0\.1:9/m);
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

test("stream reports a gap, its repair and a reconnect as lines; Ctrl-C exits 130 after unsubscribing", async () => {
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
  // A dropped connection shows as its own lines too, and the stream carries on.
  fx.sim.faults.disconnect();
  await cli.waitForLine("a disconnected line", (l) => l.type === "disconnected" && l.code === 1006);
  await cli.waitForLine("a reconnecting line", (l) => l.type === "reconnecting");
  await cli.waitForLine("a resubscribed line", (l) => l.type === "resubscribed");
  const after = cli.json().findIndex((l) => l.type === "resubscribed");
  await cli.waitFor(
    "a snapshot after the reconnect",
    () => cli.json().slice(after).some((l) => l.type === "orderbook_snapshot"),
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
    "8",
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

test("record writes a recording; replay rebuilds the true books; replay --serve serves it to book", async () => {
  await using fx = await fixture();
  fx.sim.step(20);
  const recorder = new CliProcess([
    "record",
    "-c",
    "orderbook_delta",
    "-m",
    A,
    "-m",
    B,
    "--format",
    "ndjson",
    ...fx.args,
  ]);
  const frames = () =>
    recorder.json().filter((l) => typeof l.frame === "string").map((l) =>
      JSON.parse(l.frame as string) as { type: string; sid?: number; seq?: number }
    );
  await recorder.waitFor(
    "two snapshots",
    () => frames().filter((f) => f.type === "orderbook_snapshot").length === 2,
  );
  fx.sim.step(10);
  fx.sim.faults.dropNext({ sid: 1 });
  fx.sim.step(10);
  await recorder.waitForLine(
    "the get_snapshot repair",
    (l) => typeof l.sent === "string" && l.sent.includes("get_snapshot"),
  );
  fx.sim.step(5);
  fx.sim.faults.disconnect();
  fx.sim.step(10);
  await recorder.waitForLine("the resubscription", (l) => l.event === "resubscribed");
  fx.sim.step(10);
  // Caught up: the recording holds the last seq the simulator sent on the new connection.
  await recorder.waitFor("the last frame", () => {
    const sub = fx.sim.connections().at(-1)?.subscriptions[0];
    return sub !== undefined && frames().some((f) => f.sid === sub.sid && f.seq === sub.seq);
  });
  recorder.child.kill("SIGINT");
  assert.equal(await recorder.exit(), 130);
  const lines = recorder.json();
  assert.equal(lines[0]!.type, "recording");
  assert.equal(lines[0]!.version, 1);
  assert.ok(lines.slice(1).every((l) => typeof l.t === "number"));
  assert.equal(lines.filter((l) => l.event === "connected").length, 2);
  assert.ok(lines.some((l) => l.event === "disconnected" && l.code === 1006));
  assert.ok(!recorder.lines.join("\n").includes("PRIVATE KEY"), "no key material");
  assert.ok(!recorder.lines.join("\n").includes("KALSHI-ACCESS-SIGNATURE"), "no headers");

  const dir = await Deno.makeTempDir({ prefix: "kalshi-cli-rec-" });
  try {
    const file = `${dir}/session.jsonl`;
    await Deno.writeTextFile(file, recorder.lines.join("\n") + "\n");
    const replayed = await runCli(["replay", file, "--format", "ndjson"]);
    assert.equal(replayed.code, 0, replayed.stderr);
    assert.match(replayed.stderr, /gap on sid 1/);
    assert.match(replayed.stderr, /recorded disconnect \(code 1006\)/);
    const finals = replayed.lines.map((l) => JSON.parse(l)).filter((l) => l.final === true);
    assert.deepEqual(finals.map((l) => l.market_ticker).sort(), [A, B].sort());
    for (const line of finals) {
      const truth = fx.sim.truth.book(line.market_ticker);
      assert.deepEqual(line.yes_dollars_fp, truth.yes);
      assert.deepEqual(line.no_dollars_fp, truth.no);
    }

    // The same recording served over the Kalshi protocol to an unmodified `book`.
    const server = new CliProcess(["replay", file, "--serve", "--format", "ndjson"]);
    const { url } = await server.waitForLine("the URL", (l) => typeof l.url === "string");
    const args = [...fx.args];
    args[1] = url as string;
    const book = new CliProcess([
      "book",
      "-m",
      A,
      "-m",
      B,
      "--format",
      "ndjson",
      "--interval",
      "50",
      ...args,
    ]);
    await book.waitForStderr("resubscribed"); // the recorded disconnect, replayed
    await book.waitFor("books at the truth", () => {
      const out = book.json();
      const last = (t: string) => out.findLast((l) => l.market_ticker === t);
      const a = last(A);
      const b = last(B);
      return a !== undefined && b !== undefined && equalsTruth(fx.sim, A)(a) &&
        equalsTruth(fx.sim, B)(b);
    });
    book.child.kill("SIGINT");
    assert.equal(await book.exit(), 130);
    assertFinalEqualsTruth(book, fx.sim, [A, B]);
    server.child.kill("SIGINT");
    assert.equal(await server.exit(), 130);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

test("demo runs the in-process simulator without credentials and prints NDJSON when piped", async () => {
  const result = await runCli(["demo", "--duration", "2", "--interval", "500"], {
    permissions: DEMO_PERMISSIONS, // exactly what `deno task demo` grants
  });
  assert.equal(result.code, 0, result.stderr);
  const lines = result.lines.map((l) => JSON.parse(l));
  const finals = lines.filter((l) => l.final === true);
  assert.equal(finals.length, 3, "three simulated markets");
  for (const line of lines) {
    assert.equal(line.type, "book");
    assert.ok(line.yes_dollars_fp.length > 0 && line.no_dollars_fp.length > 0);
  }
  assert.match(result.stderr, /stopped \(duration\)/);
});

test("simulate serves clients (subscriptions, check) and removes its key file on Ctrl-C", async () => {
  const sim = new CliProcess(["simulate", "--format", "ndjson", "--ping-interval", "0"]);
  const info = await sim.waitForLine("connection info", (l) => typeof l.url === "string");
  const stat = await Deno.stat(info.private_key_path as string);
  assert.equal(stat.mode! & 0o777, 0o600);
  const args = [
    "--url",
    info.url as string,
    "--key-id",
    info.key_id as string,
    "--private-key-file",
    info.private_key_path as string,
    "--format",
    "ndjson",
  ];
  const subs = await runCli(["subscriptions", "-c", "ticker", "-c", "trade", ...args]);
  assert.equal(subs.code, 0, subs.stderr);
  assert.deepEqual(subs.lines.map((l) => JSON.parse(l)), [
    { channel: "ticker", sid: 1 },
    { channel: "trade", sid: 2 },
  ]);
  const checked = await runCli(["check", ...args]);
  assert.equal(checked.code, 0, checked.stderr);
  const report = JSON.parse(checked.lines[0]!);
  assert.equal(report.type, "check");
  assert.equal(report.rtt_ms.samples, 5);
  assert.ok(report.rtt_ms.min <= report.rtt_ms.median);
  assert.ok(report.skew_ms.ts_ms_samples > 0, "the simulator's tickers carry ts_ms");
  assert.ok(
    Math.abs(report.skew_ms.ts_ms) < 1000,
    `same machine, tiny skew: ${report.skew_ms.ts_ms}`,
  );
  sim.child.kill("SIGINT");
  assert.equal(await sim.exit(), 130);
  await assert.rejects(Deno.stat(info.private_key_path as string), Deno.errors.NotFound);
  assert.ok(!sim.stderr.includes("PRIVATE KEY") && !sim.lines.join("").includes("PRIVATE KEY"));
});
