/**
 * Routing of data in streams, derived from the core's channel table: every message type of
 * every channel takes that channel's overflow policy, `event_lifecycle` (two channels carry it)
 * goes by the sid it came on, and an overflow error names the channel and markets, never an
 * internal number.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type Channel,
  CHANNEL_INFO,
  CHANNELS,
  type DataEvent,
  type SidInfo,
  type UnknownMessage,
} from "@kalshi-ws/core";
import type { ClientEvent } from "./client_event.ts";
import { LaggedError } from "./errors.ts";
import { EventRouter } from "./event_router.ts";
import type { EventStream, OverflowPolicy } from "./event_stream.ts";
import { resolveOverflow } from "./overflow_routing.ts";
import { Subscription, type SubscriptionPort } from "./subscription.ts";
import { flushMicrotasks } from "./testing/manual_clock.ts";
import { ackSubscribe, open } from "./testing/memory_client.ts";

/** A subscription handle wired to `router`, whose sids are `sids` (no session behind it). */
function handle(
  router: EventRouter,
  key: number,
  channels: readonly Channel[],
  overflow: Partial<Record<Channel, OverflowPolicy>>,
  sids: readonly SidInfo[],
): Subscription {
  const unused = () => Promise.reject(new Error("not in this test"));
  const port: SubscriptionPort = {
    sids: () => sids,
    markets: () => ["M1"],
    addMarkets: unused,
    removeMarkets: unused,
    resync: unused,
    unsubscribe: unused,
    openStream: (owner, options, onResync) => router.openStream(options, owner, onResync),
    resyncMarkets: () => {},
    closed: false,
  };
  const subscription = new Subscription(
    port,
    key,
    channels,
    resolveOverflow(channels, overflow),
    false,
  );
  router.subscriptions.set(key, subscription);
  return subscription;
}

/** A data event of `type` on `sid` (routing looks at the type, sid and market only). */
function data(key: number, sid: number, type: string, market: string): DataEvent {
  const message = { type, sid, msg: { market_ticker: market } } as unknown as UnknownMessage;
  return { type: "data", key, sid, message };
}

/** What a stream did: the events it kept, or the error it ended with. */
async function overflowOf(stream: EventStream<ClientEvent>): Promise<LaggedError | string[]> {
  const seen: string[] = [];
  while (stream.size > 0) {
    const event = (await stream.next()).value as ClientEvent;
    seen.push(event.type === "data" ? "data" : event.type);
  }
  if (!stream.ended) return seen;
  try {
    await stream.next();
  } catch (error) {
    if (error instanceof LaggedError) return error;
    throw error;
  }
  return seen;
}

test("every message type of every channel routes to its channel's overflow policy", async () => {
  const checked: string[] = [];
  for (const channel of CHANNELS) {
    // "error" is no channel's default, so seeing it proves the channel's own policy applied.
    const router = new EventRouter({ bufferSize: 1, resyncMarkets: () => {} });
    const sub = handle(router, 1, [channel], { [channel]: "error" }, [{ channel, sid: 7 }]);
    for (const type of CHANNEL_INFO[channel].messageTypes) {
      const stream = sub.events({ bufferSize: 1 });
      router.data(data(1, 7, type, "M1"));
      router.data(data(1, 7, type, "M1"));
      const outcome = await overflowOf(stream);
      assert.ok(
        outcome instanceof LaggedError,
        `"${type}" on "${channel}" did not take its "error" policy: ${outcome}`,
      );
      assert.equal(outcome.channel, channel, `"${type}" was counted on another channel`);
      checked.push(type);
    }
  }
  // event_lifecycle is listed by two channels, and was checked on both.
  assert.equal(checked.filter((type) => type === "event_lifecycle").length, 2);
  assert.equal(checked.length, CHANNELS.flatMap((c) => CHANNEL_INFO[c].messageTypes).length);
});

test("event_lifecycle takes the policy of the sid's channel when a subscription has both lifecycle channels", async () => {
  const router = new EventRouter({ bufferSize: 1, resyncMarkets: () => {} });
  const sub = handle(
    router,
    1,
    ["market_lifecycle_v2", "multivariate_market_lifecycle"],
    { market_lifecycle_v2: "error", multivariate_market_lifecycle: "latest" },
    [{ channel: "market_lifecycle_v2", sid: 3 }, {
      channel: "multivariate_market_lifecycle",
      sid: 4,
    }],
  );
  const multivariate = sub.events({ bufferSize: 1 });
  router.data(data(1, 4, "event_lifecycle", "M1"));
  router.data(data(1, 4, "event_lifecycle", "M1"));
  assert.deepEqual(await overflowOf(multivariate), ["lagged", "data"]); // latest: kept the newest
  const market = sub.events({ bufferSize: 1 });
  router.data(data(1, 3, "event_lifecycle", "M1"));
  router.data(data(1, 3, "event_lifecycle", "M1"));
  const outcome = await overflowOf(market);
  assert.ok(outcome instanceof LaggedError);
  assert.equal(outcome.channel, "market_lifecycle_v2");
});

test("the client applies market_lifecycle_v2's policy to event_lifecycle frames and names the channel when a stream overflows", async () => {
  const h = await open();
  const pending = h.client.subscribe(
    { channels: ["market_lifecycle_v2"] },
    { overflow: { market_lifecycle_v2: "error" } },
  );
  await flushMicrotasks();
  ackSubscribe(h.socket(), 34);
  const sub = await pending;
  const stream = sub.events({ bufferSize: 1 });
  for (let seq = 1; seq <= 2; seq++) {
    h.socket().receive({
      type: "event_lifecycle",
      sid: 34,
      seq,
      msg: {
        event_ticker: "KXQUICKSETTLE-26JAN25H2150",
        exchange_index: 0,
        title: "What will 1+1 equal on Jan 25 at 21:50?",
        subtitle: "Jan 25 at 21:50",
        collateral_return_type: "MECNET",
        series_ticker: "KXQUICKSETTLE",
      },
    });
  }
  await flushMicrotasks();
  const first = (await stream.next()).value as ClientEvent;
  assert.equal(first.type === "data" && first.message.type, "event_lifecycle");
  await assert.rejects(stream.next(), (error: LaggedError) => {
    assert.ok(error instanceof LaggedError);
    assert.equal(error.channel, "market_lifecycle_v2");
    assert.match(error.message, /"market_lifecycle_v2"/);
    assert.doesNotMatch(error.message, /\d{2}/); // no sid, key or lane number
    return true;
  });
  await h.client.close();
});

test("LaggedError names the subscription's channel and markets when a trade stream overflows", async () => {
  const router = new EventRouter({ bufferSize: 1, resyncMarkets: () => {} });
  const sub = handle(router, 34, ["trade"], { trade: "error" }, [{ channel: "trade", sid: 1 }]);
  const stream = sub.events({ bufferSize: 1 });
  router.data(data(34, 1, "trade", "M1"));
  router.data(data(34, 1, "trade", "M1"));
  const outcome = await overflowOf(stream);
  assert.ok(outcome instanceof LaggedError);
  assert.equal(
    outcome.message,
    'Read events faster: a stream queued more than 1 "trade" messages (subscription: trade on M1)',
  );
  assert.equal(String(sub), "Subscription(trade on M1)");
});

test("data of a subscription that ended reaches neither its handle nor its streams, even right after data that did", async () => {
  const router = new EventRouter({ bufferSize: 8, resyncMarkets: () => {} });
  const sub = handle(router, 5, ["trade"], {}, [{ channel: "trade", sid: 9 }]);
  const stream = sub.events();
  const seen: string[] = [];
  sub.on("data", () => seen.push("data"));
  router.data(data(5, 9, "trade", "M1"));
  router.forget(5);
  router.data(data(5, 9, "trade", "M1"));
  const again = handle(router, 6, ["trade"], {}, [{ channel: "trade", sid: 9 }]);
  const later: string[] = [];
  again.on("data", () => later.push("data"));
  router.data(data(6, 9, "trade", "M1"));
  assert.deepEqual(seen, ["data"]);
  assert.deepEqual(later, ["data"]);
  assert.deepEqual(await overflowOf(stream), ["data"]);
});
