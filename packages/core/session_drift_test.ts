import { test } from "node:test";
import assert from "node:assert/strict";
import { DriftLog } from "./drift.ts";
import { Session } from "./session.ts";
import type { SessionEvent } from "./session_events.ts";

function drain(session: Session): SessionEvent[] {
  const out: SessionEvent[] = [];
  for (let e = session.pollEvent(); e !== undefined; e = session.pollEvent()) out.push(e);
  return out;
}

const tickerWith = (field: string) =>
  JSON.stringify({ type: "ticker", sid: 1, msg: { market_ticker: "KXA-1", [field]: 1 } });

test("Session raises one drift event per new kind, before the frame's data, and counts all", () => {
  const session = new Session();
  session.subscribe({ channels: ["ticker"] }, 0);
  session.opened(0);
  session.receiveText('{"id":1,"type":"subscribed","msg":{"channel":"ticker","sid":1}}', 1);
  drain(session);
  for (let i = 0; i < 3; i++) session.receiveText(tickerWith("new_field"), 2 + i);
  session.receiveText('{"type":"exchange_notice","msg":{"text":"hello"}}', 6);
  const kinds = drain(session).map((e) =>
    e.type === "drift" ? `drift ${e.kind} ${e.messageType} ${e.field ?? "-"}` : e.type
  );
  assert.deepEqual(kinds, [
    "drift unknown_field ticker msg.new_field",
    "data",
    "data",
    "data",
    "drift unknown_type exchange_notice -",
    "data",
  ]);
  // Over a reconnect: still counted, never raised again.
  session.closed(1006, "lost", 7);
  session.opened(8);
  session.receiveText('{"id":1,"type":"subscribed","msg":{"channel":"ticker","sid":1}}', 9);
  session.receiveText(tickerWith("new_field"), 10);
  assert.equal(drain(session).some((e) => e.type === "drift"), false);
  assert.deepEqual(session.drift.entries().map((e) => [e.kind, e.messageType, e.count]), [
    ["unknown_field", "ticker", 4],
    ["unknown_type", "exchange_notice", 1],
  ]);
  assert.equal(session.drift.total, 5);
  assert.match(session.drift.summary(), /^protocol drift: unknown field ticker msg.new_field ×4/);
});

test("Session counts into a DriftLog it is given, and plain deltas stay on the fast path", () => {
  const drift = new DriftLog();
  const session = new Session({ drift });
  session.subscribe({ channels: ["orderbook_delta"], market_tickers: ["KXA-1"] }, 0);
  session.opened(0);
  session.receiveText(
    '{"id":1,"type":"subscribed","msg":{"channel":"orderbook_delta","sid":1}}',
    1,
  );
  session.receiveText(
    '{"type":"orderbook_snapshot","sid":1,"seq":1,"msg":{"market_ticker":"KXA-1","market_id":"m",' +
      '"yes_dollars_fp":[["0.4100","25.00"]]}}',
    2,
  );
  session.receiveText(
    '{"type":"orderbook_delta","sid":1,"seq":2,"msg":{"market_ticker":"KXA-1","market_id":"m",' +
      '"price_dollars":"0.4100","delta_fp":"-5.00","side":"yes","ts_ms":5}}',
    3,
  );
  session.receiveText(
    '{"type":"orderbook_delta","sid":1,"seq":3,"msg":{"market_ticker":"KXA-1","market_id":"m",' +
      '"price_dollars":"0.4100","delta_fp":"-5.00","side":"yes","queue_position":2}}',
    4,
  );
  const events = drain(session);
  assert.equal(events.filter((e) => e.type === "data").length, 3, "every frame delivered");
  assert.deepEqual(drift.entries().map((e) => [e.kind, e.field, e.count]), [
    ["unknown_field", "msg.queue_position", 1],
  ]);
  assert.equal(session.drift, drift);
});
