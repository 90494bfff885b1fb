import { test } from "node:test";
import assert from "node:assert/strict";
import { type Count, parseCount, parsePrice, type Price } from "@kalshi-ws/core";
import { ProtocolConnection } from "./connection.ts";
import { Exchange } from "./exchange.ts";
import type { OutFrame } from "./outbox.ts";
import {
  BOOK_TICKER,
  ERROR_CASES,
  ERROR_SETUP,
  MARKET_LIMIT,
  OTHER_TICKER,
} from "../_error_cases.ts";

// deno-lint-ignore no-explicit-any
type Frame = Record<string, any>;

const T0 = Date.UTC(2026, 10, 25, 12);
const parse = (frames: readonly OutFrame[]): Frame[] => frames.map((f) => JSON.parse(f.text));

function setup(
  options: { userId?: string | undefined; marketLimit?: number; seed?: number } = {},
): { exchange: Exchange; connection: ProtocolConnection } {
  const exchange = new Exchange({ seed: options.seed ?? 3, ownOrderRate: 0.1 });
  const userId = "userId" in options ? options.userId : "user-1";
  if (userId !== undefined) exchange.addAccount(userId);
  const connection = new ProtocolConnection({
    exchange,
    userId,
    ...(options.marketLimit === undefined ? {} : { marketLimit: options.marketLimit }),
  });
  return { exchange, connection };
}

function send(connection: ProtocolConnection, command: Record<string, unknown>): Frame[] {
  return parse(connection.handleText(JSON.stringify(command), T0));
}

/** Runs generator steps and returns the frames the connection emits for them. */
function run(exchange: Exchange, connection: ProtocolConnection, steps: number): Frame[] {
  const frames: Frame[] = [];
  for (let i = 0; i < steps; i++) frames.push(...parse(connection.onEvents(exchange.step(T0 + i))));
  return frames;
}

for (const errorCase of ERROR_CASES) {
  test(`handleText() answers code ${errorCase.code} when ${errorCase.name}`, () => {
    const { connection } = setup({ marketLimit: MARKET_LIMIT });
    for (const text of ERROR_SETUP) connection.handleText(text, T0);
    const before = connection.subscriptions();
    const frames = parse(connection.handleText(errorCase.send, T0));
    assert.equal(frames.length, 1);
    const [frame] = frames;
    assert.equal(frame!.type, "error");
    assert.equal(frame!.msg.code, errorCase.code);
    assert.equal(typeof frame!.msg.msg, "string");
    assert.equal(frame!.id, errorCase.id);
    for (const [key, value] of Object.entries(errorCase.extra ?? {})) {
      assert.deepEqual(frame!.msg[key], value);
    }
    assert.equal(frame!.seq, undefined);
    assert.deepEqual(connection.subscriptions(), before, "a rejected command changes nothing");
  });
}

test("handleText() uses Kalshi's exact error strings", () => {
  const { connection } = setup();
  const text = (t: string): string => parse(connection.handleText(t, T0))[0]!.msg.msg;
  assert.equal(text("{"), "Unable to process message");
  assert.equal(text('{"id":1,"cmd":"subscribe"}'), "Params required");
  assert.equal(text('{"id":1,"cmd":"subscribe","params":{}}'), "Channels required");
  assert.equal(text('{"id":1,"cmd":"unsubscribe","params":{}}'), "Subscription IDs required");
  assert.equal(text('{"id":1,"cmd":"nope"}'), "Unknown command");
  assert.equal(
    text('{"id":1,"cmd":"unsubscribe","params":{"sids":[5]}}'),
    "Unknown subscription ID",
  );
  assert.equal(
    text('{"id":1,"cmd":"subscribe","params":{"channels":["x"]}}'),
    "Unknown channel name",
  );
  assert.equal(
    text('{"id":1,"cmd":"update_subscription","params":{"sids":[1,2],"action":"add_markets"}}'),
    "Exactly one subscription ID is required",
  );
  assert.equal(
    text('{"id":1,"cmd":"subscribe","params":{"channels":["orderbook_delta"]}}'),
    "Market Ticker required",
  );
  assert.equal(
    text('{"id":1,"cmd":"subscribe","params":{"channels":["communications"],"shard_factor":0}}'),
    "shard_factor must be > 0",
  );
});

test("handleText() answers code 9 for private channels on an anonymous connection", () => {
  const { connection } = setup({ userId: undefined });
  for (const channel of ["orderbook_delta", "fill", "market_positions", "user_orders"]) {
    const [frame] = send(connection, {
      id: 1,
      cmd: "subscribe",
      params: { channels: [channel], market_ticker: BOOK_TICKER },
    });
    assert.deepEqual(frame, {
      id: 1,
      type: "error",
      msg: { code: 9, msg: "Authentication required" },
    });
  }
  const [ok] = send(connection, {
    id: 2,
    cmd: "subscribe",
    params: { channels: ["ticker", "trade"] },
  });
  assert.equal(ok!.type, "subscribed");
});

test("handleText() assigns sids from 1 and one subscribed per channel without seq", () => {
  const { connection } = setup();
  const frames = send(connection, {
    id: 7,
    cmd: "subscribe",
    params: { channels: ["ticker", "trade", "market_lifecycle_v2"] },
  });
  assert.deepEqual(frames, [
    { id: 7, type: "subscribed", msg: { channel: "ticker", sid: 1 } },
    { id: 7, type: "subscribed", msg: { channel: "trade", sid: 2 } },
    { id: 7, type: "subscribed", msg: { channel: "market_lifecycle_v2", sid: 3 } },
  ]);
});

test("handleText() sends one snapshot per market with seq 1..N, then deltas continue", () => {
  const { exchange, connection } = setup();
  const frames = send(connection, {
    id: 1,
    cmd: "subscribe",
    params: { channels: ["orderbook_delta"], market_tickers: [BOOK_TICKER, OTHER_TICKER] },
  });
  assert.deepEqual(frames.map((f) => [f.type, f.sid, f.seq]), [
    ["subscribed", undefined, undefined],
    ["orderbook_snapshot", 1, 1],
    ["orderbook_snapshot", 1, 2],
  ]);
  assert.equal(frames[1]!.msg.market_ticker, BOOK_TICKER);
  assert.equal(frames[1]!.id, undefined, "subscribe snapshots carry no id");
  const data = run(exchange, connection, 200);
  assert.ok(data.length > 20);
  data.forEach((frame, i) => {
    assert.equal(frame.type, "orderbook_delta");
    assert.equal(frame.seq, 3 + i);
    assert.ok([BOOK_TICKER, OTHER_TICKER].includes(frame.msg.market_ticker));
  });
});

test("onEvents() puts seq on trade and lifecycle frames but not on ticker, fill, user_order, market_position", () => {
  const { exchange, connection } = setup();
  send(connection, {
    id: 1,
    cmd: "subscribe",
    params: {
      channels: [
        "ticker",
        "trade",
        "fill",
        "user_orders",
        "market_positions",
        "market_lifecycle_v2",
      ],
    },
  });
  const frames = run(exchange, connection, 3_000);
  const seen = new Set(frames.map((f) => f.type));
  for (
    const type of [
      "ticker",
      "trade",
      "fill",
      "user_order",
      "market_position",
      "market_lifecycle_v2",
    ]
  ) {
    assert.ok(seen.has(type), `expected a ${type} frame`);
  }
  const lastSeq = new Map<number, number>();
  for (const frame of frames) {
    if (["ticker", "fill", "user_order", "market_position"].includes(frame.type)) {
      assert.equal(frame.seq, undefined, `${frame.type} has no seq`);
    } else {
      assert.equal(frame.seq, (lastSeq.get(frame.sid) ?? 0) + 1, `${frame.type} seq is per sid`);
      lastSeq.set(frame.sid, frame.seq);
    }
  }
});

test("handleText() answers a repeated subscribe with ok and snapshots only new markets", () => {
  const { exchange, connection } = setup();
  send(connection, {
    id: 1,
    cmd: "subscribe",
    params: { channels: ["orderbook_delta"], market_ticker: BOOK_TICKER },
  });
  run(exchange, connection, 30);
  const seqBefore = connection.subscriptions()[0]!.seq;
  const same = send(connection, {
    id: 2,
    cmd: "subscribe",
    params: { channels: ["orderbook_delta"], market_ticker: BOOK_TICKER },
  });
  assert.deepEqual(same, [{
    id: 2,
    type: "ok",
    sid: 1,
    seq: seqBefore + 1,
    msg: { market_tickers: [BOOK_TICKER] },
  }]);
  const more = send(connection, {
    id: 3,
    cmd: "subscribe",
    params: { channels: ["orderbook_delta"], market_tickers: [BOOK_TICKER, OTHER_TICKER] },
  });
  assert.deepEqual(
    more.map((f) => [f.type, f.sid, f.seq, f.msg.market_ticker ?? f.msg.market_tickers]),
    [
      ["ok", 1, seqBefore + 2, [BOOK_TICKER, OTHER_TICKER]],
      ["orderbook_snapshot", 1, seqBefore + 3, OTHER_TICKER],
    ],
  );
  assert.equal(connection.subscriptions().length, 1, "still one subscription");
});

test("handleText() answers get_snapshot with snapshots carrying the command id, seq continuing", () => {
  const { exchange, connection } = setup();
  send(connection, {
    id: 1,
    cmd: "subscribe",
    params: { channels: ["orderbook_delta"], market_tickers: [BOOK_TICKER, OTHER_TICKER] },
  });
  run(exchange, connection, 20);
  const seq = connection.subscriptions()[0]!.seq;
  const frames = send(connection, {
    id: 9,
    cmd: "update_subscription",
    params: { sids: [1], action: "get_snapshot", market_tickers: [OTHER_TICKER, BOOK_TICKER] },
  });
  assert.deepEqual(frames.map((f) => [f.type, f.id, f.sid, f.seq, f.msg.market_ticker]), [
    ["orderbook_snapshot", 9, 1, seq + 1, OTHER_TICKER],
    ["orderbook_snapshot", 9, 1, seq + 2, BOOK_TICKER],
  ]);
  assert.deepEqual(frames[1]!.msg.yes_dollars_fp, exchange.market(BOOK_TICKER)!.book.wire().yes);
  assert.deepEqual(connection.subscriptions()[0]!.marketTickers, [BOOK_TICKER, OTHER_TICKER]);
});

test("handleText() add_markets answers ok then snapshots; delete_markets stops the market's deltas", () => {
  const { exchange, connection } = setup();
  send(connection, {
    id: 1,
    cmd: "subscribe",
    params: { channels: ["orderbook_delta"], market_ticker: BOOK_TICKER },
  });
  const added = send(connection, {
    id: 2,
    cmd: "update_subscription",
    params: { sid: 1, action: "add_markets", market_tickers: [OTHER_TICKER] },
  });
  assert.deepEqual(added.map((f) => [f.type, f.id, f.seq]), [["ok", 2, 2], [
    "orderbook_snapshot",
    undefined,
    3,
  ]]);
  assert.deepEqual(added[0]!.msg, { market_tickers: [BOOK_TICKER, OTHER_TICKER] });
  const removed = send(connection, {
    id: 3,
    cmd: "update_subscription",
    params: { sid: 1, action: "delete_markets", market_ticker: BOOK_TICKER },
  });
  assert.deepEqual(removed, [{
    id: 3,
    type: "ok",
    sid: 1,
    seq: 4,
    msg: { market_tickers: [OTHER_TICKER] },
  }]);
  const data = run(exchange, connection, 300);
  assert.ok(data.length > 0);
  assert.ok(data.every((f) => f.msg.market_ticker === OTHER_TICKER));
});

test("handleText() unsubscribes with one unsubscribed per sid, consuming seq, and never reuses sids", () => {
  const { exchange, connection } = setup();
  send(connection, {
    id: 1,
    cmd: "subscribe",
    params: { channels: ["orderbook_delta"], market_ticker: BOOK_TICKER },
  });
  send(connection, { id: 2, cmd: "subscribe", params: { channels: ["ticker"] } });
  run(exchange, connection, 10);
  const seq = connection.subscriptions()[0]!.seq;
  const frames = send(connection, { id: 3, cmd: "unsubscribe", params: { sids: [1, 8, 2] } });
  assert.deepEqual(frames, [
    { id: 3, type: "unsubscribed", sid: 1, seq: seq + 1 },
    { id: 3, type: "error", msg: { code: 7, msg: "Unknown subscription ID" } },
    { id: 3, type: "unsubscribed", sid: 2, seq: 1 },
  ]);
  assert.deepEqual(connection.subscriptions(), []);
  assert.deepEqual(run(exchange, connection, 20), []);
  const again = send(connection, { id: 4, cmd: "subscribe", params: { channels: ["ticker"] } });
  assert.deepEqual(again[0]!.msg, { channel: "ticker", sid: 3 });
});

test("handleText() lists subscriptions as ok with an array of {channel, sid} and no seq", () => {
  const { connection } = setup();
  send(connection, {
    id: 1,
    cmd: "subscribe",
    params: { channels: ["orderbook_delta", "ticker"], market_ticker: BOOK_TICKER },
  });
  assert.deepEqual(send(connection, { id: 2, cmd: "list_subscriptions" }), [
    {
      id: 2,
      type: "ok",
      msg: [{ channel: "orderbook_delta", sid: 1 }, { channel: "ticker", sid: 2 }],
    },
  ]);
});

test("handleText() omits id when the command id is 0 or absent", () => {
  const { connection } = setup();
  assert.deepEqual(send(connection, { id: 0, cmd: "list_subscriptions" }), [{
    type: "ok",
    msg: [],
  }]);
  assert.deepEqual(send(connection, { cmd: "bogus" }), [{
    type: "error",
    msg: { code: 5, msg: "Unknown command" },
  }]);
});

test("handleText() omits market lists from ok when skip_ticker_ack is set", () => {
  const { connection } = setup();
  send(connection, {
    id: 1,
    cmd: "subscribe",
    params: { channels: ["ticker"], market_ticker: BOOK_TICKER, skip_ticker_ack: true },
  });
  const [ok] = send(connection, {
    id: 2,
    cmd: "update_subscription",
    params: { sid: 1, action: "add_markets", market_ticker: OTHER_TICKER },
  });
  assert.deepEqual(ok, { id: 2, type: "ok", sid: 1, seq: 1 });
});

test("handleText() sends initial tickers with send_initial_snapshot and accepts market ids", () => {
  const { exchange, connection } = setup();
  const marketId = exchange.market(BOOK_TICKER)!.marketId;
  const frames = send(connection, {
    id: 1,
    cmd: "subscribe",
    params: { channels: ["ticker"], market_id: marketId, send_initial_snapshot: true },
  });
  assert.deepEqual(frames.map((f) => f.type), ["subscribed", "ticker"]);
  assert.equal(frames[1]!.msg.market_id, marketId);
  assert.equal(frames[1]!.seq, undefined);
  const [ok] = send(connection, {
    id: 2,
    cmd: "update_subscription",
    params: { sid: 1, action: "delete_markets", market_ids: [marketId] },
  });
  assert.deepEqual(ok!.msg, { market_tickers: [], market_ids: [] });
});

test("onEvents() reports NO levels in YES prices when use_yes_price is set", () => {
  const { exchange, connection } = setup();
  const plain = new ProtocolConnection({ exchange, userId: "user-1" });
  const [, snapshot] = send(connection, {
    id: 1,
    cmd: "subscribe",
    params: { channels: ["orderbook_delta"], market_ticker: BOOK_TICKER, use_yes_price: true },
  });
  const truth = exchange.market(BOOK_TICKER)!.book.scaled();
  assert.deepEqual(
    snapshot!.msg.no_dollars_fp.map(([p]: string[]) => parsePrice(p!)),
    truth.no.map(([p]) => 10_000 - p).sort((a, b) => a - b),
  );
  plain.handleText(
    JSON.stringify({
      id: 1,
      cmd: "subscribe",
      params: { channels: ["orderbook_delta"], market_ticker: BOOK_TICKER },
    }),
    T0,
  );
  for (let i = 0; i < 300; i++) {
    const events = exchange.step(T0 + i);
    const yes = parse(connection.onEvents(events));
    const no = parse(plain.onEvents(events));
    assert.equal(yes.length, no.length);
    yes.forEach((frame, j) => {
      const other = no[j]!;
      const expected = frame.msg.side === "no"
        ? 10_000 - parsePrice(other.msg.price_dollars)
        : parsePrice(other.msg.price_dollars);
      assert.equal(parsePrice(frame.msg.price_dollars), expected);
    });
  }
});

test("onEvents() routes fills, orders and positions only to their user, with client_order_id on own deltas", () => {
  const exchange = new Exchange({ seed: 11 });
  const mine = new ProtocolConnection({ exchange, userId: "alice" });
  const theirs = new ProtocolConnection({ exchange, userId: "bob" });
  const subscribe = JSON.stringify({
    id: 1,
    cmd: "subscribe",
    params: {
      channels: ["orderbook_delta", "fill", "user_orders", "market_positions"],
      market_ticker: BOOK_TICKER,
    },
  });
  mine.handleText(subscribe, T0);
  theirs.handleText(subscribe, T0);
  const market = exchange.market(BOOK_TICKER)!;
  const price = market.book.best("yes")!;
  const { events } = exchange.placeOrder("alice", {
    ticker: BOOK_TICKER,
    side: "yes",
    price,
    count: 500,
    clientOrderId: "alice-1",
  }, T0);
  const aliceFrames = parse(mine.onEvents(events));
  const bobFrames = parse(theirs.onEvents(events));
  assert.deepEqual(
    aliceFrames.map((f) => f.type),
    ["orderbook_delta", "user_order"],
  );
  assert.equal(aliceFrames[0]!.msg.client_order_id, "alice-1");
  assert.equal(aliceFrames[1]!.msg.client_order_id, "alice-1");
  assert.deepEqual(bobFrames.map((f) => f.type), ["orderbook_delta"]);
  assert.equal(bobFrames[0]!.msg.client_order_id, undefined);
  assert.equal(bobFrames[0]!.msg.delta_fp, aliceFrames[0]!.msg.delta_fp);
  // Bob sells into Alice's bid (buys NO at the crossing price): Alice gets a maker fill.
  const fill = exchange.placeOrder("bob", {
    ticker: BOOK_TICKER,
    side: "no",
    price: 10_000 - price,
    count: 200,
  }, T0);
  const aliceFill = parse(mine.onEvents(fill.events));
  const bobFill = parse(theirs.onEvents(fill.events));
  const makerFill = aliceFill.find((f) => f.type === "fill")!;
  assert.equal(makerFill.msg.is_taker, false);
  assert.equal(makerFill.msg.count_fp, "2.00");
  assert.equal(makerFill.msg.post_position_fp, "2.00");
  const takerFill = bobFill.find((f) => f.type === "fill")!;
  assert.equal(takerFill.msg.is_taker, true);
  assert.equal(takerFill.msg.outcome_side, "no");
  assert.ok(aliceFill.every((f) => f.type !== "fill" || f.msg.order_id !== takerFill.msg.order_id));
  assert.equal(aliceFill.find((f) => f.type === "market_position")!.msg.position_fp, "2.00");
  assert.equal(bobFill.find((f) => f.type === "market_position")!.msg.position_fp, "-2.00");
});

test("dropNext() drops the next sequenced frame of the sid, leaving a seq gap", () => {
  const { exchange, connection } = setup();
  send(connection, {
    id: 1,
    cmd: "subscribe",
    params: { channels: ["orderbook_delta"], market_ticker: BOOK_TICKER },
  });
  send(connection, { id: 2, cmd: "subscribe", params: { channels: ["trade"] } });
  connection.dropNext(1);
  const frames = run(exchange, connection, 200).filter((f) => f.sid === 1);
  assert.equal(frames[0]!.seq, 3, "seq 2 was dropped");
  frames.slice(1).forEach((f, i) => assert.equal(f.seq, 4 + i));
  assert.deepEqual(connection.pendingFaults(), []);
});

test("duplicateNext() sends the next sequenced frame twice", () => {
  const { exchange, connection } = setup();
  send(connection, {
    id: 1,
    cmd: "subscribe",
    params: { channels: ["orderbook_delta"], market_ticker: BOOK_TICKER },
  });
  connection.duplicateNext();
  const frames = run(exchange, connection, 100);
  assert.deepEqual(frames[0], frames[1]);
  assert.equal(frames[2]!.seq, 3);
});

test("raiseError() sends a terminal error with sid and seq and ends the subscription", () => {
  const { exchange, connection } = setup();
  send(connection, {
    id: 1,
    cmd: "subscribe",
    params: { channels: ["orderbook_delta", "ticker"], market_ticker: BOOK_TICKER },
  });
  assert.deepEqual(parse(connection.raiseError(1, 25)), [
    { type: "error", sid: 1, seq: 2, msg: { code: 25, msg: "Subscription buffer overflow" } },
  ]);
  assert.deepEqual(parse(connection.raiseError(2, 10)), [
    { type: "error", sid: 2, msg: { code: 10, msg: "Channel error" } },
  ]);
  assert.deepEqual(connection.subscriptions(), []);
  assert.deepEqual(run(exchange, connection, 50), []);
  assert.deepEqual(connection.raiseError(1, 25), [], "no frames for a dead sid");
});

test("onEvents() lets a client rebuild every book exactly from snapshot plus deltas", () => {
  const { exchange, connection } = setup({ seed: 99 });
  const tickers = exchange.markets().map((m) => m.ticker);
  const books = new Map<string, { yes: Map<Price, Count>; no: Map<Price, Count> }>();
  const apply = (frame: Frame): void => {
    if (frame.type === "orderbook_snapshot") {
      const book = { yes: new Map<Price, Count>(), no: new Map<Price, Count>() };
      for (const [p, c] of frame.msg.yes_dollars_fp ?? []) {
        book.yes.set(parsePrice(p), parseCount(c));
      }
      for (const [p, c] of frame.msg.no_dollars_fp ?? []) book.no.set(parsePrice(p), parseCount(c));
      books.set(frame.msg.market_ticker, book);
    } else if (frame.type === "orderbook_delta") {
      const ladder = books.get(frame.msg.market_ticker)![frame.msg.side as "yes" | "no"];
      const price = parsePrice(frame.msg.price_dollars);
      const next = (ladder.get(price) ?? 0) + parseCount(frame.msg.delta_fp);
      assert.ok(next >= 0);
      if (next === 0) ladder.delete(price);
      else ladder.set(price, next);
    }
  };
  send(connection, {
    id: 1,
    cmd: "subscribe",
    params: { channels: ["orderbook_delta"], market_tickers: tickers },
  })
    .forEach(apply);
  run(exchange, connection, 5_000).forEach(apply);
  for (const ticker of tickers) {
    const truth = exchange.market(ticker)!.book.scaled();
    const book = books.get(ticker)!;
    assert.deepEqual([...book.yes].sort((a, b) => a[0] - b[0]), truth.yes.map((l) => [...l]));
    assert.deepEqual([...book.no].sort((a, b) => a[0] - b[0]), truth.no.map((l) => [...l]));
  }
});

test("failNextCommand() answers the next command with the given code and runs nothing", () => {
  const { connection } = setup();
  connection.failNextCommand(18);
  assert.deepEqual(
    send(connection, { id: 4, cmd: "subscribe", params: { channels: ["ticker"] } }),
    [
      { id: 4, type: "error", msg: { code: 18, msg: "Command timeout" } },
    ],
  );
  assert.deepEqual(connection.subscriptions(), []);
  connection.failNextCommand(27);
  assert.equal(
    send(connection, { id: 5, cmd: "list_subscriptions" })[0]!.msg.msg,
    "Too many requests",
  );
  assert.equal(send(connection, { id: 6, cmd: "list_subscriptions" })[0]!.type, "ok");
});
