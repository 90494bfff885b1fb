import { test } from "node:test";
import assert from "node:assert/strict";
import { parseCount, parsePrice } from "@kalshi-ws/core";
import NodeWebSocket from "ws";
import { generateTestKeyPair, signHandshake, WS_PATH } from "./auth.ts";
import { type Simulator, startSimulator } from "./server.ts";
import { TestClient, webCryptoHeaders } from "./_test_client.ts";
import {
  BOOK_TICKER,
  ERROR_CASES,
  ERROR_SETUP,
  MARKET_LIMIT,
  OTHER_TICKER,
} from "./_error_cases.ts";

const quiet = { autoStart: false, pingIntervalMs: 0 } as const;

async function connect(sim: Simulator): Promise<TestClient> {
  return await TestClient.connect(sim.url, await webCryptoHeaders(sim.keyId, sim.privateKeyPem));
}

/** Sends an upgrade request over raw TCP and returns the HTTP status line's code and body. */
async function rawHandshake(
  url: string,
  headers: Record<string, string>,
  path: string = WS_PATH,
): Promise<{ status: number; body: string }> {
  const target = new URL(url);
  const conn = await Deno.connect({ hostname: target.hostname, port: Number(target.port) });
  const request = [
    `GET ${path} HTTP/1.1`,
    `Host: ${target.host}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version: 13",
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    "",
    "",
  ].join("\r\n");
  await conn.write(new TextEncoder().encode(request));
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(4096);
  let text = "";
  while (true) {
    const n = await conn.read(buffer);
    if (n === null) break;
    text += decoder.decode(buffer.subarray(0, n));
    if (text.startsWith("HTTP/1.1 101") && text.includes("\r\n\r\n")) break;
  }
  conn.close();
  const [head = "", body = ""] = text.split("\r\n\r\n");
  return { status: Number(head.split(" ")[1]), body };
}

/** Opens a `ws` (Node) client, which exposes ping and pong frames. */
async function nodeClient(sim: Simulator): Promise<NodeWebSocket> {
  const ws = new NodeWebSocket(sim.url, {
    headers: signHandshake(sim.keyId, sim.privateKeyPem, Date.now()),
  });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  return ws;
}

async function closeNode(ws: NodeWebSocket): Promise<void> {
  if (ws.readyState === NodeWebSocket.CLOSED) return;
  const closed = new Promise<void>((resolve) => ws.once("close", () => resolve()));
  ws.close();
  await closed;
}

test("startSimulator() accepts a handshake signed with WebCrypto RSA-PSS and one signed by signHandshake()", async () => {
  await using sim = await startSimulator(quiet);
  assert.match(sim.url, /^ws:\/\/127\.0\.0\.1:\d+\/trade-api\/ws\/v2$/);
  assert.match(sim.privateKeyPem, /^-----BEGIN RSA PRIVATE KEY-----/);
  const next = sim.nextConnection();
  const a = await connect(sim);
  assert.equal((await next).keyId, sim.keyId);
  const b = await TestClient.connect(
    sim.url,
    signHandshake(sim.keyId, sim.privateKeyPem, Date.now()),
  );
  const [frame] = await a.request({ cmd: "list_subscriptions" });
  assert.deepEqual(frame, { id: 1, type: "ok", msg: [] });
  assert.deepEqual(sim.connections().map((c) => c.keyId), [sim.keyId, sim.keyId]);
  assert.equal(sim.connections()[0]!.userId, sim.userId);
  await a.close();
  await b.close();
});

test("startSimulator() rejects bad handshakes with HTTP 401 and a short body", async () => {
  await using sim = await startSimulator(quiet);
  const now = Date.now();
  const good = await webCryptoHeaders(sim.keyId, sim.privateKeyPem, now);
  const stranger = generateTestKeyPair();
  const cases: [string, Record<string, string>, RegExp][] = [
    ["no headers", {}, /Missing KALSHI-ACCESS-KEY/],
    [
      "no signature",
      { "KALSHI-ACCESS-KEY": sim.keyId, "KALSHI-ACCESS-TIMESTAMP": String(now) },
      /Missing KALSHI-ACCESS-SIGNATURE/,
    ],
    ["unknown key", { ...good, "KALSHI-ACCESS-KEY": stranger.keyId }, /Unknown API key/],
    [
      "stale timestamp",
      await webCryptoHeaders(sim.keyId, sim.privateKeyPem, now - 60_000),
      /Stale/,
    ],
    [
      "timestamp in seconds",
      await webCryptoHeaders(sim.keyId, sim.privateKeyPem, Math.floor(now / 1000)),
      /Stale/,
    ],
    ["other key's signature", {
      ...(await webCryptoHeaders(stranger.keyId, stranger.privateKeyPem, now)),
      "KALSHI-ACCESS-KEY": sim.keyId,
    }, /Invalid KALSHI-ACCESS-SIGNATURE/],
    ["timestamp not matching the signature", {
      ...good,
      "KALSHI-ACCESS-TIMESTAMP": String(now + 1),
    }, /Invalid KALSHI-ACCESS-SIGNATURE/],
  ];
  for (const [name, headers, body] of cases) {
    const response = await rawHandshake(sim.url, headers);
    assert.equal(response.status, 401, name);
    assert.match(response.body, body, name);
    assert.ok(response.body.length < 100, `${name}: short body`);
  }
  assert.equal((await rawHandshake(sim.url, good, "/trade-api/ws/v1")).status, 404);
  assert.equal((await rawHandshake(sim.url, good)).status, 101);
  await assert.rejects(TestClient.connect(sim.url, {}));
});

test("startSimulator() accepts keys registered later and from options", async () => {
  const extra = generateTestKeyPair();
  await using sim = await startSimulator({
    ...quiet,
    keys: [{ keyId: extra.keyId, publicKeyPem: extra.publicKeyPem, userId: "carol" }],
  });
  const late = generateTestKeyPair();
  const lateId = sim.registerKey(late.publicKeyPem);
  const a = await TestClient.connect(
    sim.url,
    await webCryptoHeaders(extra.keyId, extra.privateKeyPem),
  );
  const b = await TestClient.connect(sim.url, await webCryptoHeaders(lateId, late.privateKeyPem));
  assert.deepEqual(sim.connections().map((c) => c.userId)[0], "carol");
  await a.close();
  await b.close();
});

test("startSimulator() in open mode accepts anonymous clients but answers 9 on private channels", async () => {
  await using sim = await startSimulator({ ...quiet, auth: "open" });
  const anonymous = await TestClient.connect(sim.url, {});
  const [denied] = await anonymous.request({
    cmd: "subscribe",
    params: { channels: ["orderbook_delta"], market_ticker: BOOK_TICKER },
  });
  assert.deepEqual(denied!.msg, { code: 9, msg: "Authentication required" });
  const [ok] = await anonymous.request({ cmd: "subscribe", params: { channels: ["ticker"] } });
  assert.equal(ok!.type, "subscribed");
  const bad = await rawHandshake(sim.url, { "KALSHI-ACCESS-KEY": sim.keyId });
  assert.equal(bad.status, 401, "headers that are present are still verified");
  await anonymous.close();
});

test("startSimulator() pings with payload heartbeat and echoes client pings in pongs", async () => {
  await using sim = await startSimulator({ autoStart: false, pingIntervalMs: 20 });
  const ws = await nodeClient(sim);
  const ping = await new Promise<string>((resolve) =>
    ws.once("ping", (data: Buffer) => resolve(data.toString()))
  );
  assert.equal(ping, "heartbeat");
  const pong = new Promise<string>((resolve) =>
    ws.once("pong", (data: Buffer) => resolve(data.toString()))
  );
  ws.ping("are-you-there");
  assert.equal(await pong, "are-you-there");
  await closeNode(ws);
});

test("Simulator serves all four commands over a real socket with Kalshi's seq semantics", async () => {
  await using sim = await startSimulator(quiet);
  const client = await connect(sim);
  const subscribed = await client.request({
    cmd: "subscribe",
    params: { channels: ["orderbook_delta", "ticker"], market_ticker: BOOK_TICKER },
  }, 2);
  assert.deepEqual(subscribed.map((f) => f.msg), [
    { channel: "orderbook_delta", sid: 1 },
    { channel: "ticker", sid: 2 },
  ]);
  const [snapshot] = await client.waitFor((f) => f.type === "orderbook_snapshot");
  assert.deepEqual([snapshot!.sid, snapshot!.seq], [1, 1]);
  assert.deepEqual(snapshot!.msg.yes_dollars_fp, sim.truth.book(BOOK_TICKER).yes);

  sim.step(100);
  await client.until(() => client.frames.filter((f) => f.sid === 1).length > 3, "deltas");

  // Idempotent re-subscribe: ok (with seq), snapshot only for the new market.
  const from = client.frames.length;
  const resubscribe = client.send({
    cmd: "subscribe",
    params: { channels: ["orderbook_delta"], market_tickers: [BOOK_TICKER, OTHER_TICKER] },
  });
  const [ok, newSnapshot] = await client.waitFor(
    (f) => f.id === resubscribe || f.type === "orderbook_snapshot",
    2,
    from,
  );
  assert.equal(ok!.type, "ok");
  assert.equal(ok!.sid, 1);
  assert.deepEqual(ok!.msg, { market_tickers: [BOOK_TICKER, OTHER_TICKER] });
  assert.equal(newSnapshot!.msg.market_ticker, OTHER_TICKER);
  assert.equal(newSnapshot!.seq, ok!.seq + 1);

  const [snap] = await client.request({
    cmd: "update_subscription",
    params: { sid: 1, action: "get_snapshot", market_tickers: [BOOK_TICKER] },
  });
  assert.equal(snap!.type, "orderbook_snapshot");
  assert.equal(snap!.seq, newSnapshot!.seq + 1);

  const [deleted] = await client.request({
    cmd: "update_subscription",
    params: { sids: [1], action: "delete_markets", market_tickers: [OTHER_TICKER] },
  });
  assert.deepEqual([deleted!.type, deleted!.seq, deleted!.msg], ["ok", snap!.seq + 1, {
    market_tickers: [BOOK_TICKER],
  }]);

  const addFrom = client.frames.length;
  const add = client.send({
    cmd: "update_subscription",
    params: { sid: 1, action: "add_markets", market_ticker: OTHER_TICKER },
  });
  const [added, addedSnapshot] = await client.waitFor(
    (f) => f.id === add || f.type === "orderbook_snapshot",
    2,
    addFrom,
  );
  assert.deepEqual([added!.type, added!.seq, added!.msg], [
    "ok",
    deleted!.seq + 1,
    { market_tickers: [BOOK_TICKER, OTHER_TICKER] },
  ]);
  assert.deepEqual([addedSnapshot!.msg.market_ticker, addedSnapshot!.seq], [
    OTHER_TICKER,
    added!.seq + 1,
  ]);

  const [list] = await client.request({ cmd: "list_subscriptions" });
  assert.deepEqual(list!.msg, [{ channel: "orderbook_delta", sid: 1 }, {
    channel: "ticker",
    sid: 2,
  }]);

  const gone = await client.request({ cmd: "unsubscribe", params: { sids: [1, 2] } }, 2);
  assert.deepEqual(gone.map((f) => [f.type, f.sid]), [["unsubscribed", 1], ["unsubscribed", 2]]);
  assert.equal(gone[0]!.seq, addedSnapshot!.seq + 1);

  // Every sequenced frame on sid 1 was contiguous.
  const seqs = client.frames.filter((f) => f.sid === 1 && f.seq !== undefined).map((f) => f.seq);
  assert.deepEqual(seqs, seqs.map((_, i) => i + 1));
  await client.close();
});

test("Simulator answers every documented error trigger over a real socket", async () => {
  await using sim = await startSimulator({ ...quiet, marketLimit: MARKET_LIMIT });
  const client = await connect(sim);
  for (const text of ERROR_SETUP) client.sendRaw(text);
  await client.until(
    () => client.frames.filter((f) => f.type === "subscribed").length === 4,
    "setup",
  );
  for (const errorCase of ERROR_CASES) {
    const from = client.frames.length;
    client.sendRaw(errorCase.send);
    const [frame] = await client.waitFor((f) => f.type === "error", 1, from);
    assert.equal(frame!.msg.code, errorCase.code, errorCase.name);
    assert.equal(frame!.id, errorCase.id, errorCase.name);
    for (const [key, value] of Object.entries(errorCase.extra ?? {})) {
      assert.deepEqual(frame!.msg[key], value);
    }
  }
  assert.equal(sim.connections()[0]!.subscriptions.length, 4, "errors changed nothing");
  await client.close();
});

test("Simulator delivers fills, user orders and positions from simulated own orders to the key's user", async () => {
  await using sim = await startSimulator(quiet);
  const client = await connect(sim);
  await client.request({
    cmd: "subscribe",
    params: { channels: ["fill", "user_orders", "market_positions", "trade"] },
  }, 4);
  const bestNo = sim.truth.market(BOOK_TICKER)!.book.best("no")!;
  const order = sim.placeOrder({
    ticker: BOOK_TICKER,
    side: "yes",
    price: 10_000 - bestNo,
    count: "1.50",
    clientOrderId: "mine-1",
  });
  const [fill] = await client.waitFor((f) => f.type === "fill");
  assert.equal(fill!.msg.order_id, order.orderId);
  assert.equal(fill!.msg.client_order_id, "mine-1");
  assert.equal(fill!.msg.count_fp, "1.50");
  assert.equal(fill!.msg.is_taker, true);
  const [position] = await client.waitFor((f) => f.type === "market_position");
  assert.equal(position!.msg.position_fp, "1.50");
  assert.equal(position!.msg.user_id, sim.userId);
  const [userOrder] = await client.waitFor((f) => f.type === "user_order");
  assert.equal(userOrder!.msg.status, "executed");
  assert.equal(sim.truth.position(BOOK_TICKER).position, 150);
  await client.close();
});

test("faults.dropNext() and duplicateNext() show up as a seq gap and a repeated frame", async () => {
  await using sim = await startSimulator(quiet);
  const client = await connect(sim);
  await client.request({
    cmd: "subscribe",
    params: { channels: ["orderbook_delta"], market_ticker: BOOK_TICKER },
  }, 1);
  await client.waitFor((f) => f.type === "orderbook_snapshot");
  sim.faults.dropNext({ sid: 1 });
  sim.faults.duplicateNext({ sid: 1 });
  while (sim.connections()[0]!.subscriptions[0]!.seq < 6) sim.step();
  await client.until(() => client.frames.filter((f) => f.sid === 1).length >= 5, "frames on sid 1");
  const seqs = client.frames.filter((f) => f.sid === 1).map((f) => f.seq);
  assert.deepEqual(seqs.slice(0, 5), [1, 3, 3, 4, 5]);
  await client.close();
});

test("faults.disconnect() cuts the connection without a close frame", async () => {
  await using sim = await startSimulator(quiet);
  const ws = await nodeClient(sim);
  const deno = await connect(sim);
  const code = new Promise<number>((resolve) => ws.once("close", (c: number) => resolve(c)));
  sim.faults.disconnect({ connection: sim.connections()[0]!.id });
  assert.equal(await code, 1006, "abnormal closure: no close frame was sent");
  sim.faults.disconnect();
  const event = await deno.closed();
  assert.equal(event.wasClean, false);
});

test("faults.goSilent() stops frames, pings and pongs while the socket stays open", async () => {
  await using sim = await startSimulator({ autoStart: false, pingIntervalMs: 10 });
  const silent = await nodeClient(sim);
  const witness = await nodeClient(sim);
  const silentFrames: string[] = [];
  let silentPings = 0;
  let silentPongs = 0;
  silent.on("message", (data: Buffer) => silentFrames.push(data.toString()));
  silent.on("ping", () => silentPings++);
  silent.on("pong", () => silentPongs++);
  const subscribe = JSON.stringify({
    id: 1,
    cmd: "subscribe",
    params: { channels: ["trade", "ticker"] },
  });
  const witnessFrames: string[] = [];
  const witnessGot = (n: number): Promise<void> =>
    new Promise((resolve) => {
      const check = (): void => {
        if (witnessFrames.length >= n) {
          witness.off("message", check);
          resolve();
        }
      };
      witness.on("message", check);
    });
  witness.on("message", (data: Buffer) => witnessFrames.push(data.toString()));
  silent.send(subscribe);
  await new Promise<void>((resolve) => silent.once("message", () => resolve()));
  sim.faults.goSilent({ connection: sim.connections()[0]!.id });
  assert.equal(sim.connections()[0]!.silent, true);
  const before = silentFrames.length;
  silentPings = 0;
  const got = witnessGot(20);
  witness.send(subscribe);
  silent.send(JSON.stringify({ id: 2, cmd: "list_subscriptions" }));
  silent.ping("x");
  while (witnessFrames.length < 20) {
    sim.step(10);
    await new Promise((resolve) => witness.once("ping", resolve));
  }
  await got;
  const witnessPong = new Promise((resolve) => witness.once("pong", resolve));
  witness.ping("y");
  await witnessPong;
  assert.equal(silentFrames.length, before, "no frames");
  assert.equal(silentPings, 0, "no pings");
  assert.equal(silentPongs, 0, "no pongs");
  assert.equal(silent.readyState, NodeWebSocket.OPEN, "socket open");
  await closeNode(witness);
  silent.terminate();
});

test("faults.sendMalformed() and sendUnknownType() send a non-JSON frame and an unknown type", async () => {
  await using sim = await startSimulator(quiet);
  const client = await connect(sim);
  sim.faults.sendMalformed();
  sim.faults.sendUnknownType({ sid: 1 });
  await client.until(() => client.raw.length >= 2, "two frames");
  assert.throws(() => JSON.parse(client.raw[0]!), SyntaxError);
  assert.deepEqual(JSON.parse(client.raw[1]!), { type: "simulator_unknown_type", sid: 1, msg: {} });
  await client.close();
});

test("faults.raiseError() sends terminal errors 25 and 10 and ends those subscriptions", async () => {
  await using sim = await startSimulator(quiet);
  const client = await connect(sim);
  await client.request({
    cmd: "subscribe",
    params: { channels: ["orderbook_delta", "trade"], market_ticker: BOOK_TICKER },
  }, 2);
  await client.waitFor((f) => f.type === "orderbook_snapshot");
  sim.faults.raiseError({ sid: 1 }, 25);
  sim.faults.raiseError({ sid: 2 }, 10);
  const errors = await client.waitFor((f) => f.type === "error", 2);
  assert.deepEqual(errors, [
    { type: "error", sid: 1, seq: 2, msg: { code: 25, msg: "Subscription buffer overflow" } },
    { type: "error", sid: 2, seq: 1, msg: { code: 10, msg: "Channel error" } },
  ]);
  assert.deepEqual(sim.connections()[0]!.subscriptions, []);
  assert.throws(() => sim.faults.raiseError({ sid: 1 }, 25), RangeError);
  const [list] = await client.request({ cmd: "list_subscriptions" });
  assert.deepEqual(list!.msg, []);
  await client.close();
});

test("faults.failNextCommand() answers the next command with error 18", async () => {
  await using sim = await startSimulator(quiet);
  const client = await connect(sim);
  sim.faults.failNextCommand(18);
  const [frame] = await client.request({ cmd: "subscribe", params: { channels: ["ticker"] } });
  assert.deepEqual(frame, { id: 1, type: "error", msg: { code: 18, msg: "Command timeout" } });
  await client.close();
});

test("Simulator raises terminal error 25 when a burst overflows the connection's buffer", async () => {
  await using sim = await startSimulator({ ...quiet, maxBufferedBytes: 20_000 });
  const client = await connect(sim);
  await client.request({
    cmd: "subscribe",
    params: { channels: ["orderbook_delta"], market_tickers: sim.truth.tickers() },
  });
  sim.step(500); // ~100 kB in one synchronous burst
  const [error] = await client.waitFor((f) => f.type === "error");
  assert.deepEqual(error!.msg, { code: 25, msg: "Subscription buffer overflow" });
  assert.equal(error!.sid, 1);
  assert.ok(!sim.connections()[0]!.subscriptions.some((s) => s.sid === 1), "sid 1 ended");
  await client.close();
});

test("faults.rejectHandshakes() refuses the next handshakes, then accepts again", async () => {
  await using sim = await startSimulator(quiet);
  assert.throws(() => sim.faults.dropNext(), /no connection is open/);
  sim.faults.rejectHandshakes(2, 503);
  const headers = await webCryptoHeaders(sim.keyId, sim.privateKeyPem);
  assert.equal((await rawHandshake(sim.url, headers)).status, 503);
  assert.equal((await rawHandshake(sim.url, headers)).status, 503);
  const client = await connect(sim);
  await client.close();
});

test("Simulator streams on its own timer and a client's books converge to the truth", async () => {
  await using sim = await startSimulator({ pingIntervalMs: 0, activityRate: 2_000, seed: 12 });
  const client = await connect(sim);
  const tickers = sim.truth.tickers();
  await client.request({
    cmd: "subscribe",
    params: { channels: ["orderbook_delta"], market_tickers: tickers },
  }, 1);
  await client.until(
    () => client.frames.filter((f) => f.type === "orderbook_delta").length > 500,
    "500 deltas",
  );
  sim.stopActivity();
  const lastSeq = sim.connections()[0]!.subscriptions[0]!.seq;
  await client.until(() => client.frames.at(-1)?.seq === lastSeq, "the last frame");
  const books = new Map<string, { yes: Map<number, number>; no: Map<number, number> }>();
  for (const frame of client.frames) {
    if (frame.type === "orderbook_snapshot") {
      books.set(frame.msg.market_ticker, {
        yes: new Map(
          (frame.msg.yes_dollars_fp ?? []).map((
            [p, c]: string[],
          ) => [parsePrice(p!), parseCount(c!)]),
        ),
        no: new Map(
          (frame.msg.no_dollars_fp ?? []).map((
            [p, c]: string[],
          ) => [parsePrice(p!), parseCount(c!)]),
        ),
      });
    } else if (frame.type === "orderbook_delta") {
      const ladder = books.get(frame.msg.market_ticker)![frame.msg.side as "yes" | "no"];
      const price = parsePrice(frame.msg.price_dollars);
      const size = (ladder.get(price) ?? 0) + parseCount(frame.msg.delta_fp);
      if (size === 0) ladder.delete(price);
      else ladder.set(price, size);
    }
  }
  for (const ticker of tickers) {
    const truth = sim.truth.bookScaled(ticker);
    const book = books.get(ticker)!;
    assert.deepEqual(
      [...book.yes].sort((a, b) => a[0] - b[0]),
      truth.yes.map((l) => [...l]),
      ticker,
    );
    assert.deepEqual([...book.no].sort((a, b) => a[0] - b[0]), truth.no.map((l) => [...l]), ticker);
  }
  await client.close();
});

test("Simulator.close() ends every connection and hides the private key from toString()", async () => {
  const sim = await startSimulator(quiet);
  const client = await connect(sim);
  assert.ok(!String(sim).includes("PRIVATE KEY"));
  assert.ok(!Deno.inspect(sim, { depth: 10 }).includes("PRIVATE KEY"));
  assert.ok(!JSON.stringify(Object.keys(sim)).includes("privateKeyPem"));
  await sim.close();
  await client.closed();
  await sim.close();
});

test("startSimulator() with the same seed and clock streams byte-identical frames", async () => {
  const T0 = Date.UTC(2026, 10, 25, 12);
  const record = async (): Promise<string[]> => {
    await using sim = await startSimulator({ ...quiet, seed: 5, clock: () => T0 });
    const client = await TestClient.connect(
      sim.url,
      await webCryptoHeaders(sim.keyId, sim.privateKeyPem, T0),
    );
    await client.request({
      cmd: "subscribe",
      params: {
        channels: ["orderbook_delta", "ticker", "trade", "fill", "user_orders", "market_positions"],
        market_tickers: sim.truth.tickers(),
      },
    }, 6);
    sim.step(300);
    await client.request({ id: 99, cmd: "list_subscriptions" }); // answered after every frame above
    await client.close();
    return client.raw;
  };
  const first = await record();
  const second = await record();
  assert.ok(first.length > 300);
  assert.deepEqual(second, first);
});
