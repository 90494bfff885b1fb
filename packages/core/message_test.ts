import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import {
  DATA_MESSAGE_TYPES,
  decodeMessage,
  isDataMessage,
  isListSubscriptionsReply,
  type ServerMessage,
} from "./message.ts";
import { DecodeError } from "./errors.ts";
import { parseCount, parsePrice } from "./fixed_point.ts";
import { CHANNEL_INFO, CHANNELS } from "./channel.ts";
import { DEFAULT_SPEC_PATH, readSpecExamples, type SpecExample } from "./testing/spec_examples.ts";
import committed from "./testdata/spec_examples.json" with { type: "json" };
import observedText from "./testdata/observed_frames.jsonl" with { type: "text" };

/** Wire `type` each server→client spec message must decode to. */
const EXPECTED_TYPE: Record<string, string> = {
  subscribedResponse: "subscribed",
  unsubscribedResponse: "unsubscribed",
  okResponse: "ok",
  listSubscriptionsResponse: "ok",
  subscribedIndicesResponse: "ok",
  subscribedUnderlyingsResponse: "ok",
  errorResponse: "error",
  orderbookSnapshot: "orderbook_snapshot",
  orderbookDelta: "orderbook_delta",
  cfbenchmarksValue: "cfbenchmarks_value",
  cfbenchmarksIndexList: "cfbenchmarks_value_indexlist",
  cfbenchmarksValue5Hz: "cfbenchmarks_value_5hz",
  cfbenchmarks5HzIndexList: "cfbenchmarks_value_5hz_indexlist",
  pythValue: "pyth_value",
  pythUnderlyingList: "pyth_value_underlying_list",
  ticker: "ticker",
  trade: "trade",
  fill: "fill",
  marketLifecycleV2: "market_lifecycle_v2",
  marketMetadataUpdated: "market_lifecycle_v2",
  multivariateMarketLifecycle: "multivariate_market_lifecycle",
  eventLifecycle: "event_lifecycle",
  eventFeeUpdate: "event_fee_update",
  marketPosition: "market_position",
  orderGroupUpdates: "order_group_updates",
  userOrder: "user_order",
  rfqCreated: "rfq_created",
  rfqDeleted: "rfq_deleted",
  quoteCreated: "quote_created",
  quoteAccepted: "quote_accepted",
  quoteExecuted: "quote_executed",
};

function serverFrames(examples: readonly SpecExample[]): SpecExample[] {
  return examples.filter((e) =>
    e.direction === "server_to_client" && e.contentType === "application/json"
  );
}

/** Decodes every server→client example and checks its variant; returns the types seen. */
function checkExamples(examples: readonly SpecExample[]): Set<string> {
  const seen = new Set<string>();
  const frames = serverFrames(examples);
  assert.ok(frames.length > 30, `only ${frames.length} server→client examples`);
  for (const example of frames) {
    const label = `${example.message}/${example.example}`;
    const expected = EXPECTED_TYPE[example.message];
    assert.ok(expected, `${label}: no expected type for spec message ${example.message}`);
    const text = JSON.stringify(example.payload);
    const message = decodeMessage(text);
    assert.equal(message.type, expected, label);
    // Spec examples need no normalisation: the decoded value is the frame as sent.
    assert.deepEqual(message, JSON.parse(text), label);
    assert.equal(
      isListSubscriptionsReply(message),
      example.message === "listSubscriptionsResponse",
      label,
    );
    assert.equal(isDataMessage(message), DATA_MESSAGE_TYPES.includes(expected as never), label);
    seen.add(expected);
  }
  return seen;
}

test("decodeMessage() decodes every server→client example of the committed spec extract", () => {
  const seen = checkExamples(committed.examples as SpecExample[]);
  // Every current data message type has at least one official example.
  for (const channel of CHANNELS) {
    for (const type of CHANNEL_INFO[channel].messageTypes) {
      assert.ok(seen.has(type), `no spec example decoded as ${type}`);
    }
  }
});

const specFound = existsSync(DEFAULT_SPEC_PATH);
test(
  specFound
    ? "decodeMessage() decodes every server→client example of the live spec beside the repo"
    : `decodeMessage() live spec examples: SKIPPED, ${DEFAULT_SPEC_PATH} not found`,
  { skip: !specFound },
  () => {
    const live = readSpecExamples(DEFAULT_SPEC_PATH);
    checkExamples(live.examples);
    assert.deepEqual(
      live,
      committed,
      "testdata/spec_examples.json is stale: run deno run -A scripts/extract_spec_examples.ts",
    );
  },
);

test("decodeMessage() decodes the ok shapes the spec documents without examples", () => {
  const indices = decodeMessage(
    '{"id":4,"type":"ok","sid":1,"seq":5,"msg":{"index_ids":["all"]}}',
  );
  assert.ok(indices.type === "ok" && !isListSubscriptionsReply(indices));
  assert.deepEqual(indices.msg, { index_ids: ["all"] });
  const underlyings = decodeMessage(
    '{"id":5,"type":"ok","sid":2,"seq":9,"msg":{"underlying_tickers":["Metal.XAU/USD"]}}',
  );
  assert.ok(underlyings.type === "ok" && !isListSubscriptionsReply(underlyings));
  assert.deepEqual(underlyings.msg?.underlying_tickers, ["Metal.XAU/USD"]);
  // skip_ticker_ack: an ok without any msg.
  assert.deepEqual(decodeMessage('{"id":6,"type":"ok","sid":3,"seq":2}'), {
    id: 6,
    type: "ok",
    sid: 3,
    seq: 2,
  });
});

// ---------------------------------------------------------------------------------------------
// Frames as observed in reality

const observed = observedText.split("\n").filter((line) => line.trim() !== "");

/** The one observed frame containing every `fragment`. */
function frame(...fragments: string[]): string {
  const matches = observed.filter((line) => fragments.every((f) => line.includes(f)));
  assert.equal(matches.length, 1, `observed frames matching ${fragments.join(" & ")}`);
  return matches[0];
}

test("decodeMessage() decodes every observed frame, only the unknown type as unknown", () => {
  assert.ok(observed.length >= 20);
  for (const line of observed) {
    const message = decodeMessage(line);
    const wire = (JSON.parse(line) as { type: string }).type;
    if (wire === "market_status") assert.equal(message.type, "unknown");
    else assert.equal(message.type, wire, line);
  }
});

test("decodeMessage() accepts a ticker without time, dollar_volume and dollar_open_interest", () => {
  const message = decodeMessage(frame('"type":"ticker"'));
  assert.equal(message.type, "ticker");
  if (message.type !== "ticker") return;
  assert.equal(message.sid, 2);
  assert.equal(message.seq, undefined);
  assert.equal(message.msg.time, undefined);
  assert.equal(message.msg.dollar_volume, undefined);
  assert.equal(message.msg.dollar_open_interest, undefined);
  assert.equal(message.msg.yes_ask_dollars, "0.9800");
});

test('decodeMessage() accepts an empty snapshot with market_id "" and no level keys', () => {
  const message = decodeMessage(frame('"market_id":""'));
  assert.ok(message.type === "orderbook_snapshot");
  assert.equal(message.msg.market_id, "");
  assert.equal(message.msg.yes_dollars_fp, undefined);
  assert.equal(message.msg.no_dollars_fp, undefined);
  assert.equal(message.seq, 2);
});

test("decodeMessage() keeps a snapshot's string levels exactly as sent", () => {
  const message = decodeMessage(frame('"type":"orderbook_snapshot"', '"sid":1,"seq":1'));
  assert.ok(message.type === "orderbook_snapshot");
  assert.deepEqual(message.msg.yes_dollars_fp, [
    ["0.0100", "2500.00"],
    ["0.4100", "25.00"],
    ["0.4200", "10.00"],
  ]);
  assert.deepEqual(message.msg.no_dollars_fp, [["0.0200", "2500.00"], ["0.5500", "7.00"]]);
});

test("decodeMessage() reads unsubscribed with top-level sid and seq", () => {
  const message = decodeMessage(frame('"type":"unsubscribed"'));
  assert.deepEqual(message, { type: "unsubscribed", id: 2, sid: 2, seq: 707 });
});

test("decodeMessage() reads an ok ack that consumes a seq", () => {
  const message = decodeMessage(frame('"seq":108'));
  assert.ok(message.type === "ok" && !isListSubscriptionsReply(message));
  assert.equal(message.sid, 1);
  assert.equal(message.seq, 108);
  assert.deepEqual(message.msg?.market_tickers, ["KXA-0", "KXA-1", "KXA-2"]);
});

test("decodeMessage() reads error frames with numeric codes (8, 3, sid-scoped 25)", () => {
  const unknownChannel = decodeMessage(frame('"code":8'));
  assert.ok(unknownChannel.type === "error");
  assert.deepEqual(unknownChannel.msg, { code: 8, msg: "Unknown channel name" });
  assert.equal(unknownChannel.id, 3);
  const channels = decodeMessage(frame('"code":3'));
  assert.ok(channels.type === "error");
  assert.equal(channels.msg.code, 3);
  assert.equal(channels.msg.msg, "Channels required");
  const overflow = decodeMessage(frame('"code":25'));
  assert.ok(overflow.type === "error");
  assert.equal(overflow.id, undefined);
  assert.equal(overflow.sid, 1);
  assert.equal(overflow.seq, 109);
});

test("decodeMessage() moves the legacy top-level subscriptions list into msg", () => {
  const message = decodeMessage(frame('"subscriptions"'));
  assert.ok(isListSubscriptionsReply(message));
  assert.deepEqual(message.msg, [
    { channel: "orderbook_delta", sid: 1 },
    { channel: "ticker", sid: 2 },
  ]);
  assert.equal(message.id, 3);
});

test("decodeMessage() turns JSON numbers in book levels, price_dollars and delta_fp into strings", () => {
  const snapshot = decodeMessage(frame('"type":"orderbook_snapshot"', "KXNUM"));
  assert.ok(snapshot.type === "orderbook_snapshot");
  assert.deepEqual(snapshot.msg.yes_dollars_fp, [["0.41", "25"], ["0.42", "10.5"]]);
  assert.deepEqual(snapshot.msg.no_dollars_fp, [["0.5500", "7"]]);
  assert.equal(parsePrice(snapshot.msg.yes_dollars_fp![1][0]), 4200);
  assert.equal(parseCount(snapshot.msg.yes_dollars_fp![1][1]), 1050);

  const delta = decodeMessage(frame('"type":"orderbook_delta"', "KXNUM"));
  assert.ok(delta.type === "orderbook_delta");
  assert.equal(delta.msg.price_dollars, "0.42");
  assert.equal(delta.msg.delta_fp, "-4");
  assert.equal(delta.msg.side, "no");
  assert.equal(parseCount(delta.msg.delta_fp), -400);
});

test("decodeMessage() returns an unknown type whole as UnknownMessage", () => {
  const text = frame('"type":"market_status"');
  const message = decodeMessage(text);
  assert.ok(message.type === "unknown");
  assert.equal(message.wireType, "market_status");
  assert.deepEqual(message.raw, JSON.parse(text));
  assert.equal(isDataMessage(message), false);
});

test("decodeMessage() keeps extra top-level and msg fields", () => {
  const message = decodeMessage(frame('"future_field"'));
  assert.ok(message.type === "orderbook_delta");
  const raw = message as unknown as Record<string, unknown>;
  assert.equal(raw.server_ts, 1787838984001);
  assert.deepEqual((message.msg as unknown as Record<string, unknown>).future_field, {
    nested: [1, 2],
  });
  assert.equal(message.msg.client_order_id, "my-order-1");
  assert.equal(message.msg.subaccount, 2);
});

test("decodeMessage() accepts lifecycle, user_order, unsequenced trade and legacy frames", () => {
  const determined = decodeMessage(frame('"event_type":"determined"'));
  assert.ok(determined.type === "market_lifecycle_v2");
  assert.equal(determined.msg.settlement_value, "0.0000");
  assert.equal(determined.seq, 12);
  const order = decodeMessage(frame('"type":"user_order"'));
  assert.ok(order.type === "user_order");
  assert.equal(order.msg.ticker, "KXBTCD-26AUG2717-T113999.99");
  assert.equal(order.msg.outcome_side, undefined);
  const trade = decodeMessage(frame('"type":"trade"'));
  assert.ok(trade.type === "trade");
  assert.equal(trade.seq, undefined);
  const legacy = decodeMessage(frame('"type":"ticker_v2"'));
  assert.ok(legacy.type === "ticker_v2" && isDataMessage(legacy));
  assert.equal(legacy.msg.price, 42);
  const lookup = decodeMessage(frame('"type":"multivariate_lookup"'));
  assert.ok(lookup.type === "multivariate_lookup");
  assert.equal(lookup.msg.selected_markets?.[0].side, "yes");
});

// ---------------------------------------------------------------------------------------------
// Malformed frames

const MALFORMED: readonly [text: string, reason: string][] = [
  ['{"type":"ticker","sid":1,"msg":{"market_ticker":"A"', "invalid JSON"],
  ["", "invalid JSON"],
  ["[1,2]", "expected a JSON object, got an array"],
  ["42", "expected a JSON object, got 42"],
  ['"ok"', 'expected a JSON object, got "ok"'],
  ["null", "expected a JSON object, got null"],
  ['{"sid":1,"msg":{}}', '"type" must be a string, got missing'],
  ['{"type":7}', '"type" must be a string, got 7'],
  ['{"type":"ticker","sid":"1","msg":{}}', '"sid" must be a non-negative integer, got "1"'],
  ['{"type":"trade","sid":1,"seq":2.5,"msg":{}}', '"seq" must be a non-negative integer, got 2.5'],
  ['{"type":"ok","id":-1}', '"id" must be a non-negative integer, got -1'],
  ['{"type":"ticker","sid":null,"msg":{}}', '"sid" must be a non-negative integer, got null'],
  ['{"type":"ticker","msg":{}}', '"ticker" sid must be present'],
  ['{"type":"ticker","sid":1,"msg":"x"}', '"ticker" msg must be an object, got "x"'],
  ['{"type":"fill","sid":1}', '"fill" msg must be an object, got missing'],
  ['{"type":"pyth_value","sid":1,"seq":1,"msg":[]}', '"pyth_value" msg must be an object'],
  [
    '{"type":"orderbook_delta","sid":1,"seq":2,"msg":{"market_ticker":"A","price_dollars":"0.1","delta_fp":"1","side":"up"}}',
    '"orderbook_delta" msg.side must be "yes" or "no", got "up"',
  ],
  [
    '{"type":"orderbook_delta","sid":1,"seq":2,"msg":{"market_ticker":"A","delta_fp":"1","side":"yes"}}',
    "msg.price_dollars must be a decimal string, got missing",
  ],
  [
    '{"type":"orderbook_delta","sid":1,"seq":2,"msg":{"market_ticker":"A","price_dollars":"0.1","delta_fp":{},"side":"yes"}}',
    "msg.delta_fp must be a decimal string, got an object",
  ],
  [
    '{"type":"orderbook_delta","sid":1,"msg":{"market_ticker":"A","price_dollars":"0.1","delta_fp":"1","side":"yes"}}',
    '"orderbook_delta" seq must be present',
  ],
  [
    '{"type":"orderbook_delta","sid":1,"seq":2,"msg":{"price_dollars":"0.1","delta_fp":"1","side":"yes"}}',
    "msg.market_ticker must be a non-empty string, got missing",
  ],
  [
    '{"type":"orderbook_snapshot","sid":1,"seq":1,"msg":{"market_ticker":"A","yes_dollars_fp":[["0.1","1","2"]]}}',
    "msg.yes_dollars_fp[0] must be a [price, size] pair, got an array",
  ],
  [
    '{"type":"orderbook_snapshot","sid":1,"seq":1,"msg":{"market_ticker":"A","no_dollars_fp":[["0.1",null]]}}',
    "msg.no_dollars_fp[0][1] must be a decimal string, got null",
  ],
  [
    '{"type":"orderbook_snapshot","sid":1,"seq":1,"msg":{"market_ticker":"A","no_dollars_fp":{"0.1":"1"}}}',
    "msg.no_dollars_fp must be an array of levels, got an object",
  ],
  [
    '{"type":"orderbook_snapshot","sid":1,"seq":1,"msg":{"market_ticker":""}}',
    "msg.market_ticker must be a non-empty string",
  ],
  ['{"type":"subscribed","id":1,"msg":{"channel":"ticker"}}', '"subscribed" msg.sid must be'],
  ['{"type":"subscribed","id":1,"msg":{"sid":1}}', '"subscribed" msg.channel must be a string'],
  ['{"type":"subscribed","id":1}', '"subscribed" msg must be an object, got missing'],
  ['{"type":"unsubscribed","id":1}', '"unsubscribed" sid must be present'],
  ['{"type":"error","id":1,"msg":{"code":"8","msg":"x"}}', '"error" msg.code must be an integer'],
  ['{"type":"error","id":1,"msg":{"code":8}}', '"error" msg.msg must be a string, got missing'],
  ['{"type":"error","id":1}', '"error" msg must be an object, got missing'],
  ['{"type":"ok","id":1,"msg":[{"channel":"ticker"}]}', '"ok" msg[0].sid must be'],
  ['{"type":"ok","id":1,"msg":"done"}', '"ok" msg must be an object or an array'],
  [
    '{"type":"ok","sid":1,"msg":{"market_tickers":"A"}}',
    '"ok" msg.market_tickers must be an array',
  ],
];

test("decodeMessage() throws DecodeError naming the problem and carrying the frame", () => {
  for (const [text, reason] of MALFORMED) {
    assert.throws(() => decodeMessage(text), (error: unknown) => {
      assert.ok(error instanceof DecodeError, `${text}: ${error}`);
      assert.ok(error instanceof SyntaxError);
      assert.equal(error.frame, text);
      assert.ok(error.message.includes(reason), `${text}: "${error.message}" lacks "${reason}"`);
      return true;
    });
  }
});

test("decodeMessage() keeps the cause of a JSON syntax error and the whole long frame", () => {
  const text = `{"type":"trade","sid":1,"msg":{"pad":"${"x".repeat(500)}"`;
  assert.throws(() => decodeMessage(text), (error: unknown) => {
    assert.ok(error instanceof DecodeError);
    assert.equal(error.frame, text);
    assert.ok(error.cause instanceof SyntaxError);
    return true;
  });
});

test("decodeMessage() narrows the union on type for typed access", () => {
  const message: ServerMessage = decodeMessage(
    '{"type":"subscribed","id":1,"msg":{"channel":"ticker","sid":3}}',
  );
  assert.ok(message.type === "subscribed");
  const sid: number = message.msg.sid;
  assert.equal(sid, 3);
});
