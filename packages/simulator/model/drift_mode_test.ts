import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeMessage, describeDrift, DriftLog } from "@kalshi-ws/core";
import { ChannelFeeds } from "./channel_feeds.ts";
import { ProtocolConnection } from "./connection.ts";
import { DRIFT_ENVELOPE_FIELD, DRIFT_FIELD, DRIFT_TYPE } from "./drift_mode.ts";
import { Exchange } from "./exchange.ts";

const T0 = Date.UTC(2026, 10, 25, 12);
const USER = "a1b2c3d4-e5f6-4890-abcd-ef1234567890";

/** The same session on a plain and a drift-mode connection; both connections' frame texts. */
function session(): { plain: string[]; drift: string[] } {
  const exchange = new Exchange({ seed: 3 });
  exchange.addAccount(USER);
  const feeds = new ChannelFeeds(exchange, { seed: 3, accounts: [USER] });
  const plain = new ProtocolConnection({ exchange, userId: USER });
  const drift = new ProtocolConnection({ exchange, userId: USER, drift: true });
  const out = { plain: [] as string[], drift: [] as string[] };
  const both = (make: (c: ProtocolConnection) => { text: string }[]) => {
    for (const f of make(plain)) out.plain.push(f.text);
    for (const f of make(drift)) out.drift.push(f.text);
  };
  const tickers = exchange.markets().map((m) => m.ticker);
  both((c) =>
    c.handleText(
      JSON.stringify({
        id: 1,
        cmd: "subscribe",
        params: { channels: ["orderbook_delta", "ticker", "trade"], market_tickers: tickers },
      }),
      T0,
    )
  );
  for (let i = 1; i <= 2_000; i++) {
    const events = [...exchange.step(T0 + i * 50), ...feeds.step(T0 + i * 50)];
    both((c) => c.onEvents(events));
  }
  both((c) => c.handleText('{"id":2,"cmd":"list_subscriptions"}', T0 + 200_000));
  return out;
}

test("drift mode adds unknown fields and an unknown type that the decoder reports", () => {
  const { drift } = session();
  assert.equal(JSON.parse(drift[0]!).type, DRIFT_TYPE, "the very first frame");
  const log = new DriftLog();
  for (const text of drift) decodeMessage(text, log);
  const seen = log.entries().map((e) => describeDrift(e));
  for (
    const expected of [
      `unknown type ${DRIFT_TYPE}`,
      `unknown field subscribed ${DRIFT_ENVELOPE_FIELD}`,
      `unknown field ok ${DRIFT_ENVELOPE_FIELD}`,
      `unknown field orderbook_snapshot msg.${DRIFT_FIELD}`,
      `unknown field orderbook_delta msg.${DRIFT_FIELD}`,
      `unknown field ticker msg.${DRIFT_FIELD}`,
      `unknown field trade msg.${DRIFT_FIELD}`,
    ]
  ) assert.ok(seen.includes(expected), `${expected} in ${seen.join("; ")}`);
  assert.equal(
    seen.every((s) =>
      s.includes(DRIFT_FIELD) || s.includes(DRIFT_ENVELOPE_FIELD) ||
      s.includes(DRIFT_TYPE)
    ),
    true,
  );
  const unknownTypes = log.entries().find((e) => e.kind === "unknown_type")!.count;
  assert.ok(unknownTypes > 3, `unknown type sent again every 100 frames (${unknownTypes})`);
});

test("drift mode only adds: without the additions the frames are the plain ones", () => {
  const { plain, drift } = session();
  const stripped = drift
    .filter((text) => JSON.parse(text).type !== DRIFT_TYPE)
    .map((text) => {
      const frame = JSON.parse(text);
      delete frame[DRIFT_ENVELOPE_FIELD];
      if (typeof frame.msg === "object" && !Array.isArray(frame.msg)) delete frame.msg[DRIFT_FIELD];
      return frame;
    });
  assert.deepEqual(stripped, plain.map((text) => JSON.parse(text)));
  assert.ok(drift.some((t) => t.includes(`"msg":{"${DRIFT_FIELD}":`)));
});
