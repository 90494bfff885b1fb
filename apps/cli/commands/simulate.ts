/**
 * `kalshi-ws simulate`: runs the simulator (`@kalshi-ws/simulator`, the same server as
 * `deno task simulate`) on 127.0.0.1, prints how to connect, and writes the test key as a 0600
 * PKCS#1 file that is deleted again on exit: Ctrl-C, SIGTERM or SIGHUP (a closed terminal).
 *
 * @module
 */

import { UsageError } from "../args.ts";
import type { CommandContext } from "../context.ts";
import type { KeyFile } from "@kalshi-ws/simulator";
import { onTermination } from "../runtime.ts";

/** Runs `simulate`. */
export async function simulate(context: CommandContext): Promise<number> {
  const { args, out, lifetime, format } = context;
  const { applyFaultPlan, keyFileProblem, startSimulator, writeKeyFile } = await import(
    "@kalshi-ws/simulator"
  );
  const { DEFAULT_MARKETS } = await import("@kalshi-ws/simulator/model");
  const known = DEFAULT_MARKETS.map((m) => m.ticker);
  for (const market of args.markets) {
    if (!known.includes(market)) {
      throw new UsageError(
        `Unknown simulated market '${market}'`,
        `The simulator has: ${known.join(", ")}`,
      );
    }
  }
  const markets = args.markets.length === 0
    ? undefined
    : DEFAULT_MARKETS.filter((m) => args.markets.includes(m.ticker));
  const seed = args.seed ?? 1;
  const rate = args.rate ?? 20;
  const sim = await startSimulator({
    port: args.port ?? 0,
    seed,
    activityRate: rate,
    autoStart: rate > 0,
    auth: args.open ? "open" : "required",
    drift: args.drift,
    ...(markets === undefined ? {} : { markets }),
    ...(args.pingIntervalSeconds === undefined
      ? {}
      : { pingIntervalMs: args.pingIntervalSeconds * 1000 }),
  });
  let keyFile: KeyFile | undefined;
  const stopListening = onTermination(context.runtime, () => lifetime.stop("interrupted"));
  const cancelFaults = applyFaultPlan(sim.faults, args.faults, (line) => out.status(line));
  try {
    keyFile = await writeKeyFile(sim.privateKeyPem, sim.keyId, args.keyDir).catch((error) => {
      throw new UsageError(
        `Cannot write the key file in --key-dir '${args.keyDir}': ${keyFileProblem(error)}`,
        "Pick an existing folder this command may write to (deno task cli: any; " +
          "deno task simulate: under /tmp)",
      );
    });
    const keyPath = keyFile.path;
    if (format === "ndjson") {
      out.json({ url: sim.url, key_id: sim.keyId, private_key_path: keyPath });
    } else {
      out.line(`url: ${sim.url}`);
      out.line(`key_id: ${sim.keyId}`);
      out.line(`private_key: ${keyPath}`);
    }
    const tickers = sim.truth.tickers();
    out.status(
      `simulate: ${tickers.length} markets (${
        tickers.join(", ")
      }), seed ${seed}, ${rate} steps/s, auth ` +
        `${args.open ? "open" : "required"}${args.drift ? ", drift mode" : ""}; Ctrl-C to stop`,
    );
    await lifetime.done();
  } finally {
    stopListening();
    cancelFaults();
    await sim.close();
    await keyFile?.remove().catch(() => {});
  }
  out.status(`simulate: stopped (${lifetime.reason})`);
  return lifetime.exitCode;
}
