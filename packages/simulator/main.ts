/**
 * Command-line entry: `deno task simulate [options]` starts a simulator on loopback and prints
 * its URL, the test key id and the path of the matching private key file (PKCS#1 PEM, mode
 * 0600, as Kalshi issues keys). Ctrl-C stops it cleanly and deletes the key file.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { writeKeyFile } from "./key_file.ts";
import { startSimulator } from "./server.ts";

const HELP = `Usage: deno task simulate [options]

Starts a local Kalshi-compatible WebSocket server on 127.0.0.1.

Options:
  --port N              port to listen on (default 0: any free port)
  --seed N              seed of the deterministic market activity (default 1)
  --rate N              activity steps per second (default 20; 0 = frozen market)
  --ping-interval S     seconds between "heartbeat" pings (default 10; 0 = none)
  --timestamp-window S  accepted KALSHI-ACCESS-TIMESTAMP skew in seconds (default 30)
  --open                also accept connections without auth headers (anonymous)
  --key-dir DIR         where to write the private key file (default: a new dir in /tmp)
  --json                print one JSON line {url, keyId, privateKeyPath} instead of text
  -h, --help            show this help

Examples:
  deno task simulate
  deno task simulate --port 8765 --seed 42 --rate 200
`;

function fail(message: string): never {
  console.error(`simulate: ${message}\nTry 'deno task simulate --help'.`);
  Deno.exit(2);
}

function number(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) {
    fail(`--${name} must be a non-negative number, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

async function main(args: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string" },
        seed: { type: "string" },
        rate: { type: "string" },
        "ping-interval": { type: "string" },
        "timestamp-window": { type: "string" },
        open: { type: "boolean" },
        "key-dir": { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    console.log(HELP);
    return;
  }
  const port = number(values.port, "port", 0);
  if (!Number.isInteger(port) || port > 65_535) {
    fail(`--port must be an integer 0–65535, got ${values.port}`);
  }
  const rate = number(values.rate, "rate", 20);
  const sim = await startSimulator({
    port,
    seed: number(values.seed, "seed", 1),
    activityRate: rate,
    autoStart: rate > 0,
    pingIntervalMs: number(values["ping-interval"], "ping-interval", 10) * 1000,
    timestampWindowMs: number(values["timestamp-window"], "timestamp-window", 30) * 1000,
    auth: values.open ? "open" : "required",
  });
  const keyFile = await writeKeyFile(sim.privateKeyPem, sim.keyId, values["key-dir"]);
  const keyPath = keyFile.path;

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await sim.close();
    await keyFile.remove().catch(() => {});
    console.error("simulate: stopped");
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", stop);
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", stop);

  if (values.json) {
    console.log(JSON.stringify({ url: sim.url, keyId: sim.keyId, privateKeyPath: keyPath }));
  } else {
    console.log(`url: ${sim.url}`);
    console.log(`key_id: ${sim.keyId}`);
    console.log(`private_key: ${keyPath}`);
  }
  console.error(
    `simulate: ${sim.truth.tickers().length} markets (${sim.truth.tickers().join(", ")}), ` +
      `seed ${number(values.seed, "seed", 1)}, ${rate} steps/s, auth ${
        values.open ? "open" : "required"
      }. ` +
      "Ctrl-C to stop.",
  );
}

if (import.meta.main) await main(Deno.args);
