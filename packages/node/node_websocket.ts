/**
 * The socket behind {@linkcode nodeTransport}: a WebSocket client over `node:net`/`node:tls`
 * that decodes every complete frame of a socket read straight from the read's buffer and hands
 * the frames over synchronously, in one run. Per frame that is one string decoded from the
 * read's bytes and one call: no `Buffer` view per frame header and payload, no event emitter
 * (what `ws`'s receiver spends ~0.3 µs per frame on, a third of its cost before the frame is a
 * string).
 *
 * RFC 6455 client side, what Kalshi's feed needs: the upgrade with custom headers (a refused
 * upgrade reports its HTTP status and `Retry-After`), text and binary messages (binary decoded
 * as UTF-8, like the other transports), fragments, pings answered and reported, the close
 * handshake (the server's close frame is reported at once, whether or not it then ends the TCP
 * connection), a refused oversize message (1009, before buffering it), invalid UTF-8 in a text
 * message (1007) and protocol errors (1002). No extensions (no permessage-deflate), no
 * subprotocols, no proxies.
 *
 * @module
 */

import { Buffer, isUtf8 } from "node:buffer";
import { createHash, randomBytes, randomFillSync } from "node:crypto";
import { connect as connectTcp, isIP, type Socket } from "node:net";
import { connect as connectTls } from "node:tls";
import type { OpenOptions, SocketConnection, SocketEvents } from "@kalshi-ws/client";
import { retryAfterMs } from "@kalshi-ws/client/internal";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/** Largest upgrade response head read before giving up. */
const MAX_HEAD_BYTES = 64 * 1024;
/** How long a closed connection may linger for the peer to end TCP (no `closeTimeoutMs`). */
const DEFAULT_LINGER_MS = 2_000;

/** A protocol violation by the server: closes with `code`. */
class Violation extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

/** Encodes one masked client frame. */
function clientFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + 4 + length);
  frame[0] = 0x80 | opcode;
  if (length < 126) frame[1] = 0x80 | length;
  else if (length < 65536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  randomFillSync(frame, header, 4);
  const at = header + 4;
  for (let i = 0; i < length; i++) frame[at + i] = payload[i]! ^ frame[header + (i & 3)]!;
  return frame;
}

/** A close frame's body: the code, then the reason (cut to fit a control frame). */
function closeBody(code: number, reason: string): Buffer {
  let text = Buffer.from(reason, "utf8");
  if (text.length > 123) text = text.subarray(0, 123);
  const body = Buffer.allocUnsafe(2 + text.length);
  body.writeUInt16BE(code, 0);
  text.copy(body, 2);
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
 * Opens a WebSocket to a `ws://` or `wss://` URL and reports to `on` (the client's
 * {@linkcode SocketEvents}): exactly one of `handshakeFailed` or `open`, then `close` once.
 */
export function openNodeSocket(
  url: string,
  headers: Readonly<Record<string, string>>,
  on: SocketEvents,
  options?: OpenOptions,
): SocketConnection {
  const target = new URL(url);
  const secure = target.protocol === "wss:";
  if (!secure && target.protocol !== "ws:") {
    throw new TypeError(`Cannot open ${target.protocol} URLs: expected ws: or wss:`);
  }
  const maxMessageBytes = options?.maxFrameBytes ?? Number.MAX_SAFE_INTEGER;
  const lingerMs = options?.closeTimeoutMs ?? DEFAULT_LINGER_MS;
  const port = Number(target.port || (secure ? 443 : 80));
  const host = target.hostname.replace(/^\[(.*)\]$/, "$1");
  const socket: Socket = secure
    ? connectTls({ host, port, ...(isIP(host) === 0 ? { servername: host } : {}) })
    : connectTcp({ host, port });
  socket.setNoDelay(true);

  let opened = false;
  let finished = false;
  let closeSent = false;
  /** Why the socket failed before it opened (a network error's message). */
  let failure = "";
  let head: Buffer | undefined;
  /** Bytes of an incomplete frame (the rest of the last read, then whole reads after it). */
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  /** Bytes the incomplete frame needs in all (header included) before it can be read. */
  let needed = 0;
  /** A fragmented message being reassembled: its opcode (-1: none), parts and size. */
  let fragmentOpcode = -1;
  let fragments: Buffer[] = [];
  let fragmentBytes = 0;
  let closeTimer: ReturnType<typeof setTimeout> | undefined;

  const write = (bytes: Buffer) => {
    if (!socket.destroyed && socket.writable) socket.write(bytes);
  };
  /** Reports the end once; `linger`: let the peer end TCP (bounded), else cut it now. */
  const finish = (code: number, reason: string, linger = false) => {
    if (finished) return;
    finished = true;
    if (closeTimer !== undefined) clearTimeout(closeTimer);
    if (linger && !socket.destroyed) {
      socket.end();
      const cut = setTimeout(() => socket.destroy(), lingerMs);
      socket.once("close", () => clearTimeout(cut));
    } else socket.destroy();
    if (opened) on.close(code, reason);
    else on.handshakeFailed(undefined, reason || "WebSocket closed before the handshake completed");
  };
  const sendClose = (code: number, reason: string) => {
    if (closeSent) return;
    closeSent = true;
    write(clientFrame(0x8, closeBody(code, reason)));
  };
  /** The server broke the protocol: close with the violation's code, report it. */
  const refuse = (violation: Violation) => {
    sendClose(violation.code, violation.message);
    finish(violation.code, violation.message, true);
  };
  /** A complete text (or binary) message as a string; invalid UTF-8 in a text is a 1007. */
  const decode = (bytes: Buffer, start: number, end: number, text: boolean): string => {
    // Lenient decoding, then a strict check only for a string holding U+FFFD (a replaced
    // invalid sequence, or a real one): an ASCII frame answers the search at once.
    const decoded = bytes.toString(undefined, start, end);
    if (text && decoded.includes("\uFFFD") && !isUtf8(bytes.subarray(start, end))) {
      throw new Violation(1007, "invalid UTF-8 in a text message");
    }
    return decoded;
  };

  /** One non-final, control or continuation frame (the rare cases). */
  const other = (opcode: number, fin: boolean, bytes: Buffer, start: number, end: number) => {
    switch (opcode) {
      case 0x0:
      case 0x1:
      case 0x2: {
        if ((opcode === 0x0) !== (fragmentOpcode !== -1)) {
          throw new Violation(1002, "unexpected continuation state");
        }
        if (opcode !== 0x0) fragmentOpcode = opcode;
        fragments.push(bytes.subarray(start, end));
        fragmentBytes += end - start;
        if (!fin) return;
        const whole = Buffer.concat(fragments, fragmentBytes);
        const isText = fragmentOpcode === 0x1;
        fragmentOpcode = -1;
        fragments = [];
        fragmentBytes = 0;
        on.text(decode(whole, 0, whole.length, isText));
        return;
      }
      case 0x8: {
        const length = end - start;
        if (length === 1) throw new Violation(1002, "close frame with a 1-byte body");
        const code = length >= 2 ? bytes.readUInt16BE(start) : 1005;
        // RFC 6455 §7.4 (as ws checks it): a code a peer may not send is a protocol error,
        // never reported as if the server had meant it.
        if (length >= 2 && !validCloseCode(code)) {
          throw new Violation(1002, `invalid close code ${code} from the server`);
        }
        const reason = length > 2 ? decode(bytes, start + 2, end, true) : "";
        sendClose(code === 1005 ? 1000 : code, "");
        finish(code, reason, true);
        return;
      }
      case 0x9:
        write(clientFrame(0xa, bytes.subarray(start, end)));
        on.ping();
        return;
      case 0xa:
        return;
      default:
        throw new Violation(1002, `unknown opcode ${opcode}`);
    }
  };

  /** Every complete frame of `bytes`, in order, in this one run; keeps an incomplete rest. */
  const frames = (bytes: Buffer) => {
    const end = bytes.length;
    let at = 0;
    while (!finished) {
      const left = end - at;
      if (left < 2) {
        needed = 2;
        break;
      }
      const b0 = bytes[at]!;
      const b1 = bytes[at + 1]!;
      let length = b1 & 0x7f;
      let start = at + 2;
      if (length === 126) {
        if (left < 4) {
          needed = 4;
          break;
        }
        length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
        start += 2;
      } else if (length === 127) {
        if (left < 10) {
          needed = 10;
          break;
        }
        const big = bytes.readBigUInt64BE(at + 2);
        length = big > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(big);
        start += 8;
      }
      const opcode = b0 & 0x0f;
      if ((b1 & 0x80) !== 0) throw new Violation(1002, "masked frame from the server");
      if ((b0 & 0x70) !== 0) throw new Violation(1002, "reserved bits set (no extension)");
      if (opcode >= 0x8) {
        if (length > 125) throw new Violation(1002, "oversize control frame");
        if ((b0 & 0x80) === 0) throw new Violation(1002, "fragmented control frame");
      } else if (fragmentBytes + length > maxMessageBytes) {
        throw new Violation(1009, `message larger than maxFrameBytes (${maxMessageBytes} bytes)`);
      }
      const stop = start + length;
      if (stop > end) {
        needed = stop - at;
        break;
      }
      at = stop;
      // The hot path: a whole text message in one frame.
      if (b0 === 0x81 && fragmentOpcode === -1) on.text(decode(bytes, start, stop, true));
      else other(opcode, (b0 & 0x80) !== 0, bytes, start, stop);
    }
    if (at < end && !finished) {
      pending = [bytes.subarray(at)];
      pendingBytes = end - at;
    }
  };

  /**
   * A read: first completes a frame begun in earlier reads (copying only that frame's bytes),
   * then reads the rest of the chunk in place.
   */
  const receive = (chunk: Buffer) => {
    let offset = 0;
    while (pendingBytes !== 0) {
      const take = needed - pendingBytes;
      if (chunk.length - offset < take) {
        // A large frame: gather its reads, copy once when it is whole.
        pending.push(offset === 0 ? chunk : chunk.subarray(offset));
        pendingBytes += chunk.length - offset;
        return;
      }
      pending.push(chunk.subarray(offset, offset + take));
      offset += take;
      const joined = Buffer.concat(pending, needed);
      pending = [];
      pendingBytes = 0;
      // Exactly one frame (read now), or its header alone (then the frame is pending again).
      frames(joined);
      if (finished) return;
    }
    if (offset < chunk.length) frames(offset === 0 ? chunk : chunk.subarray(offset));
  };

  const key = randomBytes(16).toString("base64");
  const handshake = (chunk: Buffer) => {
    head = head === undefined ? chunk : Buffer.concat([head, chunk]);
    const end = head.indexOf("\r\n\r\n", 0, "latin1");
    if (end < 0) {
      if (head.length > MAX_HEAD_BYTES) throw new Error("upgrade response headers too large");
      return;
    }
    const response = parseResponse(head.toString("latin1", 0, end));
    const rest = head.subarray(end + 4);
    head = undefined;
    if (response.status !== 101) {
      finished = true;
      socket.destroy();
      on.handshakeFailed(
        Number.isNaN(response.status) ? undefined : response.status,
        `Unexpected server response: ${response.status}`,
        retryAfterMs(response.headers.get("retry-after")),
      );
      return;
    }
    const accept = createHash("sha1").update(key + GUID).digest("base64");
    if (response.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      throw new Error("the upgrade response has no Upgrade: websocket header");
    }
    if (response.headers.get("sec-websocket-accept") !== accept) {
      throw new Error("the upgrade response has a wrong Sec-WebSocket-Accept");
    }
    opened = true;
    on.open();
    if (rest.length > 0 && !finished) frames(rest);
  };

  socket.on("data", (chunk: Buffer) => {
    if (finished) return;
    try {
      if (opened) receive(chunk);
      else handshake(chunk);
    } catch (error) {
      if (finished) return;
      if (error instanceof Violation && opened) refuse(error);
      else finish(1006, opened ? "" : (error as Error).message);
    }
  });
  socket.on("error", (error: Error) => {
    if (!opened && failure === "") failure = error.message;
  });
  socket.on("close", () => finish(1006, opened ? "" : failure));

  let request = `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n` +
    `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\n` +
    "Sec-WebSocket-Version: 13\r\n";
  for (const [name, value] of Object.entries(headers)) request += `${name}: ${value}\r\n`;
  socket.write(`${request}\r\n`, "latin1");

  return {
    send(text) {
      if (opened && !finished && !closeSent) write(clientFrame(0x1, Buffer.from(text, "utf8")));
    },
    close(code = 1000, reason = "") {
      if (finished) return;
      // Still connecting, or a second close while the peer ignores the first: cut it.
      if (!opened || closeSent) return finish(1006, "");
      sendClose(code, reason);
      // The server answers with its close frame (reported then); cut it if it never does.
      closeTimer = setTimeout(() => finish(1006, ""), lingerMs);
    },
  };
}
