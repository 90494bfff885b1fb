/**
 * `replay --serve`: serves a recording over the Kalshi WebSocket protocol on 127.0.0.1, so any
 * unmodified client (this CLI, the library, another Kalshi client) can connect to it.
 *
 * Each accepted connection replays the next recorded connection (cycling back to the first at
 * the end). Recorded frames are sent in order, paced by `--speed`. A recorded reply to a
 * command is held until the client sends the same command (same `cmd` and params, compared
 * without `id`), and then goes out with the client's `id`; replies to recorded liveness probes
 * (`list_subscriptions`) that the client did not send are skipped. Commands that were never
 * recorded are answered from the replay's state: `list_subscriptions` with the live sids,
 * `unsubscribe` with `unsubscribed`, an unknown `subscribe` with fresh sids that carry no data.
 * A recorded disconnect other than the client's own close ends the connection (code 4000), so
 * the client reconnects and receives the next recorded connection, as it did live.
 *
 * Handshakes are not authenticated: any (or no) signature is accepted.
 *
 * @module
 */

import type { CommandContext } from "./context.ts";
import type { Recording, RecordingEntry } from "./recording.ts";

/** Splits a recording into its connections (entries from one `connected` to the next). */
export function recordedConnections(entries: readonly RecordingEntry[]): RecordingEntry[][] {
  const segments: RecordingEntry[][] = [];
  let current: RecordingEntry[] | undefined;
  for (const entry of entries) {
    if ("event" in entry && entry.event === "connected") {
      current = [];
      segments.push(current);
    } else if (current !== undefined) current.push(entry);
  }
  if (segments.length === 0) segments.push([...entries]);
  return segments;
}

/** A command compared without its `id`: `cmd` plus params with sorted keys and lists. */
export function commandKey(command: { cmd?: unknown; params?: unknown }): string {
  return JSON.stringify([command.cmd, normalize(command.params)]);
}

function normalize(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(normalize);
    return items.every((v) => typeof v === "string" || typeof v === "number")
      ? [...items].sort()
      : items;
  }
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      out[key] = normalize((value as Record<string, unknown>)[key]);
    }
    return out;
  }
  return value;
}

interface RecordedCommand {
  readonly key: string;
  readonly cmd: unknown;
  used: boolean;
}

/** Wire-level view of a frame: just what routing needs. */
interface FrameHead {
  type?: string;
  id?: number;
  sid?: number;
  seq?: number;
  msg?: { channel?: string; sid?: number };
}

/** Replays one recorded connection to one live socket. */
export class ReplayConnection {
  readonly #entries: readonly RecordingEntry[];
  readonly #send: (text: string) => void;
  readonly #close: (code: number, reason: string) => void;
  readonly #speed: number;
  readonly #warn: (message: string) => void;
  readonly #recorded = new Map<number, RecordedCommand>();
  readonly #idMap = new Map<number, number>();
  readonly #lastSeq = new Map<number, number>();
  readonly #channels = new Map<number, string>();
  readonly #closedSids = new Set<number>();
  readonly #startedAt = performance.now();
  readonly #firstT: number;
  #cursor = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #nextFreshSid = 1_000;
  #ended = false;

  /** Serves `entries` (one recorded connection) through `send`/`close`. */
  constructor(
    entries: readonly RecordingEntry[],
    io: {
      send: (text: string) => void;
      close: (code: number, reason: string) => void;
      warn?: (message: string) => void;
    },
    speed: number,
  ) {
    this.#entries = entries;
    this.#send = io.send;
    this.#close = io.close;
    this.#warn = io.warn ?? (() => {});
    this.#speed = speed;
    this.#firstT = entries[0]?.t ?? 0;
    for (const entry of entries) {
      if (!("sent" in entry)) continue;
      try {
        const command = JSON.parse(entry.sent) as { id?: number; cmd?: unknown; params?: unknown };
        if (typeof command.id === "number") {
          this.#recorded.set(command.id, {
            key: commandKey(command),
            cmd: command.cmd,
            used: false,
          });
        }
      } catch {
        // a recorded command that was not JSON: its reply (if any) is sent as recorded
      }
    }
  }

  /** Starts sending. */
  start(): void {
    this.#pump();
  }

  /** Stops sending (the socket closed). */
  stop(): void {
    this.#ended = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Handles a command from the live client. */
  receive(text: string): void {
    let command: { id?: number; cmd?: unknown; params?: Record<string, unknown> };
    try {
      command = JSON.parse(text);
    } catch {
      this.#send(
        JSON.stringify({ type: "error", msg: { code: 1, msg: "Unable to process message" } }),
      );
      return;
    }
    const key = commandKey(command);
    for (const [recordedId, recorded] of this.#recorded) {
      if (!recorded.used && recorded.key === key) {
        recorded.used = true;
        if (typeof command.id === "number") this.#idMap.set(recordedId, command.id);
        this.#pump();
        return;
      }
    }
    this.#answer(command);
  }

  /** Answers a command the recording has no reply for. */
  #answer(command: { id?: number; cmd?: unknown; params?: Record<string, unknown> }): void {
    const id = command.id;
    const reply = (value: Record<string, unknown>) =>
      this.#send(JSON.stringify(id === undefined ? value : { id, ...value }));
    switch (command.cmd) {
      case "list_subscriptions":
        reply({
          type: "ok",
          msg: [...this.#channels].map(([sid, channel]) => ({ channel, sid })),
        });
        return;
      case "unsubscribe": {
        const sids = Array.isArray(command.params?.sids) ? command.params.sids as number[] : [];
        if (sids.length === 0) {
          reply({ type: "error", msg: { code: 4, msg: "Subscription IDs required" } });
          return;
        }
        for (const sid of sids) {
          if (!this.#channels.has(sid)) {
            reply({ type: "error", msg: { code: 7, msg: "Unknown subscription ID" } });
            continue;
          }
          const seq = (this.#lastSeq.get(sid) ?? 0) + 1;
          this.#lastSeq.set(sid, seq);
          this.#channels.delete(sid);
          this.#closedSids.add(sid);
          reply({ type: "unsubscribed", sid, seq });
        }
        return;
      }
      case "subscribe": {
        const channels = Array.isArray(command.params?.channels) ? command.params.channels : [];
        this.#warn(
          `replay: no recorded subscription matches ${JSON.stringify(command.params)}; ` +
            "answering with sids that carry no data",
        );
        for (const channel of channels) {
          const sid = this.#nextFreshSid++;
          this.#channels.set(sid, String(channel));
          reply({ type: "subscribed", msg: { channel, sid } });
        }
        return;
      }
      default:
        this.#warn(`replay: command ${JSON.stringify(command.cmd)} is not in the recording`);
        reply({ type: "error", msg: { code: 5, msg: "Unknown command" } });
    }
  }

  #pump(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const entries = this.#entries;
    while (!this.#ended && this.#cursor < entries.length) {
      const entry = entries[this.#cursor]!;
      if (this.#speed > 0) {
        const wait = this.#startedAt + (entry.t - this.#firstT) / this.#speed - performance.now();
        if (wait > 1) {
          this.#timer = setTimeout(() => this.#pump(), wait);
          return;
        }
      }
      if ("frame" in entry) {
        if (!this.#sendFrame(entry.frame)) return; // waiting for the client's command
      } else if ("event" in entry && entry.event === "disconnected") {
        this.#cursor++;
        if (entry.code !== 1000) {
          this.#ended = true;
          this.#close(4000, "recorded disconnect");
        }
        return;
      }
      this.#cursor++;
    }
  }

  /** Sends one recorded frame; false while it waits for the client's matching command. */
  #sendFrame(text: string): boolean {
    let head: FrameHead;
    try {
      head = JSON.parse(text);
    } catch {
      this.#send(text); // recorded as received, malformed or not
      return true;
    }
    if (head.sid !== undefined && this.#closedSids.has(head.sid)) return true;
    let out = text;
    if (typeof head.id === "number") {
      const live = this.#idMap.get(head.id);
      if (live === undefined) {
        const recorded = this.#recorded.get(head.id);
        if (recorded !== undefined && recorded.cmd !== "list_subscriptions") return false;
        // A probe reply (or an unknown id): the live client did not ask; a later probe of its
        // own is answered from the replay's state instead.
        if (recorded !== undefined) recorded.used = true;
        return true;
      }
      head.id = live;
      out = JSON.stringify(head);
    }
    if (head.type === "subscribed" && head.msg?.sid !== undefined) {
      this.#channels.set(head.msg.sid, head.msg.channel ?? "");
    } else if (head.type === "unsubscribed" && head.sid !== undefined) {
      this.#channels.delete(head.sid);
    }
    if (head.sid !== undefined && head.seq !== undefined) this.#lastSeq.set(head.sid, head.seq);
    this.#send(out);
    return true;
  }
}

/** Runs `replay --serve` until stopped; resolves with the exit code. */
export async function serveRecording(
  context: CommandContext,
  recording: Recording,
): Promise<number> {
  const { args, out, lifetime, format } = context;
  const segments = recordedConnections(recording.entries);
  const live = new Set<{ socket: WebSocket; replay: ReplayConnection }>();
  let accepted = 0;
  const listening = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: args.port ?? 0,
    onListen: (addr) => listening.resolve(addr as Deno.NetAddr),
  }, (request) => {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("Upgrade Required: connect a WebSocket\n", { status: 426 });
    }
    const { socket, response } = Deno.upgradeWebSocket(request);
    const index = accepted++ % segments.length;
    const replay = new ReplayConnection(segments[index]!, {
      send: (text) => {
        if (socket.readyState === WebSocket.OPEN) socket.send(text);
      },
      close: (code, reason) => socket.close(code, reason),
      warn: (message) => out.warn(message),
    }, args.speed);
    const entry = { socket, replay };
    socket.onopen = () => {
      live.add(entry);
      out.status(
        `replay: connection ${accepted} gets recorded connection ${index + 1}/${segments.length}`,
      );
      replay.start();
    };
    socket.onmessage = (event) => replay.receive(String(event.data));
    socket.onclose = () => {
      replay.stop();
      live.delete(entry);
    };
    socket.onerror = () => {};
    return response;
  });
  try {
    const addr = await listening.promise;
    const url = `ws://127.0.0.1:${addr.port}/trade-api/ws/v2`;
    if (format === "ndjson") out.json({ url, connections: segments.length });
    else out.line(`url: ${url}`);
    out.status(
      `replay: serving ${args.file} (${segments.length} recorded connection(s), speed ` +
        `${args.speed === 0 ? "max" : `${args.speed}x`}); Ctrl-C to stop`,
    );
    await lifetime.done();
  } finally {
    for (const { socket, replay } of live) {
      replay.stop();
      try {
        socket.close(1001, "replay server stopping");
      } catch {
        // already closing
      }
    }
    await server.shutdown();
  }
  out.status(`replay: stopped (${lifetime.reason})`);
  return lifetime.exitCode;
}
