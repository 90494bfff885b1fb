/**
 * The socket behind {@linkcode tcpTransport} (`tcp_transport.ts`): a WebSocket client over `Deno.connect`/`Deno.connectTls` that reads the socket in large chunks
 * and hands every complete frame of a read over synchronously, in one event-loop turn — as `ws`
 * does on Node — instead of one turn per message as Deno's built-in `WebSocket` does (an op, a
 * `MessageEvent` and an event-target dispatch per frame, and the caches of the code behind the
 * socket cold for every frame).
 *
 * RFC 6455 client side, what Kalshi's feed needs: the upgrade with custom headers (a rejected
 * upgrade reports its HTTP status), text and binary messages (binary decoded as UTF-8, like the
 * other transports), fragments, pings answered and reported, the close handshake, a refused
 * oversize message (1009, before buffering it), invalid UTF-8 (1007) and protocol errors (1002).
 * No extensions (no permessage-deflate), no subprotocols, no proxies.
 *
 * @module
 */

import { retryAfterMs } from "@kalshi-ws/client/internal";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const encoder = new TextEncoder();
/** First read buffer; it doubles for larger messages (bounded by the frame limit). */
const READ_BUFFER = 1 << 20;
/** Free space below which the unread rest moves to the front of the buffer before a read. */
const MIN_READ = 1 << 16;

/**
 * What the socket reports (the shape of the client's `SocketEvents`, so a transport passes those
 * straight through: no wrapper call per frame): exactly one of `handshakeFailed` or `open`, then
 * `close` exactly once.
 */
export interface StreamSocketHandlers {
  open(): void;
  text(data: string): void;
  ping(): void;
  close(code: number, reason: string): void;
  handshakeFailed(status: number | undefined, message: string, retryAfterMs?: number): void;
}

/** The open (or opening) socket. */
export interface StreamSocket {
  send(text: string): void;
  close(code?: number, reason?: string): void;
}

/** A protocol violation by the server: closes with `code`. */
class Violation extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * Encodes one masked client frame. The payload starts 4-byte aligned in the frame's buffer, so
 * it is masked a 32-bit word at a time: a `subscribe` for 1 000 markets is ~21 KB, which a byte
 * loop masked in ~1–3 ms of a cold process.
 */
function clientFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const pad = (4 - ((header + 4) & 3)) & 3;
  const frame = new Uint8Array(pad + header + 4 + length).subarray(pad);
  frame[0] = 0x80 | opcode;
  if (length < 126) frame[1] = 0x80 | length;
  else if (length < 65536) {
    frame[1] = 0x80 | 126;
    frame[2] = length >> 8;
    frame[3] = length & 0xff;
  } else {
    frame[1] = 0x80 | 127;
    new DataView(frame.buffer, frame.byteOffset).setBigUint64(2, BigInt(length));
  }
  const mask = crypto.getRandomValues(new Uint8Array(4));
  frame.set(mask, header);
  const at = header + 4;
  frame.set(payload, at);
  const words = length >> 2;
  if (words > 0) {
    // Same byte order on both sides of the XOR, so each byte meets its own mask byte.
    const view = new Uint32Array(frame.buffer, pad + at, words);
    const key = new Uint32Array(mask.buffer)[0]!;
    for (let i = 0; i < words; i++) view[i] = view[i]! ^ key;
  }
  for (let i = words << 2; i < length; i++) frame[at + i] = frame[at + i]! ^ mask[i & 3]!;
  return frame;
}

/** A close frame's body: the code, then the reason (cut to fit a control frame). */
function closeBody(code: number, reason: string): Uint8Array {
  let text = encoder.encode(reason);
  if (text.length > 123) text = text.subarray(0, 123);
  const body = new Uint8Array(2 + text.length);
  body[0] = code >> 8;
  body[1] = code & 0xff;
  body.set(text, 2);
  return body;
}

/** Whether a peer may send close code `code` (1000–1014 but 1004–1006; 3000–4999). */
function validCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) ||
    (code >= 3000 && code <= 4999);
}

/** The header block of the upgrade response, parsed. */
function parseResponse(head: string): { status: number; headers: Map<string, string> } {
  const lines = head.split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? "")?.[1] ?? NaN);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon > 0) {
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
  }
  return { status, headers };
}

/**
 * Opens a WebSocket to a `ws://` or `wss://` URL. `maxMessageBytes` refuses larger messages
 * (close 1009) before buffering them.
 */
export function openStreamSocket(
  url: string,
  headers: Readonly<Record<string, string>>,
  on: StreamSocketHandlers,
  maxMessageBytes = Number.MAX_SAFE_INTEGER,
): StreamSocket {
  const target = new URL(url);
  const secure = target.protocol === "wss:";
  if (!secure && target.protocol !== "ws:") {
    throw new TypeError(`Cannot open ${target.protocol} URLs: expected ws: or wss:`);
  }
  const lenient = new TextDecoder();
  const strict = new TextDecoder("utf-8", { fatal: true });
  let conn: Deno.Conn | undefined;
  let writing = Promise.resolve();
  let opened = false;
  let aborted = false;
  let closeSent = false;
  let finished = false;

  const write = (bytes: Uint8Array) => {
    const c = conn;
    if (c === undefined) return;
    writing = writing.then(async () => {
      for (let at = 0; at < bytes.length;) at += await c.write(bytes.subarray(at));
    }).catch(() => {}); // a broken link shows up as the read's end
  };
  const cut = () => {
    try {
      conn?.close();
    } catch {
      // already closed
    }
  };
  const finish = (code: number, reason: string) => {
    if (finished) return;
    finished = true;
    cut();
    if (opened) on.close(code, reason);
    else on.handshakeFailed(undefined, reason || "WebSocket closed before the handshake completed");
  };
  const sendClose = (code: number, reason: string) => {
    if (closeSent) return;
    closeSent = true;
    write(clientFrame(0x8, closeBody(code, reason)));
  };
  /** Decodes a text (or binary) message; invalid UTF-8 is a 1007. */
  const decode = (bytes: Uint8Array): string => {
    // The lenient decoder is ~3× faster than the fatal one; only a text holding U+FFFD (a
    // replaced invalid sequence, or a real one) is decoded again, strictly.
    const text = lenient.decode(bytes);
    if (!text.includes("\uFFFD")) return text;
    try {
      return strict.decode(bytes);
    } catch {
      throw new Violation(1007, "invalid UTF-8 in a text message");
    }
  };

  const run = async (): Promise<void> => {
    const port = Number(target.port || (secure ? 443 : 80));
    const hostname = target.hostname.replace(/^\[(.*)\]$/, "$1");
    const c = secure
      ? await Deno.connectTls({ hostname, port })
      : await Deno.connect({ hostname, port });
    conn = c;
    if (aborted) return finish(1006, "WebSocket closed before the handshake completed");
    if (!secure) (c as Deno.TcpConn).setNoDelay(true);
    const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
    let request = `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n` +
      `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\n` +
      "Sec-WebSocket-Version: 13\r\n";
    for (const [name, value] of Object.entries(headers)) request += `${name}: ${value}\r\n`;
    write(encoder.encode(`${request}\r\n`));

    let buf = new Uint8Array(READ_BUFFER);
    let start = 0;
    let end = 0;
    let headEnd = -1;
    while (headEnd < 0) {
      if (end === buf.length) throw new Error("upgrade response headers too large");
      const n = await c.read(buf.subarray(end));
      if (n === null) throw new Error("connection closed during the handshake");
      end += n;
      for (let i = Math.max(0, end - n - 3); i + 3 < end; i++) {
        if (buf[i] === 13 && buf[i + 1] === 10 && buf[i + 2] === 13 && buf[i + 3] === 10) {
          headEnd = i;
          break;
        }
      }
    }
    const response = parseResponse(new TextDecoder().decode(buf.subarray(0, headEnd)));
    if (response.status !== 101) {
      finished = true;
      cut();
      return on.handshakeFailed(
        Number.isNaN(response.status) ? undefined : response.status,
        `Unexpected server response: ${response.status}`,
        retryAfterMs(response.headers.get("retry-after")),
      );
    }
    const digest = await crypto.subtle.digest("SHA-1", encoder.encode(key + GUID));
    const accept = btoa(String.fromCharCode(...new Uint8Array(digest)));
    if (response.headers.get("sec-websocket-accept") !== accept) {
      throw new Error("the upgrade response has a wrong Sec-WebSocket-Accept");
    }
    if (aborted) return finish(1006, "WebSocket closed before the handshake completed");
    start = headEnd + 4;
    opened = true;
    on.open();

    const fragments: Uint8Array[] = [];
    let fragmentBytes = 0;
    for (;;) {
      // Every complete frame in the buffer, synchronously, in this one turn.
      while (end - start >= 2 && !finished) {
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
        const opcode = b0 & 0x0f;
        if ((b1 & 0x80) !== 0) throw new Violation(1002, "masked frame from the server");
        if ((b0 & 0x70) !== 0) throw new Violation(1002, "reserved bits set (no extension)");
        if (opcode < 0x8 && fragmentBytes + length > maxMessageBytes) {
          throw new Violation(1009, `message larger than maxFrameBytes (${maxMessageBytes} bytes)`);
        }
        if (opcode >= 0x8 && length > 125) throw new Violation(1002, "oversize control frame");
        if (end - at < length) {
          // Wait for the rest, with room for the whole frame: move it to the front, or grow
          // the buffer for a frame larger than it (up to the message limit).
          if (at + length > buf.length) {
            const target = at - start + length > buf.length
              ? new Uint8Array(Math.max(buf.length * 2, at - start + length))
              : buf;
            target.set(buf.subarray(start, end));
            end -= start;
            start = 0;
            buf = target;
          }
          break;
        }
        // A view made by the constructor costs ~25 ns a frame less than `subarray` (no species
        // lookup); `buf` always starts at offset 0 of its own buffer.
        const payload = new Uint8Array(buf.buffer, at, length);
        start = at + length;
        const fin = (b0 & 0x80) !== 0;
        switch (opcode) {
          case 0x0:
          case 0x1:
          case 0x2: {
            if ((opcode === 0x0) !== (fragments.length > 0 || fragmentBytes > 0)) {
              throw new Violation(1002, "unexpected continuation state");
            }
            if (fin && opcode !== 0x0) {
              on.text(decode(payload));
              break;
            }
            fragments.push(payload.slice());
            fragmentBytes += length;
            if (!fin) break;
            const whole = new Uint8Array(fragmentBytes);
            let offset = 0;
            for (const part of fragments) {
              whole.set(part, offset);
              offset += part.length;
            }
            fragments.length = 0;
            fragmentBytes = 0;
            on.text(decode(whole));
            break;
          }
          case 0x8: {
            if (length === 1) throw new Violation(1002, "close frame with a 1-byte body");
            const code = length >= 2 ? (payload[0]! << 8) | payload[1]! : 1005;
            // RFC 6455 §7.4 (as ws checks it): a code a peer may not send is a protocol error,
            // never reported as if the server had meant it.
            if (length >= 2 && !validCloseCode(code)) {
              throw new Violation(1002, `invalid close code ${code} from the server`);
            }
            const reason = length > 2 ? decode(payload.subarray(2)) : "";
            sendClose(code === 1005 ? 1000 : code, "");
            await writing;
            return finish(code, reason);
          }
          case 0x9:
            write(clientFrame(0xa, payload.slice()));
            on.ping();
            break;
          case 0xa:
            break;
          default:
            throw new Violation(1002, `unknown opcode ${opcode}`);
        }
      }
      if (finished) return;
      // Keep at least MIN_READ bytes free, so reads stay large.
      if (start === end) start = end = 0;
      else if (buf.length - end < MIN_READ && start > 0) {
        buf.copyWithin(0, start, end);
        end -= start;
        start = 0;
      }
      const n = await c.read(buf.subarray(end));
      if (n === null) return finish(1006, "");
      end += n;
    }
  };

  run().catch((error: unknown) => {
    if (finished) return;
    if (error instanceof Violation && opened) {
      sendClose(error.code, error.message);
      writing.then(() => finish(error.code, error.message));
      return;
    }
    finish(1006, opened ? "" : error instanceof Error ? error.message : String(error));
  });

  return {
    send(text) {
      write(clientFrame(0x1, encoder.encode(text)));
    },
    close(code = 1000, reason = "") {
      if (finished) return;
      if (!opened) {
        aborted = true;
        cut();
        return;
      }
      // A second close while the peer ignores the first: cut it.
      if (closeSent) return finish(1006, "");
      sendClose(code, reason);
    },
  };
}
