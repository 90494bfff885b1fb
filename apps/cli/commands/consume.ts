/**
 * `kalshi-ws consume`: rebuilds exact books of `--market`s from the NATS JetStream feed the
 * collectors publish (newest snapshot, then deltas), from any machine, and shows them like
 * `book` does; gaps in the feed are reported (stderr, and `gap` lines in NDJSON).
 *
 * @module
 */

import { connect as natsConnect, type NatsConnection } from "@nats-io/transport-node";
import { marketOfSubject, startBookConsumer } from "@kalshi-ws/nats";
import { UsageError } from "../args.ts";
import { BookView } from "../book_view.ts";
import { ConsumeMetrics } from "../consume_metrics.ts";
import type { CommandContext } from "../context.ts";
import { describeNatsServers, natsServers } from "../nats_servers.ts";

/** Runs `consume`. */
export async function consume(context: CommandContext): Promise<number> {
  const { args, out, lifetime, format } = context;
  const markets = args.markets;
  if (markets.length === 0) {
    throw new UsageError(
      "Pass at least one --market for 'consume'",
      "Example: kalshi-ws consume --nats nats://10.0.0.5:4222 -m KXFED-26DEC-T4.25",
    );
  }
  const servers = serversOf(context);
  const nats = await connectNats(context, servers);
  let view: BookView | undefined;
  let failed = false;
  try {
    const store = { current: undefined as BookView | undefined };
    const metrics = context.metrics === undefined ? undefined : consumeMetrics(nats, markets);
    const consumer = await startBookConsumer({
      nats,
      markets,
      ...(args.stream === undefined ? {} : { stream: args.stream }),
      ...(args.prefix === undefined ? {} : { prefix: args.prefix }),
      onGap: (gap) => {
        out.warn(
          `gap in ${gap.market} (${gap.reason}${
            gap.expected === undefined ? "" : `: expected ${gap.expected}, got ${gap.received}`
          }); waiting for a snapshot`,
        );
        if (format === "ndjson") out.json({ type: "gap", ...gap, t: Date.now() });
      },
      onValid: (market) => out.debug(`book of ${market} exact`),
      onError: (market, error) => {
        out.error(`stopped following ${market}: ${error.message}`);
        failed = true;
        lifetime.stop("finished");
      },
      onMessage: (subject) => {
        metrics?.message(subject);
        store.current?.touched(marketOfSubject(subject));
        if (out.closed) lifetime.stop("stdout_closed");
      },
    });
    if (metrics !== undefined) {
      metrics.watch(consumer);
      context.metrics!.watch(metrics);
    }
    view = new BookView(consumer.books, {
      out,
      format,
      intervalMs: args.intervalMs,
      depth: args.depth,
      markets,
      title: `kalshi-ws consume  ${describeNatsServers(servers)}`,
      state: () => (nats.isClosed() ? "closed" : "open"),
      rows: format === "text" ? context.runtime.terminalRows() : undefined,
      color: out.color,
      onClosed: () => lifetime.stop("stdout_closed"),
    });
    store.current = view;
    view.start();
    await lifetime.done();
    const invalid = view.finish();
    if (invalid.length > 0) out.warn(`not printed (book not valid at exit): ${invalid.join(", ")}`);
    await consumer.close();
    out.status(
      `stopped (${lifetime.reason}): ${consumer.messages} messages, ${consumer.gaps} gaps`,
    );
  } finally {
    view?.stop();
    await nats.close();
  }
  return failed ? 1 : lifetime.exitCode;
}

/** Metrics of a consumer of `markets` on `nats`: open, reconnecting (disconnected) or closed. */
function consumeMetrics(nats: NatsConnection, markets: readonly string[]): ConsumeMetrics {
  let up = true;
  void (async () => {
    for await (const status of nats.status()) {
      if (status.type === "disconnect") up = false;
      else if (status.type === "reconnect") up = true;
    }
  })().catch(() => {});
  return new ConsumeMetrics(
    markets,
    () => nats.isClosed() ? "closed" : up ? "open" : "reconnecting",
  );
}

/**
 * The servers of `--nats` (each value may list several, comma-separated), else of `NATS_URL`,
 * else `nats://127.0.0.1:4222`; a malformed one is a usage error, before connecting.
 */
export function serversOf(context: CommandContext): string[] {
  // Unset, or not readable (deno task cli may read it): the default.
  return natsServers(context.args.nats, context.runtime.env("NATS_URL"));
}

/** Connects to `servers` (a cluster's: the client moves to another when one goes away). */
export async function connectNats(
  context: CommandContext,
  servers: readonly string[],
): Promise<NatsConnection> {
  const shown = describeNatsServers(servers);
  try {
    // Keep reconnecting however long NATS is away (the library default gives up after ~20 s).
    const nc = await natsConnect({
      servers: [...servers],
      name: "kalshi-ws",
      maxReconnectAttempts: -1,
    });
    context.out.debug(`connected to NATS ${shown}`);
    return nc;
  } catch (error) {
    throw new Error(`Cannot connect to NATS at ${shown}: ${(error as Error).message}`);
  }
}
