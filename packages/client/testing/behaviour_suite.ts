/**
 * The behaviour suite every runtime adapter must pass: the real client, over the adapter's
 * {@linkcode Transport}, against the simulator on loopback. Written once; `packages/deno` and
 * `packages/node` each call {@linkcode behaviourSuite} with their transport.
 *
 * No fixed sleeps: every wait is for an event (with a generous deadline that fails the test
 * instead of hanging it), and every client and simulator is closed with `await using`.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { generateTestKeyPair, type Simulator, startSimulator } from "@kalshi-ws/simulator";
import type { SimulatorOptions } from "@kalshi-ws/simulator";
import { ServerError } from "@kalshi-ws/core";
import { connect, type KalshiWsClient } from "../client.ts";
import type { ClientEvent } from "../client_event.ts";
import type { ClientOptions } from "../client_options.ts";
import type { Subscription } from "../subscription.ts";
import { HandshakeRejectedError } from "../errors.ts";
import type { Transport } from "../transport.ts";

const A = "KXHIGHNY-26NOV25-B53.5";
const B = "KXBTCD-26NOV2517-T98999.99";
const C = "KXFED-26DEC-T4.25";
const DEADLINE_MS = 10_000;

function simulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({ seed: 11, autoStart: false, pingIntervalMs: 0, ...options });
}

function client(
  transport: Transport,
  sim: Simulator,
  options: Partial<ClientOptions> = {},
): Promise<KalshiWsClient> {
  return connect({
    transport,
    endpoint: sim.url,
    keyId: sim.keyId,
    privateKeyPem: sim.privateKeyPem,
    books: true,
    reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
    ...options,
  });
}

/** Resolves when `predicate` holds, re-checked after every client event. */
function until(client: KalshiWsClient, what: string, predicate: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    if (predicate()) return resolve();
    const timer = setTimeout(() => {
      off();
      reject(new Error(`Timed out waiting for ${what}`));
    }, DEADLINE_MS);
    const off = client.on("*", () => {
      if (!predicate()) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

/** Resolves with the next event of `type` that satisfies `filter`. */
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

/** Whether the client's book of `ticker` is valid and equal to the exchange's true book. */
function bookMatches(client: KalshiWsClient, sim: Simulator, ticker: string): boolean {
  const book = client.books?.get(ticker);
  if (book === undefined || !book.valid) return false;
  const truth = sim.truth.book(ticker);
  return JSON.stringify(book.ladder("yes")) === JSON.stringify(truth.yes) &&
    JSON.stringify(book.ladder("no")) === JSON.stringify(truth.no);
}

/** Steps the exchange and waits until every book in `tickers` equals the truth. */
async function converge(
  client: KalshiWsClient,
  sim: Simulator,
  tickers: readonly string[],
  steps = 40,
): Promise<void> {
  sim.step(steps);
  await until(
    client,
    `books of ${tickers.join(", ")} to match the exchange`,
    () => tickers.every((t) => bookMatches(client, sim, t)),
  );
}

async function subscribeBooks(
  client: KalshiWsClient,
  markets: readonly string[],
): Promise<Subscription> {
  return await client.subscribe({ channels: ["orderbook_delta"], market_tickers: [...markets] });
}

function bookSid(subscription: Subscription): number {
  return subscription.sids.find((s) => s.channel === "orderbook_delta")!.sid;
}

/** What a transport's runtime lets it see, for {@linkcode behaviourSuite}. */
export interface BehaviourSuiteOptions {
  /**
   * Whether the transport reads a refused upgrade's `Retry-After` header (default true; Deno's
   * built-in WebSocket cannot see response headers).
   */
  readonly readsRetryAfter?: boolean;
}

/** Registers the behaviour tests for the adapter whose transport is `transport`. */
export function behaviourSuite(transport: Transport, options: BehaviourSuiteOptions = {}): void {
  const name = transport.name;
  const readsRetryAfter = options.readsRetryAfter ?? true;

  test(`${name}: connect() authenticates with Kalshi's PKCS#1 key when the key is valid`, async () => {
    await using sim = await simulator();
    const connected = sim.nextConnection();
    await using c = await client(transport, sim);
    assert.equal(c.state, "open");
    assert.equal((await connected).keyId, sim.keyId);
  });

  test(`${name}: connect() fails fast with HandshakeRejectedError when the key is wrong`, async () => {
    await using sim = await simulator();
    const other = generateTestKeyPair();
    await assert.rejects(
      client(transport, sim, { privateKeyPem: other.privateKeyPem }),
      (error: HandshakeRejectedError) => {
        assert.ok(error instanceof HandshakeRejectedError);
        assert.equal(error.status, 401);
        assert.match(error.message, /clock/);
        assert.ok(!error.message.includes(other.privateKeyPem.split("\n")[1]!));
        return true;
      },
    );
    assert.equal(sim.connections().length, 0);
  });

  test(`${name}: every command works against the simulator`, async () => {
    await using sim = await simulator({ marketLimit: 3 });
    await using c = await client(transport, sim);
    const books = await subscribeBooks(c, [A]);
    assert.equal(books.sids.length, 1);
    await converge(c, sim, [A]);

    assert.deepEqual([...await books.addMarkets([B])].sort(), [A, B].sort());
    await converge(c, sim, [A, B]);
    assert.deepEqual(await books.removeMarkets([A]), [B]);
    assert.equal(c.books?.get(A), undefined);

    const trades = await c.subscribe({ channels: ["trade"] });
    const listed = await c.listSubscriptions();
    assert.deepEqual(
      [...listed].map((e) => e.channel).sort(),
      ["orderbook_delta", "trade"],
    );
    assert.deepEqual(
      [...listed].map((e) => e.sid).sort(),
      [bookSid(books), trades.sids[0]!.sid].sort(),
    );

    await books.resync();
    assert.ok(bookMatches(c, sim, B));

    await assert.rejects(books.addMarkets([A, C, "KXCPI-26DEC-T0.3"]), (error: ServerError) => {
      assert.ok(error instanceof ServerError);
      assert.equal(error.code, 26);
      return true;
    });

    const ended = next(c, "unsubscribed");
    await trades.unsubscribe();
    assert.equal((await ended).subscription, trades);
    assert.equal(trades.active, false);
    assert.deepEqual([...await c.listSubscriptions()].map((e) => e.channel), ["orderbook_delta"]);
  });

  test(`${name}: the client restores every handle after an abrupt drop`, async () => {
    await using sim = await simulator();
    await using c = await client(transport, sim);
    const books = await subscribeBooks(c, [A, B]);
    const trades = await c.subscribe({ channels: ["trade"] });
    await converge(c, sim, [A, B]);
    const bookStream = books.events();

    const restored = new Set<Subscription>();
    const both = until(c, "both subscriptions to be restored", () => restored.size === 2);
    c.on("resubscribed", (event) => {
      assert.equal(event.reason, "reconnect");
      restored.add(event.subscription);
    });
    const disconnected = next(c, "disconnected");
    sim.faults.disconnect();
    assert.equal((await disconnected).willReconnect, true);
    await both;
    assert.deepEqual(restored, new Set([books, trades]));
    assert.equal(sim.connections().length, 1);
    assert.equal(sim.connections()[0]!.id, 2);
    assert.equal(books.active && trades.active, true);
    await converge(c, sim, [A, B]);

    const seen: string[] = [];
    while (bookStream.size > 0) seen.push((await bookStream.next()).value!.type);
    assert.ok(seen.includes("resubscribed"));
    assert.ok(seen.lastIndexOf("data") > seen.indexOf("resubscribed"));
  });

  test(`${name}: a sequence gap is repaired from a fresh snapshot`, async () => {
    await using sim = await simulator();
    await using c = await client(transport, sim);
    const books = await subscribeBooks(c, [A, B, C]);
    await converge(c, sim, [A, B, C]);
    const sid = bookSid(books);
    const gap = next(c, "gap");
    const resynced = next(c, "resynced");
    sim.faults.dropNext({ sid });
    sim.step(40);
    const g = await gap;
    assert.equal(g.sid, sid);
    assert.equal(g.subscription, books);
    assert.ok(g.received > g.expected);
    assert.equal((await resynced).sid, sid);
    await converge(c, sim, [A, B, C]);
  });

  for (const code of [10, 25] as const) {
    test(`${name}: terminal error ${code} is recovered by re-subscribing`, async () => {
      await using sim = await simulator();
      await using c = await client(transport, sim);
      const books = await subscribeBooks(c, [A, B]);
      await converge(c, sim, [A, B]);
      const serverError = next(c, "server_error");
      const resubscribed = next(c, "resubscribed");
      sim.faults.raiseError({ sid: bookSid(books) }, code);
      const e = await serverError;
      assert.equal(e.error.code, code);
      assert.equal(e.terminal, true);
      assert.equal(e.subscription, books);
      const r = await resubscribed;
      assert.equal(r.subscription, books);
      assert.equal(r.reason, "terminal_error");
      await converge(c, sim, [A, B]);
    });
  }

  test(`${name}: duplicate, malformed and unknown frames are reported without harm`, async () => {
    await using sim = await simulator();
    await using c = await client(transport, sim);
    const books = await subscribeBooks(c, [A, B]);
    await converge(c, sim, [A, B]);
    const anomaly = next(c, "seq_anomaly");
    sim.faults.duplicateNext({ sid: bookSid(books) });
    sim.step(40);
    assert.equal((await anomaly).subscription, books);
    await converge(c, sim, [A, B]);
    const decodeError = next(c, "decode_error");
    sim.faults.sendMalformed();
    assert.ok((await decodeError).error.frame.length > 0);
    const unknown = next(c, "data", (e) => e.message.type === "unknown");
    sim.faults.sendUnknownType();
    await unknown;
    assert.equal(c.state, "open");
    await converge(c, sim, [A, B]);
  });

  test(`${name}: refused reconnects are retried, then given up on when credentials are refused`, async () => {
    await using sim = await simulator();
    const c = await client(transport, sim, { reconnect: { initialDelayMs: 10, maxDelayMs: 20 } });
    const books = await subscribeBooks(c, [A]);
    sim.faults.rejectHandshakes(2, 503);
    const restored = next(c, "resubscribed", (e) => e.subscription === books);
    sim.faults.disconnect();
    await restored;
    await converge(c, sim, [A]);

    sim.faults.rejectHandshakes(3, 401);
    const closed = next(c, "closed");
    sim.faults.disconnect();
    const event = await closed;
    assert.ok(event.error instanceof HandshakeRejectedError);
    assert.equal(event.error.status, 401);
    assert.equal(c.state, "closed");
    assert.equal(books.active, false);
  });

  test(`${name}: a refused reconnect's Retry-After is waited out, not hammered`, async () => {
    await using sim = await simulator();
    await using c = await client(transport, sim, {
      reconnect: { initialDelayMs: 10, maxDelayMs: 5_000 },
    });
    const books = await subscribeBooks(c, [A]);
    sim.faults.rejectHandshakes(1, 429, undefined, "1");
    const delays: number[] = [];
    c.on("reconnecting", (e) => delays.push(e.delayMs));
    const restored = next(c, "resubscribed", (e) => e.subscription === books);
    sim.faults.disconnect();
    await restored;
    // The drop's backoff (≤ 20 ms), then the 429's: the server's 1 s, not the 20–40 ms backoff.
    assert.equal(delays.length, 2);
    assert.ok(delays[0]! <= 20, `first delay ${delays[0]}`);
    if (readsRetryAfter) assert.equal(delays[1], 1_000);
    else assert.ok(delays[1]! <= 40, `second delay ${delays[1]}`);
    assert.equal(sim.stats().handshakes.refused, 1);
    await converge(c, sim, [A]);
  });

  test(`${name}: a server that drops every connection as soon as it is accepted is retried with a growing backoff`, async () => {
    await using sim = await simulator();
    await using c = await client(transport, sim, {
      reconnect: { initialDelayMs: 20, maxDelayMs: 1_000 },
    });
    const books = await subscribeBooks(c, [A]);
    const attempts: { attempt: number; delayMs: number }[] = [];
    c.on("reconnecting", (e) => attempts.push({ attempt: e.attempt, delayMs: e.delayMs }));
    let drops = 1;
    c.on("connected", () => {
      if (drops++ < 5) sim.faults.disconnect();
    });
    const restored = until(c, "the subscription restored after 5 drops", () => drops > 5);
    sim.faults.disconnect();
    await restored;
    await next(c, "resubscribed", (e) => e.subscription === books);
    // Brief opens never reset the backoff (it starts over after a stable connection only): one
    // attempt after another, each delay at least the previous one, none beyond the cap.
    assert.deepEqual(attempts.map((a) => a.attempt), [1, 2, 3, 4, 5]);
    for (let i = 1; i < attempts.length; i++) {
      assert.ok(attempts[i]!.delayMs >= attempts[i - 1]!.delayMs, JSON.stringify(attempts));
    }
    assert.ok(attempts.every((a) => a.delayMs <= 1_000), JSON.stringify(attempts));
    await converge(c, sim, [A]);
  });

  test(`${name}: a reconnect handshake the server never answers times out and is retried`, async () => {
    await using sim = await simulator();
    await using c = await client(transport, sim, { handshakeTimeoutMs: 400 });
    const books = await subscribeBooks(c, [A]);
    sim.faults.hangHandshakes(1);
    const timedOut = next(c, "reconnecting", (e) => e.error !== undefined);
    const restored = next(c, "resubscribed", (e) => e.subscription === books);
    const started = performance.now();
    sim.faults.disconnect();
    const event = await timedOut;
    const elapsed = performance.now() - started;
    assert.match(event.error!.message, /Handshake timed out after 400 ms/);
    assert.ok(elapsed >= 350 && elapsed < 3_000, `abandoned after ${elapsed} ms`);
    await restored;
    await converge(c, sim, [A]);
    assert.equal(sim.stats().handshakes.hung, 1);
  });

  test(`${name}: connect() fails within the handshake timeout when the server never answers`, async () => {
    await using sim = await simulator();
    sim.faults.hangHandshakesFor(Infinity);
    const started = performance.now();
    await assert.rejects(
      client(transport, sim, { handshakeTimeoutMs: 300 }),
      /Handshake timed out after 300 ms/,
    );
    assert.ok(performance.now() - started < 3_000);
  });

  test(`${name}: a subscribe cut off before its reply is answered once the server is back`, async () => {
    await using sim = await simulator();
    await using c = await client(transport, sim);
    sim.faults.dropBeforeReply({ cmd: "subscribe" });
    sim.faults.rejectHandshakesFor(300, 503);
    const books = await subscribeBooks(c, [A]);
    assert.equal(sim.stats().commands.subscribe, 2, "sent, cut, sent again");
    await converge(c, sim, [A]);
    assert.equal(books.active, true);
  });

  test(`${name}: a subscribe cut off before its reply rejects at its deadline when the server never comes back, and close() ends`, async () => {
    await using sim = await simulator();
    const c = await client(transport, sim, { commandTimeoutMs: 600 });
    sim.faults.dropBeforeReply({ cmd: "subscribe" });
    sim.faults.rejectHandshakesFor(Infinity, 503);
    const started = performance.now();
    await assert.rejects(subscribeBooks(c, [A]), /got no answer within 600 ms/);
    assert.ok(performance.now() - started < 3_000);
    assert.equal(c.state, "reconnecting");
    const closing = performance.now();
    await c.close();
    assert.ok(performance.now() - closing < 500, "close() does not wait for a server that is gone");
  });

  test(`${name}: an error-25 storm on one subscription is paced, and the books heal after it`, async () => {
    await using sim = await simulator();
    await using c = await client(transport, sim, {
      resubscribe: { initialDelayMs: 100, maxDelayMs: 400 },
    });
    const books = await subscribeBooks(c, [A, B]);
    const before = sim.stats().commands.subscribe ?? 0;
    let scheduled = 0;
    c.on("resubscribe_scheduled", () => scheduled++);
    sim.faults.errorStorm({ channel: "orderbook_delta", code: 25 });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    sim.faults.stopErrorStorm();
    const resubscribes = (sim.stats().commands.subscribe ?? 0) - before;
    // Pauses 50–100, 100–200, 200–400, then 200–400 ms: at most 8 in 1.5 s (at once: thousands).
    assert.ok(resubscribes >= 3 && resubscribes <= 8, `${resubscribes} re-subscribes in 1.5 s`);
    assert.ok(scheduled >= resubscribes, `${scheduled} announced`);
    await next(c, "resubscribed", (e) => e.subscription === books);
    await converge(c, sim, [A, B]);
  });

  test(`${name}: a silent server is detected within the idle window and replaced`, async () => {
    await using sim = await simulator();
    await using c = await client(transport, sim, { idleTimeoutMs: 300, probeTimeoutMs: 200 });
    const books = await subscribeBooks(c, [A]);
    const started = performance.now();
    const disconnected = next(c, "disconnected");
    const reconnected = next(c, "connected", (e) => e.reconnected);
    sim.faults.goSilent();
    const d = await disconnected;
    const elapsed = performance.now() - started;
    assert.match(d.reason, /Liveness probe unanswered/);
    assert.ok(elapsed >= 450 && elapsed < 3_000, `detected after ${elapsed} ms`);
    await reconnected;
    await next(c, "resubscribed", (e) => e.subscription === books);
    await converge(c, sim, [A]);
  });

  test(`${name}: the client answers heartbeat pings with pongs`, async () => {
    await using sim = await simulator();
    await using c = await client(transport, sim);
    await until(c, "the simulator to see the connection", () => sim.connections().length === 1);
    const ws = sim._live().ws;
    for (let i = 0; i < 3; i++) {
      const pong = new Promise<string>((resolve) =>
        ws.once("pong", (data) => resolve(String(data)))
      );
      ws.ping("heartbeat");
      assert.equal(await pong, "heartbeat");
    }
  });

  test(`${name}: a quiet link stays up on ${transport.seesPings ? "pings alone" : "answered probes"}`, async () => {
    await using sim = await simulator({ pingIntervalMs: 100 });
    await using c = await client(transport, sim, { idleTimeoutMs: 400, probeTimeoutMs: 1_000 });
    const events: string[] = [];
    c.on("*", (event) => events.push(event.type));
    await until(c, "the simulator to see the connection", () => sim.connections().length === 1);
    const ws = sim._live().ws;
    await new Promise<void>((resolve) => {
      let pongs = 0;
      const onPong = () => {
        if (++pongs < 8) return;
        ws.off("pong", onPong);
        resolve();
      };
      ws.on("pong", onPong);
    });
    assert.ok(!events.includes("disconnected"), events.join());
    const probes = events.filter((type) => type === "probe").length;
    if (transport.seesPings) assert.equal(probes, 0);
    else assert.ok(probes >= 1);
  });

  test(`${name}: close() closes cleanly with code 1000`, async () => {
    await using sim = await simulator();
    const c = await client(transport, sim);
    await c.subscribe({ channels: ["trade"] });
    const ws = sim._live().ws;
    const serverSaw = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
    const stream = c.events();
    await c.close();
    assert.equal(await serverSaw, 1000);
    assert.equal(c.state, "closed");
    const seen: string[] = [];
    for await (const event of stream) seen.push(event.type);
    assert.deepEqual(seen, ["disconnected", "closed"]);
  });

  test(`${name}: aborting the signal closes the client`, async () => {
    await using sim = await simulator();
    const controller = new AbortController();
    const c = await client(transport, sim, { signal: controller.signal });
    const ws = sim._live().ws;
    const serverSaw = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
    controller.abort();
    await c.closed;
    assert.equal(await serverSaw, 1000);
    assert.equal(c.state, "closed");
  });
}
