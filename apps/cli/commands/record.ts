/**
 * `kalshi-ws record`: subscribes like `stream` and writes every raw frame with its receive time,
 * plus the commands sent, the sids assigned and the connects/disconnects (format in
 * `recording.ts`), to `--out FILE` or stdout. The client heals as usual while recording, so a
 * recording shows gaps, repairs and reconnects exactly as they happened.
 *
 * @module
 */

import type { CommandContext } from "../context.ts";
import { endpointOf, openClient, shutdown, subscribeWhileRunning } from "../connect.ts";
import { RECORDING_VERSION, type RecordingEntry, recordingTransport } from "../recording.ts";
import { subscribeParams } from "./stream.ts";
import { UsageError } from "../args.ts";
import { redactUrl } from "../redact.ts";
import { reportDriftAtExit } from "../drift_report.ts";
import type { CliRuntime, FileSink } from "../runtime.ts";
import { VERSION } from "../version.ts";

const encoder = new TextEncoder();

/** Runs `record`. */
export async function record(context: CommandContext): Promise<number> {
  const { args, out, lifetime } = context;
  const params = subscribeParams(args, "record");
  const file = args.out === undefined || args.out === "-"
    ? undefined
    : openOut(context.runtime, args.out);
  let frames = 0;
  const write = (value: unknown): void => {
    if (file === undefined) {
      if (!out.json(value)) lifetime.stop("stdout_closed");
      return;
    }
    file.write(encoder.encode(`${JSON.stringify(value)}\n`));
  };
  try {
    write({
      type: "recording",
      version: RECORDING_VERSION,
      created: new Date().toISOString(),
      tool: `kalshi-ws ${VERSION}`,
      endpoint: redactUrl(endpointOf(context)),
      subscribe: params,
    });
    const sink = (entry: RecordingEntry): void => {
      if ("frame" in entry) frames++;
      write(entry);
    };
    const client = await openClient(context, {
      transport: recordingTransport(context.runtime.transport, sink),
    });
    try {
      const lifecycle = (event: { type: string; sids?: unknown }) => {
        if (event.type === "subscribed" || event.type === "resubscribed") {
          sink({ t: Date.now(), event: event.type, sids: event.sids as never });
        }
      };
      client.on("subscribed", lifecycle);
      client.on("resubscribed", lifecycle);
      const subscription = await subscribeWhileRunning(context, client, params);
      let data = 0;
      const stream = subscription?.events();
      const stop = () => void stream?.return();
      lifetime.signal.addEventListener("abort", stop, { once: true });
      if (lifetime.stopped) stop();
      for await (const event of stream ?? []) {
        if (
          event.type === "data" && args.maxMessages !== undefined && ++data >= args.maxMessages
        ) {
          lifetime.stop("max_messages");
        }
      }
      lifetime.signal.removeEventListener("abort", stop);
      if (!lifetime.stopped) lifetime.stop("finished");
      await shutdown(context, client, subscription === undefined ? [] : [subscription]);
    } finally {
      await client.close();
      reportDriftAtExit(out, client.drift);
    }
  } finally {
    file?.close();
  }
  out.status(
    `recorded ${frames} frames${args.out === undefined ? "" : ` to ${args.out}`} ` +
      `(stopped: ${lifetime.reason})`,
  );
  return lifetime.exitCode;
}

/** Opens `-o FILE` for writing before anything connects; a usage error names it otherwise. */
function openOut(runtime: CliRuntime, path: string): FileSink {
  try {
    return runtime.createFile(path);
  } catch (error) {
    const reason = error instanceof Error ? error.name : String(error);
    throw new UsageError(
      `Cannot write --out '${path}': ${reason}`,
      "Check the folder exists and is writable",
    );
  }
}
