/**
 * Book integrity under faults: the real client with books, over an adapter's transport, against
 * the simulator on loopback. Rounds of seeded random activity (including bursts) each end with a
 * randomly chosen fault — dropped or duplicated sequenced frames, abrupt disconnects, terminal
 * errors 10 and 25, malformed and unknown frames, a silent server — and then two checks:
 *
 * - while streaming: every book data event the client delivers is for a book it holds valid
 *   (the client never emits data for a book known to be wrong);
 * - at the end of each round, once the client has caught up: every book the client reports
 *   valid equals the simulator's truth, and every book is valid again (the subscription healed).
 *
 * The round count is a parameter so CI runs a short version and a longer run (minutes) is one
 * environment variable away (see the adapters' `books_integration_test.ts`).
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { type Simulator, startSimulator } from "@kalshi-ws/simulator";
import { connect, type KalshiWsClient } from "../client.ts";
import type { Transport } from "../transport.ts";
import { seededRandom as prng } from "@kalshi-ws/core";

const DEADLINE_MS = 15_000;

/** The faults a round may end with. */
const FAULTS = [
  "none",
  "drop",
  "duplicate",
  "disconnect",
  "error25",
  "error10",
  "malformed",
  "unknown",
  "silent",
] as const;

type Fault = typeof FAULTS[number];

/** Whether the client's book equals the truth (ladders in Kalshi's format). */
function equalsTruth(client: KalshiWsClient, sim: Simulator, ticker: string): boolean {
  const book = client.books?.get(ticker);
  if (book === undefined || !book.valid) return false;
  const truth = sim.truth.book(ticker);
  return JSON.stringify(book.ladder("yes")) === JSON.stringify(truth.yes) &&
    JSON.stringify(book.ladder("no")) === JSON.stringify(truth.no);
}

/** Says which books differ from the truth, and how (for a failing round's message). */
function describeMismatch(client: KalshiWsClient, sim: Simulator, tickers: string[]): string {
  return tickers.filter((t) => !equalsTruth(client, sim, t)).map((t) => {
    const book = client.books?.get(t);
    if (book === undefined) return `${t}: no book`;
    if (!book.valid) return `${t}: invalid (${book.problem}: ${book.problemDetail ?? ""})`;
    return `${t}: VALID BUT WRONG: client ${JSON.stringify(book.toSnapshot())} truth ${
      JSON.stringify(sim.truth.book(t))
    }`;
  }).join("; ");
}

/** Resolves when `predicate` holds, re-checked after every client event and every 20 ms. */
function until(client: KalshiWsClient, what: () => string, predicate: () => boolean) {
  return new Promise<void>((resolve, reject) => {
    if (predicate()) return resolve();
    const finish = (error?: Error) => {
      clearTimeout(timer);
      clearInterval(poll);
      off();
      if (error === undefined) resolve();
      else reject(error);
    };
    const timer = setTimeout(() => finish(new Error(`Timed out: ${what()}`)), DEADLINE_MS);
    const poll = setInterval(() => predicate() && finish(), 20);
    const off = client.on("*", () => predicate() && finish());
  });
}

/** Registers the book-integrity test for `transport`, running `rounds` fault rounds. */
export function bookIntegritySuite(
  transport: Transport,
  options: { readonly rounds: number; readonly seed?: number },
): void {
  const seed = options.seed ?? 20261125;
  test(`${transport.name}: valid books equal the exchange's truth through ${options.rounds} rounds of activity and faults (seed ${seed})`, async () => {
    const random = prng(seed);
    await using sim = await startSimulator({ seed, autoStart: false, pingIntervalMs: 0 });
    const tickers = sim.truth.tickers();
    await using client = await connect({
      transport,
      endpoint: sim.url,
      keyId: sim.keyId,
      privateKeyPem: sim.privateKeyPem,
      books: true,
      idleTimeoutMs: 400,
      probeTimeoutMs: 300,
      reconnect: { initialDelayMs: 10, maxDelayMs: 100 },
      // Rounds follow each other within milliseconds: so do the re-subscribe pauses.
      resubscribe: { initialDelayMs: 10, maxDelayMs: 100 },
    });
    const wrongData: string[] = [];
    const seen = new Map<string, number>();
    client.on("*", (event) => {
      seen.set(event.type, (seen.get(event.type) ?? 0) + 1);
      if (event.type !== "data") return;
      const message = event.message;
      if (message.type !== "orderbook_delta" && message.type !== "orderbook_snapshot") return;
      const book = client.books?.get(message.msg.market_ticker);
      if (book === undefined || !book.valid) {
        wrongData.push(`${message.type} seq ${message.seq} for ${message.msg.market_ticker}`);
      }
    });
    const books = await client.subscribe({
      channels: ["orderbook_delta"],
      market_tickers: tickers,
    }, { buffer: false });
    await client.subscribe({ channels: ["ticker", "trade"] }, { buffer: false });

    const faults: Fault[] = [];
    for (let round = 0; round < options.rounds; round++) {
      const burst = random() < 0.2
        ? 200 + Math.floor(random() * 400)
        : 1 + Math.floor(random() * 60);
      sim.step(burst);
      const fault = FAULTS[Math.floor(random() * FAULTS.length)]!;
      faults.push(fault);
      const sid = books.sids.find((s) => s.channel === "orderbook_delta")?.sid;
      if (sid !== undefined) inject(sim, fault, sid);
      sim.step(1 + Math.floor(random() * 40));
      // A dropped frame is only detectable once a later frame arrives on its sid (Kalshi has no
      // seq heartbeat), so the exchange keeps trading slowly while we wait, as a real one does.
      const trickle = setInterval(() => sim.step(1), 50);
      await until(
        client,
        () => `round ${round} (fault ${fault}): ${describeMismatch(client, sim, tickers)}`,
        () => tickers.every((t) => equalsTruth(client, sim, t)),
      ).finally(() => clearInterval(trickle));
      assert.deepEqual(wrongData, [], `data delivered for invalid books (round ${round})`);
    }
    // Every fault kind that breaks a stream must have been made visible, never silently absorbed.
    if (faults.includes("drop")) assert.ok((seen.get("gap") ?? 0) > 0, "gaps reported");
    if (faults.includes("disconnect")) {
      assert.ok((seen.get("reconnecting") ?? 0) > 0, "reconnects reported");
    }
    if (faults.includes("malformed")) {
      assert.ok((seen.get("decode_error") ?? 0) > 0, "decode errors reported");
    }
  });
}

/** Applies one fault to the newest connection (the client's). */
function inject(sim: Simulator, fault: Fault, sid: number): void {
  switch (fault) {
    case "none":
      return;
    case "drop":
      return sim.faults.dropNext({ sid });
    case "duplicate":
      return sim.faults.duplicateNext({ sid });
    case "disconnect":
      return sim.faults.disconnect();
    case "error25":
      return sim.faults.raiseError({ sid }, 25);
    case "error10":
      return sim.faults.raiseError({ sid }, 10);
    case "malformed":
      return sim.faults.sendMalformed();
    case "unknown":
      return sim.faults.sendUnknownType();
    case "silent":
      return sim.faults.goSilent();
  }
}
