/**
 * Protocol drift: what the server sent that this library does not know — a message `type`, a
 * channel in a reply, a field of a known message — or that Kalshi has retired. Kalshi changes
 * its API every few months; counting these per (kind, type, field) shows a change before it
 * bites, instead of after a user's bug report.
 *
 * A {@linkcode DriftLog} belongs to one decoder user (a session, a replay): no global state.
 * `decodeMessage(text, log)` records into it; {@linkcode DriftLog.takeFresh} hands out what was
 * seen for the first time, so a session can raise one `drift` event per new kind of drift.
 *
 * @example
 * ```ts
 * import { decodeMessage } from "./message.ts";
 * import { DriftLog } from "./drift.ts";
 * const log = new DriftLog();
 * decodeMessage('{"type":"ticker","sid":1,"msg":{"market_ticker":"KXA","new_field":1}}', log);
 * log.entries()[0]; // { kind: "unknown_field", messageType: "ticker", field: "msg.new_field", … }
 * log.summary(); // "protocol drift: unknown field ticker msg.new_field ×1"
 * ```
 *
 * @module
 */

/** What kind of drift a sighting is. */
export type DriftKind =
  /** A message `type` this library does not know. */
  | "unknown_type"
  /** A channel name in a `subscribed` or `list_subscriptions` reply this library does not know. */
  | "unknown_channel"
  /** A field the spec does not document on a known message. */
  | "unknown_field"
  /** A field Kalshi retired (counted even when the current field is present too). */
  | "retired_field"
  /** A message type of a removed channel (`ticker_v2`, `multivariate_lookup`). */
  | "retired_type";

/** One kind of drift and how often it was seen. */
export interface DriftEntry {
  /** The kind. */
  readonly kind: DriftKind;
  /** The frame's wire `type` (for `unknown_type`, the unknown type itself). */
  readonly messageType: string;
  /**
   * The field path (`msg.new_field`, `msg.additional_metadata.x`, `msg.price_ranges[].x`), or
   * the channel name for `unknown_channel`; undefined for a whole type.
   */
  readonly field: string | undefined;
  /** Frames it was seen in. */
  readonly count: number;
  /** The first frame it was seen in (truncated; values of secret-looking keys redacted). */
  readonly example: string;
}

/** Raised the first time a kind of drift is seen (per session, over reconnects). */
export interface DriftEvent {
  /** Discriminant. */
  readonly type: "drift";
  /** The kind. */
  readonly kind: DriftKind;
  /** The frame's wire `type`. */
  readonly messageType: string;
  /** The field path or channel name (see {@linkcode DriftEntry.field}). */
  readonly field: string | undefined;
  /** The first frame it was seen in (truncated, secrets redacted). */
  readonly example: string;
}

/** Read access to drift counts (what a client exposes). */
export interface DriftCounts {
  /** Every kind of drift seen, in first-seen order, with counts. */
  entries(): DriftEntry[];
  /** Sightings of every kind, including those beyond the distinct-entry bound. */
  readonly total: number;
  /** One line for logs, or `""` when nothing was seen. */
  summary(): string;
}

/** Options of {@linkcode DriftLog}. */
export interface DriftLogOptions {
  /**
   * Distinct (kind, type, field) entries kept (default 256): a server inventing new field names
   * in every frame cannot grow memory. Later new ones are only counted in `total`.
   */
  readonly maxEntries?: number;
}

/** Longest example frame kept (characters). */
export const DRIFT_EXAMPLE_LENGTH = 1_000;

const SECRET_KEY =
  /secret|signature|password|passphrase|private_?key|api_?key|token|authorization/i;

interface Entry {
  kind: DriftKind;
  messageType: string;
  field: string | undefined;
  count: number;
  example: string;
}

/** Drift counters of one session or decoder user (see the module doc). */
export class DriftLog implements DriftCounts {
  readonly #entries = new Map<string, Entry>();
  readonly #max: number;
  #fresh: Entry[] = [];
  #total = 0;
  /**
   * @internal The decoder's memory, per message type, of the key lists of the last frame found
   * clean (top level, then `msg`), so that frames shaped the same skip the field lookups.
   */
  readonly _verified: (readonly string[] | undefined)[] = [];

  /** Creates an empty log. */
  constructor(options: DriftLogOptions = {}) {
    this.#max = options.maxEntries ?? 256;
  }

  /**
   * Counts one sighting. `frame` is the parsed frame (for the example) and `text` its wire text;
   * both are only read the first time this (kind, type, field) is seen.
   */
  record(
    kind: DriftKind,
    messageType: string,
    field: string | undefined,
    frame: unknown,
    text: string,
  ): void {
    this.#total++;
    const key = `${kind}\u0000${messageType}\u0000${field ?? ""}`;
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      entry.count++;
      return;
    }
    if (this.#entries.size >= this.#max) return;
    const fresh: Entry = { kind, messageType, field, count: 1, example: example(frame, text) };
    this.#entries.set(key, fresh);
    this.#fresh.push(fresh);
  }

  /** Whether something was seen for the first time since the last {@linkcode takeFresh}. */
  get hasFresh(): boolean {
    return this.#fresh.length > 0;
  }

  /** The first sightings since the last call, as `drift` events, oldest first. */
  takeFresh(): DriftEvent[] {
    const fresh = this.#fresh;
    this.#fresh = [];
    return fresh.map((e) => ({
      type: "drift",
      kind: e.kind,
      messageType: e.messageType,
      field: e.field,
      example: e.example,
    }));
  }

  /** Every kind of drift seen, in first-seen order, with counts (copies). */
  entries(): DriftEntry[] {
    return [...this.#entries.values()].map((e) => ({ ...e }));
  }

  /** Sightings of every kind (including those beyond `maxEntries`). */
  get total(): number {
    return this.#total;
  }

  /** One line for logs, or `""` when nothing was seen (see {@linkcode summarizeDrift}). */
  summary(): string {
    return summarizeDrift(this.entries(), this.#total);
  }
}

/** How a kind reads in a sentence. */
const KIND_TEXT: Readonly<Record<DriftKind, string>> = {
  unknown_type: "unknown type",
  unknown_channel: "unknown channel",
  unknown_field: "unknown field",
  retired_field: "retired field",
  retired_type: "retired type",
};

/** `unknown field ticker msg.x`, `unknown type market_status`, `unknown channel "x" in ok`. */
export function describeDrift(
  drift: Pick<DriftEntry, "kind" | "messageType" | "field">,
): string {
  const kind = KIND_TEXT[drift.kind];
  if (drift.kind === "unknown_channel") return `${kind} "${drift.field}" in ${drift.messageType}`;
  return drift.field === undefined
    ? `${kind} ${drift.messageType}`
    : `${kind} ${drift.messageType} ${drift.field}`;
}

/** Entries named in a summary line before `+N more`. */
const SUMMARY_ENTRIES = 6;

/**
 * One line naming the drift seen, most frequent first: `protocol drift: unknown field ticker
 * msg.x ×12, unknown type foo ×3` (`""` when there is none).
 */
export function summarizeDrift(entries: readonly DriftEntry[], total?: number): string {
  if (entries.length === 0) return "";
  const sorted = [...entries].sort((a, b) => b.count - a.count);
  const named = sorted.slice(0, SUMMARY_ENTRIES).map((e) => `${describeDrift(e)} ×${e.count}`);
  const more = sorted.length - named.length;
  const counted = entries.reduce((sum, e) => sum + e.count, 0);
  const uncounted = total === undefined ? 0 : total - counted;
  return `protocol drift: ${named.join(", ")}${more > 0 ? `, +${more} more` : ""}${
    uncounted > 0 ? ` (+${uncounted} sightings of further kinds)` : ""
  }`;
}

/** The frame text, truncated; re-serialised with secret-looking values redacted if it has any. */
function example(frame: unknown, text: string): string {
  let redacted = false;
  let out = text;
  if (typeof frame === "object" && frame !== null && SECRET_KEY.test(text)) {
    const json = JSON.stringify(frame, (key, value) => {
      if (key !== "" && SECRET_KEY.test(key)) {
        redacted = true;
        return "[redacted]";
      }
      return value;
    });
    if (redacted) out = json;
  }
  return out.length > DRIFT_EXAMPLE_LENGTH
    ? `${out.slice(0, DRIFT_EXAMPLE_LENGTH)}… (${out.length - DRIFT_EXAMPLE_LENGTH} more chars)`
    : out;
}
