/**
 * Fuzzing the command encoder: random and half-valid command bodies, params and ids. The encoder
 * must either throw a `CommandError` or produce a canonical frame — and the simulator's model of
 * Kalshi must never answer that frame with a "malformed command" error (a validator gap would
 * mean a malformed frame on the wire).
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CHANNELS,
  type CommandBody,
  CommandError,
  encodeCommand,
  Session,
  type SubscribeParams,
} from "@kalshi-ws/core";
import { Exchange, ProtocolConnection } from "@kalshi-ws/simulator/model";
import { Fuzz, KEYS } from "./testing/fuzz.ts";
import { UPDATE_ACTIONS } from "@kalshi-ws/core";

/** CI size; `FUZZ_COMMANDS=2000000 deno test -A packages/dst/fuzz_command_test.ts` for more. */
const COMMANDS = Number(Deno.env.get("FUZZ_COMMANDS") ?? 100_000);

/**
 * Codes that say the command itself was malformed (not that it met server state): the encoder's
 * validation must have caught them. Stateful codes (7 unknown sid, 9 auth, 11 unknown market,
 * 13 action unsupported by that sid's channel, 26 market limit) are allowed.
 */
const MALFORMED = new Set([1, 2, 3, 4, 5, 8, 12, 14, 15, 19, 20, 21, 22, 24, 28]);

const ACTIONS: readonly string[] = UPDATE_ACTIONS;

function some<T>(fuzz: Fuzz, items: readonly T[]): T[] {
  const p = fuzz.pick([0.05, 0.2, 0.5]);
  return items.filter(() => fuzz.chance(p));
}

/** Sets an own property (also `__proto__`, as JSON.parse would). */
function set(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** The fields each command normally carries (others appear rarely). */
const USUAL: Record<string, readonly string[]> = {
  subscribe: ["channels", "market_ticker", "market_tickers", "market_id", "market_ids"],
  unsubscribe: ["sids"],
  update_subscription: ["sid", "sids", "action", "market_tickers", "market_ticker"],
  list_subscriptions: [],
};

/** A body that is valid often enough to reach deep validation, and wrong in every way. */
function randomBody(fuzz: Fuzz, tickers: readonly string[], ids: readonly string[]): unknown {
  const cmd = fuzz.chance(0.97)
    ? fuzz.pick(["subscribe", "unsubscribe", "update_subscription", "list_subscriptions"])
    : fuzz.value();
  const body: Record<string, unknown> = { cmd };
  const sometimes = () => fuzz.chance(0.93);
  const fields: Record<string, () => unknown> = {
    channels: () => sometimes() ? some(fuzz, [...CHANNELS, ...CHANNELS, "nope"]) : fuzz.value(),
    market_ticker: () => sometimes() ? fuzz.pick(tickers) : fuzz.value(),
    market_tickers: () => sometimes() ? some(fuzz, [...tickers, "NOPE"]) : fuzz.value(),
    market_id: () => sometimes() ? fuzz.pick(ids) : fuzz.value(),
    market_ids: () => sometimes() ? some(fuzz, ids) : fuzz.value(),
    sid: () => sometimes() ? fuzz.int(0, 6) : fuzz.value(),
    sids: () =>
      sometimes() ? [fuzz.int(0, 6), fuzz.int(1, 6)].slice(0, fuzz.int(0, 2)) : fuzz.value(),
    action: () => sometimes() ? fuzz.pick(ACTIONS) : fuzz.value(),
    use_yes_price: () => sometimes() ? fuzz.chance(0.5) : fuzz.value(),
    send_initial_snapshot: () => sometimes() ? fuzz.chance(0.5) : fuzz.value(),
    skip_ticker_ack: () => sometimes() ? fuzz.chance(0.5) : fuzz.value(),
    shard_factor: () => sometimes() ? fuzz.int(-1, 101) : fuzz.value(),
    shard_key: () => sometimes() ? fuzz.int(-1, 101) : fuzz.value(),
    index_ids: () => sometimes() ? some(fuzz, ["BRTI", "ETHUSD_RTI", "all"]) : fuzz.value(),
    underlying_tickers: () => sometimes() ? some(fuzz, ["Metal.XAU/USD", "all"]) : fuzz.value(),
  };
  const usual = typeof cmd === "string" ? USUAL[cmd] ?? [] : [];
  if (cmd !== "list_subscriptions" ? fuzz.chance(0.97) : fuzz.chance(0.05)) {
    const params: Record<string, unknown> = {};
    const market = fuzz.pick(["market_ticker", "market_tickers", "market_id", "market_ids"]);
    for (const [name, make] of Object.entries(fields)) {
      const p = name === "channels" || name === "action" || name === "sids"
        ? 0.95
        : name.startsWith("market_")
        ? (name === market ? 0.6 : 0.03)
        : usual.includes(name)
        ? 0.5
        : 0.05;
      if (fuzz.chance(p)) params[name] = make();
    }
    if (cmd === "update_subscription" && "sid" in params && "sids" in params && fuzz.chance(0.9)) {
      delete params[fuzz.chance(0.5) ? "sid" : "sids"];
    }
    if (fuzz.chance(0.02)) set(params, fuzz.pick(KEYS), fuzz.value());
    body.params = fuzz.chance(0.98) ? params : fuzz.value();
  }
  if (fuzz.chance(0.02)) set(body, fuzz.pick(KEYS), fuzz.value());
  return body;
}

/** A model connection with one sid per kind of channel, to run encoded commands against. */
function server(exchange: Exchange, tickers: readonly string[]): ProtocolConnection {
  const connection = new ProtocolConnection({ exchange, userId: "fuzz-user" });
  const setup = [
    { channels: ["orderbook_delta"], market_tickers: tickers.slice(0, 2) },
    { channels: ["ticker"], market_tickers: tickers.slice(0, 1) },
    { channels: ["trade", "fill", "cfbenchmarks_value", "pyth_value"] },
  ];
  setup.forEach((params, i) => {
    connection.handleText(JSON.stringify({ id: i + 1, cmd: "subscribe", params }), 0);
  });
  return connection;
}

test(`encodeCommand() throws CommandError or writes a frame Kalshi accepts, for ${COMMANDS} random commands`, () => {
  const fuzz = new Fuzz(0xc0de);
  const exchange = new Exchange({ seed: 3 });
  const tickers = exchange.markets().map((m) => m.ticker);
  const ids = exchange.markets().map((m) => m.marketId);
  let connection = server(exchange, tickers);
  let encoded = 0;
  for (let i = 0; i < COMMANDS; i++) {
    if (i % 500 === 0) connection = server(exchange, tickers);
    const body = randomBody(fuzz, tickers, ids);
    const id = fuzz.chance(0.95) ? fuzz.int(1, 1_000_000) : fuzz.number();
    let text: string;
    try {
      text = encodeCommand(id, body as CommandBody);
    } catch (error) {
      if (!(error instanceof CommandError)) {
        assert.fail(`encodeCommand() threw ${error} for ${JSON.stringify(body)}`);
      }
      assert.ok(!error.message.includes("\n") && !error.message.endsWith("."), error.message);
      continue;
    }
    encoded++;
    const frame = JSON.parse(text);
    assert.equal(frame.id, id);
    assert.deepEqual(Object.keys(frame).filter((k) => !["id", "cmd", "params"].includes(k)), []);
    const again = encodeCommand(
      frame.id,
      frame.params === undefined ? { cmd: frame.cmd } : {
        cmd: frame.cmd,
        params: frame.params,
      } as CommandBody,
    );
    assert.equal(again, text, "the frame is canonical (re-encoding it gives the same text)");
    for (const answer of connection.handleText(text, 1)) {
      const reply = JSON.parse(answer.text);
      if (reply.type === "error" && reply.id === id && MALFORMED.has(reply.msg.code)) {
        assert.fail(`Kalshi would reject ${text} with ${reply.msg.code} "${reply.msg.msg}"`);
      }
    }
  }
  assert.ok(encoded > COMMANDS / 20, `${encoded} of ${COMMANDS} encoded`);
});

test(`Session.subscribe() throws CommandError or sends a well-formed subscribe, for ${COMMANDS / 10} random params`, () => {
  const fuzz = new Fuzz(0x5ab);
  const exchange = new Exchange({ seed: 4 });
  const tickers = exchange.markets().map((m) => m.ticker);
  const ids = exchange.markets().map((m) => m.marketId);
  for (let i = 0; i < COMMANDS / 10; i++) {
    const session = new Session();
    session.opened(0);
    const body = randomBody(fuzz, tickers, ids) as { params?: unknown };
    try {
      session.subscribe(body.params as SubscribeParams, 0);
    } catch (error) {
      if (!(error instanceof CommandError)) {
        assert.fail(`Session.subscribe() threw ${error} for ${JSON.stringify(body.params)}`);
      }
      continue;
    }
    const text = session.pollTransmit();
    assert.ok(text !== undefined);
    const frame = JSON.parse(text);
    assert.equal(frame.cmd, "subscribe");
    const connection = server(exchange, tickers);
    for (const answer of connection.handleText(text, 1)) {
      const reply = JSON.parse(answer.text);
      if (reply.type === "error" && reply.id === frame.id && MALFORMED.has(reply.msg.code)) {
        assert.fail(`Kalshi would reject ${text} with ${reply.msg.code} "${reply.msg.msg}"`);
      }
    }
  }
});
