/**
 * Transcript tests of the sans-I/O session: frames and explicit times in; events and outgoing
 * frames asserted. No sockets, no timers, no sleeps.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import type { BookKeeper } from "./book_keeper.ts";
import { CommandError, DecodeError, ServerError } from "./errors.ts";
import type { OrderbookDeltaMsg, OrderbookSnapshotMsg } from "./message_orderbook.ts";
import { CommandTimeoutError } from "./errors.ts";
import { Session, type SessionOptions } from "./session.ts";
import type { SessionEvent } from "./session_events.ts";
import { seededRandom as prng } from "./random.ts";

// ---------------------------------------------------------------------------------------------
// Harness

/** Records every call; refuses deltas without a snapshot and markets listed in `failDeltas`. */
class FakeBooks implements BookKeeper {
  readonly calls: string[] = [];
  readonly valid = new Set<string>();
  readonly failDeltas = new Set<string>();
  readonly failSnapshots = new Set<string>();

  applySnapshot(msg: OrderbookSnapshotMsg, useYesPrice: boolean): boolean {
    this.calls.push(`snapshot ${msg.market_ticker}${useYesPrice ? " yes" : ""}`);
    if (this.failSnapshots.has(msg.market_ticker)) {
      this.valid.delete(msg.market_ticker);
      return false;
    }
    this.valid.add(msg.market_ticker);
    return true;
  }
  applyDelta(msg: OrderbookDeltaMsg): boolean {
    this.calls.push(`delta ${msg.market_ticker} ${msg.delta_fp}`);
    if (!this.valid.has(msg.market_ticker) || this.failDeltas.has(msg.market_ticker)) {
      this.valid.delete(msg.market_ticker);
      return false;
    }
    return true;
  }
  invalidate(marketTicker: string): void {
    this.calls.push(`invalidate ${marketTicker}`);
    this.valid.delete(marketTicker);
  }
  remove(marketTicker: string): void {
    this.calls.push(`remove ${marketTicker}`);
    this.valid.delete(marketTicker);
  }
  take(): string[] {
    return this.calls.splice(0);
  }
}

class Harness {
  readonly books = new FakeBooks();
  readonly session: Session;

  constructor(options: SessionOptions = {}) {
    this.session = new Session({ books: this.books, ...options });
  }

  /** Feeds a server frame (object or raw text) at `now`. */
  recv(frame: object | string, now: number): this {
    this.session.receiveText(typeof frame === "string" ? frame : JSON.stringify(frame), now);
    return this;
  }

  /** Drains outgoing frames, parsed. */
  sent(): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (let f = this.session.pollTransmit(); f !== undefined; f = this.session.pollTransmit()) {
      out.push(JSON.parse(f));
    }
    return out;
  }

  /** Drains events. */
  events(): SessionEvent[] {
    const out: SessionEvent[] = [];
    for (let e = this.session.pollEvent(); e !== undefined; e = this.session.pollEvent()) {
      out.push(e);
    }
    return out;
  }

  /** Event types, and for data events `data:<wire type>`. */
  kinds(): string[] {
    return this.events().map((e) =>
      e.type === "data"
        ? `data:${e.message.type === "unknown" ? e.message.wireType : e.message.type}`
        : e.type
    );
  }
}

const snapshot = (sid: number, seq: number, market: string, id?: number) => ({
  type: "orderbook_snapshot",
  sid,
  seq,
  ...(id === undefined ? {} : { id }),
  msg: { market_ticker: market, market_id: "", yes_dollars_fp: [["0.4200", "10.00"]] },
});

const delta = (sid: number, seq: number, market: string, size = "1.00") => ({
  type: "orderbook_delta",
  sid,
  seq,
  msg: { market_ticker: market, price_dollars: "0.4200", delta_fp: size, side: "yes" },
});

const trade = (sid: number, seq: number) => ({
  type: "trade",
  sid,
  seq,
  msg: {
    trade_id: `t${seq}`,
    market_ticker: "A",
    yes_price_dollars: "0.4200",
    no_price_dollars: "0.5800",
    count_fp: "1.00",
  },
});

/** Opens a session at 0 with an order-book subscription on markets A and B (sid 1, seqs 1–2). */
function bookSession(options: SessionOptions = {}): { h: Harness; key: number } {
  const h = new Harness(options);
  h.session.opened(0);
  const key = h.session.subscribe(
    { channels: ["orderbook_delta"], market_tickers: ["A", "B"] },
    0,
  );
  assert.deepEqual(h.sent(), [{
    id: 1,
    cmd: "subscribe",
    params: { channels: ["orderbook_delta"], market_tickers: ["A", "B"] },
  }]);
  h.recv({ type: "subscribed", id: 1, msg: { channel: "orderbook_delta", sid: 1 } }, 1);
  h.recv(snapshot(1, 1, "A"), 2).recv(snapshot(1, 2, "B"), 2);
  assert.deepEqual(h.kinds(), [
    "connected",
    "subscribed",
    "command_result",
    "data:orderbook_snapshot",
    "data:orderbook_snapshot",
  ]);
  h.books.take();
  return { h, key };
}

// ---------------------------------------------------------------------------------------------
// Subscribing

test("Session.subscribe() yields one subscribed event with 3 sids for 3 channels", () => {
  const h = new Harness();
  h.session.opened(0);
  const key = h.session.subscribe(
    { channels: ["orderbook_delta", "ticker", "trade"], market_tickers: ["A"] },
    0,
  );
  assert.equal(h.sent()[0].cmd, "subscribe");
  h.recv({ type: "subscribed", id: 1, msg: { channel: "orderbook_delta", sid: 1 } }, 1);
  h.recv({ type: "subscribed", id: 1, msg: { channel: "ticker", sid: 2 } }, 1);
  assert.deepEqual(h.kinds(), ["connected"], "not complete after 2 of 3");
  h.recv({ type: "subscribed", id: 1, msg: { channel: "trade", sid: 3 } }, 1);
  const events = h.events();
  assert.deepEqual(events, [
    {
      type: "subscribed",
      key,
      sids: [
        { channel: "orderbook_delta", sid: 1 },
        { channel: "ticker", sid: 2 },
        { channel: "trade", sid: 3 },
      ],
    },
    {
      type: "command_result",
      request: key,
      ok: true,
      value: {
        command: "subscribe",
        key,
        sids: [
          { channel: "orderbook_delta", sid: 1 },
          { channel: "ticker", sid: 2 },
          { channel: "trade", sid: 3 },
        ],
      },
    },
  ]);
  assert.deepEqual(h.session.sidsOf(key).map((s) => s.sid), [1, 2, 3]);
});

test("Session.subscribe() rejects with the server error after one subscribed and rolls back", () => {
  const h = new Harness();
  h.session.opened(0);
  const key = h.session.subscribe({ channels: ["ticker", "fill"] }, 0);
  h.sent();
  h.recv({ type: "subscribed", id: 1, msg: { channel: "ticker", sid: 4 } }, 1);
  h.recv({ type: "error", id: 1, msg: { code: 9, msg: "Authentication required" } }, 2);
  const events = h.events().filter((e) => e.type !== "connected");
  assert.equal(events.length, 1);
  const result = events[0];
  assert.ok(result.type === "command_result" && !result.ok);
  assert.equal(result.request, key);
  assert.ok(result.error instanceof ServerError);
  assert.equal(result.error.code, 9);
  assert.deepEqual(h.sent(), [{ id: 2, cmd: "unsubscribe", params: { sids: [4] } }]);
  assert.deepEqual(h.session.subscriptionKeys(), []);
  // Frames of the discarded sid are not delivered.
  h.recv({ type: "ticker", sid: 4, msg: { market_ticker: "A" } }, 3);
  assert.deepEqual(h.kinds(), []);
});

test("Session.subscribe() queues while disconnected and sends on open", () => {
  const h = new Harness();
  const key = h.session.subscribe({ channels: ["trade"] }, 0);
  assert.deepEqual(h.sent(), []);
  h.session.opened(10);
  assert.deepEqual(h.sent(), [{ id: 1, cmd: "subscribe", params: { channels: ["trade"] } }]);
  h.recv({ type: "subscribed", id: 1, msg: { channel: "trade", sid: 1 } }, 11);
  assert.deepEqual(h.kinds(), ["connected", "subscribed", "command_result"]);
  assert.deepEqual(h.session.sidsOf(key), [{ channel: "trade", sid: 1 }]);
});

test("Session.subscribe() throws CommandError for a channel another subscription streams", () => {
  const h = new Harness();
  h.session.subscribe({ channels: ["orderbook_delta"], market_tickers: ["A"] }, 0);
  assert.throws(
    () => h.session.subscribe({ channels: ["orderbook_delta"], market_tickers: ["B"] }, 0),
    CommandError,
  );
  assert.throws(() => h.session.subscribe({ channels: [] }, 0), CommandError);
});

// ---------------------------------------------------------------------------------------------
// Sequence numbers

test("Session reports a gap on a real gap but not when a multi-market sid interleaves markets", () => {
  const { h, key } = bookSession();
  h.recv(delta(1, 3, "A"), 10).recv(delta(1, 4, "B"), 11).recv(delta(1, 5, "A"), 12);
  h.recv(delta(1, 6, "B"), 13);
  assert.deepEqual(h.kinds(), [
    "data:orderbook_delta",
    "data:orderbook_delta",
    "data:orderbook_delta",
    "data:orderbook_delta",
  ]);
  h.recv(delta(1, 8, "A"), 14);
  const events = h.events();
  assert.deepEqual(events[0], {
    type: "gap",
    key,
    sid: 1,
    channel: "orderbook_delta",
    expected: 7,
    received: 8,
  });
  assert.equal(events.length, 1, "the delta after the gap is held back");
});

test("Session counts ok and unsubscribed acks in the sid's seq", () => {
  const { h, key } = bookSession();
  const request = h.session.addMarkets(key, ["C"], 10);
  assert.deepEqual(h.sent(), [{
    id: 2,
    cmd: "update_subscription",
    params: { sid: 1, action: "add_markets", market_tickers: ["C"] },
  }]);
  h.recv({ type: "ok", id: 2, sid: 1, seq: 3, msg: { market_tickers: ["A", "B", "C"] } }, 11);
  h.recv(snapshot(1, 4, "C"), 12).recv(delta(1, 5, "C"), 13);
  const events = h.events();
  assert.deepEqual(events.map((e) => e.type), ["command_result", "data", "data"]);
  assert.deepEqual(events[0], {
    type: "command_result",
    request,
    ok: true,
    value: { command: "add_markets", key, markets: ["A", "B", "C"] },
  });
  // An unsubscribed ack consumes the next seq too (no gap reported for 6).
  const unsub = h.session.unsubscribe(key, 20);
  assert.deepEqual(h.sent(), [{ id: 3, cmd: "unsubscribe", params: { sids: [1] } }]);
  h.recv({ type: "unsubscribed", id: 3, sid: 1, seq: 6 }, 21);
  assert.deepEqual(h.events(), [
    { type: "unsubscribed", key },
    { type: "command_result", request: unsub, ok: true, value: { command: "unsubscribe", key } },
  ]);
  assert.deepEqual(h.books.take().filter((c) => c.startsWith("remove")).sort(), [
    "remove A",
    "remove B",
    "remove C",
  ]);
});

test("Session reports a gap when an ok ack was lost", () => {
  const { h } = bookSession();
  h.recv(delta(1, 3, "A"), 10);
  // seq 4 was an ack for someone else's command, lost in transit
  h.recv(delta(1, 5, "A"), 11);
  assert.deepEqual(h.kinds(), ["data:orderbook_delta", "gap"]);
});

test("Session counts snapshots in the seq (multi-market subscribe: snapshots 1..N, deltas N+1)", () => {
  const h = new Harness();
  h.session.opened(0);
  h.session.subscribe({ channels: ["orderbook_delta"], market_tickers: ["A", "B", "C"] }, 0);
  h.recv({ type: "subscribed", id: 1, msg: { channel: "orderbook_delta", sid: 1 } }, 1);
  h.recv(snapshot(1, 1, "A"), 1).recv(snapshot(1, 2, "B"), 1).recv(snapshot(1, 3, "C"), 1);
  h.recv(delta(1, 4, "B"), 2);
  assert.deepEqual(h.kinds().filter((k) => k === "gap"), []);
  h.recv(snapshot(1, 6, "A"), 3);
  assert.ok(h.kinds().includes("gap"), "a snapshot that skips a seq is a gap");
});

test("Session drops a duplicate or regressed seq with a seq_anomaly event", () => {
  const { h, key } = bookSession();
  h.recv(delta(1, 3, "A"), 10).recv(delta(1, 3, "A"), 11).recv(delta(1, 2, "B"), 12);
  const events = h.events();
  assert.deepEqual(events.map((e) => e.type), ["data", "seq_anomaly", "seq_anomaly"]);
  assert.deepEqual(events[1], {
    type: "seq_anomaly",
    key,
    sid: 1,
    channel: "orderbook_delta",
    expected: 4,
    received: 3,
  });
  assert.deepEqual(h.books.take(), ["delta A 1.00"], "the duplicate was not applied");
});

test("Session reports a gap on a trade sid and keeps delivering from the received seq", () => {
  const h = new Harness();
  h.session.opened(0);
  const key = h.session.subscribe({ channels: ["trade"] }, 0);
  h.recv({ type: "subscribed", id: 1, msg: { channel: "trade", sid: 1 } }, 1);
  h.events();
  h.recv(trade(1, 1), 2).recv(trade(1, 4), 3).recv(trade(1, 5), 4);
  const events = h.events();
  assert.deepEqual(events.map((e) => e.type), ["data", "gap", "data", "data"]);
  assert.deepEqual(events[1], {
    type: "gap",
    key,
    sid: 1,
    channel: "trade",
    expected: 2,
    received: 4,
  });
  assert.deepEqual(h.sent().slice(1), [], "nothing to repair on a trade sid");
});

test("Session never treats frames without seq (ticker, fill) as gaps", () => {
  const h = new Harness();
  h.session.opened(0);
  h.session.subscribe({ channels: ["ticker"], market_tickers: ["A"] }, 0);
  h.recv({ type: "subscribed", id: 1, msg: { channel: "ticker", sid: 1 } }, 1);
  h.events();
  h.recv({ type: "ticker", sid: 1, msg: { market_ticker: "A" } }, 2);
  h.recv({ type: "ticker", sid: 1, msg: { market_ticker: "A" } }, 3);
  assert.deepEqual(h.kinds(), ["data:ticker", "data:ticker"]);
});

// ---------------------------------------------------------------------------------------------
// Healing

test("Session repairs a gap with get_snapshot, holding deltas until the snapshot, then resynced", () => {
  const { h, key } = bookSession();
  h.recv(delta(1, 3, "A"), 10);
  h.events();
  h.books.take();
  h.recv(delta(1, 5, "B"), 11); // seq 4 lost
  assert.deepEqual(h.sent(), [{
    id: 2,
    cmd: "update_subscription",
    params: { sid: 1, action: "get_snapshot", market_tickers: ["A", "B"] },
  }]);
  assert.deepEqual(h.books.take(), ["invalidate A", "invalidate B"], "delta 5 not applied");
  assert.deepEqual(h.kinds(), ["gap"]);
  // Deltas for markets awaiting their snapshot are held back (neither applied nor emitted).
  h.recv(delta(1, 6, "A"), 12);
  h.recv({ type: "ok", id: 2, sid: 1, seq: 7 }, 12); // the ok may come, or not
  h.recv(snapshot(1, 8, "A", 2), 13);
  h.recv(delta(1, 9, "A", "2.00"), 14); // A is valid again: flows
  h.recv(delta(1, 10, "B"), 14); // B still awaiting: held
  assert.deepEqual(h.kinds(), ["data:orderbook_snapshot", "data:orderbook_delta"]);
  h.recv(snapshot(1, 11, "B", 2), 15);
  const events = h.events();
  assert.deepEqual(events.map((e) => e.type), ["data", "resynced"]);
  assert.deepEqual(events[1], { type: "resynced", key, sid: 1, markets: ["A", "B"] });
  assert.deepEqual(h.books.take(), ["snapshot A", "delta A 2.00", "snapshot B"]);
  h.recv(delta(1, 12, "B"), 16);
  assert.deepEqual(h.kinds(), ["data:orderbook_delta"]);
  assert.equal(h.session.pollTimeout(), 16 + 25_000, "the get_snapshot is no longer pending");
});

test("Session falls back to unsubscribe + subscribe when get_snapshot is rejected", () => {
  const { h, key } = bookSession();
  h.recv(delta(1, 4, "A"), 10); // seq 3 lost
  h.sent();
  h.events();
  h.recv({ type: "error", id: 2, sid: 1, seq: 5, msg: { code: 18, msg: "Command timeout" } }, 11);
  assert.deepEqual(h.sent(), [{ id: 3, cmd: "unsubscribe", params: { sids: [1] } }]);
  const [scheduled] = h.events();
  assert.ok(scheduled?.type === "resubscribe_scheduled" && scheduled.reason === "resync_failed");
  h.recv(delta(1, 6, "A"), 12); // frames of the replaced sid are ignored
  assert.deepEqual(h.kinds(), []);
  // Only once Kalshi confirms (else the subscribe would merge into the old sid), and after the
  // subscription's re-subscribe pause ...
  h.recv({ type: "unsubscribed", id: 3, sid: 1, seq: 7 }, 13);
  assert.deepEqual(h.sent(), []);
  h.session.handleTimeout(11 + scheduled.delayMs);
  assert.deepEqual(h.sent(), [{
    id: 4,
    cmd: "subscribe",
    params: { channels: ["orderbook_delta"], market_tickers: ["A", "B"] },
  }]);
  h.recv({ type: "subscribed", id: 4, msg: { channel: "orderbook_delta", sid: 2 } }, 14);
  h.recv(snapshot(2, 1, "A"), 15).recv(snapshot(2, 2, "B"), 15);
  const events = h.events();
  assert.deepEqual(events.map((e) => e.type), ["resubscribed", "data", "data", "resynced"]);
  assert.deepEqual(events[0], {
    type: "resubscribed",
    key,
    sids: [{ channel: "orderbook_delta", sid: 2 }],
    reason: "resync_failed",
  });
  assert.deepEqual(h.session.sidsOf(key), [{ channel: "orderbook_delta", sid: 2 }]);
});

test("Session falls back to unsubscribe + subscribe when get_snapshot times out", () => {
  const { h } = bookSession({ commandTimeoutMs: 3_000 });
  h.recv(delta(1, 4, "A"), 10);
  assert.equal(h.sent()[0].cmd, "update_subscription");
  assert.equal(h.session.pollTimeout(), 3_010);
  h.recv(snapshot(1, 5, "A", 2), 100); // B never comes
  h.session.handleTimeout(3_009);
  assert.deepEqual(h.sent(), []);
  h.session.handleTimeout(3_010);
  assert.deepEqual(h.sent(), [{ id: 3, cmd: "unsubscribe", params: { sids: [1] } }]);
});

test("Session repairs a market whose delta fails the book's integrity checks", () => {
  const { h, key } = bookSession();
  h.books.failDeltas.add("B");
  h.recv(delta(1, 3, "B", "-99.00"), 10);
  assert.deepEqual(h.events(), [
    { type: "book_invalid", key, sid: 1, marketTicker: "B", cause: "delta" },
  ]);
  assert.deepEqual(h.sent(), [{
    id: 2,
    cmd: "update_subscription",
    params: { sid: 1, action: "get_snapshot", market_tickers: ["B"] },
  }]);
  h.books.failDeltas.clear();
  h.recv(delta(1, 4, "A"), 11).recv(delta(1, 5, "B"), 11); // A flows, B held
  h.recv(snapshot(1, 6, "B", 2), 12);
  assert.deepEqual(h.kinds(), ["data:orderbook_delta", "data:orderbook_snapshot", "resynced"]);
});

test("Session.resync() fetches fresh snapshots on request and resolves when they are in", () => {
  const { h, key } = bookSession();
  const request = h.session.resync("B", 10);
  assert.deepEqual(h.sent(), [{
    id: 2,
    cmd: "update_subscription",
    params: { sid: 1, action: "get_snapshot", market_tickers: ["B"] },
  }]);
  h.recv(snapshot(1, 3, "B", 2), 11);
  assert.deepEqual(h.events().slice(1), [
    { type: "resynced", key, sid: 1, markets: ["A", "B"] },
    { type: "command_result", request, ok: true, value: { command: "resync", key } },
  ]);
  assert.throws(() => h.session.resync("Z", 12), CommandError);
});

for (const code of [25, 10]) {
  test(`Session re-subscribes automatically after terminal error ${code} (new sid)`, () => {
    const h = new Harness();
    h.session.opened(0);
    const key = h.session.subscribe({
      channels: ["orderbook_delta", "trade"],
      market_tickers: ["A"],
    }, 0);
    h.sent();
    h.recv({ type: "subscribed", id: 1, msg: { channel: "orderbook_delta", sid: 1 } }, 1);
    h.recv({ type: "subscribed", id: 1, msg: { channel: "trade", sid: 2 } }, 1);
    h.recv(snapshot(1, 1, "A"), 2);
    h.events();
    h.books.take();
    h.recv(
      { type: "error", sid: 1, seq: 2, msg: { code, msg: "Subscription buffer overflow" } },
      5,
    );
    const events = h.events();
    assert.equal(events.length, 2);
    const error = events[0];
    assert.ok(error.type === "server_error");
    assert.equal(error.key, key);
    assert.equal(error.sid, 1);
    assert.equal(error.terminal, true);
    assert.equal(error.error.code, code);
    assert.deepEqual(h.books.take(), ["invalidate A"]);
    // The dead sid is gone server-side: subscribe again after a short pause (a storm of terminal
    // errors must not become a storm of subscribes), only the dead channel.
    assert.deepEqual(h.sent(), []);
    const pause = events[1]!;
    assert.ok(pause.type === "resubscribe_scheduled");
    assert.deepEqual({ ...pause, delayMs: 0 }, {
      type: "resubscribe_scheduled",
      key,
      attempt: 1,
      delayMs: 0,
      reason: "terminal_error",
    });
    assert.ok(pause.delayMs >= 250 && pause.delayMs <= 500, `first pause ${pause.delayMs} ms`);
    assert.equal(h.session.pollTimeout(), 5 + pause.delayMs);
    h.session.handleTimeout(5 + pause.delayMs - 1);
    assert.deepEqual(h.sent(), []);
    h.session.handleTimeout(5 + pause.delayMs);
    assert.deepEqual(h.sent(), [{
      id: 2,
      cmd: "subscribe",
      params: { channels: ["orderbook_delta"], market_tickers: ["A"] },
    }]);
    h.recv(delta(1, 3, "A"), 6); // stragglers of the dead sid are not delivered as its key's data
    h.recv({ type: "subscribed", id: 2, msg: { channel: "orderbook_delta", sid: 3 } }, 7);
    h.recv(snapshot(3, 1, "A"), 8);
    const after = h.events();
    assert.deepEqual(after.map((e) => e.type), ["data", "resubscribed", "data", "resynced"]);
    assert.ok(after[0].type === "data" && after[0].key === undefined);
    assert.deepEqual(after[1], {
      type: "resubscribed",
      key,
      sids: [{ channel: "orderbook_delta", sid: 3 }, { channel: "trade", sid: 2 }],
      reason: "terminal_error",
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Reconnects

test("Session re-subscribes every live subscription after a reconnect, with current markets", () => {
  const h = new Harness();
  h.session.opened(0);
  const book = h.session.subscribe({
    channels: ["orderbook_delta", "ticker"],
    market_tickers: ["A"],
    use_yes_price: true,
  }, 0);
  const trades = h.session.subscribe({ channels: ["trade"] }, 0);
  h.sent();
  h.recv({ type: "subscribed", id: 1, msg: { channel: "orderbook_delta", sid: 1 } }, 1);
  h.recv({ type: "subscribed", id: 1, msg: { channel: "ticker", sid: 2 } }, 1);
  h.recv({ type: "subscribed", id: 2, msg: { channel: "trade", sid: 3 } }, 1);
  h.recv(snapshot(1, 1, "A"), 2);
  h.session.addMarkets(book, ["B"], 3);
  h.sent();
  h.recv({ type: "ok", id: 3, sid: 1, seq: 2, msg: { market_tickers: ["A", "B"] } }, 4);
  h.recv({ type: "ok", id: 4, sid: 2, msg: { market_tickers: ["A", "B"] } }, 4);
  h.recv(snapshot(1, 3, "B"), 5);
  h.events();
  h.books.take();

  h.session.closed(1006, "", 100);
  assert.deepEqual(h.events(), [{ type: "disconnected", code: 1006, reason: "" }]);
  assert.deepEqual(h.books.take().sort(), ["invalidate A", "invalidate B"]);
  h.session.opened(2_000);
  assert.deepEqual(h.sent(), [
    {
      id: 1,
      cmd: "subscribe",
      params: {
        channels: ["orderbook_delta", "ticker"],
        market_tickers: ["A", "B"],
        use_yes_price: true,
      },
    },
    { id: 2, cmd: "subscribe", params: { channels: ["trade"] } },
  ]);
  h.recv({ type: "subscribed", id: 1, msg: { channel: "orderbook_delta", sid: 1 } }, 2_001);
  h.recv({ type: "subscribed", id: 1, msg: { channel: "ticker", sid: 2 } }, 2_001);
  h.recv({ type: "subscribed", id: 2, msg: { channel: "trade", sid: 3 } }, 2_001);
  h.recv(snapshot(1, 1, "A"), 2_002).recv(snapshot(1, 2, "B"), 2_002);
  const events = h.events();
  assert.deepEqual(events.map((e) => e.type), [
    "connected",
    "resubscribed",
    "resubscribed",
    "data",
    "data",
    "resynced",
  ]);
  assert.deepEqual(events[1], {
    type: "resubscribed",
    key: book,
    sids: [{ channel: "orderbook_delta", sid: 1 }, { channel: "ticker", sid: 2 }],
    reason: "reconnect",
  });
  assert.deepEqual(events[2], {
    type: "resubscribed",
    key: trades,
    sids: [{ channel: "trade", sid: 3 }],
    reason: "reconnect",
  });
  assert.deepEqual(h.books.take(), ["snapshot A yes", "snapshot B yes"]);
  assert.deepEqual(h.session.subscriptionKeys(), [book, trades]);
});

test("Session settles requests made while disconnected (queued, or moot without a connection)", () => {
  const h = new Harness();
  h.session.opened(0);
  const key = h.session.subscribe({ channels: ["ticker"], market_tickers: ["A"] }, 0);
  const other = h.session.subscribe({ channels: ["trade"] }, 0);
  h.recv({ type: "subscribed", id: 1, msg: { channel: "ticker", sid: 1 } }, 1);
  h.recv({ type: "subscribed", id: 2, msg: { channel: "trade", sid: 2 } }, 1);
  h.sent();
  h.events();
  h.session.closed(1000, "bye", 5);
  h.events();
  const add = h.session.addMarkets(key, ["B"], 6);
  const unsub = h.session.unsubscribe(other, 6);
  const list = h.session.listSubscriptions(6);
  assert.deepEqual(h.events(), [
    {
      type: "command_result",
      request: add,
      ok: true,
      value: { command: "add_markets", key, markets: ["A", "B"] },
    },
    { type: "unsubscribed", key: other },
    {
      type: "command_result",
      request: unsub,
      ok: true,
      value: { command: "unsubscribe", key: other },
    },
  ]);
  assert.deepEqual(h.sent(), []);
  h.session.opened(10);
  assert.deepEqual(h.sent(), [
    { id: 1, cmd: "subscribe", params: { channels: ["ticker"], market_tickers: ["A", "B"] } },
    { id: 2, cmd: "list_subscriptions" },
  ]);
  h.recv({ type: "ok", id: 2, msg: [{ channel: "ticker", sid: 1 }] }, 11);
  assert.deepEqual(h.events().slice(1), [{
    type: "command_result",
    request: list,
    ok: true,
    value: { command: "list_subscriptions", subscriptions: [{ channel: "ticker", sid: 1 }] },
  }]);
});

test("Session defers a request until the subscription's subscribe is answered", () => {
  const h = new Harness();
  h.session.opened(0);
  const key = h.session.subscribe({ channels: ["ticker"], market_tickers: ["A"] }, 0);
  h.sent();
  const add = h.session.addMarkets(key, ["B"], 1);
  assert.deepEqual(h.sent(), [], "no sid yet");
  h.recv({ type: "subscribed", id: 1, msg: { channel: "ticker", sid: 7 } }, 2);
  assert.deepEqual(h.sent(), [{
    id: 2,
    cmd: "update_subscription",
    params: { sid: 7, action: "add_markets", market_tickers: ["B"] },
  }]);
  h.recv({ type: "ok", id: 2, sid: 7, msg: { market_tickers: ["A", "B"] } }, 3);
  assert.deepEqual(h.events().at(-1), {
    type: "command_result",
    request: add,
    ok: true,
    value: { command: "add_markets", key, markets: ["A", "B"] },
  });
});

// ---------------------------------------------------------------------------------------------
// Liveness

test("Session probes at exactly the idle window and declares death at idle + probe timeout", () => {
  const h = new Harness({ idleMs: 25_000, probeTimeoutMs: 5_000 });
  h.session.opened(1_000);
  h.events();
  assert.equal(h.session.pollTimeout(), 26_000);
  h.session.handleTimeout(25_999);
  assert.deepEqual(h.sent(), []);
  h.session.handleTimeout(26_000);
  assert.deepEqual(h.sent(), [{ id: 1, cmd: "list_subscriptions" }]);
  assert.deepEqual(h.events(), [{ type: "probe", at: 26_000 }]);
  assert.equal(h.session.pollTimeout(), 31_000);
  h.session.handleTimeout(30_999);
  assert.deepEqual(h.events(), []);
  h.session.handleTimeout(31_000);
  assert.deepEqual(h.events(), [{ type: "dead", lastActivity: 1_000, at: 31_000 }]);
  assert.equal(h.session.pollTimeout(), undefined, "one verdict, then the client reconnects");
});

test("Session cancels a pending death when any frame arrives after the probe", () => {
  const h = new Harness({ idleMs: 25_000, probeTimeoutMs: 5_000 });
  h.session.opened(0);
  h.session.handleTimeout(25_000);
  h.sent();
  h.recv({ type: "ok", id: 1, msg: [] }, 27_000); // the probe's answer (any frame would do)
  assert.equal(h.session.pollTimeout(), 52_000);
  h.session.handleTimeout(30_000);
  assert.deepEqual(h.kinds(), ["connected", "probe"], "no dead event; the probe reply is silent");
});

test("Session.receivePing() counts as activity and postpones the probe", () => {
  const h = new Harness({ idleMs: 25_000 });
  h.session.opened(0);
  h.session.receivePing(10_000);
  assert.equal(h.session.pollTimeout(), 35_000);
  h.session.handleTimeout(25_000);
  assert.deepEqual(h.sent(), []);
});

// ---------------------------------------------------------------------------------------------
// Commands, errors and odd frames

test("Session times out an unanswered command after the command timeout", () => {
  const h = new Harness({ commandTimeoutMs: 10_000 });
  h.session.opened(0);
  const request = h.session.listSubscriptions(100);
  assert.equal(h.session.pollTimeout(), 10_100);
  h.session.handleTimeout(10_099);
  assert.deepEqual(h.kinds(), ["connected"]);
  h.recv({ type: "ticker", sid: 99, msg: { market_ticker: "A" } }, 10_050); // unrelated traffic
  h.events();
  h.session.handleTimeout(10_100);
  const [result] = h.events();
  assert.ok(result.type === "command_result" && !result.ok);
  assert.equal(result.request, request);
  assert.ok(result.error instanceof CommandTimeoutError);
  // A late answer is ignored.
  h.recv({ type: "ok", id: 1, msg: [] }, 10_200);
  assert.deepEqual(h.events(), []);
});

test("Session times out a subscribe, rejects it and discards a late subscribed", () => {
  const h = new Harness({ commandTimeoutMs: 1_000 });
  h.session.opened(0);
  const key = h.session.subscribe({ channels: ["trade"] }, 0);
  h.sent();
  h.session.handleTimeout(1_000);
  const [, result] = h.events();
  assert.ok(result.type === "command_result" && !result.ok && result.request === key);
  h.recv({ type: "subscribed", id: 1, msg: { channel: "trade", sid: 5 } }, 1_500);
  assert.deepEqual(h.sent(), [{ id: 2, cmd: "unsubscribe", params: { sids: [5] } }]);
  assert.deepEqual(h.events(), []);
});

test("Session rejects a command with Kalshi's error code", () => {
  const { h, key } = bookSession();
  const request = h.session.removeMarkets(key, ["B"], 10);
  h.sent();
  h.recv({ type: "error", id: 2, sid: 1, seq: 3, msg: { code: 27, msg: "Too many requests" } }, 11);
  const [result] = h.events();
  assert.ok(result.type === "command_result" && !result.ok && result.request === request);
  assert.ok(result.error instanceof ServerError);
  assert.equal(result.error.code, 27);
  assert.throws(() => h.session.removeMarkets(key, ["A", "B"], 12), CommandError);
});

test("Session emits decode_error with the frame text and carries on", () => {
  const { h } = bookSession();
  h.recv("{not json", 10);
  h.recv(delta(1, 3, "A"), 11);
  const events = h.events();
  assert.equal(events[0].type, "decode_error");
  assert.ok(events[0].type === "decode_error" && events[0].error instanceof DecodeError);
  assert.equal(events[0].error.frame, "{not json");
  assert.equal(events[1].type, "data");
});

test("Session delivers unknown message types as data, tagged and sequenced", () => {
  const { h, key } = bookSession();
  h.recv({ type: "brand_new_thing", sid: 1, seq: 3, msg: { x: 1 } }, 10);
  h.recv(delta(1, 4, "A"), 11);
  const [drift, ...events] = h.events();
  assert.ok(drift.type === "drift" && drift.kind === "unknown_type");
  assert.equal(drift.messageType, "brand_new_thing");
  assert.equal(events.length, 2, "its seq counted: no gap at 4");
  assert.ok(events[0].type === "data" && events[0].key === key);
  assert.ok(
    events[0].message.type === "unknown" && events[0].message.wireType === "brand_new_thing",
  );
});

test("Session reports an unscoped error as server_error", () => {
  const h = new Harness();
  h.session.opened(0);
  h.recv({ type: "error", msg: { code: 1, msg: "Unable to process message" } }, 1);
  const events = h.events();
  assert.ok(events[1].type === "server_error" && events[1].error.code === 1 && !events[1].terminal);
});

test("Session.unsubscribe() throws for an unknown subscription", () => {
  const h = new Harness();
  assert.throws(() => h.session.unsubscribe(42, 0), CommandError);
});

test("Session discards a subscribed frame nobody asked for", () => {
  const h = new Harness();
  h.session.opened(0);
  h.recv({ type: "subscribed", id: 9, msg: { channel: "fill", sid: 4 } }, 1);
  assert.deepEqual(h.sent(), [{ id: 1, cmd: "unsubscribe", params: { sids: [4] } }]);
});

test("Session passes the snapshot's use_yes_price setting to the books and flags bad snapshots", () => {
  const h = new Harness();
  h.session.opened(0);
  const key = h.session.subscribe(
    { channels: ["orderbook_delta"], market_tickers: ["A"], use_yes_price: true },
    0,
  );
  h.recv({ type: "subscribed", id: 1, msg: { channel: "orderbook_delta", sid: 1 } }, 1);
  h.books.failSnapshots.add("A");
  h.recv(snapshot(1, 1, "A"), 2);
  assert.deepEqual(h.books.take(), ["snapshot A yes"]);
  assert.deepEqual(h.events().at(-1), {
    type: "book_invalid",
    key,
    sid: 1,
    marketTicker: "A",
    cause: "snapshot",
  });
  h.recv(delta(1, 2, "A"), 3);
  assert.deepEqual(h.kinds(), [], "deltas stay held until a good snapshot");
});

// ---------------------------------------------------------------------------------------------
// Seeded simulation: a model exchange, a lossy link, and a check on every delivered delta

type Ladder = Map<string, number>; // price → size (whole contracts)

const show = (ladder: Ladder | undefined): string =>
  ladder === undefined
    ? "-"
    : [...ladder].filter(([, s]) => s !== 0).sort(([a], [b]) => a.localeCompare(b)).map((
      [p, s],
    ) => `${p}:${s}`).join(",");

/** Exact books for the consumer side (integer sizes), refusing negative sizes. */
class ModelBooks implements BookKeeper {
  readonly books = new Map<string, Ladder>();
  applySnapshot(msg: OrderbookSnapshotMsg): boolean {
    const ladder: Ladder = new Map();
    for (const [p, s] of msg.yes_dollars_fp ?? []) ladder.set(p, Number(s));
    this.books.set(msg.market_ticker, ladder);
    return true;
  }
  applyDelta(msg: OrderbookDeltaMsg): boolean {
    const ladder = this.books.get(msg.market_ticker);
    if (ladder === undefined) return false;
    const size = (ladder.get(msg.price_dollars) ?? 0) + Number(msg.delta_fp);
    if (size < 0) {
      this.books.delete(msg.market_ticker);
      return false;
    }
    ladder.set(msg.price_dollars, size);
    return true;
  }
  invalidate(marketTicker: string): void {
    this.books.delete(marketTicker);
  }
  remove(marketTicker: string): void {
    this.books.delete(marketTicker);
  }
}

test("Session never delivers a delta onto a wrong book and converges over a lossy link (seeded)", () => {
  const MARKETS = ["A", "B", "C"];
  const PRICES = ["0.4000", "0.4100", "0.4200"];
  for (let seed = 1; seed <= 40; seed++) {
    const random = prng(seed);
    const books = new ModelBooks();
    // Time runs ten times faster here than in a real session: so do the re-subscribe pauses.
    const session = new Session({
      books,
      commandTimeoutMs: 500,
      resubscribe: { initialDelayMs: 50, maxDelayMs: 500, stableAfterMs: 1_000, random },
    });
    const truth = new Map<string, Ladder>(MARKETS.map((m) => [m, new Map()]));
    const history = new Map<number, string>(); // seq → truth of the market it touched
    let sid = 0;
    let seq = 0;
    let nextSid = 1;
    let now = 0;
    let lossy = true;
    const failRate = seed % 2 === 0 ? 0.2 : 0; // even seeds: get_snapshot sometimes fails
    const inbox: string[] = [];
    const emit = (frame: Record<string, unknown>, droppable: boolean) => {
      if (droppable && lossy && random() < 0.05) return; // lost in transit
      inbox.push(JSON.stringify(frame));
    };
    const snapshotFrame = (market: string, id?: number) => {
      seq++;
      history.set(seq, show(truth.get(market)));
      const levels = [...truth.get(market)!].filter(([, s]) => s > 0).map((
        [p, s],
      ) => [p, `${s}.00`]);
      emit({
        type: "orderbook_snapshot",
        sid,
        seq,
        ...(id === undefined ? {} : { id }),
        msg: { market_ticker: market, yes_dollars_fp: levels },
      }, true);
    };
    const serve = () => {
      for (let f = session.pollTransmit(); f !== undefined; f = session.pollTransmit()) {
        const cmd = JSON.parse(f);
        if (cmd.cmd === "subscribe") {
          sid = nextSid++;
          seq = 0;
          emit({ type: "subscribed", id: cmd.id, msg: { channel: "orderbook_delta", sid } }, false);
          for (const m of cmd.params.market_tickers) snapshotFrame(m);
        } else if (cmd.cmd === "update_subscription") {
          if (cmd.params.sid !== sid) continue;
          if (failRate > 0 && lossy && random() < failRate) {
            emit(
              { type: "error", id: cmd.id, sid, seq: ++seq, msg: { code: 18, msg: "x" } },
              false,
            );
            continue;
          }
          if (random() < 0.5) emit({ type: "ok", id: cmd.id, sid, seq: ++seq }, true);
          for (const m of cmd.params.market_tickers) snapshotFrame(m, cmd.id);
        } else if (cmd.cmd === "unsubscribe") {
          for (const s of cmd.params.sids) {
            if (s !== sid) continue;
            emit({ type: "unsubscribed", id: cmd.id, sid, seq: ++seq }, false);
            sid = 0; // no subscription until the next subscribe
          }
        } else if (cmd.cmd === "list_subscriptions") {
          emit({ type: "ok", id: cmd.id, msg: [{ channel: "orderbook_delta", sid }] }, false);
        }
      }
    };
    const deliver = () => {
      for (const frame of inbox.splice(0)) {
        session.receiveText(frame, now);
        for (let e = session.pollEvent(); e !== undefined; e = session.pollEvent()) {
          if (e.type === "subscription_lost") assert.fail(`seed ${seed}: subscription lost`);
          if (e.type !== "data" || e.message.type !== "orderbook_delta") continue;
          if (e.key === undefined) continue; // a sid already given up on
          const { market_ticker } = e.message.msg;
          assert.equal(
            show(books.books.get(market_ticker)),
            history.get(e.message.seq),
            `seed ${seed}: delta seq ${e.message.seq} delivered onto a wrong ${market_ticker} book`,
          );
        }
        serve();
      }
    };

    session.opened(now);
    session.subscribe({ channels: ["orderbook_delta"], market_tickers: MARKETS }, now);
    serve();
    deliver();
    for (let step = 0; step < 1_500; step++) {
      now += 10;
      if (step === 1_200) lossy = false;
      const market = MARKETS[Math.floor(random() * MARKETS.length)];
      const price = PRICES[Math.floor(random() * PRICES.length)];
      const ladder = truth.get(market)!;
      const size = ladder.get(price) ?? 0;
      const change = Math.floor(random() * (size + 6)) - size || 1;
      ladder.set(price, size + change);
      if (sid !== 0) { // else the market moves on while we are not subscribed
        seq++;
        history.set(seq, show(ladder));
        emit({
          type: "orderbook_delta",
          sid,
          seq,
          msg: {
            market_ticker: market,
            price_dollars: price,
            delta_fp: `${change}.00`,
            side: "yes",
          },
        }, true);
      }
      deliver();
      session.handleTimeout(now);
      serve();
      deliver();
    }
    for (const m of MARKETS) {
      assert.equal(show(books.books.get(m)), show(truth.get(m)), `seed ${seed}: ${m} converged`);
    }
  }
});

test("Session.abort() rejects every outstanding request and ends every subscription", () => {
  const h = new Harness();
  h.session.opened(0);
  const live = h.session.subscribe({ channels: ["ticker"], market_tickers: ["A"] }, 0);
  h.recv({ type: "subscribed", id: 1, msg: { channel: "ticker", sid: 1 } }, 1);
  const pending = h.session.subscribe({ channels: ["trade"] }, 2);
  const add = h.session.addMarkets(live, ["B"], 3);
  const list = h.session.listSubscriptions(3);
  h.events();
  const reason = new Error("shutting down");
  h.session.abort(reason);
  const events = h.events();
  const rejected = events.flatMap((e) =>
    e.type === "command_result" && !e.ok && e.error === reason ? [e.request] : []
  );
  assert.deepEqual(rejected.sort((a, b) => a - b), [pending, add, list].sort((a, b) => a - b));
  assert.deepEqual(events.filter((e) => e.type === "subscription_lost").map((e) => e.type), [
    "subscription_lost",
  ]);
  assert.deepEqual(h.session.subscriptionKeys(), []);
  assert.equal(h.session.pollTimeout() !== undefined, true, "liveness still runs until closed");
});

test("Session re-sends a first subscribe cut off by a disconnect and settles it once answered", () => {
  const h = new Harness();
  h.session.opened(0);
  const key = h.session.subscribe({ channels: ["trade"] }, 0);
  h.sent();
  h.session.closed(1006, "", 5);
  assert.equal(h.session.pollTimeout(), 10_000, "the subscribe's deadline runs while disconnected");
  h.session.opened(1_000);
  assert.deepEqual(h.sent(), [{ id: 1, cmd: "subscribe", params: { channels: ["trade"] } }]);
  h.recv({ type: "subscribed", id: 1, msg: { channel: "trade", sid: 1 } }, 1_001);
  assert.deepEqual(h.kinds(), [
    "connected",
    "disconnected",
    "connected",
    "subscribed",
    "command_result",
  ]);
  assert.deepEqual(h.session.sidsOf(key), [{ channel: "trade", sid: 1 }]);
});

test("Session.unsubscribe() succeeds when the connection drops before the ack or Kalshi says 7", () => {
  const h = new Harness();
  h.session.opened(0);
  const a = h.session.subscribe({ channels: ["trade"] }, 0);
  const b = h.session.subscribe({ channels: ["ticker"] }, 0);
  h.recv({ type: "subscribed", id: 1, msg: { channel: "trade", sid: 1 } }, 1);
  h.recv({ type: "subscribed", id: 2, msg: { channel: "ticker", sid: 2 } }, 1);
  h.sent();
  h.events();
  const ua = h.session.unsubscribe(a, 2);
  h.recv({ type: "error", id: 3, msg: { code: 7, msg: "Unknown subscription ID" } }, 3);
  assert.deepEqual(h.events(), [
    { type: "unsubscribed", key: a },
    { type: "command_result", request: ua, ok: true, value: { command: "unsubscribe", key: a } },
  ]);
  const ub = h.session.unsubscribe(b, 4);
  h.session.closed(1006, "", 5);
  assert.deepEqual(h.events(), [
    { type: "unsubscribed", key: b },
    { type: "command_result", request: ub, ok: true, value: { command: "unsubscribe", key: b } },
    { type: "disconnected", code: 1006, reason: "" },
  ]);
  h.session.opened(10);
  assert.deepEqual(h.sent().filter((c) => c.cmd === "subscribe"), [], "nothing to restore");
});
