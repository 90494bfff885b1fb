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
 * Every client frame is hostile input: it passes the simulator's envelope check (the same
 * validation and error codes Kalshi uses) before anything looks at it, params nested deeper than
 * any real command are refused with code 1, and a recorded frame that is not a JSON object is
 * reported and skipped. Nothing a client or a recording contains can stop the server.
 *
 * @module
 */

import { errorFrame, isObject, parseCommandEnvelope } from "@kalshi-ws/simulator/envelope";
import { ErrorCode, isChannel } from "@kalshi-ws/client";
import type { CommandContext } from "./context.ts";
import type { Recording, RecordingEntry } from "./recording.ts";
import { setLongTimeout } from "./long_timer.ts";
import type { ServedSocket } from "./runtime.ts";

/** Deepest `params` nesting compared or answered (real commands nest two levels). */
const MAX_PARAMS_DEPTH = 8;

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

/**
 * A command compared without its `id`: `cmd` plus params with sorted keys and lists. Undefined
 * when the params nest deeper than any real command (such a command matches nothing).
 */
export function commandKey(command: { cmd?: unknown; params?: unknown }): string | undefined {
  if (!withinDepth(command.params, MAX_PARAMS_DEPTH)) return undefined;
  return JSON.stringify([command.cmd, normalize(command.params)]);
}

/** Whether `value` nests at most `max` arrays/objects deep (iterative: no stack to overflow). */
function withinDepth(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== "object") continue;
    if (depth >= max) return false;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return true;
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
  readonly key: string | undefined;
  readonly cmd: unknown;
  used: boolean;
}

/** Wire-level view of a frame: just what routing needs. */
interface FrameHead {
  type?: string;
  id?: number;
  sid?: number;
  seq?: number;
  msg?: unknown;
}

/** The start of a long text, for a warning line. */
function excerpt(text: string, length = 200): string {
  return text.length > length ? `${text.slice(0, length)}…` : text;
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
  #cancelTimer: (() => void) | undefined;
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
      // A recorded command that does not pass the envelope check: its reply (if any) is sent
      // as recorded.
      const command = parseCommandEnvelope(entry.sent);
      if (command.ok && command.id !== undefined) {
        this.#recorded.set(command.id, { key: commandKey(command), cmd: command.cmd, used: false });
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
    this.#clearTimer();
  }

  #clearTimer(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
  }

  /** Handles a frame from the live client (any text: it is validated like Kalshi would). */
  receive(text: string): void {
    const command = parseCommandEnvelope(text);
    if (!command.ok) {
      this.#send(errorFrame(command.code, command.id));
      return;
    }
    const params = command.params ?? undefined; // null counts as missing, as in the simulator
    const key = commandKey(command);
    if (key === undefined || (params !== undefined && !isObject(params))) {
      this.#send(errorFrame(ErrorCode.UnableToProcess, command.id)); // params of the wrong shape, as Kalshi answers
      return;
    }
    for (const [recordedId, recorded] of this.#recorded) {
      if (!recorded.used && recorded.key === key) {
        recorded.used = true;
        if (command.id !== undefined) this.#idMap.set(recordedId, command.id);
        this.#pump();
        return;
      }
    }
    this.#answer(command.id, command.cmd, params as Record<string, unknown> | undefined);
  }

  /** Answers a command the recording has no reply for (validated as the simulator does). */
  #answer(id: number | undefined, cmd: string, params: Record<string, unknown> | undefined): void {
    const reply = (value: Record<string, unknown>) =>
      this.#send(JSON.stringify(id === undefined ? value : { id, ...value }));
    const refuse = (code: Parameters<typeof errorFrame>[0]) => this.#send(errorFrame(code, id));
    if (cmd !== "list_subscriptions" && params === undefined) {
      return refuse(ErrorCode.ParamsRequired);
    }
    switch (cmd) {
      case "list_subscriptions":
        reply({
          type: "ok",
          msg: [...this.#channels].map(([sid, channel]) => ({ channel, sid })),
        });
        return;
      case "unsubscribe": {
        const sids = params?.sids;
        if (sids === undefined || sids === null || (Array.isArray(sids) && sids.length === 0)) {
          return refuse(ErrorCode.SidsRequired);
        }
        if (!Array.isArray(sids) || !sids.every((sid) => Number.isSafeInteger(sid))) {
          return refuse(ErrorCode.UnableToProcess);
        }
        for (const sid of sids as number[]) {
          if (!this.#channels.has(sid)) {
            refuse(ErrorCode.UnknownSid);
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
        const channels = params?.channels;
        if (
          channels === undefined || channels === null ||
          (Array.isArray(channels) && channels.length === 0)
        ) return refuse(ErrorCode.ChannelsRequired);
        if (!Array.isArray(channels) || !channels.every((c) => typeof c === "string")) {
          return refuse(ErrorCode.UnableToProcess);
        }
        if (!channels.every(isChannel)) return refuse(ErrorCode.UnknownChannel);
        this.#warn(
          `replay: no recorded subscription matches ${excerpt(JSON.stringify(params))}; ` +
            "answering with sids that carry no data",
        );
        for (const channel of new Set(channels)) {
          const sid = this.#nextFreshSid++;
          this.#channels.set(sid, channel);
          reply({ type: "subscribed", msg: { channel, sid } });
        }
        return;
      }
      default: {
        // update_subscription: the recording cannot change what it holds.
        this.#warn(`replay: command ${excerpt(JSON.stringify(cmd))} is not in the recording`);
        const sid = params?.sid ?? (Array.isArray(params?.sids) ? params.sids[0] : undefined);
        refuse(
          typeof sid === "number" && this.#channels.has(sid)
            ? ErrorCode.CommandTimeout
            : ErrorCode.UnknownSid,
        );
      }
    }
  }

  #pump(): void {
    this.#clearTimer();
    const entries = this.#entries;
    while (!this.#ended && this.#cursor < entries.length) {
      const entry = entries[this.#cursor]!;
      if (this.#speed > 0) {
        const wait = this.#startedAt + (entry.t - this.#firstT) / this.#speed - performance.now();
        if (wait > 1) {
          this.#cancelTimer = setLongTimeout(() => this.#pump(), wait);
          return;
        }
      }
      if ("frame" in entry) {
        if (!this.#sendFrame(entry.frame)) return; // waiting for the client's command
      } else if ("bad_frame" in entry) {
        this.#warn(`replay: recorded bad frame skipped: ${excerpt(entry.bad_frame)}`);
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
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.#send(text); // recorded as received: malformed frames are part of what happened
      return true;
    }
    if (!isObject(parsed)) {
      this.#warn(`replay: recorded frame is not a JSON object, skipped: ${excerpt(text)}`);
      return true;
    }
    const head = parsed as FrameHead;
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
    const msg = isObject(head.msg) ? head.msg : undefined;
    if (head.type === "subscribed" && typeof msg?.sid === "number") {
      this.#channels.set(msg.sid, typeof msg.channel === "string" ? msg.channel : "");
    } else if (head.type === "unsubscribed" && head.sid !== undefined) {
      this.#channels.delete(head.sid);
    }
    if (Number.isSafeInteger(head.sid) && Number.isSafeInteger(head.seq)) {
      this.#lastSeq.set(head.sid!, head.seq!);
    }
    this.#send(out);
    return true;
  }
}

/** Runs `replay --serve` until stopped; resolves with the exit code. */
export async function serveRecording(
  context: CommandContext,
  recording: Recording,
): Promise<number> {
  const { args, out, lifetime, format, runtime } = context;
  const segments = recordedConnections(recording.entries);
  const live = new Set<{ socket: ServedSocket; replay: ReplayConnection }>();
  let accepted = 0;
  const server = await runtime.serveWebSockets({
    port: args.port ?? 0,
    accept: (socket) => {
      const index = accepted++ % segments.length;
      const replay = new ReplayConnection(segments[index]!, {
        send: (text) => socket.send(text),
        close: (code, reason) => socket.close(code, reason),
        warn: (message) => out.warnRepeated("replay", "replay warnings", message),
      }, args.speed);
      const entry = { socket, replay };
      live.add(entry);
      out.status(
        `replay: connection ${accepted} gets recorded connection ${index + 1}/${segments.length}`,
      );
      replay.start();
      return {
        message: (text) => {
          try {
            replay.receive(text);
          } catch (error) {
            // A bug, not the client's fault: drop this client, keep serving the others.
            out.warn(
              `replay: internal error on a client frame (${String(error)}); connection closed`,
            );
            socket.close(1011, "internal error");
          }
        },
        closed: () => {
          replay.stop();
          live.delete(entry);
        },
      };
    },
  });
  try {
    const url = `ws://127.0.0.1:${server.port}/trade-api/ws/v2`;
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
      socket.close(1001, "replay server stopping");
    }
    await server.close();
  }
  out.status(`replay: stopped (${lifetime.reason})`);
  return lifetime.exitCode;
}
