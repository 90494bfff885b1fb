/**
 * The adapters' root export is the client API a user reads in `deno doc`: connect and its
 * options, the handles, events and streams, errors, books, exact numbers and message types — at
 * most 120 names. The engine stays in `@kalshi-ws/core` and the client's plumbing in
 * `@kalshi-ws/client/internal`. (`@kalshi-ws/node` exports the same names: see its
 * `exports_test.ts`.)
 */

import { test } from "node:test";
import assert from "node:assert/strict";

/** The most names `deno doc` may list for `@kalshi-ws/deno`. */
const MAX_NAMES = 120;

/** The names `deno doc --json` lists for the module at `url` (a `file:` URL). */
async function documentedNames(url: URL): Promise<string[]> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", url.pathname],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(output.success, new TextDecoder().decode(output.stderr));
  const doc = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    nodes: Record<string, { symbols: { name: string }[] }>;
  };
  const module = doc.nodes[url.href];
  assert.ok(module, `deno doc has no entry for ${url.href}`);
  return [...new Set(module.symbols.map((symbol) => symbol.name))].sort();
}

/** What a user of the client needs from the root export. */
const CLIENT_API = [
  "connect",
  "ConnectOptions",
  "transport",
  "KalshiWsClient",
  "ClientOptions",
  "Subscription",
  "SubscribeOptions",
  "SubscribeParams",
  "ClientEvent",
  "EventStream",
  "OverflowPolicy",
  "ServerError",
  "HandshakeRejectedError",
  "LaggedError",
  "BookStore",
  "OrderBook",
  "formatPrice",
  "parsePrice",
  "DataMessage",
  "OrderbookDeltaMessage",
  "Channel",
];

/** Engine pieces: in `@kalshi-ws/core` or `@kalshi-ws/client/internal`, not in the root. */
const ENGINE = [
  "Session",
  "SessionEvent",
  "SubscriptionTable",
  "ConnectionLifecycle",
  "Liveness",
  "RequestDeadlines",
  "DeltaScanner",
  "decodeMessage",
  "checkSeq",
  "encodeCommand",
  "subscribe",
  "unsubscribe",
  "Transition",
  "PendingCommand",
  "DriftLog",
  "Listeners",
  "EventStreamOptions",
  "DataInfo",
  "statusFromHandshakeMessage",
  "systemClock",
];

test("deno doc lists at most 120 names for @kalshi-ws/deno: the client API, no engine pieces", async () => {
  const names = await documentedNames(new URL("./mod.ts", import.meta.url));
  assert.ok(
    names.length <= MAX_NAMES,
    `@kalshi-ws/deno lists ${names.length} names (at most ${MAX_NAMES}): ${names.join(", ")}`,
  );
  assert.deepEqual(CLIENT_API.filter((name) => !names.includes(name)), [], "missing");
  assert.deepEqual(ENGINE.filter((name) => names.includes(name)), [], "engine pieces listed");
});

test("the pieces the root leaves out stay importable from @kalshi-ws/core and @kalshi-ws/client/internal", async () => {
  const core = await import("@kalshi-ws/core");
  const internal = await import("@kalshi-ws/client/internal");
  for (const name of ["Session", "ConnectionLifecycle", "decodeMessage", "DeltaScanner"]) {
    assert.ok(name in core, `@kalshi-ws/core lacks ${name}`);
  }
  for (
    const name of ["Listeners", "statusFromHandshakeMessage", "systemClock", "resolveEndpoint"]
  ) {
    assert.ok(name in internal, `@kalshi-ws/client/internal lacks ${name}`);
  }
});
