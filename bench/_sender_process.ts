/**
 * Starts the loopback sender (`_ws_sender.ts`) as its own process and reads the line it prints
 * once listening: what the loopback benchmarks share before their rounds.
 *
 * @module
 */

/** What the sender announces, plus the URL to connect to and the process to stop at the end. */
export interface SenderProcess {
  readonly process: Deno.ChildProcess;
  readonly url: string;
  readonly port: number;
  /** Delta frames after the set-up. */
  readonly frames: number;
  /** Set-up frames: `subscribed` and one snapshot per market. */
  readonly setup: number;
  /** Bytes per run. */
  readonly bytes: number;
  readonly markets: string[];
}

/** Spawns the sender for `frames` deltas over `markets` markets; resolves once it listens. */
export async function startSender(frames: number, markets: number): Promise<SenderProcess> {
  const process = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./_ws_sender.ts", import.meta.url).pathname,
      "--frames",
      String(frames),
      "--markets",
      String(markets),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = process.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let line = "";
  while (!line.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("Cannot benchmark: the sender exited");
    line += value;
  }
  reader.releaseLock();
  const info = JSON.parse(line.slice(0, line.indexOf("\n"))) as Omit<
    SenderProcess,
    "process" | "url"
  >;
  return { ...info, process, url: `ws://127.0.0.1:${info.port}/trade-api/ws/v2` };
}
