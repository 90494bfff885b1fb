/**
 * Fuzzing the simulator's command handling with hostile client frames (`testing/
 * hostile_commands.ts`): real commands mutated (truncated, bytes flipped, fields of the wrong
 * type, 100 000-deep nesting, unicode, `null`), random JSON values and junk. It must answer every
 * frame without throwing, with JSON-object frames only, Kalshi's error codes only, the client's
 * own `id` on every reply to it, and keep serving valid commands afterwards. A short phase sends
 * the same frames to the real simulator over loopback. (`kalshi-ws replay --serve`, the other
 * server a client talks to here, gets the same frames in `apps/cli/replay_fuzz_test.ts`.)
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { CHANNELS } from "@kalshi-ws/core";
import { Exchange, ProtocolConnection } from "@kalshi-ws/simulator/model";
import { startSimulator } from "@kalshi-ws/simulator";
import { Fuzz } from "./testing/fuzz.ts";
import { checkReply, commandId, hostileFrame, tryParse } from "./testing/hostile_commands.ts";

/** CI size; `FUZZ_SERVERS=1000000 deno test -A packages/dst/fuzz_servers_test.ts` for more. */
const FRAMES = Number(Deno.env.get("FUZZ_SERVERS") ?? 50_000);

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

// The channel list is part of the command corpus; keep it honest if channels are added.
assert.ok(CHANNELS.includes("orderbook_delta"));
