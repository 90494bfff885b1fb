/**
 * `/healthz`: healthy when the link is open, every subscription is live and every local book is
 * valid (and a collector's JetStream publishing is not stalled). Anything else is unhealthy with
 * the reasons spelled out, for a load balancer, a Kubernetes probe or a person with curl.
 *
 * @module
 */

import type { ClientMetricsSnapshot } from "@kalshi-ws/client";
import type { NatsCollectorStats } from "./source.ts";

/** The answer of `/healthz` (its JSON body). */
export interface Health {
  /** `"ok"` (HTTP 200) or `"unhealthy"` (HTTP 503). */
  readonly status: "ok" | "unhealthy";
  /** Why it is unhealthy (empty when ok). */
  readonly reasons: readonly string[];
  /** The connection state (`"starting"` before the client exists). */
  readonly state: string;
  /** Subscriptions per state. */
  readonly subscriptions: Readonly<Record<string, number>>;
  /** Local books by validity. */
  readonly books: { readonly valid: number; readonly invalid: number };
}

/** How many invalid markets a reason names before it says "and N more". */
const NAMED_MARKETS = 10;

/** Judges a snapshot (and the NATS side, if any). */
export function healthOf(
  snapshot: ClientMetricsSnapshot | undefined,
  nats?: NatsCollectorStats,
): Health {
  if (snapshot === undefined) {
    return {
      status: "unhealthy",
      reasons: ["not connected yet (starting)"],
      state: "starting",
      subscriptions: {},
      books: { valid: 0, invalid: 0 },
    };
  }
  const reasons: string[] = [];
  if (!snapshot.connected) reasons.push(`not connected (${snapshot.state})`);
  const subscriptions: Record<string, number> = {};
  for (const subscription of snapshot.subscriptions) {
    subscriptions[subscription.state] = (subscriptions[subscription.state] ?? 0) + 1;
    if (subscription.state !== "live") {
      reasons.push(
        `subscription ${subscription.key} (${subscription.channels.join(", ")}) ` +
          `${subscription.state}`,
      );
    }
  }
  const invalid = snapshot.invalidBooks;
  if (invalid.length > 0) {
    const named = invalid.slice(0, NAMED_MARKETS).join(", ");
    const more = invalid.length > NAMED_MARKETS
      ? ` and ${invalid.length - NAMED_MARKETS} more`
      : "";
    reasons.push(`${invalid.length} book(s) invalid: ${named}${more}`);
  }
  if (nats?.stalled) reasons.push("NATS JetStream is not acknowledging (publishing stalled)");
  return {
    status: reasons.length === 0 ? "ok" : "unhealthy",
    reasons,
    state: snapshot.state,
    subscriptions,
    books: snapshot.books,
  };
}
