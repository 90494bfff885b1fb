/**
 * The loopback benchmark's Node side: bundled by `loopback.ts` (`deno bundle`) and run with
 * `node`, so the Node adapter is measured on Node itself. Connects to the sender given by
 * `--port`, runs the client over the `ws` transport against a bare `ws` client that only
 * `JSON.parse`s, alternating, and prints one JSON line.
 *
 * @module
 */

import WebSocket from "ws";
import { parseArgs } from "node:util";
import { connect, type KalshiWsClient } from "../packages/client/mod.ts";
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

function bareWs(): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let count = 0;
    let start = 0;
    let sink = 0;
    ws.on("open", () => {
      start = performance.now();
      ws.send('{"start":true}');
    });
    ws.on("message", (data: WebSocket.RawData) => {
      sink += JSON.parse((data as Buffer).toString("utf8")).sid;
      if (++count === total) {
        const ms = performance.now() - start;
        ws.once("close", () => resolve(sink === -1 ? 0 : ms));
        ws.close();
      }
    });
    ws.on("error", () => reject(new Error("Cannot benchmark: bare ws socket failed")));
  });
}

async function ours(): Promise<number> {
  const client: KalshiWsClient = await connect({
    transport: nodeTransport,
    endpoint: url,
    keyId: "bench",
    signer: { sign: () => Promise.resolve("YmVuY2g=") },
    books: true,
    reconnect: false,
  });
  let count = 0;
  let start = 0;
  let done!: (ms: number) => void;
  const finished = new Promise<number>((resolve) => done = resolve);
  client.on("data", () => {
    if (++count === dataEvents) done(performance.now() - start);
  });
  start = performance.now();
  await client.subscribe({ channels: ["orderbook_delta"], market_tickers: markets }, {
    buffer: false,
  });
  const ms = await finished;
  await client.close();
  return ms;
}

const bare: number[] = [];
const mine: number[] = [];
await bareWs();
await ours();
for (let r = 0; r < rounds; r++) {
  if (r % 2 === 0) {
    bare.push(await bareWs());
    mine.push(await ours());
  } else {
    mine.push(await ours());
    bare.push(await bareWs());
  }
}
console.log(JSON.stringify({ node: process.version, bare, ours: mine }));
