/**
 * The Deno transport: Deno's built-in `WebSocket`, which accepts upgrade headers. It answers
 * pings itself and never shows them, so the client's liveness probe relies on
 * `list_subscriptions` round trips instead.
 *
 * @module
 */

import type { SocketConnection, SocketEvents, Transport } from "@kalshi-ws/client";
import { statusFromHandshakeMessage } from "@kalshi-ws/client/internal";

/** Deno's constructor options (not in the DOM lib typings). */
type DenoWebSocketConstructor = new (
  url: string,
  options: { headers: Record<string, string> },
) => WebSocket;

/** Opens sockets with Deno's built-in `WebSocket`. */
export const denoTransport: Transport = {
  name: "deno",
  seesPings: false,
  open(url, headers, events: SocketEvents): SocketConnection {
    const Ctor = WebSocket as unknown as DenoWebSocketConstructor;
    const socket = new Ctor(url, { headers: { ...headers } });
    socket.binaryType = "arraybuffer";
    const decoder = new TextDecoder();
    let opened = false;
    let finished = false;
    let failure = "";
    socket.onopen = () => {
      opened = true;
      events.open();
    };
    socket.onmessage = (event: MessageEvent) => {
      const data = event.data;
      events.text(typeof data === "string" ? data : decoder.decode(data as ArrayBuffer));
    };
    socket.onerror = (event: Event) => {
      if (!opened && "message" in event) failure = String(event.message);
    };
    socket.onclose = (event: CloseEvent) => {
      if (finished) return;
      finished = true;
      if (opened) events.close(event.code || 1006, event.reason);
      else {
        const message = failure || "WebSocket closed before the handshake completed";
        events.handshakeFailed(statusFromHandshakeMessage(message), message);
      }
    };
    return {
      send(text) {
        socket.send(text);
      },
      close(code = 1000, reason = "") {
        if (socket.readyState === WebSocket.CLOSED) return;
        try {
          socket.close(code, reason);
        } catch {
          socket.close();
        }
      },
    };
  },
};
