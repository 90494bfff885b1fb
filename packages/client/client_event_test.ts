import { test } from "node:test";
import assert from "node:assert/strict";
import { ServerError, type SessionEvent } from "@kalshi-ws/core";
import {
  type ClientEventType,
  type EngineEvent,
  type LinkFacts,
  toClientEvent,
} from "./client_event.ts";
import type { Subscription } from "./subscription.ts";

// Derived, not re-declared: every session event a user may see is a client event type.
type Shown = Exclude<SessionEvent, EngineEvent>["type"];
const everyShownTypeIsAClientEvent: [Exclude<Shown, ClientEventType>] extends [never] ? true
  : Exclude<Shown, ClientEventType> = true;
void everyShownTypeIsAClientEvent;

const link: LinkFacts = {
  url: "wss://example.test/trade-api/ws/v2",
  opens: 2,
  willReconnect: true,
};
const handle = { key: 5 } as unknown as Subscription;

test("toClientEvent() replaces the key by the subscription and keeps the session's fields in order", () => {
  const gap = toClientEvent(
    { type: "gap", key: 5, sid: 9, channel: "orderbook_delta", expected: 3, received: 5 },
    handle,
    link,
  );
  assert.deepEqual(gap, {
    type: "gap",
    subscription: handle,
    sid: 9,
    channel: "orderbook_delta",
    expected: 3,
    received: 5,
  });
  assert.deepEqual(Object.keys(gap), [
    "type",
    "subscription",
    "sid",
    "channel",
    "expected",
    "received",
  ]);
  const error = new ServerError(6, "Already subscribed");
  assert.deepEqual(
    toClientEvent(
      { type: "server_error", key: undefined, sid: undefined, error, terminal: false },
      undefined,
      link,
    ),
    { type: "server_error", subscription: undefined, sid: undefined, error, terminal: false },
  );
});

test("toClientEvent() adds the connection's facts to connected and disconnected", () => {
  assert.deepEqual(toClientEvent({ type: "connected" }, undefined, link), {
    type: "connected",
    url: link.url,
    reconnected: true,
  });
  assert.deepEqual(
    toClientEvent({ type: "disconnected", code: 1006, reason: "" }, undefined, link),
    {
      type: "disconnected",
      code: 1006,
      reason: "",
      willReconnect: true,
    },
  );
});

test("toClientEvent() passes events without a subscription through unchanged", () => {
  const probe: SessionEvent = { type: "probe", at: 25_000 };
  assert.equal(toClientEvent(probe, undefined, link), probe);
});
