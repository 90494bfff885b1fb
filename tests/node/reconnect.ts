/**
 * The Node adapter, installed from its npm tarball, against the simulator (also installed from
 * its tarball) over loopback: a signed handshake, a subscription with an exact book, an injected
 * disconnect, and the reconnect with the same subscription restored and the book converging
 * again. Run by `deno task test:node` under Node 20; written without `await using` because Node
 * 20 does not parse it.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type ClientEvent,
  connect,
  HandshakeRejectedError,
  type KalshiWsClient,
  ONE_DOLLAR,
} from "@kalshi-ws/node";
import { generateTestKeyPair, type Simulator, startSimulator } from "@kalshi-ws/simulator";

const MARKET = "KXFED-26DEC-T4.25";
const DEADLINE_MS = 10_000;

/** Resolves with the first event of `type` that satisfies `filter` (fails after a deadline). */
function next<K extends ClientEvent["type"]>(
  client: KalshiWsClient,
  type: K,
  filter: (event: Extract<ClientEvent, { type: K }>) => boolean = () => true,
): Promise<Extract<ClientEvent, { type: K }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`Timed out waiting for a "${type}" event`));
    }, DEADLINE_MS);
    const off = client.on(type, (event) => {
      const typed = event as Extract<ClientEvent, { type: K }>;
      if (!filter(typed)) return;
      clearTimeout(timer);
      off();
      resolve(typed);
    });
  });
}

/** Steps the exchange until the client's book equals the exchange's true book. */
function converged(client: KalshiWsClient, sim: Simulator): Promise<void> {
  const matches = () => {
    const book = client.books?.get(MARKET);
    if (book === undefined || !book.valid) return false;
    const truth = sim.truth.book(MARKET);
    return JSON.stringify(book.ladder("yes")) === JSON.stringify(truth.yes) &&
      JSON.stringify(book.ladder("no")) === JSON.stringify(truth.no);
  };
  sim.step(30);
  if (matches()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`Timed out waiting for the ${MARKET} book to match the exchange`));
    }, DEADLINE_MS);
    const off = client.on("*", () => {
      if (!matches()) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

test("connect() from @kalshi-ws/node restores a subscription after the simulator drops the link", async () => {
  const sim = await startSimulator({ seed: 5, autoStart: false, pingIntervalMs: 0 });
  let client: KalshiWsClient | undefined;
  try {
    client = await connect({
      endpoint: sim.url,
      keyId: sim.keyId,
      privateKeyPem: sim.privateKeyPem,
      books: true,
      reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
    });
    // The simulator requires a valid RSA-PSS signature: the connection carries the key id.
    assert.deepEqual(sim.connections().map((c) => [c.id, c.keyId]), [[1, sim.keyId]]);

    const books = await client.subscribe({
      channels: ["orderbook_delta"],
      market_tickers: [MARKET],
    });
    await converged(client, sim);
    const best = client.books!.get(MARKET)!.bestYesBid;
    assert.ok(best !== undefined && best > 0 && best < ONE_DOLLAR, `best bid ${best}`);

    const dropped = next(client, "disconnected");
    const restored = next(client, "resubscribed", (e) => e.subscription === books);
    sim.faults.disconnect();
    assert.equal((await dropped).willReconnect, true);
    const event = await restored;
    assert.equal(event.reason, "reconnect");
    assert.deepEqual(event.sids.map((s) => s.channel), ["orderbook_delta"]);

    assert.deepEqual(sim.connections().map((c) => [c.id, c.keyId]), [[2, sim.keyId]]);
    assert.equal(books.active, true);
    assert.equal(sim.connections()[0]!.subscriptions.length, 1);
    await converged(client, sim);
  } finally {
    await client?.close();
    await sim.close();
  }
});

test("connect() from @kalshi-ws/node rejects with HandshakeRejectedError when the key is not registered", async () => {
  const sim = await startSimulator({ seed: 5, autoStart: false, pingIntervalMs: 0 });
  try {
    const stranger = generateTestKeyPair();
    await assert.rejects(
      connect({ endpoint: sim.url, keyId: sim.keyId, privateKeyPem: stranger.privateKeyPem }),
      (error: unknown) => error instanceof HandshakeRejectedError && error.status === 401,
    );
    assert.equal(sim.connections().length, 0);
  } finally {
    await sim.close();
  }
});
