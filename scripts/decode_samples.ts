/**
 * `deno task samples`: decodes every bundled sample frame (the server→client examples of
 * Kalshi's AsyncAPI in `packages/core/testdata/spec_examples.json` and the frames in
 * `packages/core/testdata/observed_frames.jsonl`) with the core decoder.
 *
 * stdout: one NDJSON summary per frame (`{"source","type","sid","seq","id",...}`).
 * stderr: counts per decoded type, then every decode error with its frame. Exit code 1 if any
 * frame failed to decode. Needs no permissions: the samples are imported, not read.
 *
 * @module
 */

import { decodeMessage, type ServerMessage } from "../packages/core/mod.ts";
import specExamples from "../packages/core/testdata/spec_examples.json" with { type: "json" };
import observedFrames from "../packages/core/testdata/observed_frames.jsonl" with { type: "text" };

interface Sample {
  readonly source: string;
  readonly text: string;
}

function samples(): Sample[] {
  const out: Sample[] = [];
  specExamples.examples.forEach((example, index) => {
    if (example.direction !== "server_to_client") return;
    if (example.contentType !== "application/json") return;
    out.push({
      source: `spec_examples.json#${index} ${example.message}/${example.example}`,
      text: JSON.stringify(example.payload),
    });
  });
  observedFrames.split("\n").forEach((line, index) => {
    if (line.trim() !== "") out.push({ source: `observed_frames.jsonl:${index + 1}`, text: line });
  });
  return out;
}

/** The summary printed for one decoded message. */
function summary(source: string, message: ServerMessage): Record<string, unknown> {
  if (message.type === "unknown") {
    const raw = message.raw;
    return { source, type: "unknown", wireType: message.wireType, sid: raw.sid, seq: raw.seq };
  }
  const frame = message as { sid?: number; seq?: number; id?: number; msg?: unknown };
  const msg = (typeof frame.msg === "object" && frame.msg !== null ? frame.msg : {}) as Record<
    string,
    unknown
  >;
  return {
    source,
    type: message.type,
    sid: frame.sid ?? msg.sid,
    seq: frame.seq,
    id: frame.id,
    market: msg.market_ticker ?? msg.ticker,
    code: message.type === "error" ? message.msg.code : undefined,
    entries: Array.isArray(frame.msg) ? frame.msg.length : undefined,
  };
}

const encoder = new TextEncoder();
function write(stream: { writeSync(p: Uint8Array): number }, text: string): void {
  const bytes = encoder.encode(text);
  let written = 0;
  while (written < bytes.length) written += stream.writeSync(bytes.subarray(written));
}

const counts = new Map<string, number>();
const errors: string[] = [];
try {
  for (const { source, text } of samples()) {
    let message: ServerMessage;
    try {
      message = decodeMessage(text);
    } catch (error) {
      errors.push(`${source}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    const key = message.type === "unknown" ? `unknown(${message.wireType})` : message.type;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    write(Deno.stdout, JSON.stringify(summary(source, message)) + "\n");
  }
} catch (error) {
  if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
  Deno.exit(0); // The reader went away (`| head`): not a failure.
}

const total = [...counts.values()].reduce((a, b) => a + b, 0);
const lines = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([type, n]) =>
  `  ${String(n).padStart(4)}  ${type}`
);
write(
  Deno.stderr,
  [`Decoded ${total} frames, ${errors.length} decode errors`, ...lines, ...errors].join("\n") +
    "\n",
);
if (errors.length > 0) Deno.exit(1);
