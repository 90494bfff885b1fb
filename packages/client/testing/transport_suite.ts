/**
 * A conformance suite every {@linkcode Transport} must pass, run over real loopback sockets
 * against a small `ws` server: headers arrive, text flows both ways, a rejected upgrade reports
 * its status, a dropped link reports a close, pings are seen when `seesPings` says so.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import type { WebSocket as ServerSocket } from "ws";
import type { SocketConnection, SocketEvents, Transport } from "../transport.ts";

interface Recorded {
  readonly log: string[];
  readonly events: SocketEvents;
  next(predicate: (entry: string) => boolean): Promise<string>;
}

function recorder(): Recorded {
  const log: string[] = [];
  const waiters: { predicate: (entry: string) => boolean; resolve: (entry: string) => void }[] = [];
  const push = (entry: string) => {
    log.push(entry);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(entry)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(entry);
      }
    }
  };
  return {
    log,
    events: {
      open: () => push("open"),
      text: (data) => push(`text ${data}`),
      ping: () => push("ping"),
      close: (code, reason) => push(`close ${code} ${reason}`),
      handshakeFailed: (status, message) => push(`failed ${status} ${message}`),
    },
    next(predicate) {
      const found = log.find(predicate);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
  };
}

async function withServer(
  body: (url: string, sockets: ServerSocket[], headers: Record<string, string>[]) => Promise<void>,
): Promise<void> {
  const sockets: ServerSocket[] = [];
  const headers: Record<string, string>[] = [];
  const server = new WebSocketServer({
    host: "127.0.0.1",
    port: 0,
    verifyClient: (info, done) => {
      const request = info.req;
      headers.push(request.headers as Record<string, string>);
      if (request.headers["x-reject"]) done(false, Number(request.headers["x-reject"]));
      else done(true);
    },
  });
  server.on("connection", (socket) => {
    sockets.push(socket);
    socket.on("message", (data) => socket.send(`echo ${String(data)}`));
  });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  try {
    await body(`ws://127.0.0.1:${port}/trade-api/ws/v2`, sockets, headers);
  } finally {
    for (const socket of sockets) socket.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Registers the transport conformance tests for `transport`. */
export function transportSuite(transport: Transport): void {
  const name = transport.name;

  test(`${name} transport sends headers and exchanges text when the upgrade succeeds`, async () => {
    await withServer(async (url, _sockets, headers) => {
      const r = recorder();
      const connection: SocketConnection = transport.open(url, { "X-Test": "yes" }, r.events);
      await r.next((e) => e === "open");
      assert.equal(headers[0]!["x-test"], "yes");
      connection.send("hello");
      await r.next((e) => e === "text echo hello");
      connection.close(1000, "done");
      assert.equal(await r.next((e) => e.startsWith("close")), "close 1000 done");
    });
  });

  for (const status of [401, 403]) {
    test(`${name} transport reports status ${status} when the upgrade is rejected`, async () => {
      await withServer(async (url) => {
        const r = recorder();
        transport.open(url, { "X-Reject": String(status) }, r.events);
        const entry = await r.next((e) => e.startsWith("failed"));
        assert.match(entry, new RegExp(`^failed ${status} `));
        assert.ok(!r.log.includes("open"));
      });
    });
  }

  test(`${name} transport reports no status when nothing listens`, async () => {
    let url = "";
    await withServer((u) => {
      url = u;
      return Promise.resolve();
    });
    const r = recorder();
    transport.open(url, {}, r.events);
    assert.match(await r.next((e) => e.startsWith("failed")), /^failed undefined /);
  });

  test(`${name} transport reports a close when the server drops the link`, async () => {
    await withServer(async (url, sockets) => {
      const r = recorder();
      transport.open(url, {}, r.events);
      await r.next((e) => e === "open");
      sockets[0]!.terminate();
      assert.match(await r.next((e) => e.startsWith("close")), /^close 1006/);
      assert.equal(r.log.filter((e) => e.startsWith("close")).length, 1);
    });
  });

  test(`${name} transport ${transport.seesPings ? "reports" : "hides"} pings`, async () => {
    await withServer(async (url, sockets) => {
      const r = recorder();
      const connection = transport.open(url, {}, r.events);
      await r.next((e) => e === "open");
      const pong = new Promise<string>((resolve) =>
        sockets[0]!.once("pong", (data) => resolve(String(data)))
      );
      sockets[0]!.ping("heartbeat");
      assert.equal(await pong, "heartbeat");
      sockets[0]!.send("after");
      await r.next((e) => e === "text after");
      assert.equal(r.log.includes("ping"), transport.seesPings);
      connection.close();
      await r.next((e) => e.startsWith("close"));
    });
  });
}
