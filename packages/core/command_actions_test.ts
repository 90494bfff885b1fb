import { test } from "node:test";
import assert from "node:assert/strict";
import {
  COMMAND_NAMES,
  isCommandName,
  isUpdateAction,
  MARKET_PARAMS,
  UPDATE_ACTION_INFO,
  UPDATE_ACTIONS,
} from "./command_actions.ts";
import { CHANNEL_INFO, CHANNELS } from "./channel.ts";

test("UPDATE_ACTIONS lists UPDATE_ACTION_INFO's rows in the spec's order", () => {
  assert.deepEqual(UPDATE_ACTIONS, [
    "add_markets",
    "delete_markets",
    "get_snapshot",
    "subscribe_indices",
    "unsubscribe_indices",
    "indexlist",
    "subscribe_underlyings",
    "unsubscribe_underlyings",
    "underlying_list",
  ]);
});

test("UPDATE_ACTION_INFO: every required parameter is accepted, and every action has a channel", () => {
  for (const action of UPDATE_ACTIONS) {
    const info = UPDATE_ACTION_INFO[action];
    for (const param of info.requires) {
      assert.ok((info.params as readonly string[]).includes(param), `${action}: ${param}`);
    }
    assert.ok(CHANNELS.some((c) => CHANNEL_INFO[c].updateActions.includes(action)), action);
  }
  assert.deepEqual(UPDATE_ACTION_INFO.delete_markets.requires, MARKET_PARAMS);
});

test("isCommandName() and isUpdateAction() accept the tables' names only", () => {
  for (const name of COMMAND_NAMES) assert.equal(isCommandName(name), true, name);
  for (const action of UPDATE_ACTIONS) assert.equal(isUpdateAction(action), true, action);
  for (const bad of ["", "Subscribe", "toString", "hasOwnProperty", 1, null, undefined]) {
    assert.equal(isCommandName(bad), false, String(bad));
    assert.equal(isUpdateAction(bad), false, String(bad));
  }
});
