/**
 * Hostile client frames for fuzzing a server that speaks Kalshi's protocol — the simulator's
 * command handling here, `kalshi-ws replay --serve` in the CLI's tests: valid commands of every
 * kind, and frames made from them (fields replaced by random values, mutated text, random JSON,
 * junk). With them, the checks every answer must pass: a JSON object, an error only with one
 * of Kalshi's codes, and the client's own `id` on a reply to its command.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Exchange } from "@kalshi-ws/simulator/model";
import { type Fuzz, KEYS } from "./fuzz.ts";

/** Kalshi's error codes (protocol reference §5): nothing else may come back. */
export const KALSHI_CODES: ReadonlySet<number> = new Set(
  Array.from({ length: 28 }, (_, i) => i + 1),
);

const TICKERS = new Exchange({ seed: 1 }).markets().map((m) => m.ticker);

/** Valid commands of every kind, to mutate (the simulator's default markets). */
export const COMMANDS: readonly Record<string, unknown>[] = [
  { id: 1, cmd: "subscribe", params: { channels: ["orderbook_delta"], market_tickers: TICKERS } },
  { id: 2, cmd: "subscribe", params: { channels: ["ticker", "trade"] } },
  { id: 3, cmd: "subscribe", params: { channels: ["fill"], send_initial_snapshot: true } },
  {
    id: 4,
    cmd: "subscribe",
    params: { channels: ["orderbook_delta"], market_ticker: TICKERS[0], use_yes_price: true },
  },
  { id: 5, cmd: "unsubscribe", params: { sids: [1, 2] } },
  {
    id: 6,
    cmd: "update_subscription",
    params: { sid: 1, action: "add_markets", market_tickers: TICKERS.slice(0, 2) },
  },
  { id: 7, cmd: "update_subscription", params: { sids: [1], action: "get_snapshot" } },
  { id: 8, cmd: "list_subscriptions" },
  { id: 9, cmd: "subscribe", params: { channels: ["communications"], shard_factor: 2 } },
];

/** One hostile client frame. */
export function hostileFrame(fuzz: Fuzz): string {
  switch (fuzz.int(0, 9)) {
    case 0:
      return JSON.stringify(fuzz.value()) ?? "null";
    case 1:
      return fuzz.string(40);
    case 2:
      return fuzz.pick(["null", "[]", "{}", '""', "0", "true", "{", "", " ", "\u0000"]);
    case 3: {
      const command = structuredClone(fuzz.pick(COMMANDS));
      command[fuzz.pick(["id", "cmd", "params"])] = fuzz.value();
      return JSON.stringify(command);
    }
    case 4: {
      const command = structuredClone(fuzz.pick(COMMANDS));
      const params = (command.params ?? {}) as Record<string, unknown>;
      params[fuzz.pick(KEYS)] = fuzz.value();
      command.params = params;
      return JSON.stringify(command);
    }
    default:
      return fuzz.mutate(JSON.stringify(fuzz.pick(COMMANDS)));
  }
}

/** The id a frame carries, when it is a usable command id (what replies must echo). */
export function commandId(text: string): number | undefined {
  try {
    const id = (JSON.parse(text) as { id?: unknown } | null)?.id;
    return Number.isSafeInteger(id) && (id as number) > 0 ? id as number : undefined;
  } catch {
    return undefined;
  }
}

/** Checks one server frame: a JSON object; an error carries a Kalshi code. */
export function checkReply(text: string, context: string): Record<string, unknown> {
  const reply = JSON.parse(text) as Record<string, unknown>;
  assert.ok(typeof reply === "object" && reply !== null && !Array.isArray(reply), context);
  if (reply.type === "error") {
    const code = (reply.msg as { code?: unknown }).code;
    assert.ok(KALSHI_CODES.has(code as number), `error code ${code} for ${context}`);
  }
  return reply;
}

/** The frame as a JSON object, or undefined when it is not one. */
export function tryParse(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text);
    return typeof value === "object" && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}
