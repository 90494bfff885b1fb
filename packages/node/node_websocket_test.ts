/**
 * The Node transport's own WebSocket client (`node_websocket.ts`) against `ws` servers and raw
 * sockets: fragments, many frames per read, frames across reads, pings, close codes, refused
 * upgrades, a handshake cut short, protocol violations and `wss://`.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { createServer } from "node:http";
import { WebSocketServer } from "ws";
import type { WebSocket as ServerSocket } from "ws";
import { nodeTransport } from "./node_transport.ts";

/** Opens the transport against a `ws` server that runs `serve` on the connection. */
async function exchange(
  serve: (socket: ServerSocket) => void,
  maxFrameBytes?: number,
): Promise<string[]> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  server.on("connection", serve);
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  const log: string[] = [];
  try {
    await new Promise<void>((resolve) => {
      nodeTransport.open(`ws://127.0.0.1:${port}/trade-api/ws/v2`, {}, {
        open: () => log.push("open"),
        text: (data) => log.push(`text ${data}`),
        ping: () => log.push("ping"),
        close: (code, reason) => {
          log.push(`close ${code} ${reason}`);
          resolve();
        },
        handshakeFailed: (status, message) => {
          log.push(`failed ${status} ${message}`);
          resolve();
        },
      }, maxFrameBytes === undefined ? undefined : { maxFrameBytes });
    });
  } finally {
    for (const client of server.clients) client.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return log;
}

/** Writes raw bytes on a `ws` server connection's TCP socket. */
const raw = (socket: ServerSocket, bytes: number[]) =>
  (socket as unknown as { _socket: { write(b: Uint8Array): void } })._socket.write(
    new Uint8Array(bytes),
  );

test("node transport reassembles a fragmented message, answers and reports a ping, and reports the server's close", async () => {
  let pong = "";
  const log = await exchange((socket) => {
    socket.on("pong", (data) => pong = data.toString());
    socket.send('{"a":', { fin: false });
    socket.ping("hb");
    socket.send("1}", { fin: true });
    socket.send("é ünïcode");
    socket.send(Buffer.from("binary as text"), { binary: true });
    setTimeout(() => socket.close(4000, "bye"), 20);
  });
  assert.deepEqual(log, [
    "open",
    "ping",
    'text {"a":1}',
    "text é ünïcode",
    "text binary as text",
    "close 4000 bye",
  ]);
  assert.equal(pong, "hb");
});

test("node transport hands over many frames of a read in order, and frames split across reads whole", async () => {
  const count = 20_000;
  const big = "x".repeat(300_000); // a 64-bit length, spread over several reads
  const medium = "y".repeat(1_000); // a 16-bit length
  const log = await exchange((socket) => {
    for (let i = 0; i < count; i++) socket.send(`{"n":${i}}`);
    socket.send(big);
    socket.send(medium);
    socket.send("end");
    socket.close(1000, "");
  });
  assert.equal(log.length, count + 5);
  for (let i = 0; i < count; i++) assert.equal(log[i + 1], `text {"n":${i}}`);
  assert.deepEqual(log.slice(count + 1).map((line) => line.length), [
    5 + big.length,
    5 + medium.length,
    8,
    11,
  ]);
  assert.equal(log.at(-1), "close 1000 ");
});

test("node transport refuses a message over maxFrameBytes with 1009 naming the limit", async () => {
  const log = await exchange((socket) => {
    socket.send("ok");
    socket.send("z".repeat(2_000));
    socket.send("never");
  }, 1_000);
  assert.deepEqual(log, [
    "open",
    "text ok",
    "close 1009 message larger than maxFrameBytes (1000 bytes)",
  ]);
});

test("node transport answers a close frame with an invalid code or a 1-byte body with 1002", async () => {
  for (const code of [0, 999, 1005, 1006, 1015, 2999, 5000]) {
    const log = await exchange((socket) => raw(socket, [0x88, 2, code >> 8, code & 255]));
    assert.deepEqual(log, ["open", `close 1002 invalid close code ${code} from the server`]);
  }
  const log = await exchange((socket) => raw(socket, [0x88, 1, 3]));
  assert.deepEqual(log, ["open", "close 1002 close frame with a 1-byte body"]);
  for (const code of [1000, 1001, 1008, 1011, 1012, 1013, 3000, 4999]) {
    const log = await exchange((socket) => raw(socket, [0x88, 2, code >> 8, code & 255]));
    assert.deepEqual(log, ["open", `close ${code} `]);
  }
});

test("node transport closes with 1002 on a masked frame, reserved bits, an unknown opcode or a stray continuation", async () => {
  const cases: [number[], string][] = [
    [[0x81, 0x81, 1, 2, 3, 4, 0x61], "masked frame from the server"],
    [[0xc1, 1, 0x61], "reserved bits set (no extension)"],
    [[0x83, 0], "unknown opcode 3"],
    [[0x80, 1, 0x61], "unexpected continuation state"],
    [[0x09, 0], "fragmented control frame"],
  ];
  for (const [bytes, reason] of cases) {
    const log = await exchange((socket) => raw(socket, bytes));
    assert.deepEqual(log, ["open", `close 1002 ${reason}`]);
  }
});

test("node transport reports a handshake cut by close() as failed, never open", async () => {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  const log: string[] = [];
  try {
    await new Promise<void>((resolve) => {
      const connection = nodeTransport.open(`ws://127.0.0.1:${port}/`, {}, {
        open: () => log.push("open"),
        text: () => {},
        ping: () => {},
        close: () => (log.push("close"), resolve()),
        handshakeFailed: (status) => (log.push(`failed ${status}`), resolve()),
      });
      connection.close();
    });
  } finally {
    for (const client of server.clients) client.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  assert.deepEqual(log, ["failed undefined"]);
});

test("node transport reports a refused upgrade's status and Retry-After, and a wrong accept key as a failed handshake", async () => {
  let answer = (response: import("node:http").ServerResponse) => {
    response.writeHead(503, { "Retry-After": "7" });
    response.end("busy");
  };
  const server = createServer((_request, response) => answer(response));
  server.on("upgrade", (_request, socket) => {
    socket.end(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Accept: bm90IHRoZSByaWdodCBrZXk=\r\n\r\n",
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const attempt = () =>
    new Promise<string>((resolve) => {
      nodeTransport.open(`ws://127.0.0.1:${port}/`, {}, {
        open: () => resolve("open"),
        text: () => {},
        ping: () => {},
        close: () => {},
        handshakeFailed: (status, message, retryAfterMs) =>
          resolve(`failed ${status} ${message} ${retryAfterMs}`),
      });
    });
  try {
    // Without an upgrade listener match: a plain 503 for the upgrade request.
    server.removeAllListeners("upgrade");
    assert.equal(await attempt(), "failed 503 Unexpected server response: 503 7000");
    server.on("upgrade", (_request, socket) => {
      socket.end(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
          "Sec-WebSocket-Accept: bm90IHRoZSByaWdodCBrZXk=\r\n\r\n",
      );
    });
    assert.equal(
      await attempt(),
      "failed undefined the upgrade response has a wrong Sec-WebSocket-Accept undefined",
    );
    answer = () => {};
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test("node transport speaks wss:// (TLS, with SNI) to a server whose CA the process trusts", async () => {
  // A throwaway CA and server certificate (openssl), trusted by a child Deno through DENO_CERT
  // (on Node the same holds with NODE_EXTRA_CA_CERTS; this test runs under Deno).
  const { mkdtempSync, readFileSync, rmSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { execFileSync, execFile } = await import("node:child_process");
  const { createServer: createHttpsServer } = await import("node:https");
  const dir = mkdtempSync(`${tmpdir()}/kalshi-ws-tls-`);
  try {
    const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
    openssl(
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=test CA",
      "-keyout",
      `${dir}/ca.key`,
      "-out",
      `${dir}/ca.pem`,
    );
    writeFileSync(`${dir}/ext.cnf`, "subjectAltName=DNS:localhost\n");
    openssl(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      "/CN=localhost",
      "-keyout",
      `${dir}/server.key`,
      "-out",
      `${dir}/server.csr`,
    );
    openssl(
      "x509",
      "-req",
      "-in",
      `${dir}/server.csr`,
      "-CA",
      `${dir}/ca.pem`,
      "-CAkey",
      `${dir}/ca.key`,
      "-CAcreateserial",
      "-days",
      "1",
      "-extfile",
      `${dir}/ext.cnf`,
      "-out",
      `${dir}/server.pem`,
    );
    const server = createHttpsServer({
      cert: readFileSync(`${dir}/server.pem`),
      key: readFileSync(`${dir}/server.key`),
    });
    const wss = new WebSocketServer({ server });
    wss.on("connection", (socket, request) => {
      const header = request.headers["x-test"];
      socket.on("message", (data) => socket.send(`echo ${data} ${header}`));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const module = new URL("./node_transport.ts", import.meta.url).href;
    const program = `import { nodeTransport } from ${JSON.stringify(module)};
      const c = nodeTransport.open("wss://localhost:${port}/trade-api/ws/v2", { "X-Test": "yes" }, {
        open: () => c.send("hello"),
        text: (data) => { console.log(data); c.close(1000, "done"); },
        ping: () => {},
        close: (code, reason) => console.log("close", code, reason),
        handshakeFailed: (status, message) => console.log("failed", status, message),
      });`;
    try {
      const stdout = await new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          ["eval", program],
          { env: { ...process.env, DENO_CERT: `${dir}/ca.pem` } },
          (
            error,
            out,
            err,
          ) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
        );
      });
      assert.equal(stdout, "echo hello yes\nclose 1000 done\n");
    } finally {
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => server.close(resolve));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("node transport reads frames whose headers and payloads arrive split over many reads", async () => {
  const frame = (text: string) => {
    const payload = Buffer.from(text);
    const n = payload.length;
    const header = n < 126
      ? [0x81, n]
      : n < 65536
      ? [0x81, 126, n >> 8, n & 255]
      : [0x81, 127, 0, 0, 0, 0, (n >>> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255];
    return Buffer.concat([Buffer.from(header), payload]);
  };
  const texts = ["a", "b".repeat(300), "c".repeat(70_000), "d"];
  const bytes = Buffer.concat(texts.map(frame));
  const log = await exchange(async (socket) => {
    const tcp = (socket as unknown as { _socket: { write(b: Uint8Array): void } })._socket;
    // Byte by byte through the first headers, then in odd-sized pieces.
    let at = 0;
    for (; at < 12; at++) {
      tcp.write(bytes.subarray(at, at + 1));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    for (; at < bytes.length; at += 997) {
      tcp.write(bytes.subarray(at, at + 997));
      await new Promise((resolve) => setImmediate(resolve));
    }
    socket.close(1000, "");
  });
  assert.deepEqual(log, ["open", ...texts.map((t) => `text ${t}`), "close 1000 "]);
});
