/**
 * Test helper: a hostile Kalshi-like server on loopback for end-to-end CLI tests. It accepts any
 * handshake, answers `subscribe` with `subscribed` on sid 1 (or with an error, when told), and
 * then plays a script of whatever frames a test wants: escape sequences in every field, frames of
 * sids nobody subscribed, floods of undecodable frames, huge frames, hostile close reasons.
 * Plain HTTP requests get what `http` says (e.g. a redirect), so `check` can be tested too.
 *
 * @module
 */

/** What the server does once a client subscribed. */
export interface HostileScript {
  /** Answer `subscribe` with this error frame `msg` (code, msg) instead of `subscribed`. */
  readonly refuseSubscribe?: { readonly code: number; readonly msg: string };
  /** Frames sent after `subscribed` (strings as is, objects JSON-encoded). */
  readonly frames?: readonly (string | Record<string, unknown>)[];
  /** This many copies of `flood` after the frames. */
  readonly floodCount?: number;
  /** The frame sent `floodCount` times. */
  readonly flood?: string;
  /** Close after the frames with this code and reason. */
  readonly closeWith?: { readonly code: number; readonly reason: string };
  /** The answer to a plain HTTP request (default 426). */
  readonly http?: () => Response;
}

/** A running hostile server. */
export interface HostileServer extends AsyncDisposable {
  /** `ws://127.0.0.1:<port>/trade-api/ws/v2`. */
  readonly url: string;
  /** Plain HTTP requests seen (method and path). */
  readonly httpRequests: string[];
  /** Text frames received from clients. */
  readonly received: string[];
}

/** Starts a hostile server playing `script` to every client. */
export function startHostileServer(script: HostileScript): HostileServer {
  const httpRequests: string[] = [];
  const received: string[] = [];
  const sockets = new Set<WebSocket>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      httpRequests.push(`${request.method} ${new URL(request.url).pathname}`);
      return script.http?.() ?? new Response("Upgrade Required\n", { status: 426 });
    }
    const { socket, response } = Deno.upgradeWebSocket(request);
    sockets.add(socket);
    socket.onclose = () => sockets.delete(socket);
    socket.onerror = () => {};
    socket.onmessage = (event) => {
      const text = String(event.data);
      received.push(text);
      const command = JSON.parse(text) as { id?: number; cmd?: string; params?: unknown };
      const send = (value: string | Record<string, unknown>) => {
        if (socket.readyState === WebSocket.OPEN) {
          socket.send(typeof value === "string" ? value : JSON.stringify(value));
        }
      };
      if (command.cmd === "subscribe") {
        if (script.refuseSubscribe !== undefined) {
          send({ id: command.id, type: "error", msg: script.refuseSubscribe });
          return;
        }
        const channels = (command.params as { channels: string[] }).channels;
        channels.forEach((channel, i) =>
          send({ id: command.id, type: "subscribed", msg: { channel, sid: i + 1 } })
        );
        for (const frame of script.frames ?? []) send(frame);
        for (let i = 0; i < (script.floodCount ?? 0); i++) send(script.flood!);
        if (script.closeWith !== undefined) {
          socket.close(script.closeWith.code, script.closeWith.reason);
        }
      } else if (command.cmd === "unsubscribe") {
        const sids = (command.params as { sids: number[] }).sids;
        for (const sid of sids) send({ id: command.id, type: "unsubscribed", sid, seq: 1 });
      } else if (command.cmd === "list_subscriptions") {
        send({ id: command.id, type: "ok", msg: [] });
      }
    };
    return response;
  });
  const port = (server.addr as Deno.NetAddr).port;
  return {
    url: `ws://127.0.0.1:${port}/trade-api/ws/v2`,
    httpRequests,
    received,
    async [Symbol.asyncDispose]() {
      for (const socket of sockets) {
        try {
          socket.close();
        } catch {
          // closing already
        }
      }
      await server.shutdown();
    },
  };
}
