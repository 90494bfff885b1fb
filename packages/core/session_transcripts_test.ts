/**
 * Minimal transcripts of bugs the deterministic simulation (`packages/dst`) found, each named
 * after the seed and the invariant it broke. They feed the `Session` frames and times directly,
 * so they stay readable and fast and live beside the session; the seeds themselves run in the
 * DST package.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { BookStore } from "./book_store.ts";
import { CommandError } from "./errors.ts";
import { Session } from "./session.ts";
import type { SessionEvent } from "./session_events.ts";

function sent(session: Session): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let f = session.pollTransmit(); f !== undefined; f = session.pollTransmit()) {
    out.push(JSON.parse(f));
  }
  return out;
}

function events(session: Session): SessionEvent[] {
  const out: SessionEvent[] = [];
  for (let e = session.pollEvent(); e !== undefined; e = session.pollEvent()) out.push(e);
  return out;
}

/** A live `trade` subscription on connection 1, then a reconnect: returns the re-subscribe. */
function reconnected(): { session: Session; key: number; resubscribe: Record<string, unknown> } {
  const session = new Session({ commandTimeoutMs: 1_000 });
  const key = session.subscribe({ channels: ["trade"] }, 0);
  session.opened(0);
  sent(session);
  session.receiveText('{"id":1,"type":"subscribed","msg":{"channel":"trade","sid":1}}', 5);
  session.closed(1006, "", 100);
  session.opened(200);
  const [resubscribe] = sent(session);
  assert.equal(resubscribe!.cmd, "subscribe");
  events(session);
  return { session, key, resubscribe: resubscribe! };
}

for (const [seed, code, text] of [[183, 18, "Command timeout"], [174, 27, "Too many requests"]]) {
  test(`Session.receiveText() retries a re-subscribe refused with ${code} instead of losing the subscription (seed ${seed})`, () => {
    const { session, key, resubscribe } = reconnected();
    session.receiveText(
      JSON.stringify({ id: resubscribe.id, type: "error", msg: { code, msg: text } }),
      210,
    );
    assert.deepEqual(events(session).filter((e) => e.type === "subscription_lost"), []);
    assert.deepEqual(sent(session), [], "no immediate retry (a rate limit needs a pause)");
    const retryAt = session.pollTimeout()!;
    assert.ok(retryAt > 210 && retryAt <= 1_210, `retry scheduled soon: ${retryAt}`);
    session.handleTimeout(retryAt);
    const [retry] = sent(session);
    assert.deepEqual(retry, { id: 2, cmd: "subscribe", params: { channels: ["trade"] } });
    session.receiveText('{"id":2,"type":"subscribed","msg":{"channel":"trade","sid":2}}', retryAt);
    assert.deepEqual(
      events(session).filter((e) => e.type === "resubscribed"),
      [{ type: "resubscribed", key, sids: [{ channel: "trade", sid: 2 }], reason: "reconnect" }],
    );
  });
}

test("Session.handleTimeout() retries a re-subscribe that timed out instead of losing the subscription (seed 170)", () => {
  const { session, key } = reconnected();
  session.handleTimeout(1_200); // the re-subscribe sent at 200 got no answer
  assert.deepEqual(events(session).filter((e) => e.type === "subscription_lost"), []);
  session.handleTimeout(session.pollTimeout()!);
  const [retry] = sent(session);
  assert.equal(retry!.cmd, "subscribe");
  session.receiveText(
    JSON.stringify({ id: retry!.id, type: "subscribed", msg: { channel: "trade", sid: 2 } }),
    2_000,
  );
  assert.deepEqual(session.sidsOf(key), [{ channel: "trade", sid: 2 }]);
});

test("Session.receiveText() still rejects a first subscribe refused with 27 (the caller is told)", () => {
  const session = new Session();
  const key = session.subscribe({ channels: ["trade"] }, 0);
  session.opened(0);
  sent(session);
  session.receiveText('{"id":1,"type":"error","msg":{"code":27,"msg":"Too many requests"}}', 5);
  const result = events(session).find((e) => e.type === "command_result");
  assert.equal(result?.type === "command_result" && result.request === key && !result.ok, true);
  assert.deepEqual(session.subscriptionKeys(), []);
});

test("Session.receiveText() subscribes again when Kalshi merges a subscribe into a sid being discarded (seed 747)", () => {
  // The first subscribe times out but Kalshi did run it; the user's retry is merged into the
  // sid the session is already unsubscribing as an orphan: it must not be adopted as live.
  const session = new Session({ commandTimeoutMs: 1_000 });
  session.subscribe({ channels: ["trade"] }, 0);
  session.opened(0);
  sent(session);
  session.handleTimeout(1_000);
  const key = session.subscribe({ channels: ["trade"] }, 1_000);
  assert.deepEqual(sent(session), [{ id: 2, cmd: "subscribe", params: { channels: ["trade"] } }]);
  session.receiveText('{"id":1,"type":"subscribed","msg":{"channel":"trade","sid":1}}', 1_010);
  assert.deepEqual(sent(session), [{ id: 3, cmd: "unsubscribe", params: { sids: [1] } }]);
  session.receiveText('{"id":2,"type":"ok","sid":1,"seq":1}', 1_010);
  assert.deepEqual(session.sidsOf(key), [], "not live on a sid that is being unsubscribed");
  session.receiveText('{"id":3,"type":"unsubscribed","sid":1,"seq":2}', 1_020);
  assert.deepEqual(sent(session), [{ id: 4, cmd: "subscribe", params: { channels: ["trade"] } }]);
  session.receiveText('{"id":4,"type":"subscribed","msg":{"channel":"trade","sid":2}}', 1_030);
  assert.deepEqual(session.sidsOf(key), [{ channel: "trade", sid: 2 }]);
  const trade = '{"type":"trade","sid":2,"seq":1,"msg":{"market_ticker":"A"}}';
  session.receiveText(trade, 1_040);
  const data = events(session).filter((e) => e.type === "data" && e.key === key);
  assert.equal(data.length, 1, "its data is delivered");
});

function bookSession(markets: string[]): { session: Session; books: BookStore; key: number } {
  const books = new BookStore();
  const session = new Session({ books, commandTimeoutMs: 1_000 });
  const key = session.subscribe({ channels: ["orderbook_delta"], market_tickers: markets }, 0);
  session.opened(0);
  sent(session);
  session.receiveText(
    '{"id":1,"type":"subscribed","msg":{"channel":"orderbook_delta","sid":1}}',
    1,
  );
  markets.forEach((m, i) => session.receiveText(snapshot(m, i + 1), 1));
  events(session);
  return { session, books, key };
}

function snapshot(market: string, seq: number, id?: number): string {
  return JSON.stringify({
    type: "orderbook_snapshot",
    ...(id === undefined ? {} : { id }),
    sid: 1,
    seq,
    msg: { market_ticker: market, yes_dollars_fp: [["0.4000", "10.00"]] },
  });
}

test("Session.handleTimeout() stops trusting books of a delete_markets that timed out (seed 898)", () => {
  // Kalshi may have removed the market after all: its book would then stay valid but unfed.
  const { session, books, key } = bookSession(["A", "B"]);
  session.removeMarkets(key, ["A"], 10);
  sent(session);
  session.handleTimeout(1_010);
  assert.equal(books.get("A")?.valid, false);
  assert.deepEqual(sent(session), [{
    id: 3,
    cmd: "update_subscription",
    params: { sid: 1, action: "get_snapshot", market_tickers: ["A"] },
  }]);
  // Kalshi did remove it: the repair fails and the channel is renewed with the markets the
  // session knows of.
  session.receiveText(
    '{"id":3,"type":"error","msg":{"code":11,"msg":"Invalid parameter","market_tickers":["A"]}}',
    1_020,
  );
  assert.deepEqual(sent(session), [{ id: 4, cmd: "unsubscribe", params: { sids: [1] } }]);
  session.receiveText('{"id":4,"type":"unsubscribed","sid":1,"seq":3}', 1_030);
  assert.deepEqual(sent(session), [], "after the subscription's re-subscribe pause");
  session.handleTimeout(session.pollTimeout()!);
  assert.deepEqual(sent(session), [{
    id: 5,
    cmd: "subscribe",
    params: { channels: ["orderbook_delta"], market_tickers: ["A", "B"] },
  }]);
});

test("Session.resync() resolves when an add_markets timed out before its snapshot (seed 16)", () => {
  const { session, key } = bookSession(["A"]);
  session.addMarkets(key, ["B"], 10);
  sent(session);
  session.handleTimeout(1_010); // Kalshi never ran it: no snapshot of B will ever come
  events(session);
  const request = session.resync(key, 1_100);
  assert.deepEqual(sent(session), [{
    id: 3,
    cmd: "update_subscription",
    params: { sid: 1, action: "get_snapshot", market_tickers: ["A"] },
  }]);
  session.receiveText(snapshot("A", 2, 3), 1_110);
  const result = events(session).find((e) => e.type === "command_result");
  assert.deepEqual(result, {
    type: "command_result",
    request,
    ok: true,
    value: { command: "resync", key },
  });
});

test("Session.removeMarkets() counts removals still in flight before allowing an empty list (seed 1060)", () => {
  // Two removals in flight would leave an order-book subscription with no market: its next
  // re-subscribe could not even be encoded, and `opened()` threw.
  const { session, key } = bookSession(["A", "B"]);
  session.removeMarkets(key, ["A"], 10);
  assert.throws(() => session.removeMarkets(key, ["B"], 11), CommandError);
  session.closed(1006, "", 20);
  session.opened(30);
  assert.deepEqual(sent(session).map((c) => c.cmd), ["subscribe"]);
});

test("Session.receiveText() reports a sid 0 as a decode error instead of throwing (session fuzzer)", () => {
  // The session answered the orphan sid 0 with `unsubscribe [0]`, which the encoder refuses
  // (sids are positive): receiveText() threw a CommandError.
  const session = new Session();
  session.subscribe({ channels: ["trade"] }, 0);
  session.opened(0);
  sent(session);
  events(session);
  for (
    const frame of [
      '{"id":2,"type":"subscribed","msg":{"channel":"ticker","sid":0}}',
      '{"id":1,"type":"ok","sid":0,"seq":1}',
      '{"id":3,"type":"ok","msg":[{"channel":"ticker","sid":0}]}',
      '{"type":"orderbook_delta","sid":0,"seq":1,"msg":{"market_ticker":"A","price_dollars":"0.4200","delta_fp":"1.00","side":"yes"}}',
    ]
  ) {
    session.receiveText(frame, 1);
    assert.deepEqual(events(session).map((e) => e.type), ["decode_error"], frame);
  }
  assert.deepEqual(sent(session), []);
});

test("Session ends a subscription whose markets were all removed instead of throwing on re-subscribe (seed 14778)", () => {
  // Removing A timed out but Kalshi applied it late (its `ok` listed only B); removing B then
  // passed the "keep one market" check and emptied the list; the repair's re-subscribe could
  // not be encoded and `receiveText()` threw.
  const { session, key } = bookSession(["A", "B"]);
  session.removeMarkets(key, ["A"], 10);
  sent(session);
  session.handleTimeout(1_010); // no answer in time
  sent(session);
  session.receiveText('{"id":2,"type":"ok","sid":1,"seq":3,"msg":{"market_tickers":["B"]}}', 1_020);
  session.removeMarkets(key, ["B"], 1_030);
  const [remove] = sent(session);
  session.receiveText(
    JSON.stringify({ id: remove!.id, type: "ok", sid: 1, seq: 4, msg: { market_tickers: [] } }),
    1_040,
  );
  events(session);
  session.closed(1006, "", 1_050);
  session.opened(1_060);
  assert.deepEqual(sent(session), [], "nothing to re-subscribe");
  assert.ok(events(session).some((e) => e.type === "unsubscribed" && e.key === key));
  assert.deepEqual(session.subscriptionKeys(), []);
});

test("Session.handleTimeout() asks for a first snapshot that never came (seed 27521)", () => {
  // The snapshot after `subscribed` was lost and the market stayed quiet: nothing revealed the
  // gap, and the book stayed invalid for as long as the market sent nothing.
  const books = new BookStore();
  const session = new Session({ books, commandTimeoutMs: 1_000 });
  const key = session.subscribe({ channels: ["orderbook_delta"], market_tickers: ["A"] }, 0);
  session.opened(0);
  sent(session);
  session.receiveText(
    '{"id":1,"type":"subscribed","msg":{"channel":"orderbook_delta","sid":1}}',
    5,
  );
  assert.ok(session.pollTimeout()! <= 1_005);
  session.handleTimeout(1_005);
  assert.deepEqual(sent(session), [{
    id: 2,
    cmd: "update_subscription",
    params: { sid: 1, action: "get_snapshot", market_tickers: ["A"] },
  }]);
  session.receiveText(snapshot("A", 2, 2), 1_010);
  assert.equal(books.get("A")?.valid, true);
  assert.deepEqual(session.sidsOf(key), [{ channel: "orderbook_delta", sid: 1 }]);
});
