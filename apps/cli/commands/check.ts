/**
 * `kalshi-ws check`: connects, authenticates and reports what matters before a long run —
 * handshake time, command round trip and clock skew — then exits.
 *
 * - Round trip: `list_subscriptions` sent several times in a row; min and median.
 * - Clock skew (exchange clock minus local clock), two estimates:
 *   - `ts_ms`: `ticker` messages carry the exchange time of the change. For each one,
 *     `ts_ms − local receive time` is the skew minus its delivery delay, so the largest value
 *     over a few seconds, plus half the round trip, estimates the skew (a lower bound at worst).
 *   - HTTP `Date`: a plain request to the same host; the header has one-second resolution, so
 *     it only catches gross errors (the handshake signature fails beyond a few seconds).
 * - Protocol drift: every frame of the run (replies, and `ticker`, `trade` and
 *   `market_lifecycle_v2` data for a few seconds) is checked against the documented fields;
 *   unknown message types, channels and fields and retired fields are listed with counts.
 *
 * @module
 */

import type { CommandContext } from "../context.ts";
import { openClient, shutdown } from "../connect.ts";
import { redactUrl } from "../redact.ts";
import { type DriftRow, driftRows, driftText } from "../drift_report.ts";

const RTT_SAMPLES = 5;
const TICKER_WINDOW_MS = 3_000;
const TICKER_SAMPLES = 50;

/** What `check` measured (also its NDJSON line, with `type: "check"`). */
export interface CheckReport {
  readonly type: "check";
  readonly url: string;
  readonly handshake_ms: number;
  readonly rtt_ms: { readonly min: number; readonly median: number; readonly samples: number };
  readonly skew_ms: {
    /** From ticker `ts_ms` (null when no ticker arrived in the window). */
    readonly ts_ms: number | null;
    /** Ticker messages used. */
    readonly ts_ms_samples: number;
    /** From the HTTP `Date` header, ±1 s (null when the host did not answer). */
    readonly http_date: number | null;
  };
  /** Protocol drift seen during the run, most frequent first (empty when none). */
  readonly drift: readonly DriftRow[];
}

/** Runs `check`. */
export async function check(context: CommandContext): Promise<number> {
  const { out, format } = context;
  const started = performance.now();
  const client = await openClient(context);
  const handshakeMs = performance.now() - started;
  try {
    const rtts: number[] = [];
    for (let i = 0; i < RTT_SAMPLES && !context.lifetime.stopped; i++) {
      const sent = performance.now();
      await context.lifetime.until(client.listSubscriptions());
      rtts.push(performance.now() - sent);
    }
    rtts.sort((a, b) => a - b);
    const rtt = rtts.length === 0 ? 0 : rtts[0]!;
    const median = rtts.length === 0 ? 0 : rtts[Math.floor(rtts.length / 2)]!;

    let best: number | undefined;
    let samples = 0;
    const remove = client.on("data", (event) => {
      const msg = event.message as { type: string; msg?: { ts_ms?: unknown } };
      if (msg.type !== "ticker" || typeof msg.msg?.ts_ms !== "number") return;
      const value = msg.msg.ts_ms - Date.now();
      samples++;
      if (best === undefined || value > best) best = value;
    });
    // Public channels only (no extra authorization): ticker for the skew, all three for drift.
    const subscription = await context.lifetime.until(client.subscribe({
      channels: ["ticker", "trade", "market_lifecycle_v2"],
    }));
    const deadline = Date.now() + TICKER_WINDOW_MS;
    while (Date.now() < deadline && samples < TICKER_SAMPLES && !context.lifetime.stopped) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    remove();
    const httpSkew = await context.lifetime.until(httpDateSkew(client.url));
    const report: CheckReport = {
      type: "check",
      url: redactUrl(client.url),
      handshake_ms: round(handshakeMs),
      rtt_ms: { min: round(rtt), median: round(median), samples: rtts.length },
      skew_ms: {
        ts_ms: best === undefined ? null : round(best + rtt / 2),
        ts_ms_samples: samples,
        http_date: httpSkew === undefined ? null : Math.round(httpSkew),
      },
      drift: driftRows(client.drift.entries()),
    };
    await shutdown(context, client, [subscription]);
    if (format === "ndjson") out.json(report);
    else {
      out.line(`url           ${report.url}`);
      out.line(`handshake     ${report.handshake_ms} ms (signing, TCP, TLS, upgrade)`);
      out.line(
        `round trip    min ${report.rtt_ms.min} ms, median ${report.rtt_ms.median} ms ` +
          `(${report.rtt_ms.samples} list_subscriptions)`,
      );
      out.line(
        `clock skew    ${
          report.skew_ms.ts_ms === null
            ? "unknown (no ticker data in 3 s)"
            : `${signed(report.skew_ms.ts_ms)} ms from ${samples} ticker ts_ms`
        } (exchange minus local)`,
      );
      out.line(
        `http date     ${
          report.skew_ms.http_date === null
            ? "unavailable"
            : `${signed(report.skew_ms.http_date)} ms (±1 s resolution)`
        }`,
      );
      const [first, ...rest] = driftText(report.drift);
      out.line(`drift         ${first}`);
      for (const line of rest) out.line(`              ${line}`);
    }
    if (report.drift.length > 0) {
      out.warn(
        "protocol drift seen: the server sends what this version of kalshi-ws does not know " +
          "(see drift above); update kalshi-ws or report it",
      );
    }
    const worst = Math.max(
      Math.abs(report.skew_ms.ts_ms ?? 0),
      Math.abs(report.skew_ms.http_date ?? 0) - 1000,
    );
    if (worst > 2000) {
      out.warn("clock skew above 2 s: handshakes may start failing; sync the clock");
    } else out.status("ok: authenticated, commands answered");
  } finally {
    await client.close();
  }
  return context.lifetime.exitCode;
}

/** Exchange `Date` minus local time (ms) from a plain request to the endpoint's host. */
async function httpDateSkew(wsUrl: string): Promise<number | undefined> {
  const url = new URL(wsUrl);
  url.protocol = url.protocol === "wss:" ? "https:" : "http:";
  url.username = "";
  url.password = "";
  try {
    const sent = Date.now();
    // Never follow a redirect: the Date must come from the endpoint's own host, and a hostile
    // endpoint must not steer this request anywhere else.
    const response = await fetch(url, { signal: AbortSignal.timeout(3_000), redirect: "manual" });
    const received = Date.now();
    await response.body?.cancel();
    const date = response.headers.get("date");
    if (date === null) return undefined;
    const server = Date.parse(date);
    if (Number.isNaN(server)) return undefined;
    // The header is truncated to the second: compare with the middle of that second.
    return server + 500 - (sent + received) / 2;
  } catch {
    return undefined;
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function signed(ms: number): string {
  return ms > 0 ? `+${ms}` : `${ms}`;
}
