import { test } from "node:test";
import assert from "node:assert/strict";
import { ENVIRONMENTS } from "./environment.ts";
import { resolveEndpoint } from "./internal.ts";

test("resolveEndpoint() returns Kalshi's hosts when given an environment name", () => {
  assert.deepEqual(resolveEndpoint("production"), {
    url: "wss://external-api-ws.kalshi.com/trade-api/ws/v2",
    environment: "production",
    signingPath: "/trade-api/ws/v2",
  });
  assert.equal(resolveEndpoint("demo").url, ENVIRONMENTS.demo);
  assert.equal(ENVIRONMENTS.demo, "wss://external-api-ws.demo.kalshi.co/trade-api/ws/v2");
});

test("resolveEndpoint() keeps a custom URL and signs its path when given a URL", () => {
  assert.deepEqual(resolveEndpoint("ws://127.0.0.1:9000/trade-api/ws/v2?x=1"), {
    url: "ws://127.0.0.1:9000/trade-api/ws/v2?x=1",
    environment: "custom",
    signingPath: "/trade-api/ws/v2",
  });
  assert.equal(
    resolveEndpoint(new URL("ws://127.0.0.1:9000")).url,
    "ws://127.0.0.1:9000/trade-api/ws/v2",
  );
});

test("resolveEndpoint() throws when the target is neither a name nor a ws URL", () => {
  assert.throws(() => resolveEndpoint("staging"), /Cannot use endpoint "staging"/);
  assert.throws(() => resolveEndpoint("https://example.com"), /protocol "https:" is not ws:/);
});
