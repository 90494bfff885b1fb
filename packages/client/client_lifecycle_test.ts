/**
 * The client's connection lifecycle over the memory transport and a manual clock: every wait
 * has a deadline (handshake, command, close), a stop ends the client in every state, and
 * automatic re-subscribes are paced.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { CommandTimeoutError } from "@kalshi-ws/core";
import { connect } from "./client.ts";
import { ackSubscribe as ack, fakeSigner, type Harness, open } from "./testing/memory_client.ts";
import { ClientClosedError, ConnectionError } from "./errors.ts";
import { flushMicrotasks, ManualClock } from "./testing/manual_clock.ts";
import { MemoryTransport } from "./testing/memory_transport.ts";

const signer = fakeSigner();

async function subscribed(h: Harness, sid = 1) {
  const pending = h.client.subscribe({ channels: ["trade"] });
  await flushMicrotasks();
  ack(h.transport.last, sid);
  return await pending;
}

test("connect() rejects with ConnectionError when the first handshake never completes", async () => {
  const clock = new ManualClock();
  const transport = new MemoryTransport();
  const connecting = connect({ transport, keyId: "k", signer, clock, handshakeTimeoutMs: 3_000 });
  const outcome = connecting.then(() => "resolved", (error: Error) => error);
  await clock.advance(2_999);
  assert.equal(transport.last.state, "connecting");
  await clock.advance(1);
  const error = await outcome;
  assert.ok(error instanceof ConnectionError, String(error));
  assert.match(error.message, /Handshake timed out after 3000 ms/);
  assert.equal(transport.last.state, "closed", "the hung socket is closed");
  assert.equal(clock.pendingTimers, 0);
});

test("a reconnect handshake that never completes is abandoned, backed off and retried", async () => {
  const h = await open({ handshakeTimeoutMs: 5_000 });
  const sub = await subscribed(h);
  h.transport.last.drop();
  await h.clock.advance(1_000); // first retry
  const hung = h.transport.last;
  assert.equal(hung.state, "connecting");
  await h.clock.advance(5_000);
  assert.equal(hung.state, "closed");
  const reconnecting = h.events.filter((e) => e.type === "reconnecting");
  assert.equal(reconnecting.length, 2);
  const second = reconnecting[1]!;
  assert.ok(second.type === "reconnecting" && second.error instanceof ConnectionError);
  assert.match(second.error.message, /Handshake timed out after 5000 ms/);
  assert.equal(second.delayMs, 2_000);
  assert.equal(h.client.state, "reconnecting");
  await h.clock.advance(2_000);
  const fresh = h.transport.last;
  assert.notEqual(fresh, hung);
  fresh.accept();
  await flushMicrotasks();
  ack(fresh, 7);
  await flushMicrotasks();
  assert.deepEqual(sub.sids, [{ channel: "trade", sid: 7 }]);
  assert.equal(h.client.state, "open");
  await h.client.close();
});

test("close() ends the client at once while a reconnect handshake hangs", async () => {
  const h = await open();
  h.transport.last.drop();
  await h.clock.advance(1_000);
  const hung = h.transport.last;
  const started = h.clock.now();
  await h.client.close();
  assert.equal(h.clock.now(), started, "no wait");
  assert.equal(hung.state, "closed");
  assert.equal(h.client.state, "closed");
  assert.equal(h.clock.pendingTimers, 0);
});

test("close() ends the client at once while it backs off between attempts", async () => {
  const h = await open();
  h.transport.last.drop();
  await flushMicrotasks();
  assert.equal(h.client.state, "reconnecting");
  await h.client.close();
  assert.equal(h.client.state, "closed");
  assert.equal(h.transport.sockets.length, 1, "no further attempt");
  assert.equal(h.clock.pendingTimers, 0);
});

test("close() of an open link the server never answers ends after closeTimeoutMs", async () => {
  const h = await open({ closeTimeoutMs: 700 });
  h.transport.last.answersClose = false;
  let closed = false;
  const closing = h.client.close().then(() => closed = true);
  await h.clock.advance(699);
  assert.equal(closed, false);
  await h.clock.advance(1);
  await closing;
  assert.equal(h.client.state, "closed");
  assert.equal(h.clock.pendingTimers, 0);
});

test("subscribe() made while the server stays away rejects at its deadline, and close() still ends", async () => {
  const h = await open({ commandTimeoutMs: 4_000 });
  h.transport.last.drop();
  await flushMicrotasks();
  const pending = h.client.subscribe({ channels: ["ticker"] });
  const outcome = pending.then(() => "resolved", (error: Error) => error);
  for (let i = 0; i < 40; i++) {
    await h.clock.advance(100);
    const socket = h.transport.last;
    if (socket.state === "connecting") socket.reject(503); // the server is down
  }
  const error = await outcome;
  assert.ok(error instanceof CommandTimeoutError, String(error));
  assert.equal(error.command, "subscribe");
  assert.deepEqual(h.client.subscriptions(), []);
  await h.client.close();
  assert.equal(h.clock.pendingTimers, 0);
});

test("a subscribe cut off before its reply is answered by the next connection", async () => {
  const h = await open();
  const pending = h.client.subscribe({ channels: ["trade"] });
  await flushMicrotasks();
  assert.equal(h.transport.last.commands("subscribe").length, 1);
  h.transport.last.drop(); // before the reply
  await h.clock.advance(1_000);
  h.transport.last.accept();
  await flushMicrotasks();
  ack(h.transport.last, 3);
  const sub = await pending;
  assert.deepEqual(sub.sids, [{ channel: "trade", sid: 3 }]);
  await h.client.close();
});

test("an AbortSignal closes a reconnecting client and rejects what waits", async () => {
  const controller = new AbortController();
  const h = await open({ signal: controller.signal });
  h.transport.last.drop();
  await flushMicrotasks();
  const pending = h.client.subscribe({ channels: ["ticker"] });
  controller.abort(new Error("stop"));
  await assert.rejects(pending, ClientClosedError);
  await h.client.closed;
  assert.equal(h.client.state, "closed");
  assert.equal(h.clock.pendingTimers, 0);
});

test("the client paces re-subscribes of a subscription Kalshi kills with error 25 after every restore", async () => {
  const h = await open();
  const sub = await subscribed(h);
  const socket = h.transport.last;
  let sid = sub.sids[0]!.sid;
  let subscribes = 0;
  socket.onSend = (frame) => {
    if (frame.cmd !== "subscribe") return;
    subscribes++;
    const next = ++sid;
    socket.receive({ id: frame.id, type: "subscribed", msg: { channel: "trade", sid: next } });
    socket.receive({ type: "error", sid: next, msg: { code: 25, msg: "Buffer overflow" } });
  };
  socket.receive({ type: "error", sid, msg: { code: 25, msg: "Buffer overflow" } });
  for (let t = 0; t < 60_000; t += 100) {
    await h.clock.advance(100);
    socket.receive({ id: 999_999, type: "ok", msg: [] }); // keep the link lively
  }
  assert.ok(subscribes >= 5 && subscribes <= 9, `${subscribes} re-subscribes in a minute`);
  const scheduled = h.events.filter((e) => e.type === "resubscribe_scheduled");
  assert.equal(scheduled.length, subscribes + 1, "every re-subscribe was announced");
  const first = scheduled[0]!;
  assert.ok(first.type === "resubscribe_scheduled");
  assert.equal(first.subscription, sub);
  assert.equal(first.reason, "terminal_error");
  assert.deepEqual(
    scheduled.slice(0, 4).map((e) => e.type === "resubscribe_scheduled" && e.delayMs),
    [500, 1_000, 2_000, 4_000],
  );
  await h.client.close();
});
