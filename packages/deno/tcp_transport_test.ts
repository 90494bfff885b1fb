import { test } from "node:test";
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import type { WebSocket as ServerSocket } from "ws";
import { transportSuite } from "@kalshi-ws/client/testing";
import { tcpTransport } from "./tcp_transport.ts";

// The behaviour and book-integrity suites run over it as the package's default `transport`
// (behaviour_test.ts, books_integration_test.ts).
transportSuite(tcpTransport);

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
      tcpTransport.open(`ws://127.0.0.1:${port}/trade-api/ws/v2`, {}, {
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

test("deno-tcp transport reassembles a fragmented message and reports the server's close", async () => {
  const log = await exchange((socket) => {
    socket.send('{"a":', { fin: false });
    socket.ping("hb");
    socket.send("1}", { fin: true });
    socket.send("é ünïcode");
    socket.close(4000, "bye");
  });
  assert.deepEqual(log, ["open", "ping", 'text {"a":1}', "text é ünïcode", "close 4000 bye"]);
});

test("deno-tcp transport hands over many frames of one read in order", async () => {
  const count = 20_000;
  const log = await exchange((socket) => {
    for (let i = 0; i < count; i++) socket.send(`{"n":${i}}`);
    socket.close(1000, "");
  });
  assert.equal(log.length, count + 2);
  for (let i = 0; i < count; i++) assert.equal(log[i + 1], `text {"n":${i}}`);
});

test("deno-tcp transport refuses a message over maxFrameBytes with 1009 naming the limit", async () => {
  const log = await exchange((socket) => {
    socket.send("small");
    socket.send("x".repeat(5_000));
  }, 1_000);
  assert.deepEqual(log, [
    "open",
    "text small",
    "close 1009 message larger than maxFrameBytes (1000 bytes)",
  ]);
});

test("deno-tcp transport closes with 1007 on invalid UTF-8 and keeps a real U+FFFD", async () => {
  const log = await exchange((socket) => {
    socket.send("kept \uFFFD");
    socket.send(Buffer.from([0x7b, 0xff, 0x7d]), { binary: false });
  });
  assert.deepEqual(log, ["open", "text kept \uFFFD", "close 1007 invalid UTF-8 in a text message"]);
});

test("deno-tcp transport answers a close frame with an invalid code or a 1-byte body with 1002", async () => {
  const raw = (socket: ServerSocket, bytes: number[]) =>
    (socket as unknown as { _socket: { write(b: Uint8Array): void } })._socket.write(
      new Uint8Array(bytes),
    );
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

test("deno-tcp transport reports a handshake cut by close() as failed, never open", async () => {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  const log: string[] = [];
  try {
    await new Promise<void>((resolve) => {
      const connection = tcpTransport.open(`ws://127.0.0.1:${port}/`, {}, {
        open: () => log.push("open"),
        text: () => {},
        ping: () => {},
        close: () => (log.push("close"), resolve()),
        handshakeFailed: (status) => (log.push(`failed ${status}`), resolve()),
      });
      connection.close();
    });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  assert.deepEqual(log, ["failed undefined"]);
});

test("deno-tcp transport speaks wss:// (TLS) to a server whose CA the process trusts", async () => {
  // A throwaway CA and server certificate (openssl), trusted by a child Deno through DENO_CERT.
  const dir = await Deno.makeTempDir({ prefix: "kalshi-ws-tls-" });
  try {
    const openssl = async (...args: string[]) => {
      const result = await new Deno.Command("openssl", { args, stdout: "null", stderr: "piped" })
        .output();
      if (!result.success) throw new Error(new TextDecoder().decode(result.stderr));
    };
    await openssl(
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
    await Deno.writeTextFile(`${dir}/ext.cnf`, "subjectAltName=DNS:localhost\n");
    await openssl(
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
    await openssl(
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
    const server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      cert: await Deno.readTextFile(`${dir}/server.pem`),
      key: await Deno.readTextFile(`${dir}/server.key`),
      onListen: () => {},
    }, (request) => {
      const header = request.headers.get("x-test");
      const { socket, response } = Deno.upgradeWebSocket(request);
      socket.onmessage = (event) => socket.send(`echo ${event.data} ${header}`);
      return response;
    });
    try {
      const child = await new Deno.Command(Deno.execPath(), {
        args: [
          "eval",
          `import { tcpTransport } from ${
            JSON.stringify(new URL("./tcp_transport.ts", import.meta.url).href)
          };
           const c = tcpTransport.open("wss://localhost:${server.addr.port}/trade-api/ws/v2", { "X-Test": "yes" }, {
             open: () => c.send("hello"),
             text: (data) => { console.log(data); c.close(1000, "done"); },
             ping: () => {},
             close: (code, reason) => console.log("close", code, reason),
             handshakeFailed: (status, message) => console.log("failed", status, message),
           });`,
        ],
        env: { DENO_CERT: `${dir}/ca.pem` },
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(
        new TextDecoder().decode(child.stdout),
        "echo hello yes\nclose 1000 done\n",
        new TextDecoder().decode(child.stderr),
      );
    } finally {
      await server.shutdown();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

test("deno-tcp transport masks what it sends at every frame length (word-wise masking)", async () => {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  server.on("connection", (socket) => socket.on("message", (data) => socket.send(String(data))));
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  const lengths = [0, 1, 2, 3, 4, 5, 7, 8, 125, 126, 127, 1_000, 65_535, 65_536, 70_001];
  // Text of each length in UTF-8 bytes, with multi-byte characters where it fits.
  const texts = lengths.map((n, i) =>
    (n >= 6 ? "é😀" : "").concat(String.fromCharCode(97 + i).repeat(n >= 6 ? n - 6 : n))
  );
  const echoed: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const connection = tcpTransport.open(`ws://127.0.0.1:${port}/`, {}, {
        open: () => {
          for (const text of texts) connection.send(text);
        },
        text: (data) => {
          echoed.push(data);
          if (echoed.length === texts.length) resolve();
        },
        ping: () => {},
        close: (code, reason) => reject(new Error(`closed ${code} ${reason}`)),
        handshakeFailed: (_status, message) => reject(new Error(message)),
      });
    });
  } finally {
    for (const client of server.clients) client.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  assert.deepEqual(echoed.map((t) => new TextEncoder().encode(t).length), lengths);
  assert.deepEqual(echoed, texts);
});
