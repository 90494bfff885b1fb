/// <reference lib="dom" />
/**
 * The live page in a real browser: `book --metrics-port` against the simulator, the page at `/`
 * opened in headless Chromium (Debian's `chromium`, driven by `playwright-core`), which must
 * show each market's ladder at the simulator's true book, the feed as healthy, and a lag
 * sparkline, all updated by server-sent events.
 *
 * Run by `deno task test:browser` (`.ci/run` installs chromium first); not part of
 * `deno task test`, which must pass on machines without a browser. Without Chromium this test
 * fails, naming what to install: it never skips.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { type Browser, chromium } from "playwright-core";
import { simFixture } from "./_sim_fixture.ts";
import { CliProcess } from "./_spawn.ts";

const A = "KXFED-26DEC-T4.25";
const B = "KXCPI-26DEC-T0.3";

/** Debian's Chromium (`apt-get install chromium`); `CHROMIUM` overrides it. */
const CHROMIUM = Deno.env.get("CHROMIUM") ?? "/usr/bin/chromium";

async function launch(): Promise<Browser> {
  try {
    await Deno.stat(CHROMIUM);
  } catch {
    throw new Error(`No Chromium at ${CHROMIUM}: install it (apt-get install -y chromium)`);
  }
  return await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
    ],
    timeout: 30_000,
  });
}

test("the live page shows each market's ladder at the simulator's truth, healthy, with a lag sparkline", async () => {
  await using fx = await simFixture();
  fx.sim.step(30);
  const cli = new CliProcess(["book", "-m", A, "-m", B, "--metrics-port", "0", ...fx.args]);
  const browser = await launch();
  const stepping = setInterval(() => fx.sim.step(2), 100);
  try {
    const base = await cli.waitFor("the metrics URL", () => {
      const match = cli.stderr.match(/metrics on (http:\/\/127\.0\.0\.1:\d+\/)metrics/);
      return match?.[1];
    });
    const page = await browser.newPage();
    await page.goto(base);
    await page.waitForSelector(`.market[data-market="${A}"] tr.bid`, { timeout: 20_000 });
    await page.waitForSelector(`.market[data-market="${B}"] tr.bid`, { timeout: 20_000 });
    await page.waitForFunction(
      () => document.getElementById("status")?.textContent === "healthy",
      undefined,
      { timeout: 20_000 },
    );
    await page.waitForFunction(
      () => (document.getElementById("sparkline")?.getAttribute("points") ?? "").includes(","),
      undefined,
      { timeout: 20_000 },
    );
    assert.equal(await page.title(), "kalshi-ws live");

    // Freeze the market, then the page's YES bids (best first, at most 8) must become the
    // truth's. The whole ladder is compared at once: a page whose best level already matches
    // may still be one update behind on a deeper level.
    clearInterval(stepping);
    for (const market of [A, B]) {
      const truth = fx.sim.truth.book(market);
      const expected = truth.yes.slice(-8).reverse().map(([price, size]) => [price, size]);
      try {
        await page.waitForFunction(
          ([market, expected]) => {
            const rows = document.querySelectorAll(`.market[data-market="${market}"] tr.bid`);
            const shown = [...rows].map((row) =>
              [...row.querySelectorAll("td")].map((td) => td.textContent)
            );
            return JSON.stringify(shown) === JSON.stringify(expected);
          },
          [market, expected] as const,
          { timeout: 10_000 },
        );
      } catch (error) {
        const shown = await page.locator(`.market[data-market="${market}"] tr.bid`).allInnerTexts();
        assert.fail(
          `${market}: the page's bids ${JSON.stringify(shown)} never became the truth's ` +
            `${JSON.stringify(expected)} (${error})`,
        );
      }
    }
    const counters = await page.evaluate(() => ({
      state: document.getElementById("state")?.textContent,
      messages: Number(document.getElementById("messages")?.textContent),
    }));
    assert.equal(counters.state, "open");
    assert.ok(counters.messages > 2, `messages ${counters.messages}`);
  } finally {
    clearInterval(stepping);
    await browser.close();
    cli.child.kill("SIGTERM");
    await cli.exit();
  }
});
