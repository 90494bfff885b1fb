/**
 * The loopback benchmark's Node side: bundled by `loopback.ts` (`deno bundle`) and run with
 * `node`, so the Node adapter is measured on Node itself. Connects to the sender given by
 * `--port` and runs, in an order rotating per round, a bare `ws` client that only counts frames
 * (the receive ceiling), a bare `ws` client that `JSON.parse`s each frame (the baseline), and our
 * client over the Node adapter's transport, books on, consumed two ways: a `data` listener, and
 * `for await (const event of sub)` on the subscription as the README does (every event iterated,
 * the event's book read from `client.books`, no event dropped or lagged); books checked exact
 * after both. Prints one JSON line of per-round times (ms).
 *
 * @module
 */

import WebSocket from "ws";
import { parseArgs } from "node:util";
import { connect, type KalshiWsClientWithBooks } from "../packages/client/mod.ts";
import { nodeTransport } from "../packages/node/node_transport.ts";

const { values } = parseArgs({
  options: {
    port: { type: "string" },
    total: { type: "string" },
    rounds: { type: "string" },
    markets: { type: "string" },
  },
});
const url = `ws://127.0.0.1:${values.port}/trade-api/ws/v2`;
const total = Number(values.total);
const rounds = Number(values.rounds ?? 7);
const markets = (values.markets ?? "").split(",");
const dataEvents = total - 1;
let sink = 0;

function bareWs(parse: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let count = 0;
    ws.on("open", () => ws.send('{"start":true}'));
    ws.on(
      "message",
      parse
        ? (data: WebSocket.RawData) => {
          sink += JSON.parse((data as Buffer).toString("utf8")).sid;
          if (++count === total) finish();
        }
        : () => {
          if (++count === total) finish();
        },
    );
    const finish = () => {
      const ms = performance.now() - start;
      ws.once("close", () => resolve(ms));
      ws.close();
    };
    ws.on("error", () => reject(new Error("Cannot benchmark: bare ws socket failed")));
  });
}

function open(): Promise<KalshiWsClientWithBooks> {
  return connect({
    transport: nodeTransport,
    endpoint: url,
    keyId: "bench",
    signer: { sign: () => Promise.resolve("YmVuY2g=") },
    books: true,
    reconnect: false,
  });
}

/** Throws unless every book is valid at the end and nothing went wrong on the way. */
async function finish(client: KalshiWsClientWithBooks, problems: number): Promise<void> {
  let valid = 0;
  for (const book of client.books.books()) if (book.valid) valid++;
  await client.close();
  if (problems > 0 || valid !== markets.length) {
    throw new Error(`Cannot benchmark: ${problems} problems, ${valid} valid books`);
  }
}

/** Our client, a `data` listener counting the events. */
async function listener(): Promise<number> {
  const start = performance.now();
  const client = await open();
  let count = 0;
  let problems = 0;
  let done!: (ms: number) => void;
  const finished = new Promise<number>((resolve) => done = resolve);
  client.on("data", () => {
    if (++count === dataEvents) done(performance.now() - start);
  });
  client.on("gap", () => problems++);
  client.on("book_invalid", () => problems++);
  await client.subscribe({ channels: ["orderbook_delta"], market_tickers: markets }, {
    buffer: false,
  });
  const ms = await finished;
  await finish(client, problems);
  return ms;
}

/**
 * Our client, `for await (const event of sub)` as the README shows: every event of the
 * subscription (snapshots, deltas, lifecycle) through its buffered stream, each data event's
 * book read (`client.books.get`).
 */
async function iterated(): Promise<number> {
  const start = performance.now();
  const client = await open();
  let problems = 0;
  client.on("gap", () => problems++);
  client.on("book_invalid", () => problems++);
  const sub = await client.subscribe({
    channels: ["orderbook_delta"],
    market_tickers: markets,
  });
  let count = 0;
  let valid = 0; // data events whose book is valid when read
  for await (const event of sub) {
    if (event.type === "data") {
      const message = event.message;
      if (message.type === "orderbook_delta" || message.type === "orderbook_snapshot") {
        if (client.books.get(message.msg.market_ticker)?.valid) valid++;
      }
      if (++count === dataEvents) break;
    } else if (event.type !== "subscribed") problems++; // lagged, or anything else unexpected
  }
  const ms = performance.now() - start;
  if (valid !== count) problems++;
  await finish(client, problems);
  return ms;
}

const runs = {
  receive: { run: () => bareWs(false), times: [] as number[] },
  parse: { run: () => bareWs(true), times: [] as number[] },
  client: { run: listener, times: [] as number[] },
  iterated: { run: iterated, times: [] as number[] },
};
const order = Object.values(runs);
for (const { run } of order) await run(); // warm-up
for (let r = 0; r < rounds; r++) {
  const turn = order.map((_, i) => order[(i + r) % order.length]!);
  if (r % 2 === 1) turn.reverse();
  for (const entry of turn) entry.times.push(await entry.run());
}
if (sink === 0.5) console.log(sink);
console.log(JSON.stringify({
  node: process.version,
  receive: runs.receive.times,
  parse: runs.parse.times,
  client: runs.client.times,
  iterated: runs.iterated.times,
}));
