/**
 * The loopback benchmark's sender, run as its own process: a bare-bones WebSocket server on
 * `127.0.0.1` that, once a client sends its first text frame (our client's `subscribe`, or the
 * bare client's "start"), writes the whole pre-encoded stream — `subscribed`, one snapshot per
 * market, then the `orderbook_delta` frames — as fast as the socket takes it. No JSON encoding
 * or framing happens while sending: it is one buffer, written in 1 MiB slices. Later commands
 * get no answer, except `unsubscribe` (an `unsubscribed` reply, for clean shutdowns).
 *
 *   deno run -A bench/_ws_sender.ts --frames 200000 --markets 1000
 *
 * Prints `{"port":N,"frames":N,"setup":N,"bytes":N}` on stdout when listening.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { makeDeltaWorkload } from "./_pipeline_workload.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { frames: { type: "string" }, markets: { type: "string" } },
});
const workload = makeDeltaWorkload(
  Number(values.frames ?? 200_000),
  Number(values.markets ?? 1000),
);

/** Encodes text frames as unmasked server frames, back to back, in one buffer. */
function encodeFrames(texts: readonly string[]): Uint8Array {
  const encoder = new TextEncoder();
  const payloads = texts.map((t) => encoder.encode(t));
  let size = 0;
  for (const p of payloads) size += p.length + (p.length < 126 ? 2 : p.length < 65536 ? 4 : 10);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const p of payloads) {
    out[at++] = 0x81; // FIN + text
    if (p.length < 126) out[at++] = p.length;
    else if (p.length < 65536) {
      out[at++] = 126;
      view.setUint16(at, p.length);
      at += 2;
    } else {
      out[at++] = 127;
      view.setBigUint64(at, BigInt(p.length));
      at += 8;
    }
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const stream = encodeFrames([...workload.setup, ...workload.frames]);
/** The seq the stream's sid continues with (snapshots and deltas consumed the ones before). */
const nextSeq = workload.setup.length + workload.frames.length;

/** Unmasks a client frame's payload (`mask` = its 4-byte key followed by the masked bytes). */
function unmask(masked: Uint8Array): Uint8Array {
  const payload = masked.slice(4);
  for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ masked[i & 3]!;
  return payload;
}

/**
 * The answer to a command sent after the stream started: `unsubscribed` for an `unsubscribe`
 * (so a client's clean shutdown — the CLI's — takes one round trip, not its timeout); nothing
 * for anything else.
 */
function replyTo(payload: Uint8Array): string | undefined {
  let command: { id?: number; cmd?: string };
  try {
    command = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    return undefined;
  }
  if (command.cmd !== "unsubscribe") return undefined;
  return JSON.stringify({ id: command.id, type: "unsubscribed", sid: 1, seq: nextSeq });
}

async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  for (let at = 0; at < data.length;) at += await conn.write(data.subarray(at));
}

async function accept(conn: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(1 << 16);
  let filled = 0;
  // Upgrade request.
  let headerEnd = -1;
  while (headerEnd < 0) {
    const n = await conn.read(buffer.subarray(filled));
    if (n === null) return;
    filled += n;
    headerEnd = new TextDecoder().decode(buffer.subarray(0, filled)).indexOf("\r\n\r\n");
  }
  const request = new TextDecoder().decode(buffer.subarray(0, headerEnd));
  const key = /sec-websocket-key:\s*(\S+)/i.exec(request)?.[1] ?? "";
  const digest = await crypto.subtle.digest(
    "SHA-1",
    new TextEncoder().encode(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`),
  );
  const accept = btoa(String.fromCharCode(...new Uint8Array(digest)));
  await writeAll(
    conn,
    new TextEncoder().encode(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
    ),
  );
  let pending = buffer.slice(headerEnd + 4, filled);
  let started = false;
  // Client frames (masked): the first text frame starts the stream; a close frame ends it.
  for (;;) {
    while (pending.length >= 2) {
      const opcode = pending[0]! & 0x0f;
      let length = pending[1]! & 0x7f;
      let at = 2;
      if (length === 126) {
        if (pending.length < 4) break;
        length = (pending[2]! << 8) | pending[3]!;
        at = 4;
      } else if (length === 127) {
        if (pending.length < 10) break;
        length = Number(new DataView(pending.buffer, pending.byteOffset + 2, 8).getBigUint64(0));
        at = 10;
      }
      if (pending.length < at + 4 + length) break;
      const payload = unmask(pending.subarray(at, at + 4 + length));
      pending = pending.slice(at + 4 + length);
      if (opcode === 0x8) {
        try {
          await writeAll(conn, new Uint8Array([0x88, 0x02, 0x03, 0xe8]));
        } catch {
          // the client already went away
        }
        conn.close();
        return;
      }
      if (opcode === 0x1 && started) {
        const reply = replyTo(payload);
        if (reply !== undefined) await writeAll(conn, encodeFrames([reply])).catch(() => {});
        continue;
      }
      if (opcode === 0x1 && !started) {
        started = true;
        (async () => {
          for (let at = 0; at < stream.length; at += 1 << 20) {
            await writeAll(conn, stream.subarray(at, Math.min(stream.length, at + (1 << 20))));
          }
        })().catch(() => {});
      }
    }
    const n = await conn.read(buffer).catch(() => null);
    if (n === null) {
      try {
        conn.close();
      } catch {
        // closed
      }
      return;
    }
    const next = new Uint8Array(pending.length + n);
    next.set(pending);
    next.set(buffer.subarray(0, n), pending.length);
    pending = next;
  }
}

const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
console.log(JSON.stringify({
  port: (listener.addr as Deno.NetAddr).port,
  frames: workload.frames.length,
  setup: workload.setup.length,
  bytes: stream.length,
  markets: workload.markets,
}));
for await (const conn of listener) {
  conn.setNoDelay(true);
  accept(conn).catch(() => {});
}
