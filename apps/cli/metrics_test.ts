/**
 * End-to-end `--metrics-port`: the CLI as a child process against the simulator, its metrics
 * server read over loopback while faults hit the feed — counters move, `/healthz` turns 503
 * during an outage and 200 again after it, the page is served — and every bad value fails
 * before anything connects.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { eventually, health, metricsUrlIn, sample, scrape } from "./_metrics_probe.ts";
import { simFixture } from "./_sim_fixture.ts";
import { CliProcess, DEMO_PERMISSIONS, runCli } from "./_spawn.ts";

const A = "KXFED-26DEC-T4.25";
const B = "KXCPI-26DEC-T0.3";

/** The metrics server's base URL, from the CLI's status line. */
async function baseUrl(cli: CliProcess): Promise<string> {
  return await cli.waitFor("the metrics URL", () => metricsUrlIn(cli.stderr));
}

test("book --metrics-port: counters move, a gap and its repair counted, /healthz 503 during an outage and 200 after", async () => {
  await using fx = await simFixture();
  fx.sim.step(20);
  const cli = new CliProcess([
    "book",
    "-m",
    A,
    "-m",
    B,
    "--format",
    "ndjson",
    "--metrics-port",
    "0",
    ...fx.args,
  ]);
  try {
    const base = await baseUrl(cli);
    await eventually("healthy", async () => (await health(base)).status === 200);
    const before = await scrape(base);
    assert.equal(sample(before, "kalshi_ws_connected"), 1);
    assert.equal(sample(before, "kalshi_ws_books", { state: "valid" }), 2);
    assert.equal(sample(before, "kalshi_ws_subscriptions", { state: "live" }), 1);
    const deltasBefore = sample(before, "kalshi_ws_messages_total", {
      channel: "orderbook_delta",
    })!;
    assert.ok(deltasBefore >= 2, "the two snapshots at least");

    fx.sim.step(20);
    await eventually(
      "messages counted",
      async () =>
        sample(await scrape(base), "kalshi_ws_messages_total", { channel: "orderbook_delta" })! >
          deltasBefore,
    );

    fx.sim.faults.dropNext();
    fx.sim.step(20);
    const repaired = await eventually("a gap and its resync counted", async () => {
      const now = await scrape(base);
      return sample(now, "kalshi_ws_gaps_total")! >= 1 &&
        sample(now, "kalshi_ws_resyncs_total")! >= 1 && now;
    });
    assert.ok(sample(repaired, "kalshi_ws_message_lag_seconds")! > 0, "lag observed (ts_ms)");

    fx.sim.faults.rejectHandshakesFor(3_000, 503);
    fx.sim.faults.disconnect();
    const outage = await eventually("503 during the outage", async () => {
      const h = await health(base);
      return h.status === 503 && h;
    });
    assert.ok(
      outage.body.reasons.some((r) => r.startsWith("not connected")),
      JSON.stringify(outage.body),
    );
    await eventually("200 after the outage", async () => (await health(base)).status === 200);
    const after = await scrape(base);
    assert.ok(sample(after, "kalshi_ws_reconnects_total")! >= 1);
    assert.equal(sample(after, "kalshi_ws_connected"), 1);

    const page = await fetch(base);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>kalshi-ws live<\/title>/);
  } finally {
    cli.child.kill("SIGTERM");
    assert.equal(await cli.exit(), 143);
  }
});

test("demo --metrics-port with demo's own permissions: /metrics, /healthz 200 and the page", async () => {
  const cli = new CliProcess(
    ["demo", "--format", "ndjson", "--metrics-port", "0", "--duration", "20"],
    { permissions: DEMO_PERMISSIONS },
  );
  try {
    const base = await baseUrl(cli);
    await eventually("healthy", async () => (await health(base)).status === 200);
    const families = await scrape(base);
    for (
      const name of [
        "kalshi_ws_messages_total",
        "kalshi_ws_gaps_total",
        "kalshi_ws_resyncs_total",
        "kalshi_ws_reconnects_total",
        "kalshi_ws_decode_errors_total",
        "kalshi_ws_connected",
        "kalshi_ws_subscriptions",
        "kalshi_ws_books",
        "kalshi_ws_last_message_age_seconds",
        "kalshi_ws_message_lag_seconds",
      ]
    ) assert.ok(families.has(name), name);
    assert.ok(![...families.keys()].some((n) => n.startsWith("kalshi_ws_nats")), "no NATS side");
    assert.equal((await fetch(base)).status, 200);
  } finally {
    cli.child.kill("SIGINT");
    assert.equal(await cli.exit(), 130);
  }
});

test("bad --metrics-port/--metrics-host values are usage errors, before connecting", async () => {
  const cases: [string[], RegExp][] = [
    [["--metrics-port", "70000"], /Invalid --metrics-port '70000': expected an integer 0\.\.65535/],
    [["--metrics-port", "x"], /Invalid --metrics-port 'x'/],
    [
      ["--metrics-port", "9464", "--metrics-host", "http://x"],
      /Invalid --metrics-host 'http:\/\/x'/,
    ],
    [["--metrics-host", "0.0.0.0"], /'--metrics-host' needs '--metrics-port'/],
  ];
  for (const [flags, message] of cases) {
    const { code, stderr } = await runCli([
      "stream",
      "-c",
      "ticker",
      ...flags,
      "--url",
      "ws://127.0.0.1:9",
    ]);
    assert.equal(code, 2, `${flags.join(" ")}: ${stderr}`);
    assert.match(stderr, message);
    assert.doesNotMatch(stderr, /connect/);
  }
  const { code, stderr } = await runCli(["check", "--metrics-port", "9464"]);
  assert.equal(code, 2);
  assert.match(stderr, /Option '--metrics-port' does not apply to 'check'/);
});

test("a metrics port in use fails the run before it connects, naming the address", async () => {
  await using fx = await simFixture();
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const port = (taken.addr as Deno.NetAddr).port;
    const { code, stderr } = await runCli([
      "stream",
      "-c",
      "ticker",
      "--metrics-port",
      String(port),
      ...fx.args,
    ]);
    assert.equal(code, 1, stderr);
    assert.match(
      stderr,
      new RegExp(`Cannot listen on 127\\.0\\.0\\.1:${port}: address already in use`),
    );
    assert.equal(fx.sim.stats().handshakes.accepted, 0, "never connected");
  } finally {
    taken.close();
  }
});
