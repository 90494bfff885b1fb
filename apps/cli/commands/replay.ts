/**
 * `kalshi-ws replay FILE`: feeds a recording (see `recording.ts`) through the decoder and order
 * books and shows them like `book`; `--serve` serves it over the Kalshi protocol instead (see
 * `replay_server.ts`).
 *
 * @module
 */

import { BookStore } from "@kalshi-ws/client";
import { UsageError } from "../args.ts";
import { BookView } from "../book_view.ts";
import type { CommandContext } from "../context.ts";
import { parseRecording, type Recording } from "../recording.ts";
import { ReplayBooks } from "../replay_books.ts";
import { serveRecording } from "../replay_server.ts";
import { setLongTimeout } from "../long_timer.ts";
import type { CliRuntime } from "../runtime.ts";

/** Entries applied between two yields to the event loop when replaying at full speed. */
const BATCH = 500;

/** Reads and parses the recording named on the command line (`-`: stdin). */
export async function readRecording(
  runtime: CliRuntime,
  file: string | undefined,
): Promise<Recording> {
  if (file === undefined) {
    throw new UsageError("Pass the recording to replay", "Example: kalshi-ws replay session.jsonl");
  }
  let text: string;
  try {
    text = file === "-" ? await runtime.readStdin() : await runtime.readTextFile(file);
  } catch (error) {
    // The error's name (NotFound, IsADirectory, ...) reads the same on Deno and Node.
    throw new Error(
      `Cannot read recording '${file}': ${error instanceof Error ? error.name : error}`,
    );
  }
  return parseRecording(text, file);
}

/** Runs `replay`. */
export async function replay(context: CommandContext): Promise<number> {
  const { args, out, lifetime, format, runtime } = context;
  const recording = await readRecording(runtime, args.file);
  for (const warning of recording.warnings) out.warn(`replay: ${warning}`);
  if (args.serve) return await serveRecording(context, recording);
  const store = new BookStore();
  const books = new ReplayBooks(store, (note) => {
    switch (note.type) {
      case "connected":
        out.debug(`recorded connection to ${note.url}`);
        return;
      case "disconnected":
        if (note.code === 1000) out.debug("recorded clean close");
        else out.status(`recorded disconnect (code ${note.code}): books wait for fresh snapshots`);
        return;
      case "gap":
        out.warn(
          `gap on sid ${note.sid}: expected seq ${note.expected}, got ${note.received}; books ` +
            "wait for the recorded repair",
        );
        return;
      case "decode_error":
        out.warnRepeated(
          "decode_error",
          "undecodable frames skipped",
          `undecodable frame skipped: ${note.message}`,
        );
        return;
      case "bad_frame":
        out.warnRepeated(
          "decode_error",
          "undecodable frames skipped",
          `undecodable frame skipped: recorded as bad (${note.length} characters): ${
            note.excerpt.slice(0, 200)
          }`,
        );
        return;
    }
  });
  const view = new BookView(store, {
    out,
    format,
    intervalMs: args.intervalMs,
    depth: args.depth,
    markets: [],
    title: `kalshi-ws replay  ${args.file} (${recording.header.endpoint})`,
    state: () => (lifetime.stopped ? "stopped" : "replaying"),
    rows: format === "text" ? runtime.terminalRows() : undefined,
    color: out.color,
    onClosed: () => lifetime.stop("stdout_closed"),
  });
  view.start();
  const entries = recording.entries;
  const speed = args.speed;
  const startedAt = performance.now();
  const firstT = entries[0]?.t ?? 0;
  let data = 0;
  try {
    for (let i = 0; i < entries.length && !lifetime.stopped; i++) {
      const entry = entries[i]!;
      if (speed > 0) {
        const due = startedAt + (entry.t - firstT) / speed;
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait, lifetime.signal);
        if (lifetime.stopped) break;
      } else if (i % BATCH === BATCH - 1) {
        await sleep(0, lifetime.signal);
      }
      const touched = books.apply(entry);
      if (touched !== undefined) view.touched(touched);
      if ("frame" in entry && args.maxMessages !== undefined && ++data >= args.maxMessages) {
        lifetime.stop("max_messages");
      }
    }
    if (!lifetime.stopped) lifetime.stop("finished");
  } finally {
    view.stop();
  }
  const invalid = view.finish();
  if (invalid.length > 0) {
    out.warn(`not printed (book not valid at the end): ${invalid.join(", ")}`);
  }
  out.status(`replayed ${recording.entries.length} entries (${lifetime.reason})`);
  return lifetime.exitCode;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const cancel = setLongTimeout(done, ms); // a recorded pause of weeks must not overflow
    function done(): void {
      cancel();
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
