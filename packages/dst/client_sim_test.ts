/**
 * The client-level deterministic simulation (`client_sim.ts`) for 500 seeds per CI run: the real
 * `KalshiWsClient` over the in-memory transport and a manual clock, against the simulator's
 * model, with seeded faults (those at the edges of a connection included), some runs stopped
 * mid-run or left with the server gone for good.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { simulateClient } from "./client_sim.ts";

const SEEDS = Number(Deno.env.get("DST_CLIENT_SEEDS") ?? 500);

test(`simulateClient() ends healed with books equal to the truth for ${SEEDS} seeds`, async () => {
  const failures: string[] = [];
  const stats = {
    reconnects: 0,
    gaps: 0,
    resubscribes: 0,
    booksChecked: 0,
    stops: 0,
    handshakeTimeouts: 0,
  };
  for (let seed = 1; seed <= SEEDS; seed++) {
    const failure = await simulateClient(seed, 300, stats);
    if (failure !== undefined) failures.push(failure);
  }
  assert.deepEqual(failures, []);
  assert.ok(stats.reconnects > SEEDS, `${stats.reconnects} reconnects`);
  assert.ok(stats.gaps > SEEDS / 10, `${stats.gaps} gaps`);
  assert.ok(stats.booksChecked >= SEEDS, `${stats.booksChecked} books checked`);
  assert.ok(stats.stops > SEEDS / 20, `${stats.stops} runs stopped mid-run`);
  assert.ok(stats.handshakeTimeouts > SEEDS / 5, `${stats.handshakeTimeouts} handshake timeouts`);
});
