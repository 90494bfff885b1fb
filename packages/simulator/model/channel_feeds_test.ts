import { test } from "node:test";
import assert from "node:assert/strict";
import { CHANNEL_INFO, CHANNELS, decodeMessage, DriftLog } from "@kalshi-ws/core";
import { ChannelFeeds } from "./channel_feeds.ts";
import { ProtocolConnection } from "./connection.ts";
import type { ExchangeEvent } from "./events.ts";
import { Exchange } from "./exchange.ts";
import { shardOf } from "./routing.ts";

const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);
const ALICE = "a1b2c3d4-e5f6-4890-abcd-ef1234567890";
const BOB = "b1b2c3d4-e5f6-4890-abcd-ef1234567890";

type Json = Record<string, unknown>;

/** An exchange with feeds, `steps` steps of 50 ms; every event, and each step's `now`. */
function run(steps: number, accounts = [ALICE, BOB], rates = {}) {
  const exchange = new Exchange({ seed: 5 });
  for (const account of accounts) exchange.addAccount(account);
  const feeds = new ChannelFeeds(exchange, { seed: 5, accounts, ...rates });
  const batches: { now: number; events: ExchangeEvent[] }[] = [];
  for (let i = 1; i <= steps; i++) {
    const now = T0 + i * 50;
    batches.push({ now, events: [...exchange.step(now), ...feeds.step(now)] });
  }
  return { exchange, feeds, batches, events: batches.flatMap((b) => b.events) };
}

/** A connection subscribed with `params` (one subscribe per entry); returns its frames. */
function connect(
  exchange: Exchange,
  userId: string | undefined,
  subscribes: readonly Json[],
  drift = false,
): { connection: ProtocolConnection; texts: string[] } {
  const connection = new ProtocolConnection({ exchange, userId, drift });
  const texts: string[] = [];
  subscribes.forEach((params, i) => {
    const frames = connection.handleText(
      JSON.stringify({ id: i + 1, cmd: "subscribe", params }),
      T0,
    );
    for (const frame of frames) texts.push(frame.text);
  });
  return { connection, texts };
}

const ALL_CHANNELS: readonly Json[] = [
  {
    channels: CHANNELS.filter((c) => !c.startsWith("cfbenchmarks") && c !== "pyth_value"),
    market_tickers: new Exchange({ seed: 5 }).markets().map((m) => m.ticker),
  },
  { channels: ["cfbenchmarks_value", "cfbenchmarks_value_5hz"], index_ids: ["all"] },
  { channels: ["pyth_value"], underlying_tickers: ["all"] },
];

test("every channel streams data that decodes to its wire value, without drift, seqs unbroken", () => {
  const exchange = new Exchange({ seed: 5 });
  exchange.addAccount(ALICE);
  const feeds = new ChannelFeeds(exchange, { seed: 5, accounts: [ALICE], rfqRate: 0.3 });
  const { connection, texts } = connect(exchange, ALICE, ALL_CHANNELS);
  for (let i = 1; i <= 20_000; i++) {
    const now = T0 + i * 50;
    for (const f of connection.onEvents([...exchange.step(now), ...feeds.step(now)])) {
      texts.push(f.text);
    }
  }
  const channelOf = new Map(connection.subscriptions().map((s) => [s.sid, s.channel]));
  const lastSeq = new Map<number, number>();
  const seen = new Set<string>();
  const log = new DriftLog();
  for (const text of texts) {
    const message = decodeMessage(text, log);
    assert.deepEqual(message, JSON.parse(text), text.slice(0, 200));
    const frame = message as unknown as { type: string; sid?: number; seq?: number };
    if (["subscribed", "ok"].includes(frame.type)) continue;
    const channel = channelOf.get(frame.sid!)!;
    assert.ok(CHANNEL_INFO[channel].messageTypes.includes(frame.type), `${channel}: ${frame.type}`);
    seen.add(channel);
    if (frame.seq !== undefined) {
      assert.equal(frame.seq, (lastSeq.get(frame.sid!) ?? 0) + 1, `seq on sid ${frame.sid}`);
      lastSeq.set(frame.sid!, frame.seq);
    }
    assert.equal(CHANNEL_INFO[channel].sequenced, frame.seq !== undefined, `${channel} seq`);
  }
  assert.deepEqual(log.entries(), [], "the simulator sends only documented fields");
  assert.deepEqual([...seen].sort(), [...CHANNELS].sort(), "data on every channel");
});

test("RFQs reach every communications subscriber; quotes only the users involved", () => {
  const { exchange, events } = run(20_000, [ALICE, BOB], { rfqRate: 0.3 });
  const alice = connect(exchange, ALICE, [{ channels: ["communications"] }]);
  const self = connect(exchange, BOB, [{ channels: ["communications"], user_filter: "self" }]);
  const stranger = connect(exchange, "c1b2c3d4-e5f6-4890-abcd-ef1234567890", [{
    channels: ["communications"],
  }]);
  const types = (texts: string[]) => texts.slice(1).map((t) => JSON.parse(t).type as string);
  const got = (c: { connection: ProtocolConnection; texts: string[] }) =>
    types([...c.texts, ...c.connection.onEvents(events).map((f) => f.text)]);
  const aliceTypes = got(alice);
  const selfTypes = got(self);
  const strangerTypes = got(stranger);
  const rfqs = events.filter((e) => e.type === "rfq_created" || e.type === "rfq_deleted");
  const involving = (user: string) =>
    events.filter((e) =>
      e.type.startsWith("quote_") && (e.audience?.includes(user) || e.userId === user)
    ).length;
  assert.equal(strangerTypes.length, rfqs.length, "a stranger sees every RFQ and no quote");
  assert.ok(strangerTypes.every((t) => t.startsWith("rfq_")));
  assert.equal(aliceTypes.filter((t) => t.startsWith("rfq_")).length, rfqs.length);
  assert.equal(aliceTypes.filter((t) => t.startsWith("quote_")).length, involving(ALICE));
  assert.ok(involving(ALICE) > 0 && involving(BOB) > 0);
  const bobRfqs = rfqs.filter((e) => e.creator === BOB).length;
  assert.ok(bobRfqs > 0 && bobRfqs < rfqs.length);
  assert.equal(selfTypes.filter((t) => t.startsWith("rfq_")).length, bobRfqs, "user_filter self");
  for (const type of ["quote_created", "quote_accepted", "quote_executed"]) {
    assert.ok(aliceTypes.includes(type), `alice saw a ${type}`);
  }
});

test("communications shards are disjoint and together cover every RFQ", () => {
  const { exchange, events } = run(10_000, [ALICE], { rfqRate: 0.3 });
  const ids = (params: Json) => {
    const c = connect(exchange, ALICE, [{ channels: ["communications"], ...params }]);
    return c.connection.onEvents(events)
      .map((f) => JSON.parse(f.text))
      .filter((m) => m.type === "rfq_created")
      .map((m) => m.msg.id as string);
  };
  const all = ids({});
  const shards = [0, 1, 2].map((key) => ids({ shard_factor: 3, shard_key: key }));
  assert.deepEqual(shards.flat().sort(), [...all].sort());
  assert.ok(shards.every((s) => s.length > 0 && s.length < all.length));
  for (const market of new Set(events.map((e) => e.ticker).filter((t) => t !== ""))) {
    assert.ok(shardOf(market, 3) >= 0 && shardOf(market, 3) < 3);
  }
});

test("a quote execution tells maker and taker their own orders", () => {
  const { events } = run(20_000, [ALICE, BOB], { rfqRate: 0.3 });
  const executed = events.filter((e) => e.type === "quote_executed");
  assert.ok(executed.length > 0);
  for (const event of executed) {
    assert.ok(event.userId === ALICE || event.userId === BOB, "private to one side");
    const msg = event.msg as Record<string, string>;
    assert.match(
      msg.client_order_id!,
      new RegExp(`^(quote:[0-9a-f]{8}:${msg.quote_id}|rfq-\\d+)$`),
    );
  }
  const makers = executed.filter((e) => (e.msg.client_order_id as string).startsWith("quote:"));
  assert.ok(makers.length > 0, "accounts also act as market makers");
});

test("combos are looked up once and announced before combo RFQs name them", () => {
  const { events } = run(20_000, [ALICE], { rfqRate: 0.3, multivariateRate: 0.05 });
  const created = new Set<string>();
  let comboRfqs = 0;
  const status = new Map<string, string>();
  for (const event of events) {
    const msg = event.msg as Record<string, unknown>;
    if (event.type === "multivariate_market_lifecycle") {
      const ticker = msg.market_ticker as string;
      if (msg.event_type === "created") {
        assert.equal(created.has(ticker), false, `${ticker} created once`);
        created.add(ticker);
      } else {
        assert.ok(created.has(ticker), `${ticker} exists before ${msg.event_type}`);
        assert.notEqual(status.get(ticker), "settled", "nothing after settled");
      }
      status.set(ticker, msg.event_type as string);
    }
    if (event.type === "rfq_created" && msg.mve_collection_ticker !== undefined) {
      comboRfqs++;
      assert.ok(created.has(msg.market_ticker as string), "combo announced first");
      assert.ok((msg.mve_selected_legs as unknown[]).length >= 2);
    }
  }
  assert.ok(created.size > 3 && comboRfqs > 0);
  assert.ok([...status.values()].includes("settled"));
});

test("order groups are private to their owner and start with created, limits as _fp", () => {
  const { events } = run(20_000, [ALICE, BOB], { orderGroupRate: 0.05 });
  const groups = events.filter((e) => e.type === "order_group_updates");
  assert.ok(groups.length > 20);
  const known = new Set<string>();
  const kinds = new Set<string>();
  for (const event of groups) {
    const msg = event.msg as Record<string, unknown>;
    assert.ok(event.userId === ALICE || event.userId === BOB);
    const id = msg.order_group_id as string;
    if (msg.event_type === "created") known.add(id);
    else assert.ok(known.has(id), `${msg.event_type} of a created group`);
    if (msg.event_type === "deleted") known.delete(id);
    const limited = msg.event_type === "created" || msg.event_type === "limit_updated";
    assert.equal(typeof msg.contracts_limit_fp === "string", limited);
    kinds.add(msg.event_type as string);
  }
  assert.deepEqual([...kinds].sort(), [
    "created",
    "deleted",
    "limit_updated",
    "reset",
    "triggered",
  ]);
});

test("value feeds: about 1/s and 5/s per id, only the ids subscribed, quarter averages at :59", () => {
  // 20 minutes of 50 ms steps from 12:00: the minute before 12:15 carries the quarter average.
  const { exchange, batches, events } = run(24_000, [ALICE], {});
  const minutes = (24_000 * 50) / 60_000;
  const count = (type: string, id: string) =>
    events.filter((e) => e.type === type && e.feed === id).length;
  assert.ok(Math.abs(count("cfbenchmarks_value", "BRTI") - minutes * 60) <= 2);
  assert.ok(Math.abs(count("cfbenchmarks_value_5hz", "DOGEUSD_RTI") - minutes * 300) <= 2);
  assert.ok(Math.abs(count("pyth_value", "Metal.XAU/USD") - minutes * 60) <= 2);
  for (const { now, events: batch } of batches) {
    for (const event of batch) {
      if (event.type !== "cfbenchmarks_value") continue;
      const source = JSON.parse(event.msg.data as string).time as number;
      const quarter = Math.ceil(source / 900_000) * 900_000;
      const closing = "last_60s_windowed_average_15min" in event.msg;
      assert.equal(closing, quarter - source < 60_000, `closing average at ${now}`);
    }
  }
  const silent = connect(exchange, ALICE, [{ channels: ["cfbenchmarks_value"] }]);
  assert.deepEqual(silent.connection.onEvents(events), [], "no ids, no values");
  const brti = connect(exchange, ALICE, [{
    channels: ["cfbenchmarks_value_5hz"],
    index_ids: ["BRTI"],
  }]);
  const ids = new Set(brti.connection.onEvents(events).map((f) => JSON.parse(f.text).msg.index_id));
  assert.deepEqual([...ids], ["BRTI"]);
});

test("ChannelFeeds with the same seed replays the same events; the exchange is unaffected", () => {
  const a = run(3_000);
  const b = run(3_000);
  assert.deepEqual(a.events, b.events);
  const plain = new Exchange({ seed: 5 });
  plain.addAccount(ALICE);
  plain.addAccount(BOB);
  const exchangeOnly = [];
  for (let i = 1; i <= 3_000; i++) exchangeOnly.push(...plain.step(T0 + i * 50));
  const fromExchange = new Set(["orderbook_delta", "ticker", "trade", "fill", "user_order"]);
  assert.deepEqual(
    a.events.filter((e) => fromExchange.has(e.type) || e.type === "market_position"),
    exchangeOnly.filter((e) => fromExchange.has(e.type) || e.type === "market_position"),
  );
});
