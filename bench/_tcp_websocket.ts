/**
 * A benchmark PROTOTYPE, not a library transport: a minimal WebSocket client over `Deno.connect`
 * (plain `ws://` only, no TLS, no extensions) that reads the socket in large chunks and hands
 * every complete frame of a chunk over synchronously, in one event-loop turn — as `ws` does on
 * Node — instead of one turn per message as Deno's `WebSocket` does. Text is decoded with a
 * fatal `TextDecoder` (invalid UTF-8 closes with 1007, as a real client must). It answers pings,
 * reassembles fragments and does the close handshake; it is enough to measure what batching
 * reads would buy on Deno, and is measured as such in `loopback.ts`.
 *
 * @module
 */

import type { SocketConnection, SocketEvents, Transport } from "../packages/client/mod.ts";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const encoder = new TextEncoder();

/** What the socket reports (a subset of `SocketEvents`, so bare contestants can use it). */
export interface TcpHandlers {
  open(): void;
  text(data: string): void;
  ping(): void;
  close(code: number, reason: string): void;
  failed(message: string): void;
}

/** Encodes one masked client frame. */
function clientFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = new Uint8Array(header + 4 + length);
  frame[0] = 0x80 | opcode;
  if (length < 126) frame[1] = 0x80 | length;
  else if (length < 65536) {
    frame[1] = 0x80 | 126;
    frame[2] = length >> 8;
    frame[3] = length & 0xff;
  } else {
    frame[1] = 0x80 | 127;
    new DataView(frame.buffer).setBigUint64(2, BigInt(length));
  }
  const mask = crypto.getRandomValues(new Uint8Array(4));
  frame.set(mask, header);
  for (let i = 0; i < length; i++) frame[header + 4 + i] = payload[i]! ^ mask[i & 3]!;
  return frame;
}

/** Opens a WebSocket to a `ws://` URL over a plain TCP connection. */
export function openTcpWebSocket(
  url: string,
  headers: Readonly<Record<string, string>>,
  on: TcpHandlers,
): { send(text: string): void; close(code?: number, reason?: string): void } {
  const target = new URL(url);
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let conn: Deno.TcpConn | undefined;
  let writing = Promise.resolve();
  let closeSent = false;
  let finished = false;
  const write = (bytes: Uint8Array) => {
    const c = conn;
    if (c === undefined) return;
    writing = writing.then(async () => {
      for (let at = 0; at < bytes.length;) at += await c.write(bytes.subarray(at));
    }).catch(() => {});
  };
  const finish = (code: number, reason: string) => {
    if (finished) return;
    finished = true;
    try {
      conn?.close();
    } catch {
      // already closed
    }
    on.close(code, reason);
  };
  const sendClose = (code: number, reason: string) => {
    if (closeSent) return;
    closeSent = true;
    const body = encoder.encode(`  ${reason}`);
    body[0] = code >> 8;
    body[1] = code & 0xff;
    write(clientFrame(0x8, body));
  };

  const run = async () => {
    conn = await Deno.connect({ hostname: target.hostname, port: Number(target.port || 80) });
    conn.setNoDelay(true);
    const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
    let request = `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n` +
      `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\n` +
      "Sec-WebSocket-Version: 13\r\n";
    for (const [name, value] of Object.entries(headers)) request += `${name}: ${value}\r\n`;
    write(encoder.encode(`${request}\r\n`));
    let buf = new Uint8Array(1 << 20);
    let start = 0;
    let end = 0;
    // Upgrade response.
    let headerEnd = -1;
    while (headerEnd < 0) {
      const n = await conn.read(buf.subarray(end));
      if (n === null) throw new Error("connection closed during the handshake");
      end += n;
      headerEnd = new TextDecoder().decode(buf.subarray(0, end)).indexOf("\r\n\r\n");
    }
    const response = new TextDecoder().decode(buf.subarray(0, headerEnd));
    const digest = await crypto.subtle.digest("SHA-1", encoder.encode(key + GUID));
    const accept = btoa(String.fromCharCode(...new Uint8Array(digest)));
    if (!/^HTTP\/1\.1 101/.test(response) || !response.includes(accept)) {
      throw new Error(`Unexpected server response: ${response.split("\r\n")[0]}`);
    }
    start = headerEnd + 4;
    opened = true;
    on.open();
    const fragments: Uint8Array[] = [];
    let fragmentOpcode = 0;
    for (;;) {
      // Every complete frame in the buffer, synchronously.
      while (end - start >= 2) {
        const b0 = buf[start]!;
        const b1 = buf[start + 1]!;
        let length = b1 & 0x7f;
        let at = start + 2;
        if (length === 126) {
          if (end - start < 4) break;
          length = (buf[at]! << 8) | buf[at + 1]!;
          at += 2;
        } else if (length === 127) {
          if (end - start < 10) break;
          length = Number(new DataView(buf.buffer, at, 8).getBigUint64(0));
          at += 8;
        }
        if ((b1 & 0x80) !== 0) throw new Error("masked frame from the server");
        if (end - at < length) break;
        const payload = buf.subarray(at, at + length);
        start = at + length;
        const opcode = b0 & 0x0f;
        const fin = (b0 & 0x80) !== 0;
        if (opcode === 0x1 || opcode === 0x2 || opcode === 0x0) {
          if (opcode !== 0) fragmentOpcode = opcode;
          let data = payload;
          if (!fin || fragments.length > 0) {
            fragments.push(payload.slice());
            if (!fin) continue;
            data = new Uint8Array(fragments.reduce((s, f) => s + f.length, 0));
            let o = 0;
            for (const f of fragments) data.set(f, o), o += f.length;
            fragments.length = 0;
          }
          let text: string;
          try {
            text = decoder.decode(data);
          } catch {
            sendClose(1007, "invalid UTF-8");
            return finish(1007, "invalid UTF-8");
          }
          void fragmentOpcode;
          on.text(text);
        } else if (opcode === 0x8) {
          const code = length >= 2 ? (payload[0]! << 8) | payload[1]! : 1005;
          const reason = length > 2 ? new TextDecoder().decode(payload.subarray(2)) : "";
          sendClose(code === 1005 ? 1000 : code, "");
          await writing;
          return finish(code, reason);
        } else if (opcode === 0x9) {
          write(clientFrame(0xa, payload.slice()));
          on.ping();
        }
        if (finished) return;
      }
      if (start === end) start = end = 0;
      else if (end === buf.length) {
        if (start > 0) {
          buf.copyWithin(0, start, end);
          end -= start;
          start = 0;
        } else {
          const bigger = new Uint8Array(buf.length * 2);
          bigger.set(buf);
          buf = bigger;
        }
      }
      const n = await conn.read(buf.subarray(end));
      if (n === null) return finish(1006, "");
      end += n;
    }
  };
  let opened = false;
  run().catch((error: Error) => {
    if (!opened) {
      finished = true;
      try {
        conn?.close();
      } catch {
        // never opened
      }
      on.failed(error.message);
    } else finish(1006, "");
  });
  return {
    send: (text) => write(clientFrame(0x1, encoder.encode(text))),
    close: (code = 1000, reason = "") => {
      if (closeSent) return finish(1006, "");
      sendClose(code, reason);
    },
  };
}

/** The prototype as a client `Transport` (sees pings). */
export const tcpTransport: Transport = {
  name: "deno-tcp-prototype",
  seesPings: true,
  open(url, headers, events: SocketEvents): SocketConnection {
    return openTcpWebSocket(url, headers, {
      open: () => events.open(),
      text: (data) => events.text(data),
      ping: () => events.ping(),
      close: (code, reason) => events.close(code, reason),
      failed: (message) => events.handshakeFailed(undefined, message),
    });
  },
};
