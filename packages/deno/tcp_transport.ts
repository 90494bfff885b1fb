/**
 * The batched Deno transport: a WebSocket over `Deno.connect`/`Deno.connectTls`
 * (`tcp_websocket.ts`) that hands every frame of a socket read over in one event-loop turn. On
 * the loopback benchmark it carries the client past a bare Deno `WebSocket` that only
 * `JSON.parse`s (see `bench/README.md`, issue #19), where the built-in `WebSocket`'s one turn
 * per message caps it below. It sees pings, so Kalshi's heartbeats count as liveness.
 *
 * @module
 */

import type { OpenOptions, SocketConnection, SocketEvents, Transport } from "@kalshi-ws/client";
import { openStreamSocket } from "./tcp_websocket.ts";

/** Opens sockets over Deno's TCP/TLS connections with this package's own WebSocket framing. */
export const tcpTransport: Transport = {
  name: "deno-tcp",
  seesPings: true,
  // tcp_websocket.ts hands every complete frame of a socket read over in one synchronous loop.
  readsInRuns: true,
  open(url, headers, events: SocketEvents, options?: OpenOptions): SocketConnection {
    return openStreamSocket(url, headers, events, options?.maxFrameBytes);
  },
};
