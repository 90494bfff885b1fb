/**
 * The Node transport: the `ws` package, which sends upgrade headers, reports the HTTP status of
 * a rejected upgrade and shows ping frames (it answers them with pongs automatically), so the
 * client can count Kalshi's `heartbeat` pings as liveness.
 *
 * Text messages are decoded leniently and checked strictly only when the text holds U+FFFD (a
 * replaced invalid sequence, or a real one): `ws`'s own check of every message costs more than
 * the search for U+FFFD, which an ASCII frame answers at once. Invalid UTF-8 in a text message
 * still closes the connection, with 1007 and a reason that says so.
 *
 * @module
 */

import WebSocket from "ws";
import { isUtf8 } from "node:buffer";
import type { OpenOptions, SocketConnection, SocketEvents, Transport } from "@kalshi-ws/client";
import { retryAfterMs } from "@kalshi-ws/client/internal";

/** Opens sockets with the `ws` package. */
export const nodeTransport: Transport = {
  name: "node-ws",
  seesPings: true,
  // ws hands every complete message of a socket read over synchronously (since ws 8.17).
  readsInRuns: true,
  open(url, headers, events: SocketEvents, options?: OpenOptions): SocketConnection {
    const socket = new WebSocket(url, {
      headers: { ...headers },
      perMessageDeflate: false,
      skipUTF8Validation: true,
      // ws refuses a larger message before buffering it all, and closes with 1009.
      ...(options?.maxFrameBytes === undefined ? {} : { maxPayload: options.maxFrameBytes }),
      // ws waits 30 s for the peer to end TCP after the close frames: a server that closes but
      // holds the connection would delay the drop (and the reconnect) that long.
      ...(options?.closeTimeoutMs === undefined ? {} : { closeTimeout: options.closeTimeoutMs }),
    });
    let tooLarge = "";
    let invalidText = "";
    let opened = false;
    let finished = false;
    let status: number | undefined;
    let retryAfter: number | undefined;
    let failure = "";
    socket.on("open", () => {
      opened = true;
      events.open();
    });
    socket.on("message", (data: WebSocket.RawData, isBinary: boolean) => {
      if (invalidText !== "") return; // closing: nothing after the refused message
      const bytes = Array.isArray(data) ? Buffer.concat(data) : data as Buffer;
      const text = bytes.toString(); // UTF-8; without arguments, straight to the decoder
      if (!isBinary && text.includes("\uFFFD") && !isUtf8(bytes)) {
        invalidText = "invalid UTF-8 in a text message";
        socket.close(1007, invalidText);
        return;
      }
      events.text(text);
    });
    socket.on("ping", () => events.ping());
    socket.on("unexpected-response", (request, response) => {
      status = response.statusCode;
      failure = `Unexpected server response: ${status}`;
      retryAfter = retryAfterMs(response.headers["retry-after"]);
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
      else if (opened && invalidText !== "") events.close(1007, invalidText);
      else if (opened) events.close(code, reason.toString("utf8"));
      else {events.handshakeFailed(
          status,
          failure || "WebSocket closed before the handshake completed",
          retryAfter,
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
