import { test } from "node:test";
import assert from "node:assert/strict";
import { BookStore } from "./book_store.ts";
import { DriftLog } from "./drift.ts";
import { DecodeError } from "./errors.ts";
import { DeltaScanner } from "./fast_decode.ts";
import { decodeMessage } from "./message.ts";
import { RETIRED_FIELDS } from "./protocol_fields.ts";
import { Session } from "./session.ts";

const MARKET_ID = "3f2a7c1e-9b4d-4e8a-a1c2-5d6e7f809a1b";

/** A snapshot in the integer-cent format Kalshi retired on 2026-03-12. */
const RETIRED_SNAPSHOT = JSON.stringify({
  type: "orderbook_snapshot",
  sid: 1,
  seq: 1,
  msg: {
    market_ticker: "KXFED-26DEC-T4.25",
    market_id: MARKET_ID,
    yes: [[41, 25], [42, 10]],
    no: [[55, 7]],
  },
});

test("decodeMessage() refuses a retired integer-cent snapshot with a DecodeError naming msg.yes", () => {
  assert.throws(
    () => decodeMessage(RETIRED_SNAPSHOT),
    (error: unknown) => {
      assert.ok(error instanceof DecodeError);
      assert.match(error.message, /retired field msg\.yes \(integer-cent/);
      assert.match(error.message, /without msg\.yes_dollars_fp/);
      assert.equal(error.frame, RETIRED_SNAPSHOT);
      return true;
    },
  );
  // The transition-era ladders ([dollars, integer count]) alone are refused the same way.
  const dollars = JSON.stringify({
    type: "orderbook_snapshot",
    sid: 1,
    seq: 1,
    msg: { market_ticker: "KXA-1", no_dollars: [["0.5500", 7]] },
  });
  assert.throws(() => decodeMessage(dollars), /retired field msg\.no_dollars/);
});

test("a session refuses the retired snapshot: decode_error and drift events, no valid book", () => {
  const books = new BookStore();
  const session = new Session({ books });
  const key = session.subscribe({
    channels: ["orderbook_delta"],
    market_tickers: ["KXFED-26DEC-T4.25"],
  }, 0);
  session.opened(0);
  session.receiveText(
    JSON.stringify({ id: 1, type: "subscribed", msg: { channel: "orderbook_delta", sid: 1 } }),
    1,
  );
  session.receiveText(RETIRED_SNAPSHOT, 2);
  const events = [];
  for (let e = session.pollEvent(); e !== undefined; e = session.pollEvent()) events.push(e);
  const types = events.map((e) => e.type);
  assert.ok(types.includes("subscribed"), `subscribed ${key}`);
  const drift = events.find((e) => e.type === "drift");
  assert.ok(drift?.type === "drift" && drift.kind === "retired_field" && drift.field === "msg.yes");
  const error = events.find((e) => e.type === "decode_error");
  assert.ok(error?.type === "decode_error" && /msg\.yes/.test(error.error.message));
  assert.equal(types.includes("data"), false, "no data event for a refused snapshot");
  assert.equal(books.get("KXFED-26DEC-T4.25")?.valid ?? false, false);
  assert.deepEqual(session.drift.entries().map((e) => [e.kind, e.field, e.count]), [
    ["retired_field", "msg.yes", 1],
  ]);
});

test("a retired integer-cent delta is refused by name and never taken by the fast path", () => {
  const text = JSON.stringify({
    type: "orderbook_delta",
    sid: 1,
    seq: 2,
    msg: { market_ticker: "KXA-1", market_id: MARKET_ID, price: 42, delta: -4, side: "yes" },
  });
  assert.equal(new DeltaScanner().scan(text), undefined);
  assert.throws(() => decodeMessage(text), /retired field msg\.price \(integer cents\)/);
  // The transition-era shape (both spellings) decodes the generic way, counting the old fields.
  const both = JSON.stringify({
    type: "orderbook_delta",
    sid: 1,
    seq: 3,
    msg: {
      market_ticker: "KXA-1",
      market_id: MARKET_ID,
      price: 42,
      price_dollars: "0.4200",
      delta: -4,
      delta_fp: "-4.00",
      side: "yes",
    },
  });
  assert.equal(new DeltaScanner().scan(both), undefined);
  const log = new DriftLog();
  const message = decodeMessage(both, log);
  assert.ok(message.type === "orderbook_delta" && message.msg.price_dollars === "0.4200");
  assert.deepEqual(log.entries().map((e) => e.field), ["msg.price", "msg.delta"]);
});

/** A minimal valid frame of `type` (book frames need a seq and a market). */
function base(type: string): Record<string, unknown> {
  const msg: Record<string, unknown> = { market_ticker: "KXA-1" };
  if (type === "orderbook_delta") Object.assign(msg, { delta_fp: "1.00", side: "yes" });
  return { type, sid: 1, seq: 1, msg };
}

test("every retired field with a current twin is refused when the twin is missing, by name", () => {
  let refused = 0;
  for (const [type, fields] of Object.entries(RETIRED_FIELDS)) {
    for (const field of fields) {
      if (field.action !== "refuse") continue;
      const key = field.path.slice("msg.".length);
      const currentKey = field.current!.slice("msg.".length);
      const frame = base(type);
      const msg = frame.msg as Record<string, unknown>;
      if (type === "orderbook_delta" && currentKey !== "price_dollars") msg.price_dollars = "0.42";
      if (type === "orderbook_delta" && currentKey === "delta_fp") delete msg.delta_fp;
      msg[key] = 42;
      const text = JSON.stringify(frame);
      const log = new DriftLog();
      assert.throws(
        () => decodeMessage(text, log),
        (error: unknown) =>
          error instanceof DecodeError && error.message.includes(`retired field ${field.path} `) &&
          error.message.includes(`without ${field.current}`),
        `${type} ${field.path}`,
      );
      assert.deepEqual(log.entries().map((e) => [e.kind, e.field]), [[
        "retired_field",
        field.path,
      ]]);
      // With the current twin present too, the frame decodes and the old field is only counted.
      msg[currentKey] = currentKey.endsWith("_fp") && type === "orderbook_snapshot" ? [] : "1.00";
      const after = new DriftLog();
      assert.doesNotThrow(() => decodeMessage(JSON.stringify(frame), after), `${type} ${key}`);
      assert.ok(after.entries().some((e) => e.kind === "retired_field" && e.field === field.path));
      refused++;
    }
  }
  assert.ok(refused >= 30, `${refused} retired fields checked`);
});

test("decodeMessage() reads the oldest event subtitle spelling into subtitle and counts it", () => {
  const log = new DriftLog();
  const message = decodeMessage(
    JSON.stringify({
      type: "event_lifecycle",
      sid: 4,
      seq: 2,
      msg: { event_ticker: "KXA", title: "A", sub_title: "On A", series_ticker: "KXA" },
    }),
    log,
  );
  assert.ok(message.type === "event_lifecycle");
  assert.equal(message.msg.subtitle, "On A");
  assert.deepEqual(log.entries().map((e) => [e.kind, e.field]), [
    ["retired_field", "msg.sub_title"],
  ]);
});

test("retired fields without a current twin (notes) never refuse a frame", () => {
  const log = new DriftLog();
  decodeMessage(
    JSON.stringify({
      type: "market_position",
      sid: 5,
      msg: { user_id: "u", market_ticker: "KXA-1", position_fp: "1.00", resting_orders_count: 2 },
    }),
    log,
  );
  decodeMessage('{"type":"error","id":3,"msg":{"code":11,"msg":"x","market_id":"m"}}', log);
  assert.deepEqual(log.entries().map((e) => `${e.kind} ${e.messageType} ${e.field}`), [
    "retired_field market_position msg.resting_orders_count",
    "retired_field error msg.market_id",
  ]);
});
