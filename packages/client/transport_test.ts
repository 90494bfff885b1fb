import { test } from "node:test";
import assert from "node:assert/strict";
import { statusFromHandshakeMessage } from "./transport.ts";

test("statusFromHandshakeMessage() finds the status when Deno or ws reports a rejection", () => {
  assert.equal(
    statusFromHandshakeMessage("failed to connect to WebSocket: Invalid status code: 401"),
    401,
  );
  assert.equal(statusFromHandshakeMessage("Unexpected server response: 403"), 403);
  assert.equal(statusFromHandshakeMessage("Connection refused (os error 111)"), undefined);
});
