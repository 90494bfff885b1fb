/**
 * `kalshi-ws demo`: starts the simulator in this process and runs `book` against it for a few
 * of its markets. No credentials, nothing beyond 127.0.0.1; the README's first command.
 *
 * @module
 */

import { BookStore } from "@kalshi-ws/client";
import { UsageError } from "../args.ts";
import type { CommandContext } from "../context.ts";
import { openClient } from "../connect.ts";
import { watchBooks } from "./book.ts";

/** How many simulated markets the demo shows by default. */
export const DEMO_MARKETS = 3;

/** Runs `demo`. */
export async function demo(context: CommandContext): Promise<number> {
  const { args, out } = context;
  // Loaded on demand: the simulator's server (node:http, ws) is not needed by other commands.
  const { applyFaultPlan, startSimulator } = await import("@kalshi-ws/simulator");
  const rate = args.rate ?? 20;
  const sim = await startSimulator({
    seed: args.seed ?? 1,
    activityRate: rate,
    autoStart: rate > 0,
  });
  const cancelFaults = applyFaultPlan(sim.faults, args.faults, (line) => out.status(line));
  try {
    const tickers = sim.truth.tickers();
    for (const market of args.markets) {
      if (!tickers.includes(market)) {
        throw new UsageError(
          `Unknown simulated market '${market}'`,
          `The simulator has: ${tickers.join(", ")}`,
        );
      }
    }
    const markets = args.markets.length > 0 ? args.markets : tickers.slice(0, DEMO_MARKETS);
    out.status(`demo: simulator on ${sim.url}, seed ${args.seed ?? 1}; Ctrl-C to stop`);
    const store = new BookStore();
    const client = await openClient(context, {
      books: store,
      endpoint: sim.url,
      credentials: { keyId: sim.keyId, privateKeyPem: sim.privateKeyPem },
    });
    return await watchBooks(
      context,
      client,
      store,
      markets,
      `kalshi-ws demo  simulator on ${new URL(sim.url).host}`,
    );
  } finally {
    cancelFaults();
    await sim.close();
  }
}
