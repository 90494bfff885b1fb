/**
 * Transcripts of the session's time budgets: every request settles within the command timeout
 * of the call (also while queued or disconnected), and automatic re-subscribes are paced per
 * subscription so that an error storm cannot become a subscribe storm.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { CommandTimeoutError } from "./errors.ts";
import { Session, type SessionOptions } from "./session.ts";
import type { SessionEvent } from "./session_events.ts";

function drain(session: Session): { sent: Record<string, unknown>[]; events: SessionEvent[] } {
  const sent: Record<string, unknown>[] = [];
  for (let f = session.pollTransmit(); f !== undefined; f = session.pollTransmit()) {
    sent.push(JSON.parse(f));
  }
  const events: SessionEvent[] = [];
  for (let e = session.pollEvent(); e !== undefined; e = session.pollEvent()) events.push(e);
  return { sent, events };
}

function recv(session: Session, frame: object, now: number): void {
  session.receiveText(JSON.stringify(frame), now);
}

function results(events: SessionEvent[]) {
  return events.filter((e) => e.type === "command_result");
}

function timedOut(events: SessionEvent[], request: number, command: string): void {
  const [result] = results(events);
  assert.ok(result !== undefined && result.request === request && !result.ok, "rejected");
  assert.ok(result.error instanceof CommandTimeoutError);
  assert.equal(result.error.command, command);
}

/** A session with a live `trade` subscription (sid 1) opened at 0. */
function live(options: SessionOptions = {}): { session: Session; key: number } {
  const session = new Session({ commandTimeoutMs: 1_000, ...options });
  session.opened(0);
  const key = session.subscribe({ channels: ["trade"] }, 0);
  recv(session, { id: 1, type: "subscribed", msg: { channel: "trade", sid: 1 } }, 1);
  drain(session);
  return { session, key };
}

// ---------------------------------------------------------------------------------------------
// Request deadlines

test("Session.subscribe() made while disconnected is rejected at its deadline and never sent later", () => {
  const session = new Session({ commandTimeoutMs: 1_000 });
  const key = session.subscribe({ channels: ["trade"] }, 100);
  assert.equal(session.pollTimeout(), 1_100);
  session.handleTimeout(1_099);
  assert.deepEqual(results(drain(session).events), []);
  session.handleTimeout(1_100);
  timedOut(drain(session).events, key, "subscribe");
  assert.deepEqual(session.subscriptionKeys(), []);
  assert.equal(session.pollTimeout(), undefined);
  session.opened(2_000);
  assert.deepEqual(drain(session).sent, [], "the expired subscribe is not sent");
});

test("Session.subscribe() queued while disconnected is answered by the next connection in time", () => {
  const session = new Session({ commandTimeoutMs: 1_000 });
  const key = session.subscribe({ channels: ["trade"] }, 0);
  session.opened(600);
  assert.deepEqual(drain(session).sent, [{
    id: 1,
    cmd: "subscribe",
    params: { channels: ["trade"] },
  }]);
  recv(session, { id: 1, type: "subscribed", msg: { channel: "trade", sid: 4 } }, 900);
  const [result] = results(drain(session).events);
  assert.ok(result?.ok && result.request === key);
  session.handleTimeout(5_000);
  assert.deepEqual(results(drain(session).events), []);
});

test("Session rejects a first subscribe cut off before its reply when no connection comes back", () => {
  const session = new Session({ commandTimeoutMs: 1_000 });
  session.opened(0);
  const key = session.subscribe({ channels: ["orderbook_delta"], market_tickers: ["A"] }, 10);
  drain(session);
  session.closed(1006, "", 20); // dropped right after the subscribe went out
  assert.equal(session.pollTimeout(), 1_010);
  session.handleTimeout(1_010);
  timedOut(drain(session).events, key, "subscribe");
  assert.deepEqual(session.subscriptionKeys(), []);
});

test("Session ignores a late answer to a subscribe that already timed out and drops its sid", () => {
  const session = new Session({ commandTimeoutMs: 1_000 });
  session.opened(0);
  const key = session.subscribe({ channels: ["trade"] }, 0);
  drain(session);
  session.closed(1006, "", 10);
  session.opened(900); // re-sent at 900: its wire deadline is 1 900, the request's 1 000
  assert.equal(drain(session).sent.length, 1);
  session.handleTimeout(1_000);
  timedOut(drain(session).events, key, "subscribe");
  recv(session, { id: 1, type: "subscribed", msg: { channel: "trade", sid: 9 } }, 1_100);
  const after = drain(session);
  assert.deepEqual(results(after.events), [], "settled once");
  assert.deepEqual(after.sent, [{ id: 2, cmd: "unsubscribe", params: { sids: [9] } }]);
});

test("Session.listSubscriptions() queued while disconnected is rejected at its deadline", () => {
  const session = new Session({ commandTimeoutMs: 1_000 });
  const request = session.listSubscriptions(50);
  session.handleTimeout(1_050);
  timedOut(drain(session).events, request, "list_subscriptions");
  session.opened(2_000);
  assert.deepEqual(drain(session).sent, []);
});

test("Session.resync() waiting for the next connection is rejected at its deadline", () => {
  const session = new Session({ commandTimeoutMs: 1_000 });
  session.opened(0);
  const key = session.subscribe({ channels: ["orderbook_delta"], market_tickers: ["A"] }, 0);
  recv(session, { id: 1, type: "subscribed", msg: { channel: "orderbook_delta", sid: 1 } }, 1);
  session.closed(1006, "", 10);
  drain(session);
  const request = session.resync(key, 20);
  session.handleTimeout(1_020);
  timedOut(drain(session).events, request, "get_snapshot");
});

test("Session.addMarkets() deferred behind a re-subscribe is rejected at its deadline and never sent", () => {
  const session = new Session({ commandTimeoutMs: 1_000 });
  session.opened(0);
  const key = session.subscribe({ channels: ["ticker"], market_tickers: ["A"] }, 0);
  recv(session, { id: 1, type: "subscribed", msg: { channel: "ticker", sid: 1 } }, 1);
  session.closed(1006, "", 10);
  session.opened(20); // the re-subscribe is in flight: requests on the subscription wait
  drain(session);
  const request = session.addMarkets(key, ["B"], 30);
  session.handleTimeout(1_020); // the re-subscribe timed out on the wire: it will be retried
  session.handleTimeout(1_030);
  const { events } = drain(session);
  timedOut(events, request, "update_subscription");
  recv(session, { id: 2, type: "subscribed", msg: { channel: "ticker", sid: 2 } }, 1_040);
  session.handleTimeout(session.pollTimeout() ?? 1_040);
  const later = drain(session).sent;
  assert.ok(later.every((c) => c.cmd !== "update_subscription"), JSON.stringify(later));
});

test("Session settles a request sent at once at the same instant as its wire timeout, once", () => {
  const { session } = live();
  const request = session.listSubscriptions(100);
  drain(session);
  assert.equal(session.pollTimeout(), 1_100);
  session.handleTimeout(1_100);
  const { events } = drain(session);
  assert.equal(results(events).length, 1);
  timedOut(events, request, "list_subscriptions");
});

// ---------------------------------------------------------------------------------------------
// Re-subscribe pacing

/** Kills sid `sid` with error `code` at `now`. */
function kill(session: Session, sid: number, code: number, now: number): void {
  recv(session, { type: "error", sid, msg: { code, msg: "Subscription buffer overflow" } }, now);
}

test("Session paces re-subscribes of a subscription killed by error 25 after every restore", () => {
  const { session, key } = live({ resubscribe: { random: () => 0.5 } });
  let now = 1_000;
  let sid = 1;
  const sentAt: number[] = [];
  const pauses: number[] = [];
  kill(session, sid, 25, now);
  while (now < 61_000) {
    const at = session.pollTimeout()!;
    now = Math.max(now, at);
    session.handleTimeout(now);
    const { sent, events } = drain(session);
    for (const e of events) {
      if (e.type === "resubscribe_scheduled") {
        assert.equal(e.key, key);
        assert.equal(e.reason, "terminal_error");
        pauses.push(e.delayMs);
      }
    }
    const subscribe = sent.find((c) => c.cmd === "subscribe");
    if (subscribe === undefined) continue;
    sentAt.push(now);
    recv(
      session,
      { id: subscribe.id, type: "subscribed", msg: { channel: "trade", sid: ++sid } },
      now,
    );
    kill(session, sid, 25, now); // the storm: killed the moment it is restored
  }
  const firstMinute = sentAt.filter((t) => t < 61_000).length;
  assert.ok(
    firstMinute >= 5 && firstMinute <= 9,
    `${firstMinute} re-subscribes in the first minute`,
  );
  assert.deepEqual(pauses.slice(0, 6), [375, 750, 1_500, 3_000, 6_000, 12_000]);
  assert.ok(pauses.every((p) => p <= 30_000));
});

test("Session starts the re-subscribe schedule over once the subscription stayed healthy", () => {
  const { session } = live({ resubscribe: { random: () => 1, stableAfterMs: 10_000 } });
  const pauses: number[] = [];
  let sid = 1;
  const cycle = (killAt: number) => {
    kill(session, sid, 10, killAt);
    for (const e of drain(session).events) {
      if (e.type === "resubscribe_scheduled") pauses.push(e.delayMs);
    }
    const at = session.pollTimeout()!;
    session.handleTimeout(at);
    const subscribe = drain(session).sent.find((c) => c.cmd === "subscribe")!;
    recv(
      session,
      { id: subscribe.id, type: "subscribed", msg: { channel: "trade", sid: ++sid } },
      at,
    );
    drain(session);
    return at;
  };
  let t = cycle(1_000); // 500 ms pause
  t = cycle(t + 1_000); // killed again soon: 1 000
  t = cycle(t + 1_000); // 2 000
  t = cycle(t + 10_000); // healthy for 10 s before this kill: starts over at 500
  assert.deepEqual(pauses, [500, 1_000, 2_000, 500]);
});

test("Session paces a refused re-subscribe with the same schedule as terminal errors", () => {
  const { session } = live({ resubscribe: { random: () => 1 } });
  kill(session, 1, 25, 1_000);
  drain(session);
  session.handleTimeout(1_500);
  const first = drain(session).sent.find((c) => c.cmd === "subscribe")!;
  recv(
    session,
    { id: first.id, type: "error", msg: { code: 27, msg: "Too many requests" } },
    1_510,
  );
  const scheduled = drain(session).events.filter((e) => e.type === "resubscribe_scheduled");
  assert.deepEqual(scheduled.map((e) => e.type === "resubscribe_scheduled" && e.attempt), [2]);
  assert.deepEqual(scheduled.map((e) => e.type === "resubscribe_scheduled" && e.delayMs), [1_000]);
  assert.equal(session.pollTimeout(), 2_510);
});

test("Session re-subscribes at once on a new connection even while a pause is pending", () => {
  const { session } = live({ resubscribe: { random: () => 1 } });
  kill(session, 1, 25, 1_000);
  drain(session);
  session.closed(1006, "", 1_100);
  session.opened(1_200);
  assert.deepEqual(drain(session).sent, [{
    id: 1,
    cmd: "subscribe",
    params: { channels: ["trade"] },
  }]);
});

test("Session does not ask for a timeout in the past when a paced re-subscribe waits for its channel", () => {
  const session = new Session({ commandTimeoutMs: 1_000, resubscribe: { random: () => 1 } });
  session.opened(0);
  session.subscribe({ channels: ["orderbook_delta"], market_tickers: ["A"] }, 0);
  recv(session, { id: 1, type: "subscribed", msg: { channel: "orderbook_delta", sid: 1 } }, 1);
  recv(session, {
    type: "orderbook_snapshot",
    sid: 1,
    seq: 1,
    msg: { market_ticker: "A", yes_dollars_fp: [["0.4200", "1.00"]] },
  }, 2);
  recv(session, {
    type: "orderbook_delta",
    sid: 1,
    seq: 3,
    msg: { market_ticker: "A", price_dollars: "0.4200", delta_fp: "1.00", side: "yes" },
  }, 3); // seq 2 lost: get_snapshot (id 2)
  assert.deepEqual(drain(session).sent.map((c) => c.cmd), [
    "subscribe",
    "update_subscription",
  ]);
  recv(session, { id: 2, type: "error", msg: { code: 18, msg: "Command timeout" } }, 4);
  assert.deepEqual(drain(session).sent, [{ id: 3, cmd: "unsubscribe", params: { sids: [1] } }]);
  session.handleTimeout(504); // the pause is over, but the old sid still holds the channel
  assert.deepEqual(drain(session).sent, []);
  const next = session.pollTimeout()!;
  assert.ok(next > 504, `next timeout ${next} is in the future`);
  recv(session, { id: 3, type: "unsubscribed", sid: 1, seq: 4 }, 600);
  assert.deepEqual(drain(session).sent.map((c) => c.cmd), ["subscribe"]);
});

test("Session re-subscribes a storm-killed subscription ~9 times a minute where re-subscribing at once made thousands", () => {
  /** Subscribes sent in a minute of a storm with 20 ms round trips, under `resubscribe`. */
  const minuteOfStorm = (options: SessionOptions): number => {
    const { session } = live(options);
    let now = 1_000;
    let sid = 1;
    let subscribes = 0;
    kill(session, sid, 25, now);
    while (now < 61_000) {
      session.handleTimeout(now);
      const subscribe = drain(session).sent.find((c) => c.cmd === "subscribe");
      if (subscribe !== undefined) {
        subscribes++;
        now += 20;
        recv(session, {
          id: subscribe.id,
          type: "subscribed",
          msg: { channel: "trade", sid: ++sid },
        }, now);
        kill(session, sid, 25, now);
        continue;
      }
      now = Math.max(now + 1, session.pollTimeout() ?? now + 1);
    }
    return subscribes;
  };
  const paced = minuteOfStorm({ resubscribe: { random: () => 0 } });
  const atOnce = minuteOfStorm({ resubscribe: { initialDelayMs: 0, maxDelayMs: 0 } });
  assert.ok(paced <= 10, `${paced} paced re-subscribes`);
  assert.ok(atOnce >= 2_500, `${atOnce} re-subscribes at once`);
});
