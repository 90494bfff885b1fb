/**
 * The Node transport: a WebSocket client of its own over `node:net`/`node:tls`
 * (`node_websocket.ts`), which sends upgrade headers, reports the HTTP status (and
 * `Retry-After`) of a refused upgrade, and shows ping frames (answering them with pongs), so the
 * client can count Kalshi's `heartbeat` pings as liveness.
 *
 * Every complete frame of a socket read is decoded from the read's buffer and handed over in one
 * synchronous run (`readsInRuns`: the client reads the clock once per read). Text is decoded
 * leniently and checked strictly only when it holds U+FFFD (a replaced invalid sequence, or a
 * real one); invalid UTF-8 in a text message closes the connection with 1007 and a reason that
 * says so. A message above `maxFrameBytes` is refused with 1009 before it is buffered.
 *
 * @module
 */

import type { Transport } from "@kalshi-ws/client";
import { openNodeSocket } from "./node_websocket.ts";

/** Opens sockets with `node:net`/`node:tls` (works on Deno too, through its `node:` modules). */
export const nodeTransport: Transport = {
  name: "node",
  seesPings: true,
  readsInRuns: true,
  open: openNodeSocket,
};
