/**
 * Test helper: a simulator that moves only when the test steps it, its key in a 0600 file, and
 * the flags that point the CLI at it — the fixture of the end-to-end tests.
 *
 * @module
 */

import { type Simulator, startSimulator } from "@kalshi-ws/simulator";

/** A running simulator and the CLI flags to reach it; `await using` removes both. */
export interface SimFixture {
  readonly sim: Simulator;
  /** `--url`, `--key-id`, `--private-key-file` (plus `extraArgs`). */
  readonly args: string[];
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starts the simulator (seed 11, no activity, no pings) and writes its key. */
export async function simFixture(extraArgs: readonly string[] = []): Promise<SimFixture> {
  const sim = await startSimulator({ seed: 11, autoStart: false, pingIntervalMs: 0 });
  const dir = await Deno.makeTempDir({ prefix: "kalshi-cli-test-" });
  const keyFile = `${dir}/key.pem`;
  await Deno.writeTextFile(keyFile, sim.privateKeyPem, { mode: 0o600 });
  return {
    sim,
    args: ["--url", sim.url, "--key-id", sim.keyId, "--private-key-file", keyFile, ...extraArgs],
    async [Symbol.asyncDispose]() {
      await sim.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}
