/**
 * The `record` file format and its two ends: a {@linkcode Transport} wrapper that writes every
 * raw frame as it is received, and a reader that turns a file back into entries for `replay`.
 *
 * Format (NDJSON, version 1): a header line, then one line per event, in receive order:
 *
 * ```text
 * {"type":"recording","version":1,"created":"2026-...Z","tool":"kalshi-ws 0.1.0","endpoint":"...","subscribe":{...}}
 * {"t":1767268800000,"event":"connected","url":"wss://..."}
 * {"t":1767268800001,"sent":"{\"id\":1,\"cmd\":\"subscribe\",...}"}
 * {"t":1767268800050,"frame":"{\"type\":\"subscribed\",\"id\":1,\"msg\":{...}}"}
 * {"t":1767268800051,"event":"subscribed","sids":[{"channel":"orderbook_delta","sid":1}]}
 * {"t":1767268800052,"frame":"{\"type\":\"orderbook_snapshot\",\"sid\":1,\"seq\":1,...}"}
 * {"t":1767268801000,"event":"disconnected","code":1006,"reason":""}
 * ```
 *
 * `t` is the local receive (or send) time in Unix ms; `frame` is the exact text received;
 * `sent` the exact command sent (commands carry no secrets; handshake headers are never
 * recorded; URLs have their user, password and query values redacted). A received text that
 * cannot be a Kalshi message (not a JSON object, e.g. `null`, or larger than the client accepts)
 * is kept as `{"t":…,"bad_frame":"<text, at most 1 000 characters>","length":N}` so `replay`
 * reports and skips it instead of treating it as data. The `sent` commands and the `subscribed` frames they produced let `replay` know
 * which subscription (and `use_yes_price`) each sid belongs to on each connection.
 *
 * @module
 */

import type { SidInfo, Transport } from "@kalshi-ws/client";
import { redactUrl } from "./redact.ts";

/** Current version of the format. */
export const RECORDING_VERSION = 1;

/** The first line of a recording. */
export interface RecordingHeader {
  readonly type: "recording";
  readonly version: number;
  /** When recording started (ISO 8601). */
  readonly created: string;
  /** The program and version that wrote it. */
  readonly tool: string;
  /** The endpoint recorded (`production`, `demo` or a URL). */
  readonly endpoint: string;
  /** The subscribe params asked for. */
  readonly subscribe: unknown;
}

/** One line after the header. */
export type RecordingEntry =
  | { readonly t: number; readonly frame: string }
  | { readonly t: number; readonly bad_frame: string; readonly length: number }
  | { readonly t: number; readonly sent: string }
  | { readonly t: number; readonly event: "connected"; readonly url: string }
  | {
    readonly t: number;
    readonly event: "disconnected";
    readonly code: number;
    readonly reason: string;
  }
  | { readonly t: number; readonly event: "handshake_failed"; readonly status: number | null }
  | {
    readonly t: number;
    readonly event: "subscribed" | "resubscribed";
    readonly sids: readonly SidInfo[];
  };

/** Most characters of a bad frame a recording keeps. */
const BAD_FRAME_EXCERPT = 1_000;

/**
 * Whether `text` can be a Kalshi message: a JSON object (checked by its ends only: the full
 * check is the decoder's, and `replay` reports what it refuses).
 */
function looksLikeObject(text: string): boolean {
  const trimmed = text.trim();
  return trimmed.startsWith("{") && trimmed.endsWith("}");
}

/** The entry for a received text: a `frame`, or a `bad_frame` excerpt. */
export function frameEntry(t: number, text: string, maxFrameBytes = Infinity): RecordingEntry {
  if (text.length <= maxFrameBytes && looksLikeObject(text)) return { t, frame: text };
  return { t, bad_frame: text.slice(0, BAD_FRAME_EXCERPT), length: text.length };
}

/**
 * Wraps `inner` so that every frame received or sent, and every connect and disconnect, is
 * passed to `sink` with the current time. Handshake headers are not passed on.
 */
export function recordingTransport(
  inner: Transport,
  sink: (entry: RecordingEntry) => void,
  clock: () => number = Date.now,
): Transport {
  return {
    name: `recording(${inner.name})`,
    seesPings: inner.seesPings,
    open(url, headers, events, options) {
      const max = options?.maxFrameBytes;
      const socket = inner.open(url, headers, {
        open: () => {
          sink({ t: clock(), event: "connected", url: redactUrl(url) });
          events.open();
        },
        text: (data) => {
          sink(frameEntry(clock(), data, max));
          events.text(data);
        },
        ping: () => events.ping(),
        close: (code, reason) => {
          sink({ t: clock(), event: "disconnected", code, reason });
          events.close(code, reason);
        },
        handshakeFailed: (status, message) => {
          sink({ t: clock(), event: "handshake_failed", status: status ?? null });
          events.handshakeFailed(status, message);
        },
      }, options);
      return {
        send: (text) => {
          sink({ t: clock(), sent: text });
          socket.send(text);
        },
        close: (code, reason) => socket.close(code, reason),
      };
    },
  };
}

/** A recording read back: its header and entries in order. */
export interface Recording {
  readonly header: RecordingHeader;
  readonly entries: readonly RecordingEntry[];
  /** What was skipped while reading (a last line cut short by a killed recorder). */
  readonly warnings: readonly string[];
}

/**
 * Parses recording text. A last line cut short (no newline, not JSON: the recorder was killed
 * mid-write) is skipped and reported in `warnings`. Throws an `Error` naming the file and line
 * for anything else that is not a version-1 kalshi-ws recording.
 */
export function parseRecording(text: string, name: string): Recording {
  const lines = text.split("\n");
  const warnings: string[] = [];
  let header: RecordingHeader | undefined;
  const entries: RecordingEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      if (i === lines.length - 1 && header !== undefined) {
        warnings.push(
          `'${name}': last line ${i + 1} is cut short (recording interrupted?); skipped`,
        );
        break;
      }
      throw new Error(`Cannot replay '${name}': line ${i + 1} is not JSON`);
    }
    if (header === undefined) {
      const h = value as Partial<RecordingHeader> | null;
      if (h?.type !== "recording") {
        throw new Error(
          `Cannot replay '${name}': not a kalshi-ws recording (line 1 has no "type":"recording")`,
        );
      }
      if (h.version !== RECORDING_VERSION) {
        throw new Error(
          `Cannot replay '${name}': recording version ${h.version} is not supported (expected ${RECORDING_VERSION})`,
        );
      }
      header = h as RecordingHeader;
      continue;
    }
    const entry = value as Record<string, unknown>;
    if (
      typeof entry !== "object" || entry === null || typeof entry.t !== "number" ||
      !Number.isFinite(entry.t) ||
      !(typeof entry.frame === "string" || typeof entry.sent === "string" ||
        typeof entry.event === "string" || typeof entry.bad_frame === "string")
    ) {
      throw new Error(`Cannot replay '${name}': line ${i + 1} is not a recording entry`);
    }
    entries.push(entry as unknown as RecordingEntry);
  }
  if (header === undefined) throw new Error(`Cannot replay '${name}': the file is empty`);
  return { header, entries, warnings };
}
