/**
 * `kalshi-ws publish`: a collector. Subscribes through the client and publishes every data
 * message, lifecycle event and periodic book snapshot to NATS JetStream, sharing the `--market`
 * set with the other collectors through leases (see `@kalshi-ws/nats`). Runs until Ctrl-C or
 * `--duration`, then hands its markets over at once.
 *
 * @module
 */

import { type CollectorCloseReport, type CollectorEvent, startCollector } from "@kalshi-ws/nats";
import { type Channel, isChannel } from "@kalshi-ws/client";
import { UsageError } from "../args.ts";
import type { CommandContext } from "../context.ts";
import { credentialsOf, endpointOf } from "../connect.ts";
import { describeNatsServers } from "../nats_servers.ts";
import { connectNats, serversOf } from "./consume.ts";

/** Runs `publish`. */
export async function publish(context: CommandContext): Promise<number> {
  const { args, out, lifetime, format } = context;
  if (args.markets.length === 0) {
    throw new UsageError(
      "Pass at least one --market for 'publish' (the set the collectors share)",
      "Example: kalshi-ws publish --nats nats://10.0.0.5:4222 -m KXFED-26DEC-T4.25 -m KXCPI-26DEC-T0.3",
    );
  }
  const channels: Channel[] = [];
  for (const channel of args.channels) {
    if (!isChannel(channel)) {
      throw new UsageError(
        `Invalid --channel '${channel}': not a Kalshi channel`,
        "Example: -c orderbook_delta -c ticker -c trade",
      );
    }
    channels.push(channel);
  }
  const servers = serversOf(context);
  const credentials = credentialsOf(context);
  const nats = await connectNats(context, servers);
  const report = (event: CollectorEvent): void => {
    if (format === "ndjson") out.json({ ...event, t: Date.now() });
    const line = describe(event);
    if (line === undefined) return;
    if (
      event.type === "error" || event.type === "lagged" || event.type === "lag" ||
      event.type === "publish_stalled"
    ) {
      out.warn(line);
    } else out.status(line);
  };
  // Ctrl-C aborts the handshake only; once started, close() hands the markets over first.
  const connecting = new AbortController();
  const abort = () => connecting.abort(new Error("Interrupted while connecting"));
  lifetime.signal.addEventListener("abort", abort, { once: true });
  try {
    const collector = await startCollector({
      nats,
      kalshi: {
        transport: context.runtime.transport,
        endpoint: endpointOf(context),
        keyId: credentials.keyId,
        privateKeyPem: credentials.privateKeyPem,
        ...(args.idleTimeoutSeconds === undefined
          ? {}
          : { idleTimeoutMs: args.idleTimeoutSeconds * 1000 }),
        signal: connecting.signal,
      },
      markets: args.markets,
      ...(channels.length === 0 ? {} : { channels }),
      ...(args.collectorId === undefined ? {} : { id: args.collectorId }),
      ...(args.stream === undefined ? {} : { stream: args.stream }),
      ...(args.prefix === undefined ? {} : { prefix: args.prefix }),
      ...(args.leaseTtlSeconds === undefined
        ? {}
        : { leaseTtlMs: Math.round(args.leaseTtlSeconds * 1000) }),
      ...(args.snapshotIntervalSeconds === undefined
        ? {}
        : { snapshotIntervalMs: Math.round(args.snapshotIntervalSeconds * 1000) }),
      ...(args.replicas === undefined ? {} : { replicas: args.replicas }),
      ...(args.batchLatencyMs === undefined ? {} : { batchLatencyMs: args.batchLatencyMs }),
      closeTimeoutMs: HAND_OVER_BUDGET_MS,
      onEvent: report,
    }).finally(() => lifetime.signal.removeEventListener("abort", abort));
    context.metrics?.watchCollector(collector);
    out.status(`collector ${collector.id} publishing to ${describeNatsServers(servers)}`);
    const failure = await Promise.race([lifetime.done().then(() => undefined), collector.ended]);
    const stats = collector.stats();
    const closed = await collector.close();
    if (!closed.complete) out.warn(describeCutShort(closed));
    if (failure !== undefined) {
      throw new Error(`Collector stopped (markets handed over): ${failure.message}`);
    }
    out.status(
      `stopped (${lifetime.reason}): ${stats.published} published, ${stats.dropped} dropped`,
    );
  } finally {
    await nats.close();
  }
  return lifetime.exitCode;
}

/**
 * How long a stop may spend handing the markets over (the collector's close deadline: flush,
 * then delete the leases, all together), so the run still ends within its 2 s stop budget when
 * JetStream is away. What is left undone is a crash's case: the leases expire within the lease
 * TTL and the other collectors take the markets over.
 */
const HAND_OVER_BUDGET_MS = 1_200;

/** The warning of a close its deadline cut short: what was left, and what happens to it. */
function describeCutShort(closed: CollectorCloseReport): string {
  const left: string[] = [];
  const n = closed.expiring.length;
  if (n > 0) {
    const named = closed.expiring.slice(0, 5).join(" ") + (n > 5 ? " …" : "");
    left.push(
      `${n} market${n === 1 ? "" : "s"} left to expire (${named}), ` +
        "taken over once their leases expire",
    );
  }
  if (closed.unpublished > 0) left.push(`${closed.unpublished} messages not published`);
  return `hand-over cut short after ${HAND_OVER_BUDGET_MS} ms (NATS not answering): ` +
    left.join("; ");
}

function describe(event: CollectorEvent): string | undefined {
  switch (event.type) {
    case "lease_acquired":
      return `covering ${event.market}`;
    case "lease_released":
      return `handed over ${event.market}`;
    case "lease_lost":
      return `lease of ${event.market} lost; stopped covering it`;
    case "publish_stalled":
      return `JetStream not acknowledging (${event.error}); buffering ${event.queued}`;
    case "publish_resumed":
      return `JetStream back after ${event.stalledMs} ms; fresh snapshots follow`;
    case "lag":
      return `publishing ${event.lagMs} ms behind (${event.queued} buffered)`;
    case "lagged":
      return `buffer full: ${event.dropped} dropped (lag ${event.lagMs} ms); snapshots follow`;
    case "error":
      return event.error;
    case "closed":
      return undefined; // warned about after the close when it was cut short
    case "kalshi":
      return event.event === "data" || event.event === "subscribed" || event.event === "probe"
        ? undefined
        : `kalshi ${event.event}: ${event.detail}`;
  }
}
