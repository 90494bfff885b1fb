/**
 * Fuzzing the session: a `Session` with order books, subscribed to every data channel, fed the
 * model's real frames in order with mutated frames mixed in, timeouts at random instants and
 * reconnects. Whatever arrives, it must not throw, must only emit known events, must never put a
 * malformed command on the wire, and must stay bounded.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { BookStore, decodeMessage, Session, type SessionEvent } from "@kalshi-ws/core";
import { baseFrames, corpus, Fuzz } from "./testing/fuzz.ts";

/** CI size; `FUZZ_FRAMES=2000000 deno test -A packages/dst/fuzz_session_test.ts` for a long run. */
const FRAMES = Number(Deno.env.get("FUZZ_FRAMES") ?? 250_000);

const EVENT_TYPES = new Set<SessionEvent["type"]>([
  "data",
  "connected",
  "disconnected",
  "subscribed",
  "resubscribed",
  "resubscribe_scheduled",
  "unsubscribed",
  "subscription_lost",
  "gap",
  "seq_anomaly",
  "book_invalid",
  "resynced",
  "server_error",
  "command_result",
  "decode_error",
  "probe",
  "dead",
  "drift",
]);
const COMMANDS = new Set(["subscribe", "unsubscribe", "update_subscription", "list_subscriptions"]);

test(`Session.receiveText() survives ${FRAMES} random and mutated frames with bounded state`, async () => {
  const fuzz = new Fuzz(0x5e55);
  const base = await baseFrames(2);
  const tickers = [
    ...new Set(corpus(2, 1).flatMap((f) => /"market_ticker":"([^"]+)"/.exec(f)?.[1] ?? [])),
  ];
  const books = new BookStore();
  const session = new Session({ books, commandTimeoutMs: 2_000, idleMs: 5_000 });
  const keys = [
    session.subscribe({ channels: ["orderbook_delta"], market_tickers: tickers }, 0),
    session.subscribe({ channels: ["ticker", "trade", "market_lifecycle_v2"] }, 0),
    session.subscribe({ channels: ["fill", "user_orders", "market_positions"] }, 0),
  ];
  let now = 0;
  let sent = 0;
  let deltasCompared = 0;
  session.opened(now);
  const drain = (frame: string | undefined) => {
    let events = 0;
    for (let e = session.pollEvent(); e !== undefined; e = session.pollEvent()) {
      events++;
      assert.ok(EVENT_TYPES.has(e.type), `unknown event ${e.type}`);
      if (e.type === "data" && frame !== undefined && e.message.type === "orderbook_delta") {
        // The session's fast path must decode exactly as the full decoder does.
        // (Frames nested deeper than assert's recursion are skipped.)
        if (deltasCompared++ % 8 === 0 && frame.length < 4_000) {
          assert.deepEqual(e.message, decodeMessage(frame), frame);
        }
      }
    }
    assert.ok(events <= 64, `${events} events for one input`);
    let out = 0;
    for (let f = session.pollTransmit(); f !== undefined; f = session.pollTransmit()) {
      out++;
      sent++;
      const command = JSON.parse(f);
      assert.ok(Number.isSafeInteger(command.id) && command.id > 0, f);
      assert.ok(COMMANDS.has(command.cmd), f);
    }
    assert.ok(out <= 16, `${out} commands for one input`);
  };
  drain(undefined);
  let next = 0; // the corpus is replayed in order so sids and seqs are mostly right
  for (let i = 0; i < FRAMES; i++) {
    now += fuzz.int(0, 20);
    let frame: string;
    if (fuzz.chance(0.5)) {
      frame = base[next++ % base.length]!;
    } else frame = fuzz.mutate(fuzz.pick(base));
    try {
      session.receiveText(frame, now);
      drain(frame);
      if (fuzz.chance(0.01)) {
        now += fuzz.int(0, 10_000);
        session.handleTimeout(now);
        drain(undefined);
      }
      if (fuzz.chance(0.0005)) {
        session.closed(1006, "fuzz", now);
        session.opened(now);
        drain(undefined);
      }
    } catch (error) {
      const where = error instanceof Error ? error.stack?.split("\n").slice(1, 4).join(" ") : "";
      assert.fail(`Session threw ${error} (${where}) for ${JSON.stringify(frame.slice(0, 300))}`);
    }
  }
  assert.ok(sent > 0);
  assert.ok(deltasCompared > 100, `${deltasCompared} deltas compared`);
  assert.ok(session.subscriptionKeys().length <= keys.length);
  assert.ok(books.size <= 64, `${books.size} books held`);
  const drift = session.drift.entries().length;
  assert.ok(drift > 0 && drift <= 256, `${drift} kinds of drift held (mutated field names)`);
});
