/**
 * Command-line entry: `deno task simulate [options]` starts a simulator on loopback and prints
 * its URL, the test key id and the path of the matching private key file (PKCS#1 PEM, mode
 * 0600, as Kalshi issues keys). Ctrl-C, SIGTERM and SIGHUP stop it cleanly and delete the key
 * file (and the folder it made for it). Mistakes exit 2 with one line; every bound is the
 * library's (`limits.ts`), the same as `kalshi-ws simulate`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { applyFaultPlan, FaultSpecError, type FaultStep, parseFaultSpec } from "./fault_plan.ts";
import { keyFileProblem, writeKeyFile } from "./key_file.ts";
import { MAX_ACTIVITY_RATE } from "./limits.ts";
import { startSimulator } from "./server.ts";

const HELP = `Usage: deno task simulate [options]

Starts a local Kalshi-compatible WebSocket server on 127.0.0.1.

Options:
  --port N              port to listen on (default 0: any free port)
  --seed N              seed of the deterministic market activity (default 1)
  --rate N              activity steps per second (default 20; 0 = frozen market; at most ${MAX_ACTIVITY_RATE})
  --ping-interval S     seconds between "heartbeat" pings (default 10; 0 = none)
  --timestamp-window S  accepted KALSHI-ACCESS-TIMESTAMP skew in seconds (default 30)
  --open                also accept connections without auth headers (anonymous)
  --drift               drift mode: also send fields no spec documents and an unknown
                        message type, to see what clients report when Kalshi changes
  --key-dir DIR         where to write the private key file (default: a new dir in /tmp;
                        the simulate task may write only under /tmp)
  --fault SPEC          inject a fault (repeatable): KIND[:ARG...][@SECONDS], e.g.
                        disconnect@5, hang-handshakes:2, reject-handshakes-for:10:503,
                        drop-before-reply:subscribe, error-storm:orderbook_delta:25:30
                        (see packages/simulator/fault_plan.ts for every kind)
  --json                print one JSON line {url, keyId, privateKeyPath} instead of text
  -h, --help            show this help

Examples:
  deno task simulate
  deno task simulate --port 8765 --seed 42 --rate 200
  deno task simulate --drift        # then: deno task cli check --url <url> ...
  deno task simulate --fault disconnect@10 --fault hang-handshakes@10
`;

/** A usage mistake: one line, exit 2. */
function fail(message: string): never {
  console.error(`simulate: ${message}. Try 'deno task simulate --help'`);
  Deno.exit(2);
}

/** A numeric option within `[0, max]` (an integer when asked), or a one-line usage error. */
function number(
  value: string | undefined,
  name: string,
  fallback: number,
  max: number,
  integer = false,
): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (
    value.trim() === "" || !Number.isFinite(parsed) || parsed < 0 || parsed > max ||
    (integer && !Number.isSafeInteger(parsed))
  ) {
    fail(
      `Invalid --${name} ${JSON.stringify(value)}: expected ${
        integer ? "an integer" : "a number"
      } 0..${max}`,
    );
  }
  return parsed;
}

const DAY_SECONDS = 86_400;
const BOOLEAN_OPTIONS = new Set(["--open", "--json", "--help"]);

/** `--port -1` as `--port=-1`, so the range check names it (node calls it "ambiguous"). */
function joinNegativeValues(args: readonly string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[i + 1];
    if (
      next !== undefined && /^-\.?\d/.test(next) && /^--[a-z-]+$/.test(arg) &&
      !BOOLEAN_OPTIONS.has(arg)
    ) {
      joined.push(`${arg}=${next}`);
      i++;
    } else joined.push(arg);
  }
  return joined;
}

async function main(args: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: joinNegativeValues(args),
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string" },
        seed: { type: "string" },
        rate: { type: "string" },
        "ping-interval": { type: "string" },
        "timestamp-window": { type: "string" },
        open: { type: "boolean" },
        drift: { type: "boolean" },
        "key-dir": { type: "string" },
        fault: { type: "string", multiple: true },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    fail((error as Error).message.split("\n")[0]!.replace(/\.$/, ""));
  }
  if (values.help) {
    console.log(HELP);
    return;
  }
  const port = number(values.port, "port", 0, 65_535, true);
  const rate = number(values.rate, "rate", 20, MAX_ACTIVITY_RATE);
  const seed = number(values.seed, "seed", 1, Number.MAX_SAFE_INTEGER, true);
  const pingSeconds = number(values["ping-interval"], "ping-interval", 10, DAY_SECONDS);
  const windowSeconds = number(values["timestamp-window"], "timestamp-window", 30, DAY_SECONDS);
  if (values["key-dir"] === "") fail("Invalid --key-dir '': expected a folder");
  let plan: FaultStep[];
  try {
    plan = (values.fault ?? []).map(parseFaultSpec);
  } catch (error) {
    if (!(error instanceof FaultSpecError)) throw error;
    fail(error.message);
  }
  let sim;
  try {
    sim = await startSimulator({
      port,
      seed,
      activityRate: rate,
      autoStart: rate > 0,
      pingIntervalMs: pingSeconds * 1000,
      timestampWindowMs: windowSeconds * 1000,
      auth: values.open ? "open" : "required",
      drift: values.drift === true,
    });
  } catch (error) {
    console.error(`simulate: cannot listen on 127.0.0.1:${port}: ${(error as Error).message}`);
    Deno.exit(1);
  }
  let keyFile;
  try {
    keyFile = await writeKeyFile(sim.privateKeyPem, sim.keyId, values["key-dir"]);
  } catch (error) {
    await sim.close();
    fail(`Cannot write the key file in --key-dir '${values["key-dir"]}': ${keyFileProblem(error)}`);
  }
  const keyPath = keyFile.path;
  const cancelFaults = applyFaultPlan(
    sim.faults,
    plan,
    (line) => console.error(`simulate: ${line}`),
  );

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    cancelFaults();
    await sim.close();
    await keyFile.remove().catch(() => {});
    console.error("simulate: stopped");
    Deno.exit(130);
  };
  // A closed terminal (SIGHUP) or a service manager (SIGTERM) must not leave the key behind.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    if (signal !== "SIGINT" && Deno.build.os === "windows") continue;
    Deno.addSignalListener(signal, stop);
  }

  if (values.json) {
    console.log(JSON.stringify({ url: sim.url, keyId: sim.keyId, privateKeyPath: keyPath }));
  } else {
    console.log(`url: ${sim.url}`);
    console.log(`key_id: ${sim.keyId}`);
    console.log(`private_key: ${keyPath}`);
  }
  console.error(
    `simulate: ${sim.truth.tickers().length} markets (${sim.truth.tickers().join(", ")}), ` +
      `seed ${seed}, ${rate} steps/s, auth ${values.open ? "open" : "required"}` +
      `${values.drift ? ", drift mode" : ""}. ` +
      "Ctrl-C to stop.",
  );
}

if (import.meta.main) await main(Deno.args);
