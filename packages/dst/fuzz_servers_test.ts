/**
 * Fuzzing the two servers a client talks to here — the simulator's command handling and
 * `kalshi-ws replay --serve` — with hostile client frames: real commands mutated (truncated,
 * bytes flipped, fields of the wrong type, 100 000-deep nesting, unicode, `null`), random JSON
 * values and junk; the replay server also with hostile recordings. Both must answer every frame
 * without throwing, with JSON-object frames only, Kalshi's error codes only, the client's own
 * `id` on every reply to it, and keep serving valid commands afterwards. A short phase sends the
 * same frames to the real simulator over loopback.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { CHANNELS } from "@kalshi-ws/core";
import { Exchange, ProtocolConnection } from "@kalshi-ws/simulator/model";
import { startSimulator } from "@kalshi-ws/simulator";
import { Fuzz, KEYS } from "./_fuzz.ts";
import { ReplayConnection } from "../../apps/cli/replay_server.ts";
import type { RecordingEntry } from "../../apps/cli/recording.ts";

/** CI size; `FUZZ_SERVERS=1000000 deno test -A packages/dst/fuzz_servers_test.ts` for more. */
const FRAMES = Number(Deno.env.get("FUZZ_SERVERS") ?? 50_000);

/** Kalshi's error codes (protocol reference §5): nothing else may come back. */
const KALSHI_CODES = new Set(Array.from({ length: 28 }, (_, i) => i + 1));

const TICKERS = new Exchange({ seed: 1 }).markets().map((m) => m.ticker);

/** Valid commands of every kind, to mutate. */
const COMMANDS: readonly Record<string, unknown>[] = [
  { id: 1, cmd: "subscribe", params: { channels: ["orderbook_delta"], market_tickers: TICKERS } },
  { id: 2, cmd: "subscribe", params: { channels: ["ticker", "trade"] } },
  { id: 3, cmd: "subscribe", params: { channels: ["fill"], send_initial_snapshot: true } },
  {
    id: 4,
    cmd: "subscribe",
    params: { channels: ["orderbook_delta"], market_ticker: TICKERS[0], use_yes_price: true },
  },
  { id: 5, cmd: "unsubscribe", params: { sids: [1, 2] } },
  {
    id: 6,
    cmd: "update_subscription",
    params: { sid: 1, action: "add_markets", market_tickers: TICKERS.slice(0, 2) },
  },
  { id: 7, cmd: "update_subscription", params: { sids: [1], action: "get_snapshot" } },
  { id: 8, cmd: "list_subscriptions" },
  { id: 9, cmd: "subscribe", params: { channels: ["communications"], shard_factor: 2 } },
];

/** One hostile client frame. */
function hostileFrame(fuzz: Fuzz): string {
  switch (fuzz.int(0, 9)) {
    case 0:
      return JSON.stringify(fuzz.value()) ?? "null";
    case 1:
      return fuzz.string(40);
    case 2:
      return fuzz.pick(["null", "[]", "{}", '""', "0", "true", "{", "", " ", "\u0000"]);
    case 3: {
      const command = structuredClone(fuzz.pick(COMMANDS));
      command[fuzz.pick(["id", "cmd", "params"])] = fuzz.value();
      return JSON.stringify(command);
    }
    case 4: {
      const command = structuredClone(fuzz.pick(COMMANDS));
      const params = (command.params ?? {}) as Record<string, unknown>;
      params[fuzz.pick(KEYS)] = fuzz.value();
      command.params = params;
      return JSON.stringify(command);
    }
    default:
      return fuzz.mutate(JSON.stringify(fuzz.pick(COMMANDS)));
  }
}

/** The id a frame carries, when it is a usable command id (what replies must echo). */
function commandId(text: string): number | undefined {
  try {
    const id = (JSON.parse(text) as { id?: unknown } | null)?.id;
    return Number.isSafeInteger(id) && (id as number) > 0 ? id as number : undefined;
  } catch {
    return undefined;
  }
}

/** Checks one server frame: a JSON object; an error carries a Kalshi code. */
function checkReply(text: string, context: string): Record<string, unknown> {
  const reply = JSON.parse(text) as Record<string, unknown>;
  assert.ok(typeof reply === "object" && reply !== null && !Array.isArray(reply), context);
  if (reply.type === "error") {
    const code = (reply.msg as { code?: unknown }).code;
    assert.ok(KALSHI_CODES.has(code as number), `error code ${code} for ${context}`);
  }
  return reply;
}

test(`the simulator's command handling answers ${FRAMES} hostile client frames without throwing`, () => {
  const fuzz = new Fuzz(0x51a);
  const exchange = new Exchange({ seed: 3 });
  exchange.addAccount("u");
  let connection = new ProtocolConnection({ exchange, userId: "u", marketLimit: 50 });
  const now = Date.UTC(2026, 10, 25);
  for (let i = 0; i < FRAMES; i++) {
    const text = hostileFrame(fuzz);
    const context = `frame ${i}: ${text.slice(0, 120)}`;
    let frames;
    try {
      frames = connection.handleText(text, now + i);
    } catch (error) {
      assert.fail(`handleText threw ${error} for ${context}`);
    }
    const id = commandId(text);
    for (const frame of frames) {
      const reply = checkReply(frame.text, context);
      if (reply.id !== undefined) assert.equal(reply.id, id, `reply id for ${context}`);
    }
    if (i % 50 === 0) connection.onEvents(exchange.step(now + i));
    if (i % 5_000 === 4_999) {
      // Still serving: a valid command is answered as usual.
      const [ok] = connection.handleText('{"id":77,"cmd":"list_subscriptions"}', now + i);
      assert.equal(checkReply(ok!.text, "probe").type, "ok");
      assert.ok(connection.subscriptions().length <= i + 1, "bounded state");
      connection = new ProtocolConnection({ exchange, userId: "u", marketLimit: 50 });
    }
  }
});

/** A recorded connection: the valid commands and what the model answered, plus data frames. */
function recordedSegment(seed: number): RecordingEntry[] {
  const exchange = new Exchange({ seed });
  const connection = new ProtocolConnection({ exchange, userId: undefined });
  const entries: RecordingEntry[] = [];
  let t = 0;
  for (const command of COMMANDS.slice(0, 3)) {
    const text = JSON.stringify(command);
    entries.push({ t: t++, sent: text });
    for (const f of connection.handleText(text, t)) entries.push({ t: t++, frame: f.text });
  }
  for (let i = 0; i < 50; i++) {
    for (const f of connection.onEvents(exchange.step(i * 100))) {
      entries.push({ t: t++, frame: f.text });
    }
  }
  return entries;
}

/** A recording entry mangled the way a hostile or damaged recording would be. */
function hostileEntry(fuzz: Fuzz, entry: RecordingEntry): RecordingEntry {
  if ("frame" in entry && fuzz.chance(0.3)) return { t: entry.t, frame: fuzz.mutate(entry.frame) };
  if ("sent" in entry && fuzz.chance(0.3)) return { t: entry.t, sent: fuzz.mutate(entry.sent) };
  if (fuzz.chance(0.05)) return { t: entry.t, frame: fuzz.pick(["null", "[]", "1", '"x"']) };
  if (fuzz.chance(0.02)) return { t: entry.t, bad_frame: fuzz.string(20), length: 20 };
  return entry;
}

test(`replay --serve answers ${FRAMES} hostile client frames and hostile recordings without throwing`, () => {
  const fuzz = new Fuzz(0x4e91a);
  const segment = recordedSegment(5);
  let served = 0;
  for (let round = 0; served < FRAMES; round++) {
    const entries = round % 2 === 0 ? segment : segment.map((e) => hostileEntry(fuzz, e));
    const sent: string[] = [];
    let closed = false;
    const replay = new ReplayConnection(entries, {
      send: (text) => sent.push(text),
      close: () => (closed = true),
      warn: () => {},
    }, 0);
    try {
      replay.start();
      for (let i = 0; i < 500 && !closed; i++, served++) {
        const text = fuzz.chance(0.1) ? JSON.stringify(fuzz.pick(COMMANDS)) : hostileFrame(fuzz);
        const before = sent.length;
        replay.receive(text);
        const context = `round ${round} frame ${i}: ${text.slice(0, 120)}`;
        for (const reply of sent.slice(before)) {
          assert.equal(typeof reply, "string", context);
          // A hostile recording's frames pass through as recorded (malformed ones included);
          // from a clean one, every error is the replay's own answer and must be Kalshi's.
          if (entries === segment) checkReply(reply, context);
        }
      }
      if (!closed) {
        // Still serving: a command it never saw is answered from its own state.
        const before = sent.length;
        replay.receive('{"id":4242,"cmd":"list_subscriptions"}');
        const answer = sent.slice(before).map(tryParse).find((r) => r?.id === 4242);
        assert.ok(answer !== undefined, `round ${round}: still answers`);
      }
    } catch (error) {
      assert.fail(`ReplayConnection threw ${error} in round ${round}`);
    } finally {
      replay.stop();
    }
  }
});

test("the real simulator survives hostile client frames over loopback and keeps answering", async () => {
  await using sim = await startSimulator({
    seed: 9,
    autoStart: false,
    pingIntervalMs: 0,
    auth: "open",
  });
  const fuzz = new Fuzz(0x10c);
  const socket = new WebSocket(sim.url);
  const replies: string[] = [];
  socket.onmessage = (event) => replies.push(String(event.data));
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  for (let i = 0; i < 300; i++) socket.send(hostileFrame(fuzz));
  socket.send('{"id":99,"cmd":"list_subscriptions"}');
  const deadline = Date.now() + 20_000;
  while (!replies.some((r) => tryParse(r)?.id === 99) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.ok(replies.some((r) => tryParse(r)?.id === 99), "answered after the hostile frames");
  for (const reply of replies) checkReply(reply, "loopback");
  socket.close();
  await new Promise((resolve) => (socket.onclose = resolve));
});

function tryParse(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text);
    return typeof value === "object" && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

// The channel list is part of the command corpus; keep it honest if channels are added.
assert.ok(CHANNELS.includes("orderbook_delta"));
