import { test } from "node:test";
import assert from "node:assert/strict";
import { CommandTimeoutError, ServerError } from "@kalshi-ws/core";
import { connect } from "./client.ts";
import type { ClientEvent } from "./client_event.ts";
import { ClientClosedError, ConnectionError, HandshakeRejectedError } from "./errors.ts";
import { ackSubscribe, fakeSigner, open } from "./testing/memory_client.ts";
import { flushMicrotasks, ManualClock } from "./testing/manual_clock.ts";
import { MemoryTransport } from "./testing/memory_transport.ts";

function snapshot(sid: number, seq: number, market: string, id?: number) {
  return {
    type: "orderbook_snapshot",
    sid,
    seq,
    ...(id === undefined ? {} : { id }),
    msg: { market_ticker: market, market_id: "m", yes_dollars_fp: [["0.4000", "10.00"]] },
  };
}

function delta(sid: number, seq: number, market: string) {
  return {
    type: "orderbook_delta",
    sid,
    seq,
    msg: {
      market_ticker: market,
      market_id: "m",
      price_dollars: "0.4000",
      delta_fp: "1.00",
      side: "yes",
    },
  };
}

test("connect() signs ts+GET+path with the injected wall clock when it opens", async () => {
  const h = await open();
  const headers = h.socket().headers;
  assert.equal(headers["KALSHI-ACCESS-KEY"], "key-1");
  assert.equal(headers["KALSHI-ACCESS-TIMESTAMP"], String(h.clock.epoch));
  assert.deepEqual(h.signer.messages, [`${h.clock.epoch}GET/trade-api/ws/v2`]);
  assert.equal(h.socket().url, "ws://sim.test/trade-api/ws/v2");
  assert.equal(h.client.state, "open");
  await h.client.close();
});

test("connect() rejects with HandshakeRejectedError and a hint when the server answers 401", async () => {
  const clock = new ManualClock();
  const transport = new MemoryTransport();
  const connecting = connect({ transport, keyId: "k", signer: fakeSigner(), clock });
  await flushMicrotasks();
  transport.last.reject(401);
  await assert.rejects(connecting, (error: HandshakeRejectedError) => {
    assert.ok(error instanceof HandshakeRejectedError);
    assert.equal(error.status, 401);
    assert.match(error.message, /clock/);
    assert.match(error.message, /demo key used on production/);
    return true;
  });
  assert.equal(transport.sockets.length, 1);
  assert.equal(clock.pendingTimers, 0);
});

test("connect() rejects with ConnectionError when the network fails on the first attempt", async () => {
  const clock = new ManualClock();
  const transport = new MemoryTransport();
  const connecting = connect({ transport, keyId: "k", signer: fakeSigner(), clock });
  await flushMicrotasks();
  transport.last.reject();
  await assert.rejects(connecting, ConnectionError);
});

test("connect() rejects with the abort reason when the signal is aborted while connecting", async () => {
  const clock = new ManualClock();
  const transport = new MemoryTransport();
  const controller = new AbortController();
  const connecting = connect({
    transport,
    keyId: "k",
    signer: fakeSigner(),
    clock,
    signal: controller.signal,
  });
  await flushMicrotasks();
  controller.abort(new Error("stop"));
  await assert.rejects(connecting, /stop/);
  assert.equal(transport.last.state, "closed");
});

test("subscribe() resolves on subscribed and data reaches the client and the handle", async () => {
  const h = await open();
  const all = h.client.events();
  const pending = h.client.subscribe({ channels: ["orderbook_delta"], market_tickers: ["M1"] });
  await flushMicrotasks();
  ackSubscribe(h.socket(), 1);
  h.socket().receive(snapshot(1, 1, "M1")); // arrives before the caller resumes
  const sub = await pending;
  assert.deepEqual(sub.sids, [{ channel: "orderbook_delta", sid: 1 }]);
  h.socket().receive(delta(1, 2, "M1"));
  await flushMicrotasks();
  const types: string[] = [];
  while (all.size > 0) types.push((await all.next()).value!.type);
  assert.deepEqual(types, ["subscribed", "data", "data"]);
  const mine = sub.events(); // the first stream has buffered since subscribe()
  const seen: ClientEvent[] = [];
  while (mine.size > 0) seen.push((await mine.next()).value!);
  assert.deepEqual(seen.map((e) => e.type === "data" ? e.message.type : e.type), [
    "subscribed",
    "orderbook_snapshot",
    "orderbook_delta",
  ]);
  assert.equal(seen[1]!.type === "data" && seen[1]!.subscription, sub);
  assert.equal(sub.events().size, 0); // later streams start fresh
  const unbuffered = h.client.subscribe({ channels: ["trade"] }, { buffer: false });
  await flushMicrotasks();
  ackSubscribe(h.socket(), 2);
  h.socket().receive({ type: "trade", sid: 2, seq: 1, msg: { market_ticker: "M1" } });
  const trades = await unbuffered;
  await flushMicrotasks();
  assert.equal(trades.events().size, 0); // nothing was kept for a reader nobody created
  await h.client.close();
  assert.deepEqual(await mine.next(), { value: undefined, done: true });
});

test("Subscription.events() starts with lagged and fresh snapshots when the unread first stream overflowed", async () => {
  const h = await open({ bufferSize: 2 });
  const pending = h.client.subscribe({ channels: ["orderbook_delta"], market_tickers: ["M1"] });
  await flushMicrotasks();
  ackSubscribe(h.socket(), 1);
  const sub = await pending;
  h.socket().receive(snapshot(1, 1, "M1"));
  for (let seq = 2; seq <= 4; seq++) h.socket().receive(delta(1, seq, "M1"));
  await flushMicrotasks();
  assert.equal(h.socket().commands("update_subscription").length, 0); // nobody reads yet
  const stream = sub.events();
  await flushMicrotasks();
  const getSnapshot = h.socket().commands("update_subscription")[0]!;
  assert.deepEqual(getSnapshot.params, { sid: 1, action: "get_snapshot", market_tickers: ["M1"] });
  h.socket().receive(snapshot(1, 5, "M1", getSnapshot.id as number));
  await flushMicrotasks();
  const seen: string[] = [];
  while (stream.size > 0) {
    const event = (await stream.next()).value!;
    seen.push(event.type === "data" ? event.message.type : event.type);
  }
  assert.deepEqual(seen, ["lagged", "orderbook_snapshot", "resynced"]);
  await h.client.close();
});

test("subscribe() rejects with a ServerError carrying Kalshi's code when the server refuses", async () => {
  const h = await open();
  const pending = h.client.subscribe({ channels: ["fill"] });
  await flushMicrotasks();
  const command = h.socket().commands("subscribe")[0]!;
  h.socket().receive({
    id: command.id,
    type: "error",
    msg: { code: 9, msg: "Authentication required" },
  });
  await assert.rejects(
    pending,
    (error: ServerError) => error instanceof ServerError && error.code === 9,
  );
  assert.equal(h.client.subscriptions().length, 0);
  await h.client.close();
});

test("listSubscriptions() rejects with CommandTimeoutError when no answer comes in time", async () => {
  const h = await open({ commandTimeoutMs: 3_000, idleTimeoutMs: 60_000 });
  const pending = h.client.listSubscriptions();
  const settled = assert.rejects(pending, CommandTimeoutError);
  await h.clock.advance(3_000);
  await settled;
  await h.client.close();
});

test("listSubscriptions() resolves with Kalshi's list when answered", async () => {
  const h = await open();
  const pending = h.client.listSubscriptions();
  await flushMicrotasks();
  const command = h.socket().commands("list_subscriptions")[0]!;
  h.socket().receive({ id: command.id, type: "ok", msg: [{ channel: "ticker", sid: 3 }] });
  assert.deepEqual(await pending, [{ channel: "ticker", sid: 3 }]);
  await h.client.close();
});

test("the client reconnects, re-signs and restores every handle when the link drops", async () => {
  const h = await open();
  const pending = h.client.subscribe({
    channels: ["orderbook_delta", "trade"],
    market_tickers: ["M1"],
  });
  await flushMicrotasks();
  ackSubscribe(h.socket(), 1);
  const sub = await pending;
  const first = h.socket();
  await h.clock.advance(500);
  first.drop();
  await flushMicrotasks();
  const reconnecting = h.events.find((e) => e.type === "reconnecting");
  assert.deepEqual(reconnecting, {
    type: "reconnecting",
    attempt: 1,
    delayMs: 1000,
    error: undefined,
  });
  assert.deepEqual(h.events.find((e) => e.type === "disconnected"), {
    type: "disconnected",
    code: 1006,
    reason: "",
    willReconnect: true,
  });
  await h.clock.advance(1_000);
  const second = h.socket();
  assert.notEqual(second, first);
  assert.equal(second.headers["KALSHI-ACCESS-TIMESTAMP"], String(h.clock.epoch + 1_500));
  second.accept();
  await flushMicrotasks();
  assert.deepEqual(second.commands("subscribe")[0]!.params, {
    channels: ["orderbook_delta", "trade"],
    market_tickers: ["M1"],
  });
  ackSubscribe(second, 7);
  await flushMicrotasks();
  const resubscribed = h.events.find((e) => e.type === "resubscribed");
  assert.ok(resubscribed?.type === "resubscribed");
  assert.equal(resubscribed.subscription, sub);
  assert.equal(resubscribed.reason, "reconnect");
  assert.deepEqual(sub.sids.map((s) => s.sid), [7, 8]);
  assert.ok(h.events.some((e) => e.type === "connected" && e.reconnected));
  await h.client.close();
  assert.equal(h.clock.pendingTimers, 0);
});

test("the client gives up with HandshakeRejectedError after repeated 401s while reconnecting", async () => {
  const h = await open();
  const stream = h.client.events();
  h.socket().drop();
  await flushMicrotasks(); // the drop is seen: the next deadline is the reconnect's
  for (let i = 0; i < 3; i++) {
    await h.clock.advance(h.clock.nextDeadline! - h.clock.now());
    h.socket().reject(403);
    await flushMicrotasks();
  }
  assert.equal(h.client.state, "closed");
  assert.equal(h.transport.sockets.length, 4);
  const closed = h.events.at(-1)!;
  assert.ok(closed.type === "closed" && closed.error instanceof HandshakeRejectedError);
  await assert.rejects(async () => {
    for await (const _ of stream) { /* drain */ }
  }, HandshakeRejectedError);
  assert.equal(h.clock.pendingTimers, 0);
});

test("the client keeps retrying network failures while reconnecting", async () => {
  const h = await open();
  h.socket().drop();
  await flushMicrotasks();
  for (let i = 0; i < 5; i++) {
    await h.clock.advance(h.clock.nextDeadline! - h.clock.now());
    h.socket().reject();
    await flushMicrotasks();
  }
  const delays = h.events.filter((e) => e.type === "reconnecting").map((e) =>
    e.type === "reconnecting" ? e.delayMs : 0
  );
  assert.deepEqual(delays, [1_000, 2_000, 4_000, 8_000, 16_000, 30_000]);
  assert.equal(h.client.state, "reconnecting");
  await h.client.close();
  assert.equal(h.clock.pendingTimers, 0);
});

test("the client probes a silent link and reconnects when the probe goes unanswered", async () => {
  const h = await open({ idleTimeoutMs: 25_000, probeTimeoutMs: 5_000 });
  const first = h.socket();
  await h.clock.advance(24_999);
  assert.equal(first.commands("list_subscriptions").length, 0);
  await h.clock.advance(1);
  assert.equal(first.commands("list_subscriptions").length, 1);
  assert.ok(h.events.some((e) => e.type === "probe"));
  await h.clock.advance(5_000);
  assert.equal(first.state, "closed");
  assert.deepEqual(first.closedByClient, { code: 4000, reason: "Liveness probe unanswered" });
  assert.deepEqual(h.events.map((e) => e.type), [
    "probe",
    "disconnected",
    "reconnecting",
  ]);
  assert.ok(h.events.some((e) => e.type === "disconnected" && e.willReconnect));
  await h.clock.advance(1_000);
  assert.equal(h.transport.sockets.length, 2);
  await h.client.close();
});

test("the client treats a visible ping as activity when the transport shows pings", async () => {
  const clock = new ManualClock();
  const transport = new MemoryTransport({ seesPings: true });
  const connecting = connect({ transport, keyId: "k", signer: fakeSigner(), clock });
  await flushMicrotasks();
  transport.last.accept();
  const client = await connecting;
  for (let i = 0; i < 10; i++) {
    await clock.advance(10_000);
    transport.last.ping();
  }
  assert.equal(transport.last.commands("list_subscriptions").length, 0);
  await client.close();
});

test("close() rejects pending commands and ends streams without leaving timers", async () => {
  const h = await open();
  const stream = h.client.events();
  const pending = h.client.listSubscriptions();
  const closing = h.client.close();
  await flushMicrotasks();
  await closing;
  await assert.rejects(pending, ClientClosedError);
  assert.deepEqual(h.socket().closedByClient, { code: 1000, reason: "client closed" });
  const seen: string[] = [];
  for await (const event of stream) seen.push(event.type);
  assert.deepEqual(seen, ["disconnected", "closed"]);
  assert.equal(h.clock.pendingTimers, 0);
  await assert.rejects(h.client.subscribe({ channels: ["ticker"] }), ClientClosedError);
});

test("await using closes the client and unsubscribes at scope exit", async () => {
  const h = await open();
  {
    await using client = h.client;
    const pending = client.subscribe({ channels: ["ticker"] });
    await flushMicrotasks();
    ackSubscribe(h.socket(), 1);
    h.socket().onSend = (frame) => {
      if (frame.cmd === "unsubscribe") {
        h.socket().receive({ id: frame.id, type: "unsubscribed", sid: 1, seq: 1 });
      }
    };
    {
      await using _sub = await pending;
    }
    assert.equal(h.socket().commands("unsubscribe").length, 1);
    assert.equal(h.client.subscriptions().length, 0);
  }
  assert.equal(h.client.state, "closed");
});

test("an AbortSignal closes a connected client", async () => {
  const controller = new AbortController();
  const h = await open({ signal: controller.signal });
  controller.abort();
  await h.client.closed;
  assert.equal(h.client.state, "closed");
});

test("addMarkets() and removeMarkets() send update_subscription and resolve with the list", async () => {
  const h = await open();
  const pending = h.client.subscribe({ channels: ["ticker"], market_tickers: ["A"] });
  await flushMicrotasks();
  ackSubscribe(h.socket(), 4);
  const sub = await pending;
  const adding = sub.addMarkets(["B"]);
  await flushMicrotasks();
  const add = h.socket().commands("update_subscription")[0]!;
  assert.deepEqual(add.params, { sid: 4, action: "add_markets", market_tickers: ["B"] });
  h.socket().receive({ id: add.id, type: "ok", sid: 4, msg: { market_tickers: ["A", "B"] } });
  assert.deepEqual(await adding, ["A", "B"]);
  const removing = sub.removeMarkets(["A"]);
  await flushMicrotasks();
  const del = h.socket().commands("update_subscription")[1]!;
  assert.deepEqual(del.params, { sid: 4, action: "delete_markets", market_tickers: ["A"] });
  h.socket().receive({ id: del.id, type: "ok", sid: 4, msg: { market_tickers: ["B"] } });
  assert.deepEqual(await removing, ["B"]);
  assert.deepEqual(sub.markets, ["B"]);
  await h.client.close();
});

test("a slow book stream drops, reports lagged and asks for fresh snapshots on overflow", async () => {
  const h = await open({ bufferSize: 2 });
  const pending = h.client.subscribe({ channels: ["orderbook_delta"], market_tickers: ["M1"] });
  await flushMicrotasks();
  ackSubscribe(h.socket(), 1);
  const sub = await pending;
  const stream = sub.events();
  h.socket().receive(snapshot(1, 1, "M1"));
  for (let seq = 2; seq <= 4; seq++) h.socket().receive(delta(1, seq, "M1"));
  await flushMicrotasks();
  const getSnapshot = h.socket().commands("update_subscription")[0]!;
  assert.deepEqual(getSnapshot.params, { sid: 1, action: "get_snapshot", market_tickers: ["M1"] });
  h.socket().receive(delta(1, 5, "M1")); // held back until the snapshot
  h.socket().receive(snapshot(1, 6, "M1", getSnapshot.id as number));
  await flushMicrotasks();
  const seen: string[] = [];
  while (stream.size > 0) {
    const event = (await stream.next()).value!;
    seen.push(event.type === "data" ? `${event.message.type}` : event.type);
  }
  assert.deepEqual(seen, ["subscribed", "lagged", "orderbook_snapshot", "resynced"]);
  assert.equal(stream.dropped, 3);
  assert.equal(h.client.dropped, 3);
  await h.client.close();
});

test("KalshiWsClient never shows the private key when printed or when the key is refused", async () => {
  const { generateKeyPairSync } = await import("node:crypto");
  const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
    type: "pkcs1",
    format: "pem",
  }) as string;
  const body = pem.split("\n")[1]!;
  const clock = new ManualClock();
  const transport = new MemoryTransport();
  const connecting = connect({ transport, keyId: "k", privateKeyPem: pem, clock });
  // The key import runs on WebCrypto's thread pool: wait (by condition) for the socket to open.
  const deadline = performance.now() + 5_000;
  while (transport.sockets.length === 0 && performance.now() < deadline) {
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
  }
  transport.last.accept();
  const client = await connecting;
  const { inspect } = await import("node:util");
  for (
    const text of [String(client), JSON.stringify(client), inspect(client), Deno.inspect(client)]
  ) {
    assert.ok(!text.includes(body.slice(0, 24)), text);
  }
  assert.match(transport.last.headers["KALSHI-ACCESS-SIGNATURE"]!, /^[A-Za-z0-9+/]{342}==$/);
  await client.close();
  await assert.rejects(
    connect({ transport, keyId: "k", privateKeyPem: pem.slice(0, 200), clock }),
    (error: Error) =>
      !error.message.includes(body.slice(0, 24)) && /private key/.test(error.message),
  );
});

test("the client's backoff starts over when a connection was stable before it dropped", async () => {
  const h = await open({ idleTimeoutMs: 120_000 });
  h.socket().drop();
  await h.clock.advance(1_000);
  h.socket().reject();
  await h.clock.advance(2_000);
  h.socket().accept();
  await h.clock.advance(60_000);
  h.socket().drop();
  await flushMicrotasks();
  const delays = h.events.flatMap((e) => e.type === "reconnecting" ? [e.delayMs] : []);
  assert.deepEqual(delays, [1_000, 2_000, 1_000]);
  await h.client.close();
});
