/**
 * The Node transport: the `ws` package, which sends upgrade headers, reports the HTTP status of
 * a rejected upgrade and shows ping frames (it answers them with pongs automatically), so the
 * client can count Kalshi's `heartbeat` pings as liveness.
 *
 * @module
 */

import WebSocket from "ws";
import type { OpenOptions, SocketConnection, SocketEvents, Transport } from "@kalshi-ws/client";

/** Opens sockets with the `ws` package. */
export const nodeTransport: Transport = {
  name: "node-ws",
  seesPings: true,
  open(url, headers, events: SocketEvents, options?: OpenOptions): SocketConnection {
    const socket = new WebSocket(url, {
      headers: { ...headers },
      perMessageDeflate: false,
      // ws refuses a larger message before buffering it all, and closes with 1009.
      ...(options?.maxFrameBytes === undefined ? {} : { maxPayload: options.maxFrameBytes }),
    });
    let tooLarge = "";
    let opened = false;
    let finished = false;
    let status: number | undefined;
    let failure = "";
    socket.on("open", () => {
      opened = true;
      events.open();
    });
    socket.on("message", (data: WebSocket.RawData) => {
      events.text(
        Array.isArray(data) ? Buffer.concat(data).toString("utf8") : data.toString("utf8"),
      );
    });
    socket.on("ping", () => events.ping());
    socket.on("unexpected-response", (request, response) => {
      status = response.statusCode;
      failure = `Unexpected server response: ${status}`;
      response.resume();
      request.destroy();
      socket.terminate();
    });
    socket.on("error", (error: Error) => {
      if (!opened && failure === "") failure = error.message;
      if ((error as { code?: string }).code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") {
        tooLarge = `message larger than maxFrameBytes (${options?.maxFrameBytes} bytes)`;
      }
    });
    socket.on("close", (code: number, reason: Buffer) => {
      if (finished) return;
      finished = true;
      // ws cuts the socket on an oversize message (1006); report it as 1009 "Message Too Big".
      if (opened && tooLarge !== "") events.close(1009, tooLarge);
      else if (opened) events.close(code, reason.toString("utf8"));
      else {events.handshakeFailed(
          status,
          failure || "WebSocket closed before the handshake completed",
        );}
    });
    return {
      send(text) {
        socket.send(text);
      },
      close(code = 1000, reason = "") {
        if (socket.readyState === WebSocket.OPEN) socket.close(code, reason);
        // Still connecting, or a second close while the peer ignores the first: cut it.
        else if (socket.readyState !== WebSocket.CLOSED) socket.terminate();
      },
    };
  },
};
