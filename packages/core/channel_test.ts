import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { parse } from "yaml";
import { CHANNEL_INFO, CHANNELS, channelsOfMessageType, isChannel } from "./channel.ts";
import { UPDATE_ACTIONS } from "./command_actions.ts";
import { DATA_MESSAGE_TYPES } from "./message.ts";
import { DEFAULT_SPEC_PATH } from "./testing/spec_examples.ts";

test("CHANNEL_INFO has exactly one row per channel of CHANNELS", () => {
  assert.equal(CHANNELS.length, 13);
  assert.deepEqual(Object.keys(CHANNEL_INFO).sort(), [...CHANNELS].sort());
});

test("CHANNEL_INFO names only known actions and decodable message types", () => {
  for (const channel of CHANNELS) {
    const info = CHANNEL_INFO[channel];
    for (const action of info.updateActions) assert.ok(UPDATE_ACTIONS.includes(action), action);
    for (const type of info.messageTypes) {
      assert.ok((DATA_MESSAGE_TYPES as readonly string[]).includes(type), `${channel}: ${type}`);
    }
    assert.ok(!info.marketIds || info.marketFilter !== "none", channel);
  }
  // Every current data type belongs to some channel; only the legacy ones to none.
  const emitted = new Set(CHANNELS.flatMap((c) => CHANNEL_INFO[c].messageTypes));
  const orphans = DATA_MESSAGE_TYPES.filter((type) => !emitted.has(type));
  assert.deepEqual(orphans, ["ticker_v2", "multivariate_lookup"]);
});

test("channelsOfMessageType() inverts CHANNEL_INFO.messageTypes for every type of every channel", () => {
  for (const channel of CHANNELS) {
    for (const type of CHANNEL_INFO[channel].messageTypes) {
      assert.ok(channelsOfMessageType(type).includes(channel), `${type} -> ${channel}`);
    }
  }
  assert.deepEqual(channelsOfMessageType("event_lifecycle"), [
    "market_lifecycle_v2",
    "multivariate_market_lifecycle",
  ]);
  assert.deepEqual(channelsOfMessageType("market_position"), ["market_positions"]);
  for (const type of ["subscribed", "ok", "error", "ticker_v2", "no_such_type", "toString"]) {
    assert.deepEqual(channelsOfMessageType(type), [], type);
  }
});

test("isChannel() accepts current channel names only", () => {
  assert.ok(isChannel("orderbook_delta"));
  assert.ok(isChannel("pyth_value"));
  for (const name of ["ticker_v2", "multivariate", "toString", "", 1, null, undefined]) {
    assert.equal(isChannel(name), false, String(name));
  }
});

const specFound = existsSync(DEFAULT_SPEC_PATH);
test(
  specFound
    ? "CHANNELS and UPDATE_ACTIONS match the enums of the live spec beside the repo"
    : `CHANNELS live spec comparison: SKIPPED, ${DEFAULT_SPEC_PATH} not found`,
  { skip: !specFound },
  () => {
    // deno-lint-ignore no-explicit-any
    const schemas = (parse(readFileSync(DEFAULT_SPEC_PATH, "utf8")) as any).components.schemas;
    const channels = schemas.subscribeCommandPayload.properties.params.properties.channels.items
      .enum;
    assert.deepEqual(channels, [...CHANNELS]);
    const actions = [
      ...schemas.updateSubscriptionCommandPayload.properties.params.properties.action.enum,
      ...schemas.cfbenchmarksUpdateSubscriptionCommandPayload.properties.params.properties.action
        .enum,
      ...schemas.pythUpdateSubscriptionCommandPayload.properties.params.properties.action.enum,
    ];
    assert.deepEqual(actions, [...UPDATE_ACTIONS]);
  },
);
