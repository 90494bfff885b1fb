/**
 * `kalshi-ws stream`: subscribes and prints every message as it arrives — NDJSON (the decoded
 * Kalshi message, one per line) plus lifecycle lines (`gap`, `resynced`, `reconnecting`, ...),
 * or a compact text line per message on a terminal.
 *
 * @module
 */

import {
  type Channel,
  CHANNEL_INFO,
  CHANNELS,
  type ClientEvent,
  type DataClientEvent,
  isChannel,
  type SubscribeParams,
} from "@kalshi-ws/client";
import { type CliArgs, UsageError } from "../args.ts";
import type { CommandContext } from "../context.ts";
import { openClient, shutdown, subscribeWhileRunning } from "../connect.ts";
import { lifecycleLine } from "../lifecycle_line.ts";
import { reportDriftAtExit } from "../drift_report.ts";

/** Validates `--channel`/`--market` into subscribe params (usage errors name the problem). */
export function subscribeParams(args: CliArgs, command: string): SubscribeParams {
  if (args.channels.length === 0) {
    throw new UsageError(
      `Pass at least one --channel for '${command}'`,
      "Example: -c ticker -c trade (channels: orderbook_delta, ticker, trade, fill, " +
        "market_positions, user_orders, market_lifecycle_v2, ...)",
    );
  }
  const channels: Channel[] = [];
  for (const channel of args.channels) {
    if (!isChannel(channel)) {
      throw new UsageError(
        `Unknown channel '${channel}'`,
        `Channels: ${CHANNELS.join(", ")}`,
      );
    }
    if (!channels.includes(channel)) channels.push(channel);
  }
  const needsMarket = channels.find((c) => CHANNEL_INFO[c].marketFilter === "required");
  if (needsMarket !== undefined && args.markets.length === 0) {
    throw new UsageError(
      `Channel '${needsMarket}' needs at least one --market`,
      "Example: -c orderbook_delta -m KXFED-26DEC-T4.25",
    );
  }
  return args.markets.length === 0 ? { channels } : { channels, market_tickers: args.markets };
}

/** Runs `stream`. */
export async function stream(context: CommandContext): Promise<number> {
  const { args, out, lifetime, format } = context;
  const params = subscribeParams(args, "stream");
  const client = await openClient(context);
  try {
    const events = client.events();
    const stop = () => void events.return();
    lifetime.signal.addEventListener("abort", stop, { once: true });
    if (lifetime.stopped) stop();
    const subscription = await subscribeWhileRunning(context, client, params);
    if (subscription === undefined) stop(); // stopped before the subscription was confirmed
    let count = 0;
    for await (const event of events) {
      if (event.type === "subscription_lost" && event.subscription === subscription) {
        writeJson(context.out, event);
        throw event.error; // nothing more will come: exit 1 with the reason
      }
      if (event.type === "data" && event.subscription === undefined) {
        // Never subscribed here (a confused or hostile server): not data, and said so.
        if (!reportUnexpected(context, event)) {
          lifetime.stop("stdout_closed");
          break;
        }
        continue;
      }
      const ok = format === "ndjson"
        ? writeJson(context.out, event)
        : writeText(context.out, event);
      if (!ok) {
        lifetime.stop("stdout_closed");
        break;
      }
      if (
        event.type === "data" && args.maxMessages !== undefined && ++count >= args.maxMessages
      ) {
        lifetime.stop("max_messages");
        break;
      }
    }
    lifetime.signal.removeEventListener("abort", stop);
    if (!lifetime.stopped) lifetime.stop("finished");
    await shutdown(context, client, subscription === undefined ? [] : [subscription]);
  } finally {
    await client.close();
    reportDriftAtExit(out, client.drift);
  }
  out.status(`stopped (${lifetime.reason})`);
  return lifetime.exitCode;
}

/**
 * A frame on a sid this run never subscribed (or without one): an `unexpected` line instead of
 * data, plus a bounded warning on stderr. False when stdout is closed.
 */
function reportUnexpected(context: CommandContext, event: DataClientEvent): boolean {
  const messageType = (event.message as { type?: unknown }).type;
  const line = {
    type: "unexpected",
    sid: event.sid ?? null,
    message_type: typeof messageType === "string" ? messageType : null,
  };
  context.out.warnRepeated(
    "unexpected",
    "frames of unknown sids",
    `frame of ${event.sid === undefined ? "no sid" : `unknown sid ${event.sid}`} ` +
      `(${line.message_type ?? "no type"}) not shown as data`,
  );
  if (context.format === "ndjson") return context.out.json(line);
  const time = new Date().toISOString().slice(11, 23);
  return context.out.line(`${time} -- unexpected ${compact({ ...line, type: undefined })}`);
}

function writeJson(out: { json(value: unknown): boolean }, event: ClientEvent): boolean {
  if (event.type === "data") return out.json(event.message);
  const line = lifecycleLine(event);
  return line === undefined ? true : out.json(line);
}

function writeText(out: { line(text: string): boolean }, event: ClientEvent): boolean {
  const time = new Date().toISOString().slice(11, 23);
  if (event.type !== "data") {
    const line = lifecycleLine(event);
    if (line === undefined) return true;
    const { type, ...rest } = line;
    return out.line(`${time} -- ${type} ${compact(rest)}`.trimEnd());
  }
  const { type, sid, seq, msg } = event.message as {
    type: string;
    sid?: number;
    seq?: number;
    msg?: Record<string, unknown>;
  };
  const where = `${sid === undefined ? "" : ` sid=${sid}`}${
    seq === undefined ? "" : ` seq=${seq}`
  }`;
  const market = msg?.market_ticker ?? msg?.ticker;
  const rest: Record<string, unknown> = { ...msg };
  delete rest.market_ticker;
  return out.line(
    `${time} ${type}${where}${typeof market === "string" ? ` ${market}` : ""} ${compact(rest)}`
      .trimEnd(),
  );
}

/** `key=value` pairs, values JSON-encoded unless plain strings/numbers. */
function compact(fields: Record<string, unknown>): string {
  return Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) =>
      `${key}=${
        typeof value === "string" || typeof value === "number" ? value : JSON.stringify(value)
      }`
    )
    .join(" ");
}
