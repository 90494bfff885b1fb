import { test } from "node:test";
import assert from "node:assert/strict";
import type { CommandBody, SubscribeParams, UpdateSubscriptionParams } from "./command.ts";
import {
  addMarketsCommand,
  deleteMarketsCommand,
  getSnapshotCommand,
  listSubscriptionsCommand,
  subscribeCommand,
  unsubscribeCommand,
  updateIndicesCommand,
  updateSubscriptionCommand,
  updateUnderlyingsCommand,
} from "./command_builders.ts";
import { encodeCommand, validateCommand, validateUpdate } from "./command_validation.ts";
import { CHANNEL_INFO, CHANNELS } from "./channel.ts";
import { UPDATE_ACTIONS } from "./command_actions.ts";
import { CommandError } from "./errors.ts";
import type { SpecExample } from "./testing/spec_examples.ts";
import committed from "./testdata/spec_examples.json" with { type: "json" };
import { seededRandom as prng } from "./random.ts";

const UUID_A = "9b0f6b43-5b68-4f9f-9f02-9a2d1b8ac1a1";
const UUID_B = "0f0e1d2c-3b4a-4596-8877-665544332211";

/** Asserts that `run` throws a CommandError whose message contains every fragment. */
function rejects(run: () => unknown, ...fragments: string[]): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof CommandError, `expected CommandError, got ${error}`);
    for (const fragment of fragments) {
      assert.ok(error.message.includes(fragment), `"${error.message}" lacks "${fragment}"`);
    }
    return true;
  });
}

function sub(params: Record<string, unknown>): CommandBody {
  return subscribeCommand(params as unknown as SubscribeParams);
}

function upd(params: Record<string, unknown>): CommandBody {
  return updateSubscriptionCommand(params as unknown as UpdateSubscriptionParams);
}

test("encodeCommand() accepts every client→server spec example and encodes the same JSON", () => {
  const examples = (committed.examples as SpecExample[]).filter((e) =>
    e.direction === "client_to_server" && e.contentType === "application/json"
  );
  assert.ok(examples.length >= 25, `only ${examples.length} command examples`);
  for (const example of examples) {
    const { id, ...body } = example.payload as { id: number } & CommandBody;
    const label = `${example.message}/${example.example}`;
    assert.doesNotThrow(() => validateCommand(body), label);
    assert.equal(encodeCommand(id, body), JSON.stringify(example.payload), label);
  }
});

test("builders produce the documented wire frames", () => {
  const cases: [CommandBody, string][] = [
    [
      subscribeCommand({
        channels: ["orderbook_delta"],
        market_tickers: ["KXA-1"],
        use_yes_price: true,
      }),
      '{"id":1,"cmd":"subscribe","params":{"channels":["orderbook_delta"],"market_tickers":["KXA-1"],"use_yes_price":true}}',
    ],
    [unsubscribeCommand([1, 2]), '{"id":1,"cmd":"unsubscribe","params":{"sids":[1,2]}}'],
    [
      addMarketsCommand(4, ["KXA-1", "KXA-2"]),
      '{"id":1,"cmd":"update_subscription","params":{"sid":4,"action":"add_markets","market_tickers":["KXA-1","KXA-2"]}}',
    ],
    [
      addMarketsCommand(4, ["KXA-1"], { sendInitialSnapshot: true }),
      '{"id":1,"cmd":"update_subscription","params":{"sid":4,"action":"add_markets","market_tickers":["KXA-1"],"send_initial_snapshot":true}}',
    ],
    [
      deleteMarketsCommand(4, ["KXA-1"]),
      '{"id":1,"cmd":"update_subscription","params":{"sid":4,"action":"delete_markets","market_tickers":["KXA-1"]}}',
    ],
    [
      getSnapshotCommand(4, ["KXA-1"]),
      '{"id":1,"cmd":"update_subscription","params":{"sid":4,"action":"get_snapshot","market_tickers":["KXA-1"]}}',
    ],
    [
      updateIndicesCommand(2, "subscribe", ["BRTI"]),
      '{"id":1,"cmd":"update_subscription","params":{"sid":2,"action":"subscribe_indices","index_ids":["BRTI"]}}',
    ],
    [
      updateIndicesCommand(2, "unsubscribe", ["all"]),
      '{"id":1,"cmd":"update_subscription","params":{"sid":2,"action":"unsubscribe_indices","index_ids":["all"]}}',
    ],
    [
      updateIndicesCommand(2, "list"),
      '{"id":1,"cmd":"update_subscription","params":{"sid":2,"action":"indexlist"}}',
    ],
    [
      updateUnderlyingsCommand(3, "subscribe", ["Metal.XAU/USD"]),
      '{"id":1,"cmd":"update_subscription","params":{"sid":3,"action":"subscribe_underlyings","underlying_tickers":["Metal.XAU/USD"]}}',
    ],
    [
      updateUnderlyingsCommand(3, "list"),
      '{"id":1,"cmd":"update_subscription","params":{"sid":3,"action":"underlying_list"}}',
    ],
    [listSubscriptionsCommand(), '{"id":1,"cmd":"list_subscriptions"}'],
  ];
  for (const [body, json] of cases) assert.equal(encodeCommand(1, body), json);
});

test("builders copy their arrays so later caller mutation cannot change the command", () => {
  const tickers = ["KXA-1"];
  const body = addMarketsCommand(1, tickers);
  const channels: ("ticker" | "trade")[] = ["ticker"];
  const sub = subscribeCommand({ channels, market_tickers: tickers });
  tickers.push("KXA-2");
  channels.push("trade");
  assert.equal(
    encodeCommand(9, body),
    '{"id":9,"cmd":"update_subscription","params":{"sid":1,"action":"add_markets","market_tickers":["KXA-1"]}}',
  );
  assert.equal(
    encodeCommand(10, sub),
    '{"id":10,"cmd":"subscribe","params":{"channels":["ticker"],"market_tickers":["KXA-1"]}}',
  );
});

test("encodeCommand() accepts mixed channels when one requested channel takes each param", () => {
  const ok: Record<string, unknown>[] = [
    { channels: ["orderbook_delta", "ticker"], market_tickers: ["A", "B"] },
    { channels: ["orderbook_delta", "ticker"], market_ticker: "A", send_initial_snapshot: true },
    { channels: ["orderbook_delta", "trade"], market_ticker: "A", use_yes_price: false },
    { channels: ["ticker", "market_lifecycle_v2"], market_ids: [UUID_A, UUID_B] },
    { channels: ["communications", "fill"], shard_factor: 4, shard_key: 3, user_filter: "self" },
    { channels: ["cfbenchmarks_value_5hz", "pyth_value"], index_ids: ["all"] },
    { channels: ["pyth_value", "trade"], underlying_tickers: ["all"] },
    { channels: ["communications"], shard_factor: 100, shard_key: 0, user_filter: "" },
    { channels: ["fill"], skip_ticker_ack: true },
    { channels: ["ticker"], market_id: UUID_A, send_initial_snapshot: true },
  ];
  for (const params of ok) assert.doesNotThrow(() => encodeCommand(1, sub(params)));
});

test("encodeCommand() rejects a subscribe that breaks a rule, naming the problem", () => {
  const cases: [Record<string, unknown>, ...string[]][] = [
    [{ channels: [] }, '"channels" must list at least one channel'],
    [{}, '"channels" must list at least one channel'],
    [{ channels: "ticker" }, '"channels" must list at least one channel'],
    [{ channels: ["ticker", "tickers"] }, 'unknown channel "tickers"'],
    [{ channels: ["ticker_v2"] }, 'unknown channel "ticker_v2"'],
    [{ channels: ["ticker", "ticker"] }, 'channel "ticker" is listed twice'],
    [
      { channels: ["ticker"], market_ticker: "A", market_tickers: ["B"] },
      '"market_ticker" and "market_tickers" are mutually exclusive',
    ],
    [{ channels: ["ticker"], market_tickers: [] }, '"market_tickers" must not be empty'],
    [
      { channels: ["ticker"], market_tickers: ["A", ""] },
      '"market_tickers"[1] must be a non-empty',
    ],
    [{ channels: ["ticker"], market_tickers: ["A", 7] }, '"market_tickers"[1]', "got 7"],
    [{ channels: ["ticker"], market_ticker: "" }, '"market_ticker" must be a non-empty string'],
    [{ channels: ["ticker"], market_ticker: "A B" }, "without whitespace", '"A B"'],
    [{ channels: ["ticker"], market_tickers: "A" }, '"market_tickers" must be an array'],
    [
      { channels: ["trade"], market_id: UUID_A },
      '"market_id"/"market_ids" are accepted by the "ticker" channel only',
    ],
    [
      { channels: ["orderbook_delta"], market_ids: [UUID_A] },
      '"market_id"/"market_ids" are accepted by the "ticker" channel only',
    ],
    [
      { channels: ["ticker"], market_id: UUID_A, market_tickers: ["A"] },
      '"market_id"/"market_ids" cannot be combined with "market_ticker"/"market_tickers"',
    ],
    [
      { channels: ["ticker"], market_id: UUID_A, market_ids: [UUID_B] },
      '"market_id" and "market_ids" are mutually exclusive',
    ],
    [{ channels: ["ticker"], market_id: "not-a-uuid" }, '"market_id" must be a market UUID'],
    [{ channels: ["ticker"], market_ids: [UUID_A, "x"] }, '"market_ids"[1] must be a market UUID'],
    [
      { channels: ["orderbook_delta"] },
      'channel "orderbook_delta" requires "market_ticker" or "market_tickers"',
    ],
    [
      { channels: ["orderbook_delta", "ticker"], market_ids: [UUID_A] },
      'channel "orderbook_delta" requires "market_ticker" or "market_tickers"',
    ],
    [
      { channels: ["market_lifecycle_v2"], market_ticker: "A" },
      'no requested channel accepts "market_ticker"',
      '"market_lifecycle_v2"',
    ],
    [
      { channels: ["communications"], shard_key: 1 },
      '"shard_key" requires "shard_factor"',
    ],
    [
      { channels: ["communications"], shard_factor: 0 },
      '"shard_factor" must be an integer from 1 to 100, got 0',
    ],
    [
      { channels: ["communications"], shard_factor: 101 },
      '"shard_factor" must be an integer from 1 to 100, got 101',
    ],
    [
      { channels: ["communications"], shard_factor: 2.5 },
      '"shard_factor" must be an integer from 1 to 100, got 2.5',
    ],
    [
      { channels: ["communications"], shard_factor: 4, shard_key: 4 },
      '"shard_key" must be an integer from 0 to 3',
      "got 4",
    ],
    [
      { channels: ["communications"], shard_factor: 4, shard_key: -1 },
      '"shard_key" must be an integer from 0 to 3',
    ],
    [
      { channels: ["ticker"], shard_factor: 2 },
      '"shard_factor" applies only to "communications"',
    ],
    [
      { channels: ["fill"], user_filter: "self" },
      '"user_filter" applies only to "communications"',
    ],
    [{ channels: ["communications"], user_filter: "me" }, '"user_filter" must be "" or "self"'],
    [
      { channels: ["pyth_value"], index_ids: ["BRTI"] },
      '"index_ids" applies only to "cfbenchmarks_value", "cfbenchmarks_value_5hz"',
    ],
    [{ channels: ["cfbenchmarks_value"], index_ids: [] }, '"index_ids" must not be empty'],
    [
      { channels: ["cfbenchmarks_value"], underlying_tickers: ["all"] },
      '"underlying_tickers" applies only to "pyth_value"',
    ],
    [
      { channels: ["ticker"], use_yes_price: true },
      '"use_yes_price" applies only to "orderbook_delta"',
    ],
    [
      { channels: ["orderbook_delta"], market_ticker: "A", send_initial_snapshot: true },
      '"send_initial_snapshot" applies only to "ticker"',
    ],
    [
      { channels: ["market_lifecycle_v2"], skip_ticker_ack: true },
      '"skip_ticker_ack" applies only to',
    ],
    [
      { channels: ["orderbook_delta"], market_ticker: "A", use_yes_price: "true" },
      '"use_yes_price" must be a boolean, got "true"',
    ],
    [{ channels: ["ticker"], market: "A" }, 'unknown parameter "market"'],
  ];
  for (const [params, ...fragments] of cases) {
    rejects(() => encodeCommand(1, sub(params)), "Cannot subscribe: ", ...fragments);
  }
});

test("encodeCommand() rejects a bad unsubscribe, naming the problem", () => {
  rejects(() => encodeCommand(1, unsubscribeCommand([])), '"sids" must list at least one sid');
  rejects(
    () => encodeCommand(1, unsubscribeCommand([0])),
    '"sids"[0] must be a positive integer, got 0',
  );
  rejects(
    () => encodeCommand(1, unsubscribeCommand([1, -2])),
    '"sids"[1] must be a positive integer',
  );
  rejects(() => encodeCommand(1, unsubscribeCommand([1.5])), "got 1.5");
  rejects(() => encodeCommand(1, unsubscribeCommand([3, 3])), "sid 3 is listed twice");
  rejects(
    () => encodeCommand(1, { cmd: "unsubscribe", params: { sids: [1], sid: 2 } as never }),
    'Cannot unsubscribe: unknown parameter "sid"',
  );
});

test("encodeCommand() rejects a bad update_subscription, naming the problem", () => {
  const cases: [Record<string, unknown>, ...string[]][] = [
    [
      { sid: 1, sids: [1], action: "add_markets", market_tickers: ["A"] },
      'give "sid" or "sids", not both',
    ],
    [{ action: "add_markets", market_tickers: ["A"] }, '"sid" or "sids" is required'],
    [
      { sids: [1, 2], action: "add_markets", market_tickers: ["A"] },
      '"sids" must hold exactly one sid, got 2',
    ],
    [{ sids: [], action: "indexlist" }, '"sids" must hold exactly one sid, got 0'],
    [{ sid: 0, action: "indexlist" }, '"sid" must be a positive integer, got 0'],
    [{ sid: "1", action: "indexlist" }, '"sid" must be a positive integer, got "1"'],
    [{ sids: [2.5], action: "indexlist" }, '"sids"[0] must be a positive integer, got 2.5'],
    [{ sid: 1 }, '"action" is required'],
    [{ sid: 1, action: "add_market" }, 'unknown action "add_market"'],
    [
      { sid: 1, action: "add_markets" },
      'action "add_markets" requires "market_ticker", "market_tickers", "market_id" or "market_ids"',
    ],
    [
      { sid: 1, action: "delete_markets", market_tickers: [] },
      '"market_tickers" must not be empty',
    ],
    [
      { sid: 1, action: "delete_markets", market_ticker: "A", market_tickers: ["B"] },
      '"market_ticker" and "market_tickers" are mutually exclusive',
    ],
    [
      { sid: 1, action: "add_markets", market_ticker: "A", market_id: UUID_A },
      "cannot be combined",
    ],
    [{ sid: 1, action: "get_snapshot" }, 'action "get_snapshot" requires "market_tickers"'],
    [
      { sid: 1, action: "get_snapshot", market_ticker: "A" },
      '"market_ticker" is not a parameter of action "get_snapshot"',
    ],
    [
      { sid: 1, action: "get_snapshot", market_tickers: ["A"], market_ids: [UUID_A] },
      '"market_ids" is not a parameter of action "get_snapshot"',
    ],
    [
      { sid: 1, action: "get_snapshot", market_tickers: ["A"], send_initial_snapshot: true },
      '"send_initial_snapshot" is not a parameter of action "get_snapshot"',
    ],
    [
      { sid: 1, action: "delete_markets", market_tickers: ["A"], send_initial_snapshot: true },
      '"send_initial_snapshot" is not a parameter of action "delete_markets"',
    ],
    [{ sid: 1, action: "subscribe_indices" }, 'action "subscribe_indices" requires "index_ids"'],
    [{ sid: 1, action: "unsubscribe_indices", index_ids: [] }, '"index_ids" must not be empty'],
    [
      { sid: 1, action: "subscribe_underlyings" },
      'action "subscribe_underlyings" requires "underlying_tickers"',
    ],
    [
      { sid: 1, action: "unsubscribe_underlyings", underlying_tickers: [""] },
      '"underlying_tickers"[0] must be a non-empty string',
    ],
    [
      { sid: 1, action: "indexlist", index_ids: ["BRTI"] },
      '"index_ids" is not a parameter of action "indexlist"',
    ],
    [
      { sid: 1, action: "add_markets", index_ids: ["BRTI"] },
      '"index_ids" is not a parameter of action "add_markets"',
    ],
    [
      { sid: 1, action: "add_markets", market_tickers: ["A"], channels: ["ticker"] },
      'unknown parameter "channels"',
    ],
    [
      { sid: 1, action: "add_markets", market_tickers: ["A"], send_initial_snapshot: 1 },
      '"send_initial_snapshot" must be a boolean, got 1',
    ],
  ];
  for (const [params, ...fragments] of cases) {
    rejects(() => encodeCommand(1, upd(params)), "Cannot update subscription: ", ...fragments);
  }
});

test("encodeCommand() rejects bad ids, bodies and commands before anything is sent", () => {
  for (const id of [0, -1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1]) {
    rejects(
      () => encodeCommand(id, listSubscriptionsCommand()),
      "Cannot encode command: id must be",
    );
  }
  rejects(() => encodeCommand(1, "subscribe" as never), "expected a command object");
  rejects(() => encodeCommand(1, { cmd: "ping" } as never), 'unknown cmd "ping"');
  rejects(() => encodeCommand(1, {} as never), "unknown cmd undefined");
  rejects(
    () => encodeCommand(1, { cmd: "list_subscriptions", params: {} } as never),
    '"list_subscriptions" takes no params',
  );
  rejects(
    () => encodeCommand(1, { id: 3, ...listSubscriptionsCommand() } as never),
    'unexpected field "id" (pass the id to encodeCommand)',
  );
  rejects(() => encodeCommand(1, { cmd: "subscribe" } as never), '"params" must be an object');
  rejects(
    () => encodeCommand(1, { cmd: "update_subscription", params: [] } as never),
    'Cannot update subscription: "params" must be an object, got an array',
  );
});

test("validateCommand() ignores undefined fields and validates what it serializes", () => {
  const body = sub({ channels: ["ticker"], market_ticker: undefined, market_tickers: ["A"] });
  validateCommand(body);
  assert.equal(
    encodeCommand(2, body),
    '{"id":2,"cmd":"subscribe","params":{"channels":["ticker"],"market_tickers":["A"]}}',
  );
  // Inherited fields are neither validated nor sent.
  const inherited = Object.create({ market_ticker: "B" }) as Record<string, unknown>;
  inherited.channels = ["orderbook_delta"];
  rejects(() => encodeCommand(1, sub(inherited)), 'requires "market_ticker"');
});

test("validateUpdate() rejects an action or market field the channel does not support", () => {
  validateUpdate("orderbook_delta", getSnapshotCommand(1, ["A"]).params);
  validateUpdate("ticker", { sid: 1, action: "add_markets", market_ids: [UUID_A] });
  validateUpdate("ticker", addMarketsCommand(1, ["A"], { sendInitialSnapshot: true }).params);
  validateUpdate("cfbenchmarks_value_5hz", updateIndicesCommand(1, "list").params);
  validateUpdate("pyth_value", updateUnderlyingsCommand(1, "subscribe", ["all"]).params);
  rejects(
    () => validateUpdate("ticker", getSnapshotCommand(1, ["A"]).params),
    'channel "ticker" does not support action "get_snapshot"',
    'supported: "add_markets", "delete_markets"',
  );
  rejects(
    () => validateUpdate("trade", addMarketsCommand(1, ["A"]).params),
    'channel "trade" does not support action "add_markets" (supported: none)',
  );
  rejects(
    () => validateUpdate("pyth_value", updateIndicesCommand(1, "list").params),
    'channel "pyth_value" does not support action "indexlist"',
  );
  rejects(
    () => validateUpdate("fill", { sid: 1, action: "add_markets", market_id: UUID_A }),
    '"market_id"/"market_ids" are accepted by the "ticker" channel only, not "fill"',
  );
  rejects(
    () =>
      validateUpdate(
        "orderbook_delta",
        addMarketsCommand(1, ["A"], { sendInitialSnapshot: true }).params,
      ),
    '"send_initial_snapshot" applies only to "ticker", not "orderbook_delta"',
  );
  rejects(
    () => validateUpdate("nope" as never, addMarketsCommand(1, ["A"]).params),
    'unknown channel "nope"',
  );
  // Channel-independent rules still apply first.
  rejects(() => validateUpdate("ticker", { sid: 1, action: "add_markets" }), "requires");
});

// ---------------------------------------------------------------------------------------------
// Randomized: encode either throws CommandError or yields a frame that round-trips and validates

const ODD_VALUES: readonly unknown[] = [
  undefined,
  null,
  "",
  " ",
  "A B",
  0,
  -1,
  1.5,
  Number.NaN,
  true,
  {},
  [],
  [""],
  [null],
  "\u2028",
  "\ud800",
  '"quoted"',
];

function randomBody(random: () => number): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const maybe = (p: number) => random() < p;
  const ticker = () => maybe(0.8) ? pick(["KXA-1", "KXB-2", "FED-23DEC-T3.00"]) : pick(ODD_VALUES);
  const list = <T>(item: () => T) =>
    maybe(0.1) ? pick(ODD_VALUES) : Array.from({ length: Math.floor(random() * 3) }, item);
  const uuid = () => maybe(0.8) ? pick([UUID_A, UUID_B]) : pick(["nope", ...ODD_VALUES]);
  const int = () =>
    maybe(0.8) ? pick([1, 2, 3, 7, 100]) : pick([101, 0, -1, 2.5, "1", ...ODD_VALUES]);
  const bool = () => pick([true, false, "true", 1, undefined]);
  const params: Record<string, unknown> = {};
  const set = (key: string, p: number, value: () => unknown) => {
    if (maybe(p)) params[key] = value();
  };
  const cmd = pick([
    "subscribe",
    "subscribe",
    "unsubscribe",
    "update_subscription",
    "list_subscriptions",
    "bogus",
  ]);
  if (cmd === "subscribe") {
    set("channels", 0.95, () =>
      maybe(0.05) ? pick(ODD_VALUES) : Array.from(
        { length: 1 + Math.floor(random() * 3) },
        () => maybe(0.05) ? pick(["tickerz", "ticker_v2", ...ODD_VALUES]) : pick(CHANNELS),
      ));
    set("market_ticker", 0.25, ticker);
    set("market_tickers", 0.3, () => list(ticker));
    set("market_id", 0.1, uuid);
    set("market_ids", 0.1, () => list(uuid));
    set("send_initial_snapshot", 0.15, bool);
    set("skip_ticker_ack", 0.1, bool);
    set("use_yes_price", 0.15, bool);
    set("user_filter", 0.1, () => pick(["", "self", "all", 1]));
    set("shard_factor", 0.15, int);
    set("shard_key", 0.15, int);
    set("index_ids", 0.15, () => list(() => pick(["BRTI", "all", ...ODD_VALUES])));
    set("underlying_tickers", 0.15, () => list(() => pick(["Metal.XAU/USD", "all", ""])));
    set("bogus", 0.03, () => 1);
  } else if (cmd === "unsubscribe") {
    set("sids", 0.95, () => list(int));
  } else if (cmd === "update_subscription") {
    // Mostly plausible commands (one target, the action's own fields), sometimes anything.
    const target = random();
    if (target < 0.5) set("sid", 1, int);
    else if (target < 0.8) set("sids", 1, () => maybe(0.8) ? [int()] : list(int));
    else {
      set("sid", 0.5, int);
      set("sids", 0.5, () => list(int));
    }
    const action = pick([...UPDATE_ACTIONS, "nope", 3]);
    set("action", 0.95, () => action);
    const own = (key: string) => {
      const market = ["add_markets", "delete_markets"].includes(action as string);
      if (key === "market_tickers") return market || action === "get_snapshot";
      if (key === "send_initial_snapshot") return action === "add_markets";
      if (key.startsWith("market_")) return market;
      if (key === "index_ids") return String(action).endsWith("_indices");
      return String(action).endsWith("_underlyings");
    };
    const field = (key: string, value: () => unknown) => set(key, own(key) ? 0.5 : 0.04, value);
    field("market_ticker", ticker);
    field("market_tickers", () => list(ticker));
    field("market_id", uuid);
    field("market_ids", () => list(uuid));
    field("send_initial_snapshot", bool);
    field("index_ids", () => list(() => pick(["BRTI", "all", ""])));
    field("underlying_tickers", () => list(() => pick(["Metal.XAU/USD", "all", 3])));
  }
  if (cmd === "list_subscriptions" || cmd === "bogus") {
    return maybe(0.9) ? { cmd } : { cmd, params };
  }
  return maybe(0.02) ? pick(ODD_VALUES) : maybe(0.03) ? { cmd } : { cmd, params };
}

/** Independent checks of the rules that matter most, on an accepted frame. */
function checkInvariants(frame: { cmd: string; params?: Record<string, unknown> }): void {
  const p = frame.params ?? {};
  const has = (key: string) => p[key] !== undefined;
  if (frame.cmd === "subscribe") {
    const channels = p.channels as string[];
    assert.ok(channels.length > 0);
    assert.ok(!(has("market_ticker") && has("market_tickers")));
    if (channels.includes("orderbook_delta")) {
      assert.ok(has("market_ticker") || has("market_tickers"));
    }
    if (has("market_id") || has("market_ids")) assert.ok(channels.includes("ticker"));
    if (has("shard_key")) {
      assert.ok(
        (p.shard_key as number) >= 0 && (p.shard_key as number) < (p.shard_factor as number),
      );
    }
    if (has("shard_factor")) assert.ok(channels.includes("communications"));
    if (has("use_yes_price")) assert.ok(channels.includes("orderbook_delta"));
    if (has("send_initial_snapshot")) assert.ok(channels.includes("ticker"));
  } else if (frame.cmd === "update_subscription") {
    assert.ok(has("sid") !== has("sids"));
    if (p.action === "get_snapshot") {
      assert.deepEqual(Object.keys(p).filter((k) => k.startsWith("market_")), ["market_tickers"]);
    }
  } else if (frame.cmd === "unsubscribe") {
    assert.ok((p.sids as number[]).every((sid) => Number.isInteger(sid) && sid > 0));
  } else {
    assert.equal(frame.cmd, "list_subscriptions");
  }
}

test("encodeCommand() on 20 000 seeded random commands throws CommandError or emits a valid frame", () => {
  const random = prng(0x5eed);
  const accepted = new Map<string, number>();
  let rejected = 0;
  for (let i = 0; i < 20_000; i++) {
    const body = randomBody(random);
    const id = 1 + Math.floor(random() * 1000);
    let text: string;
    try {
      text = encodeCommand(id, body as CommandBody);
    } catch (error) {
      assert.ok(error instanceof CommandError, `#${i} ${JSON.stringify(body)}: ${error}`);
      rejected++;
      continue;
    }
    const frame = JSON.parse(text);
    assert.equal(frame.id, id);
    const { id: _, ...again } = frame;
    validateCommand(again);
    assert.equal(encodeCommand(id, again), text, `#${i} does not round-trip`);
    checkInvariants(frame);
    accepted.set(frame.cmd, (accepted.get(frame.cmd) ?? 0) + 1);
  }
  // Both outcomes are well exercised for every command.
  assert.ok(rejected > 2000, `only ${rejected} rejected`);
  for (const cmd of ["subscribe", "unsubscribe", "update_subscription", "list_subscriptions"]) {
    assert.ok((accepted.get(cmd) ?? 0) > 200, `only ${accepted.get(cmd)} ${cmd} accepted`);
  }
});

test("CHANNEL_INFO drives acceptance: every channel subscribes alone with its required filter", () => {
  for (const channel of CHANNELS) {
    const params: Record<string, unknown> = { channels: [channel] };
    if (CHANNEL_INFO[channel].marketFilter === "required") params.market_ticker = "KXA-1";
    assert.doesNotThrow(() => encodeCommand(1, sub(params)), channel);
  }
});
