import { transportSuite } from "@kalshi-ws/client/testing";
import { nodeTransport } from "./node_transport.ts";

transportSuite(nodeTransport);

import { test } from "node:test";
import assert from "node:assert/strict";
import { WebSocketServer } from "ws";
import { createServer } from "node:http";
import { createHash } from "node:crypto";
import type { AddressInfo, Socket } from "node:net";

test("nodeTransport refuses a message above maxFrameBytes before buffering it: close 1009, reason says why", async () => {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((resolve) => server.once("listening", resolve));
  server.on("connection", (ws) => ws.send("x".repeat(5_000)));
  const port = (server.address() as { port: number }).port;
  const closed = Promise.withResolvers<[number, string]>();
  const texts: string[] = [];
  nodeTransport.open(`ws://127.0.0.1:${port}/`, {}, {
    open: () => {},
    text: (data) => texts.push(data),
    ping: () => {},
    close: (code, reason) => closed.resolve([code, reason]),
    handshakeFailed: (_status, message) => closed.reject(new Error(message)),
  }, { maxFrameBytes: 1_000 });
  const [code, reason] = await closed.promise;
  assert.equal(code, 1009);
  assert.match(reason, /larger than maxFrameBytes \(1000 bytes\)/);
  assert.deepEqual(texts, []);
  for (const client of server.clients) client.terminate();
  await new Promise((resolve) => server.close(resolve));
});

test("nodeTransport closes with 1007 on invalid UTF-8 in a text message and keeps a real U+FFFD", async () => {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((resolve) => server.once("listening", resolve));
  server.on("connection", (ws) => {
    ws.send("kept \uFFFD");
    ws.send(Buffer.from("binary \uFFFD"), { binary: true });
    ws.send(Buffer.from([0x7b, 0xff, 0x7d]), { binary: false });
    ws.send("not after the refused one");
  });
  const port = (server.address() as { port: number }).port;
  const log: string[] = [];
  await new Promise<void>((resolve) => {
    nodeTransport.open(`ws://127.0.0.1:${port}/`, {}, {
      open: () => log.push("open"),
      text: (data) => log.push(`text ${data}`),
      ping: () => {},
      close: (code, reason) => (log.push(`close ${code} ${reason}`), resolve()),
      handshakeFailed: (_status, message) => (log.push(`failed ${message}`), resolve()),
    });
  });
  assert.deepEqual(log, [
    "open",
    "text kept \uFFFD",
    "text binary \uFFFD",
    "close 1007 invalid UTF-8 in a text message",
  ]);
  for (const client of server.clients) client.terminate();
  await new Promise((resolve) => server.close(resolve));
});

test("nodeTransport reports the server's close frame within closeTimeoutMs when the server keeps the TCP connection open", async () => {
  // A server (or middlebox) that sends its close frame and never ends the TCP connection: ws
  // waited 30 s for it, so the client neither reported the drop nor reconnected meanwhile.
  const server = createServer();
  const sockets: Socket[] = [];
  server.on("upgrade", (request, socket: Socket) => {
    sockets.push(socket);
    socket.on("error", () => {});
    const accept = createHash("sha1")
      .update(`${request.headers["sec-websocket-key"]}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
      .digest("base64");
    socket.write(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    socket.write(Buffer.from([0x88, 2, 1001 >> 8, 1001 & 255]));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const log: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error("no close event within 10 s")), 10_000);
      nodeTransport.open(`ws://127.0.0.1:${port}/`, {}, {
        open: () => log.push("open"),
        text: () => {},
        ping: () => {},
        close: (code) => (log.push(`close ${code}`), clearTimeout(deadline), resolve()),
        handshakeFailed: (_status, message) => (log.push(`failed ${message}`), resolve()),
      }, { closeTimeoutMs: 100 });
    });
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
  assert.deepEqual(log, ["open", "close 1001"]);
});
