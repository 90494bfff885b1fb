/**
 * How commands report protocol drift (what Kalshi sent that this version does not know): the
 * one-line summary `stream` and `record` print on stderr at exit, and the rows of `check`'s
 * report.
 *
 * @module
 */

import { describeDrift, type DriftCounts, type DriftEntry } from "@kalshi-ws/client";
import type { Output } from "./output.ts";

/** Prints the drift summary line on stderr when there was any (nothing otherwise). */
export function reportDriftAtExit(out: Output, drift: DriftCounts): void {
  const summary = drift.summary();
  if (summary === "") out.debug("protocol drift: none seen");
  else out.warn(summary);
}

/** One drift entry as `check` prints it in NDJSON (wire-style snake_case). */
export interface DriftRow {
  readonly kind: DriftEntry["kind"];
  readonly message_type: string;
  readonly field: string | null;
  readonly count: number;
  readonly example: string;
}

/** The NDJSON rows of `entries`, most frequent first. */
export function driftRows(entries: readonly DriftEntry[]): DriftRow[] {
  return [...entries].sort((a, b) => b.count - a.count).map((e) => ({
    kind: e.kind,
    message_type: e.messageType,
    field: e.field ?? null,
    count: e.count,
    example: e.example,
  }));
}

/** Text lines for `check`: `none seen`, or one line per row. */
export function driftText(rows: readonly DriftRow[]): string[] {
  if (rows.length === 0) return ["none seen"];
  return rows.map((row) =>
    `${
      describeDrift({
        kind: row.kind,
        messageType: row.message_type,
        field: row.field ?? undefined,
      })
    } ×${row.count}`
  );
}
