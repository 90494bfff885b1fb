/**
 * Conformance: every frame the simulator emits validates against the official AsyncAPI schemas
 * (`../shared/spec/kalshi-asyncapi.yaml`), read with a real YAML parser (`yaml`) and checked by a
 * real JSON Schema validator (`ajv`).
 *
 * Stricter than the spec in two ways: objects that declare `properties` reject undeclared fields
 * (so we never invent fields), and every `_dollars`/`_fp` string must have Kalshi's decimals.
 * Looser in one way, on purpose: the spec's `marketTicker` pattern `^[A-Z0-9-]+$` rejects its own
 * examples (`HIGHNY-22DEC23-B53.5`); real tickers contain `.`, so this test widens that one
 * pattern to `^[A-Z0-9.-]+$`.
 *
 * Frames come from the pure model, whose text the server sends verbatim (only the deliberate
 * fault frames — malformed JSON, unknown type, drift mode — are excluded). The session covers
 * every message the spec says the server sends, data of every channel included: the expected
 * list is read from the spec's operations, not written here.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv, type ValidateFunction } from "ajv";
import { parse } from "yaml";
import { Exchange } from "./model/exchange.ts";
import { ChannelFeeds } from "./model/channel_feeds.ts";
import { ProtocolConnection } from "./model/connection.ts";
import type { OutFrame } from "./model/outbox.ts";
import { ERROR_CASES, ERROR_SETUP, MARKET_LIMIT } from "./_error_cases.ts";

const SPEC_PATH = fileURLToPath(
  new URL("../../../shared/spec/kalshi-asyncapi.yaml", import.meta.url),
);
const SPEC_MISSING = existsSync(SPEC_PATH) ? false : `spec not found at ${SPEC_PATH}`;
if (SPEC_MISSING) console.warn(`conformance_test: SKIPPED — ${SPEC_MISSING}`);

// deno-lint-ignore no-explicit-any
type Json = any;

/** Payload schema name for a frame, by its `type` (and shape where one type has several). */
function schemaFor(frame: Json): string {
  switch (frame.type) {
    case "subscribed":
      return "subscribedResponsePayload";
    case "unsubscribed":
      return "unsubscribedResponsePayload";
    case "ok":
      if (Array.isArray(frame.msg)) return "listSubscriptionsResponsePayload";
      if (frame.msg?.index_ids !== undefined) return "subscribedIndicesResponsePayload";
      if (frame.msg?.underlying_tickers !== undefined) {
        return "subscribedUnderlyingsResponsePayload";
      }
      return "okResponsePayload";
    case "error":
      return "errorResponsePayload";
    case "orderbook_snapshot":
      return "orderbookSnapshotPayload";
    case "orderbook_delta":
      return "orderbookDeltaPayload";
    case "ticker":
      return "tickerPayload";
    case "trade":
      return "tradePayload";
    case "fill":
      return "fillPayload";
    case "market_position":
      return "marketPositionPayload";
    case "user_order":
      return "userOrderPayload";
    case "market_lifecycle_v2":
      return frame.msg?.event_type === "metadata_updated"
        ? "marketMetadataUpdatedPayload"
        : "marketLifecycleV2Payload";
    case "event_lifecycle":
      return "eventLifecyclePayload";
    case "event_fee_update":
      return "eventFeeUpdatePayload";
    case "multivariate_market_lifecycle":
      return "multivariateMarketLifecyclePayload";
    case "order_group_updates":
      return "orderGroupUpdatesPayload";
    case "rfq_created":
      return "rfqCreatedPayload";
    case "rfq_deleted":
      return "rfqDeletedPayload";
    case "quote_created":
      return "quoteCreatedPayload";
    case "quote_accepted":
      return "quoteAcceptedPayload";
    case "quote_executed":
      return "quoteExecutedPayload";
    case "cfbenchmarks_value":
      return "cfbenchmarksValuePayload";
    case "cfbenchmarks_value_5hz":
      return "cfbenchmarksValue5HzPayload";
    case "pyth_value":
      return "pythValuePayload";
    case "cfbenchmarks_value_indexlist":
      return "cfbenchmarksIndexListPayload";
    case "cfbenchmarks_value_5hz_indexlist":
      return "cfbenchmarks5HzIndexListPayload";
    case "pyth_value_underlying_list":
      return "pythUnderlyingListPayload";
    default:
      throw new Error(`No schema for frame type ${JSON.stringify(frame.type)}`);
  }
}

/** Sets `additionalProperties: false` on every object schema that lists its properties. */
function closeObjects(node: Json): void {
  if (Array.isArray(node)) return node.forEach(closeObjects);
  if (typeof node !== "object" || node === null) return;
  if (node.properties !== undefined && node.additionalProperties === undefined) {
    node.additionalProperties = false;
  }
  for (const value of Object.values(node)) closeObjects(value);
}

function loadValidators(): (name: string) => ValidateFunction {
  const document = parse(readFileSync(SPEC_PATH, "utf8"));
  const schemas = document.components.schemas;
  const original = new RegExp(schemas.marketTicker.pattern);
  assert.equal(original.test("HIGHNY-22DEC23-B53.5"), false, "the spec pattern still rejects `.`");
  schemas.marketTicker.pattern = "^[A-Z0-9.-]+$"; // widened: real tickers contain `.`
  closeObjects(schemas);
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat("uuid", /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
  ajv.addFormat("date-time", {
    type: "string",
    validate: (s: string) =>
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(s) &&
      !Number.isNaN(Date.parse(s)),
  });
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addSchema({ $id: "kalshi", components: { schemas } });
  const cache = new Map<string, ValidateFunction>();
  return (name) => {
    let validate = cache.get(name);
    if (validate === undefined) {
      assert.ok(schemas[name] !== undefined, `schema ${name} exists in the spec`);
      validate = ajv.compile({ $ref: `kalshi#/components/schemas/${name}` });
      cache.set(name, validate);
    }
    return validate;
  };
}

const EIGHT = /^\d+\.\d{8}$/;
const FOUR = /^-?\d+\.\d{4}$/;
const SIX = /^-?\d+\.\d{6}$/;
const TWO = /^-?\d+\.\d{2}$/;

/** Kalshi's decimal conventions: `_dollars` 4 dp (6 for order costs/fees, `fee_cost`), `_fp` 2 dp. */
function decimalProblems(frame: Json): string[] {
  const problems: string[] = [];
  const msg = frame.msg;
  if (typeof msg !== "object" || msg === null || Array.isArray(msg)) return problems;
  for (const [key, value] of Object.entries(msg)) {
    if (key === "yes_dollars_fp" || key === "no_dollars_fp") {
      for (const [price, count] of value as string[][]) {
        if (!FOUR.test(price!) || !TWO.test(count!)) {
          problems.push(`${key} level ${price},${count}`);
        }
      }
    } else if (key.endsWith("_fp")) {
      if (!TWO.test(value as string)) problems.push(`${key}=${value}`);
    } else if (key === "value_usd") {
      if (!EIGHT.test(value as string)) problems.push(`${key}=${value}`);
    } else if (key === "avg_60s_data" || key === "last_60s_windowed_average_15min") {
      const average = (value as { value: string }).value;
      if (!EIGHT.test(average)) problems.push(`${key}.value=${average}`);
    } else if (key === "fee_cost") {
      if (!SIX.test(value as string)) problems.push(`${key}=${value}`);
    } else if (key.endsWith("_dollars") || key === "settlement_value") {
      const six = frame.type === "user_order" && /(cost|fees)_dollars$/.test(key);
      const either = frame.type === "market_position";
      const ok = six
        ? SIX.test(value as string)
        : FOUR.test(value as string) || (either && SIX.test(value as string));
      if (!ok) problems.push(`${key}=${value}`);
    }
  }
  return problems;
}

/** A session that makes the model emit every frame type it can. */
function session(): string[] {
  // Starts 30 s before a quarter hour, so index values also carry the quarter's closing average.
  const t0 = Date.UTC(2026, 10, 25, 11, 59, 30);
  const texts: string[] = [];
  const collect = (frames: readonly OutFrame[]): void => {
    for (const frame of frames) texts.push(frame.text);
  };
  const exchange = new Exchange({ seed: 17, ownOrderRate: 0.1, lifecycleRate: 0.01 });
  const user1 = "a1b2c3d4-e5f6-4890-abcd-ef1234567890"; // user ids are UUIDs on the wire
  const user2 = "b1b2c3d4-e5f6-4890-abcd-ef1234567890";
  exchange.addAccount(user1);
  const feeds = new ChannelFeeds(exchange, {
    seed: 17,
    accounts: [user1],
    rfqRate: 0.2,
    orderGroupRate: 0.05,
    multivariateRate: 0.05,
    adminRate: 0.02,
  });
  const tickers = exchange.markets().map((m) => m.ticker);
  const a = new ProtocolConnection({ exchange, userId: user1 });
  const b = new ProtocolConnection({ exchange, userId: user1 });
  const anonymous = new ProtocolConnection({ exchange });
  const errors = new ProtocolConnection({ exchange, userId: user2, marketLimit: MARKET_LIMIT });
  const send = (c: ProtocolConnection, command: Json): void =>
    collect(c.handleText(JSON.stringify(command), t0));
  send(a, {
    id: 1,
    cmd: "subscribe",
    params: { channels: ["orderbook_delta"], market_tickers: tickers },
  });
  send(a, {
    id: 2,
    cmd: "subscribe",
    params: {
      channels: ["ticker"],
      market_tickers: tickers.slice(0, 3),
      send_initial_snapshot: true,
    },
  });
  send(a, {
    id: 3,
    cmd: "subscribe",
    params: {
      channels: [
        "trade",
        "fill",
        "market_positions",
        "user_orders",
        "market_lifecycle_v2",
        "order_group_updates",
      ],
    },
  });
  send(a, {
    id: 4,
    cmd: "subscribe",
    params: { channels: ["communications"], shard_factor: 4, shard_key: 1 },
  });
  send(a, { id: 5, cmd: "subscribe", params: { channels: ["multivariate_market_lifecycle"] } });
  send(a, {
    id: 6,
    cmd: "subscribe",
    params: { channels: ["cfbenchmarks_value"], index_ids: ["BRTI"] },
  });
  send(a, { id: 7, cmd: "subscribe", params: { channels: ["cfbenchmarks_value_5hz"] } });
  send(a, {
    id: 8,
    cmd: "subscribe",
    params: { channels: ["pyth_value"], underlying_tickers: ["Metal.XAU/USD"] },
  });
  const marketIds = exchange.markets().slice(0, 2).map((m) => m.marketId);
  send(b, {
    id: 1,
    cmd: "subscribe",
    params: { channels: ["orderbook_delta"], market_ticker: tickers[2], use_yes_price: true },
  });
  send(b, { id: 2, cmd: "subscribe", params: { channels: ["ticker"], market_ids: marketIds } });
  send(b, {
    id: 4,
    cmd: "subscribe",
    params: { channels: ["cfbenchmarks_value_5hz"], index_ids: ["all"] },
  });
  send(b, {
    id: 5,
    cmd: "subscribe",
    params: { channels: ["communications"], user_filter: "self" },
  });
  send(b, {
    id: 6,
    cmd: "subscribe",
    params: { channels: ["order_group_updates", "multivariate_market_lifecycle"] },
  });
  send(b, {
    id: 3,
    cmd: "subscribe",
    params: { channels: ["fill"], market_ticker: tickers[2], skip_ticker_ack: true },
  });
  send(anonymous, { id: 1, cmd: "subscribe", params: { channels: ["ticker", "trade"] } });
  send(anonymous, { id: 2, cmd: "subscribe", params: { channels: ["fill"] } });
  for (const text of ERROR_SETUP) collect(errors.handleText(text, t0));
  for (const errorCase of ERROR_CASES) collect(errors.handleText(errorCase.send, t0));

  let now = t0;
  const step = (n: number): void => {
    for (let i = 0; i < n; i++) {
      now += 7;
      const events = [...exchange.step(now), ...feeds.step(now)];
      for (const c of [a, b, anonymous, errors]) collect(c.onEvents(events));
    }
  };
  const broadcast = (events: Json[]): void => {
    for (const c of [a, b, anonymous, errors]) collect(c.onEvents(events));
  };
  step(10_000);
  // Commands on live subscriptions.
  send(a, {
    id: 20,
    cmd: "subscribe",
    params: { channels: ["orderbook_delta"], market_tickers: tickers },
  });
  send(a, {
    id: 21,
    cmd: "update_subscription",
    params: { sid: 2, action: "add_markets", market_tickers: tickers },
  });
  send(a, {
    id: 22,
    cmd: "update_subscription",
    params: { sids: [2], action: "delete_markets", market_ticker: tickers[0] },
  });
  send(a, {
    id: 23,
    cmd: "update_subscription",
    params: { sid: 1, action: "get_snapshot", market_tickers: tickers },
  });
  send(b, {
    id: 24,
    cmd: "update_subscription",
    params: { sid: 2, action: "add_markets", market_ids: [exchange.markets()[3]!.marketId] },
  });
  send(b, {
    id: 25,
    cmd: "update_subscription",
    params: { sid: 3, action: "add_markets", market_tickers: [tickers[0]] },
  });
  send(a, { id: 26, cmd: "list_subscriptions" });
  const cf = a.subscriptions().find((s) => s.channel === "cfbenchmarks_value")!.sid;
  const cf5 = a.subscriptions().find((s) => s.channel === "cfbenchmarks_value_5hz")!.sid;
  const pyth = a.subscriptions().find((s) => s.channel === "pyth_value")!.sid;
  send(a, {
    id: 27,
    cmd: "update_subscription",
    params: { sid: cf, action: "subscribe_indices", index_ids: ["ETHUSD_RTI"] },
  });
  send(a, {
    id: 28,
    cmd: "update_subscription",
    params: { sid: cf, action: "unsubscribe_indices", index_ids: ["BRTI"] },
  });
  send(a, { id: 29, cmd: "update_subscription", params: { sid: cf, action: "indexlist" } });
  send(a, { id: 30, cmd: "update_subscription", params: { sid: cf5, action: "indexlist" } });
  send(a, {
    id: 31,
    cmd: "update_subscription",
    params: { sid: pyth, action: "subscribe_underlyings", underlying_tickers: ["all"] },
  });
  send(a, { id: 32, cmd: "update_subscription", params: { sid: pyth, action: "underlying_list" } });
  // Market-level events.
  broadcast(exchange.createMarket({ ticker: "KXNEWEVT-26DEC31-T2.5", title: "A new market" }, now));
  broadcast(exchange.setTrading(tickers[1]!, false));
  broadcast(exchange.setTrading(tickers[1]!, true));
  broadcast(exchange.updateCloseTime(tickers[1]!, Math.floor(now / 1000) + 3_600));
  const market = exchange.market(tickers[2]!)!;
  broadcast(
    exchange.placeOrder(user1, {
      ticker: market.ticker,
      side: "no",
      price: 10_000 - market.book.best("yes")!,
      count: 12_345,
    }, now).events,
  );
  step(5_000);
  broadcast(exchange.settle(tickers[4]!, "no", now));
  step(2_000);
  collect(a.raiseError(1, 25));
  collect(a.raiseError(2, 10));
  collect(b.raiseError(1, 10));
  send(a, { id: 40, cmd: "unsubscribe", params: { sids: a.subscriptions().map((s) => s.sid) } });
  return texts;
}

/** Payload schema of every JSON message the spec's operations say the server sends. */
function serverPayloads(): string[] {
  const document = parse(readFileSync(SPEC_PATH, "utf8"));
  const names = new Set<string>();
  for (const operation of Object.values(document.operations) as Json[]) {
    if (operation.action !== "send") continue; // AsyncAPI 3: the server sends
    for (const ref of operation.messages) {
      const channel = document.channels[ref.$ref.split("/")[2]];
      const message = document.components.messages[
        channel.messages[ref.$ref.split("/").pop()].$ref.split("/").pop()
      ];
      if (message.contentType === "application/json") {
        names.add(message.payload.$ref.split("/").pop());
      }
    }
  }
  return [...names];
}

test("every frame the simulator emits validates against the official AsyncAPI schemas", {
  skip: SPEC_MISSING,
}, () => {
  const validator = loadValidators();
  const texts = session();
  const counts = new Map<string, number>();
  const failures: string[] = [];
  for (const text of texts) {
    const frame = JSON.parse(text);
    const name = schemaFor(frame);
    counts.set(name, (counts.get(name) ?? 0) + 1);
    const validate = validator(name);
    if (!validate(frame)) {
      failures.push(
        `${name}: ${JSON.stringify(validate.errors?.slice(0, 3))}\n  ${text.slice(0, 400)}`,
      );
    }
    for (const problem of decimalProblems(frame)) {
      failures.push(`${name}: decimals ${problem}\n  ${text.slice(0, 400)}`);
    }
    if (failures.length >= 5) break;
  }
  assert.deepEqual(failures, [], failures.join("\n"));
  const expected = serverPayloads();
  assert.ok(expected.length >= 30, `the spec lists ${expected.length} server messages`);
  for (const name of expected) assert.ok((counts.get(name) ?? 0) > 0, `session produced a ${name}`);
  assert.ok(
    texts.some((t) => t.includes('"last_60s_windowed_average_15min"')),
    "a quarter-hour closing average was validated",
  );
  assert.ok(texts.length > 10_000, `validated ${texts.length} frames`);
});

test("the widened marketTicker pattern is the only change and real tickers need it", {
  skip: SPEC_MISSING,
}, () => {
  const validator = loadValidators();
  const frame = {
    type: "trade",
    sid: 1,
    seq: 1,
    msg: {
      trade_id: "d91bc706-ee49-470d-82d8-11418bda6fed",
      market_ticker: "KXHIGHNY-22DEC23-B53.5",
      yes_price_dollars: "0.3600",
      no_price_dollars: "0.6400",
      count_fp: "136.00",
      taker_side: "no",
      taker_outcome_side: "no",
      taker_book_side: "ask",
      is_block_trade: false,
      ts: 1669149841,
      ts_ms: 1669149841000,
    },
  };
  assert.equal(validator("tradePayload")(frame), true);
  assert.equal(
    validator("tradePayload")({ ...frame, msg: { ...frame.msg, market_ticker: "lower.case" } }),
    false,
  );
  assert.equal(
    validator("tradePayload")({ ...frame, msg: { ...frame.msg, invented: 1 } }),
    false,
    "undeclared fields fail",
  );
});
