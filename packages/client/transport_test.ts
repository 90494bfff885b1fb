import { test } from "node:test";
import assert from "node:assert/strict";
import { retryAfterMs, statusFromHandshakeMessage } from "./transport.ts";

test("statusFromHandshakeMessage() finds the status when Deno or ws reports a rejection", () => {
  assert.equal(
    statusFromHandshakeMessage("failed to connect to WebSocket: Invalid status code: 401"),
    401,
  );
  assert.equal(statusFromHandshakeMessage("Unexpected server response: 403"), 403);
  assert.equal(statusFromHandshakeMessage("Connection refused (os error 111)"), undefined);
});

test("retryAfterMs() reads Retry-After as seconds or an HTTP-date, and nothing else", () => {
  const now = Date.parse("Sat, 05 Dec 2026 10:00:00 GMT");
  assert.equal(retryAfterMs("7", now), 7_000);
  assert.equal(retryAfterMs(" 0 ", now), 0);
  assert.equal(retryAfterMs("Sat, 05 Dec 2026 10:00:30 GMT", now), 30_000);
  assert.equal(retryAfterMs("Sat, 05 Dec 2026 09:00:00 GMT", now), 0);
  for (const bad of [undefined, null, "", "soon", "-5", "1.5", "12abc"]) {
    assert.equal(retryAfterMs(bad, now), undefined, String(bad));
  }
});
