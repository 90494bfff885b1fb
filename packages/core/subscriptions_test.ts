import { test } from "node:test";
import assert from "node:assert/strict";
import {
  addMarketsCommand,
  getSnapshotCommand,
  listSubscriptionsCommand,
  subscribeCommand,
  unsubscribeCommand,
} from "./command_builders.ts";
import { ServerError } from "./errors.ts";
import { checkSeq, SeqVerdict, SubscriptionTable } from "./subscriptions.ts";
import type { Transition } from "./subscription_transitions.ts";

function table(): SubscriptionTable<string, string> {
  return new SubscriptionTable<string, string>();
}

type T = Transition<string, string>;

/** Asserts `t` is of `kind` and narrows it. */
function as<K extends T["kind"]>(t: T, kind: K): Extract<T, { kind: K }> {
  assert.equal(t.kind, kind);
  return t as Extract<T, { kind: K }>;
}

test("checkSeq() accepts last+1, reports gaps and stale frames, and starts at 1", () => {
  const state = { lastSeq: 0 };
  assert.equal(checkSeq(state, 1), SeqVerdict.Ok);
  assert.equal(checkSeq(state, 2), SeqVerdict.Ok);
  assert.equal(checkSeq(state, 5), SeqVerdict.Gap);
  assert.equal(state.lastSeq, 5, "tracking continues from the received seq");
  assert.equal(checkSeq(state, 5), SeqVerdict.Stale);
  assert.equal(checkSeq(state, 3), SeqVerdict.Stale);
  assert.equal(state.lastSeq, 5, "stale frames do not move the baseline");
  const fresh = { lastSeq: 0 };
  assert.equal(checkSeq(fresh, 2), SeqVerdict.Gap, "a first seq other than 1 is a gap from 0");
});

test("SubscriptionTable.receive() completes a 3-channel subscribe after 3 subscribed", () => {
  const t = table();
  t.track(
    1,
    subscribeCommand({
      channels: ["orderbook_delta", "ticker", "trade"],
      market_tickers: ["A", "B"],
    }),
    "tag",
  );
  const a = as(
    t.receive({ type: "subscribed", id: 1, msg: { channel: "orderbook_delta", sid: 1 } }),
    "subscribed",
  );
  const b = as(
    t.receive({ type: "subscribed", id: 1, msg: { channel: "ticker", sid: 2 } }),
    "subscribed",
  );
  assert.equal(a.complete, false);
  assert.equal(a.merged, false);
  assert.equal(b.complete, false);
  const c = as(
    t.receive({ type: "subscribed", id: 1, msg: { channel: "trade", sid: 3 } }),
    "subscribed",
  );
  assert.equal(c.complete, true);
  assert.equal(c.command.tag, "tag");
  assert.equal(t.pendingCount, 0);
  assert.deepEqual([...t.sids.get(1)!.markets!], ["A", "B"]);
  assert.equal(t.sids.get(3)!.channel, "trade");
});

test("SubscriptionTable.receive() reports subscribe_failed with the sids already created", () => {
  const t = table();
  t.track(4, subscribeCommand({ channels: ["ticker", "fill"] }), "tag");
  t.receive({ type: "subscribed", id: 4, msg: { channel: "ticker", sid: 9 } });
  const f = as(
    t.receive({ type: "error", id: 4, msg: { code: 9, msg: "Authentication required" } }),
    "subscribe_failed",
  );
  assert.ok(f.error instanceof ServerError);
  assert.equal(f.error.code, 9);
  assert.equal(f.command.acked[0].sid, 9);
  assert.equal(t.pendingCount, 0);
});

test("SubscriptionTable.receive() counts ok and unsubscribed acks in the sid's seq", () => {
  const t = table();
  t.track(1, subscribeCommand({ channels: ["orderbook_delta"], market_tickers: ["A"] }), "s");
  t.receive({ type: "subscribed", id: 1, msg: { channel: "orderbook_delta", sid: 1 } });
  const state = t.sids.get(1)!;
  checkSeq(state, 1); // snapshot
  t.track(2, addMarketsCommand(1, ["B"]), "u");
  const ok = t.receive({ type: "ok", id: 2, sid: 1, seq: 2, msg: { market_tickers: ["A", "B"] } });
  assert.equal(ok.kind, "updated");
  assert.equal(ok.outOfOrder, undefined);
  assert.deepEqual([...state.markets!], ["A", "B"]);
  t.track(3, unsubscribeCommand([1]), "x");
  const gone = as(t.receive({ type: "unsubscribed", id: 3, sid: 1, seq: 4 }), "unsubscribed");
  assert.equal(gone.complete, true);
  assert.equal(gone.outOfOrder?.verdict, SeqVerdict.Gap);
  assert.equal(gone.outOfOrder?.expected, 3);
  assert.equal(gone.outOfOrder?.received, 4);
  assert.equal(t.sids.size, 0);
});

test("SubscriptionTable.receive() keeps get_snapshot pending after its ok (snapshots follow)", () => {
  const t = table();
  t.track(1, subscribeCommand({ channels: ["orderbook_delta"], market_tickers: ["A"] }), "s");
  t.receive({ type: "subscribed", id: 1, msg: { channel: "orderbook_delta", sid: 1 } });
  t.track(2, getSnapshotCommand(1, ["A"]), "r");
  const ok = as(t.receive({ type: "ok", id: 2, sid: 1, seq: 1 }), "updated");
  assert.equal(ok.complete, false);
  assert.equal(t.pending(2)?.kind === "update" && t.pending(2)?.kind, "update");
  t.complete(2);
  assert.equal(t.pendingCount, 0);
});

test("SubscriptionTable.receive() applies add/delete without a list (skip_ticker_ack)", () => {
  const t = table();
  t.track(1, subscribeCommand({ channels: ["ticker"], market_tickers: ["A"] }), "s");
  t.receive({ type: "subscribed", id: 1, msg: { channel: "ticker", sid: 1 } });
  t.track(2, addMarketsCommand(1, ["B", "C"]), "u");
  t.receive({ type: "ok", id: 2, sid: 1, seq: 1 });
  assert.deepEqual([...t.sids.get(1)!.markets!].sort(), ["A", "B", "C"]);
});

test("SubscriptionTable.receive() marks sid-scoped errors 10 and 25 terminal and drops the sid", () => {
  for (const code of [10, 25]) {
    const t = table();
    t.track(1, subscribeCommand({ channels: ["trade"] }), "s");
    t.receive({ type: "subscribed", id: 1, msg: { channel: "trade", sid: 3 } });
    const e = as(
      t.receive({ type: "error", sid: 3, seq: 1, msg: { code, msg: "dead" } }),
      "subscription_error",
    );
    assert.equal(e.terminal, true);
    assert.equal(e.state?.sid, 3);
    assert.equal(t.sids.has(3), false);
  }
  const t = table();
  t.track(1, subscribeCommand({ channels: ["trade"] }), "s");
  t.receive({ type: "subscribed", id: 1, msg: { channel: "trade", sid: 3 } });
  const e = as(
    t.receive({ type: "error", sid: 3, msg: { code: 18, msg: "Command timeout" } }),
    "subscription_error",
  );
  assert.equal(e.terminal, false);
  assert.equal(t.sids.has(3), true);
});

test("SubscriptionTable.receive() treats an ok answering subscribe as a merge into an existing sid", () => {
  const t = table();
  t.track(1, subscribeCommand({ channels: ["ticker"], market_tickers: ["A"] }), "s");
  t.receive({ type: "subscribed", id: 1, msg: { channel: "ticker", sid: 1 } });
  t.track(2, subscribeCommand({ channels: ["ticker"], market_tickers: ["B"] }), "s2");
  const merged = t.receive({
    type: "ok",
    id: 2,
    sid: 1,
    seq: 1,
    msg: { market_tickers: ["A", "B"] },
  });
  assert.ok(merged.kind === "subscribed");
  assert.equal(merged.complete, true);
  assert.equal(merged.merged, true);
  assert.equal(merged.state.sid, 1);
});

test("SubscriptionTable.receive() flags a subscribed nobody waits for as an orphan", () => {
  const t = table();
  const o = t.receive({ type: "subscribed", id: 42, msg: { channel: "trade", sid: 5 } });
  assert.equal(o.kind, "orphan");
  assert.equal(t.sids.get(5)?.owner, undefined);
});

test("SubscriptionTable.receive() answers list_subscriptions with the array", () => {
  const t = table();
  t.track(7, listSubscriptionsCommand(), "l");
  const l = as(t.receive({ type: "ok", id: 7, msg: [{ channel: "trade", sid: 1 }] }), "listed");
  assert.deepEqual(l.subscriptions, [{ channel: "trade", sid: 1 }]);
});

test("SubscriptionTable.receive() reports command and unscoped errors", () => {
  const t = table();
  t.track(3, unsubscribeCommand([99]), "u");
  const f = as(
    t.receive({ type: "error", id: 3, msg: { code: 7, msg: "Unknown subscription ID" } }),
    "command_failed",
  );
  assert.equal(f.error.code, 7);
  const e = t.receive({ type: "error", msg: { code: 1, msg: "Unable to process message" } });
  assert.equal(e.kind, "error");
});

test("SubscriptionTable.clear() returns pending commands and forgets sids", () => {
  const t = table();
  t.track(1, subscribeCommand({ channels: ["trade"] }), "s");
  t.receive({ type: "subscribed", id: 1, msg: { channel: "trade", sid: 1 } });
  t.track(2, listSubscriptionsCommand(), "l");
  assert.equal(t.holdsChannel("trade"), true);
  assert.equal(t.clear().length, 1);
  assert.equal(t.sids.size, 0);
  assert.equal(t.holdsChannel("trade"), false);
});
