/**
 * End-to-end healing at the edges of a connection: `kalshi-ws` as a child process against the
 * simulator with faults a misbehaving server produces — a reconnect handshake that never
 * completes, a link cut between `subscribe` and its reply (the server back later, or never), a
 * storm of terminal errors. Books must equal the simulator's truth, re-subscribes stay paced,
 * and every run ends within 2 s of its stop (`--duration`, Ctrl-C, SIGTERM) with its documented
 * exit code, in every state — also never subscribed and reconnecting.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import type { Simulator } from "@kalshi-ws/simulator";
import { simFixture } from "./_sim_fixture.ts";
import { CliProcess, DEMO_PERMISSIONS, runCli } from "./_spawn.ts";

const A = "KXFED-26DEC-T4.25";
const B = "KXCPI-26DEC-T0.3";
/** What the CLI promises between a stop and its exit. */
const STOP_BUDGET_MS = 2_000;

type Line = Record<string, unknown>;

/** The simulator, and flags with `-v` (the stop's moment shows as "stopping (...)"). */
const fixture = () => simFixture(["-v"]);

/** The `book` line equals the simulator's true book of its market. */
function atTruth(sim: Simulator, line: Line | undefined): boolean {
  if (line?.type !== "book") return false;
  const truth = sim.truth.book(line.market_ticker as string);
  return JSON.stringify(line.yes_dollars_fp) === JSON.stringify(truth.yes) &&
    JSON.stringify(line.no_dollars_fp) === JSON.stringify(truth.no);
}

/** Waits until the newest book line of every ticker equals the truth (stepping the market). */
async function booksAtTruth(
  cli: CliProcess,
  sim: Simulator,
  tickers: string[],
  timeoutMs = 15_000,
) {
  sim.step(10);
  await cli.waitFor(
    "books at the truth",
    () => tickers.every((t) => atTruth(sim, cli.json().findLast((l) => l.market_ticker === t))),
    timeoutMs,
  );
}

function assertFinalAtTruth(cli: CliProcess, sim: Simulator, tickers: string[]): void {
  const finals = cli.json().filter((l) => l.final === true);
  assert.deepEqual(finals.map((l) => l.market_ticker).sort(), [...tickers].sort());
  for (const line of finals) assert.ok(atTruth(sim, line), `final ${line.market_ticker}`);
}

/** Stops `cli` with `signal`; returns the exit code and how long the exit took. */
async function signalled(cli: CliProcess, signal: "SIGINT" | "SIGTERM") {
  const started = performance.now();
  cli.child.kill(signal);
  const code = await cli.exit();
  return { code, ms: performance.now() - started };
}

/** Waits for the `--duration` stop to begin; returns the exit code and how long the exit took. */
async function durationStop(cli: CliProcess, timeoutMs: number) {
  await cli.waitForStderr("stopping (duration)", timeoutMs);
  const started = performance.now();
  const code = await cli.exit();
  return { code, ms: performance.now() - started };
}

function bookArgs(extra: string[]): string[] {
  return ["book", "-m", A, "-m", B, "--format", "ndjson", "--interval", "100", ...extra];
}

test("book abandons a reconnect handshake that never completes after 10 s, retries, and heals; --duration ends it within 2 s", async () => {
  await using fx = await fixture();
  fx.sim.step(20);
  const cli = new CliProcess(bookArgs(["--duration", "30", ...fx.args]));
  await booksAtTruth(cli, fx.sim, [A, B]);
  fx.sim.faults.hangHandshakes(1);
  fx.sim.faults.disconnect();
  fx.sim.step(30); // while the client is away
  await cli.waitForStderr("Handshake timed out after 10000 ms", 20_000);
  await cli.waitForStderr("reconnected", 10_000);
  await booksAtTruth(cli, fx.sim, [A, B]);
  const { code, ms } = await durationStop(cli, 30_000);
  assert.equal(code, 0);
  assert.ok(ms <= STOP_BUDGET_MS, `exit ${Math.round(ms)} ms after the stop`);
  assertFinalAtTruth(cli, fx.sim, [A, B]);
  assert.equal(fx.sim.stats().handshakes.hung, 1);
  assert.match(cli.stderr, /unsubscribed 1 and closed/);
});

test("book survives the link cut before the first subscribe reply, the server back 3 s later; SIGTERM exits 143 within 2 s", async () => {
  await using fx = await fixture();
  fx.sim.step(20);
  fx.sim.faults.dropBeforeReply({ cmd: "subscribe" });
  void fx.sim.nextConnection().then(() => fx.sim.faults.rejectHandshakesFor(3_000, 503));
  const cli = new CliProcess(bookArgs(fx.args));
  await booksAtTruth(cli, fx.sim, [A, B], 20_000);
  assert.equal(fx.sim.stats().commands.subscribe, 2, "sent, cut, sent again on the next link");
  assert.ok(fx.sim.stats().handshakes.refused >= 1);
  const { code, ms } = await signalled(cli, "SIGTERM");
  assert.equal(code, 143);
  assert.ok(ms <= STOP_BUDGET_MS, `exit ${Math.round(ms)} ms after SIGTERM`);
  assertFinalAtTruth(cli, fx.sim, [A, B]);
  assert.match(cli.stderr, /unsubscribed 1 and closed/);
  assert.match(cli.stderr, /stopped \(terminated\)/);
});

test("book subscribes again when the server comes back only after the subscribe timed out", async () => {
  await using fx = await fixture();
  fx.sim.step(20);
  fx.sim.faults.dropBeforeReply({ cmd: "subscribe" });
  void fx.sim.nextConnection().then(() => fx.sim.faults.rejectHandshakesFor(12_000, 503));
  const cli = new CliProcess(bookArgs(fx.args));
  await cli.waitForStderr("subscribe got no answer in time", 20_000);
  await booksAtTruth(cli, fx.sim, [A, B], 20_000);
  const { code, ms } = await signalled(cli, "SIGINT");
  assert.equal(code, 130);
  assert.ok(ms <= STOP_BUDGET_MS, `exit ${Math.round(ms)} ms after Ctrl-C`);
  assertFinalAtTruth(cli, fx.sim, [A, B]);
});

/** Every command that waits on the server, stopped while the server is gone for good. */
const NEVER_BACK: { command: string[]; stop: "SIGINT" | "SIGTERM" | "duration"; hang: boolean }[] =
  [
    { command: ["book", "-m", A, "--format", "ndjson"], stop: "duration", hang: true },
    { command: ["stream", "-c", "orderbook_delta", "-m", A], stop: "SIGTERM", hang: false },
    { command: ["record", "-c", "trade"], stop: "SIGINT", hang: true },
    { command: ["subscriptions", "-c", "ticker"], stop: "SIGTERM", hang: true },
    { command: ["check"], stop: "SIGTERM", hang: false },
  ];

for (const { command, stop, hang } of NEVER_BACK) {
  test(`${command[0]} cut before its first reply with the server never back ends on ${stop} within 2 s`, async () => {
    await using fx = await fixture();
    fx.sim.faults.dropBeforeReply();
    void fx.sim.nextConnection().then(() => {
      if (hang) fx.sim.faults.hangHandshakesFor(Infinity);
      else fx.sim.faults.rejectHandshakesFor(Infinity, 503);
    });
    const cli = new CliProcess([
      ...command,
      ...(stop === "duration" ? ["--duration", "4"] : []),
      ...fx.args,
    ]);
    await cli.waitForStderr("reconnect attempt 1", 15_000); // cut: the client is reconnecting
    const { code, ms } = stop === "duration"
      ? await durationStop(cli, 15_000)
      : await signalled(cli, stop);
    assert.equal(code, stop === "SIGINT" ? 130 : stop === "SIGTERM" ? 143 : 0, cli.stderr);
    assert.ok(ms <= STOP_BUDGET_MS, `exit ${Math.round(ms)} ms after the stop`);
    assert.doesNotMatch(cli.stderr, /^error:/m);
    if (command[0] === "book") assert.match(cli.stderr, /not printed \(book not valid at exit\)/);
  });
}

test("book paces re-subscribes through an error-25 storm, then heals; Ctrl-C exits 130 within 2 s", async () => {
  await using fx = await fixture();
  fx.sim.step(20);
  const cli = new CliProcess(bookArgs(fx.args));
  await booksAtTruth(cli, fx.sim, [A, B]);
  const before = fx.sim.stats().commands.subscribe ?? 0;
  fx.sim.faults.errorStorm({ channel: "orderbook_delta", code: 25, forMs: 8_000 });
  const stormEnds = performance.now() + 8_000;
  while (performance.now() < stormEnds) {
    fx.sim.step(2);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const duringStorm = (fx.sim.stats().commands.subscribe ?? 0) - before;
  // Pauses of 0.25–0.5, 0.5–1, 1–2, 2–4, 4–8 s: at most 5 in 8 s (at once: thousands).
  assert.ok(duringStorm >= 2 && duringStorm <= 6, `${duringStorm} re-subscribes in the storm`);
  assert.ok(fx.sim.faults.stormKills >= duringStorm);
  assert.match(cli.stderr, /resubscribe \(terminal_error\) in \d+ ms \(attempt \d+\)/);
  await booksAtTruth(cli, fx.sim, [A, B], 20_000);
  const { code, ms } = await signalled(cli, "SIGINT");
  assert.equal(code, 130);
  assert.ok(ms <= STOP_BUDGET_MS, `exit ${Math.round(ms)} ms after Ctrl-C`);
  assertFinalAtTruth(cli, fx.sim, [A, B]);
});

test("simulate --fault and demo --fault inject the faults from the command line", async () => {
  const bad = await runCli(["simulate", "--fault", "hang-handshakes:zero"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Cannot read fault 'hang-handshakes:zero': the count must be/);
  const sim = new CliProcess([
    "simulate",
    "--format",
    "ndjson",
    "--ping-interval",
    "0",
    "--fault",
    "error-storm:orderbook_delta:25:2@1",
  ]);
  const info = await sim.waitForLine("connection info", (l) => typeof l.url === "string");
  const book = new CliProcess([
    "book",
    "-m",
    A,
    "--format",
    "ndjson",
    "--url",
    info.url as string,
    "--key-id",
    info.key_id as string,
    "--private-key-file",
    info.private_key_path as string,
  ]);
  await book.waitForStderr("resubscribe (terminal_error)", 15_000);
  await sim.waitForStderr("fault: error-storm orderbook_delta 25 2000");
  await book.waitForStderr("resubscribed (terminal_error)", 15_000);
  assert.equal((await signalled(book, "SIGTERM")).code, 143);
  assert.equal((await signalled(sim, "SIGINT")).code, 130);

  const demo = await runCli(["demo", "--duration", "4", "--fault", "disconnect@1"], {
    permissions: DEMO_PERMISSIONS,
  });
  assert.equal(demo.code, 0, demo.stderr);
  assert.match(demo.stderr, /fault: disconnect/);
  assert.match(demo.stderr, /reconnected/);
});
