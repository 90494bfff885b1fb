/**
 * Deterministic simulation one layer up: the real {@linkcode KalshiWsClient} (its reconnect
 * loop, backoff, liveness abandon, streams and listeners) over the client's in-memory transport
 * and manual clock, against the simulator's pure model. Slower than `harness.ts` (the client is
 * asynchronous, so every virtual step flushes microtasks), hence fewer seeds; it checks the end
 * state — every subscription live, every book valid and equal to the exchange's — and that no
 * subscription is lost and the client never gives up.
 *
 * @module
 */

import { KalshiWsClient, type Subscription } from "@kalshi-ws/client";
import { Exchange, type OutFrame, ProtocolConnection, Rng } from "@kalshi-ws/simulator/model";
import { ManualClock } from "../client/testing/manual_clock.ts";
import { type MemorySocket, MemoryTransport } from "../client/testing/memory_transport.ts";

/** Faults of the client-level simulation. */
export const CLIENT_FAULTS = [
  "disconnect",
  "silent",
  "drop",
  "duplicate",
  "error_10",
  "error_25",
  "reject_handshakes",
  "command_error",
  "ignore_command",
  "burst",
  "clock_jump",
] as const;

interface Conn {
  readonly socket: MemorySocket;
  readonly protocol: ProtocolConnection;
  silent: boolean;
  drop: boolean;
  duplicate: boolean;
  ignoreNext: boolean;
}

const USER = "dst-user";
const EPOCH = Date.UTC(2026, 10, 25, 12);

/** What one client-level run saw. */
export interface ClientRunStats {
  /** Reconnections. */
  reconnects: number;
  /** `gap` events. */
  gaps: number;
  /** `resubscribed` events. */
  resubscribes: number;
  /** Books compared with the truth at the end. */
  booksChecked: number;
}

/**
 * Runs one seed of the client-level simulation; resolves with `undefined` when every check
 * passed, else with what broke. Closes the client either way. `stats` is filled in if given.
 */
export async function simulateClient(
  seed: number,
  steps = 300,
  stats: ClientRunStats = { reconnects: 0, gaps: 0, resubscribes: 0, booksChecked: 0 },
): Promise<string | undefined> {
  const rng = new Rng(seed * 7919 + 1);
  const exchange = new Exchange({ seed, initialDepth: rng.int(1, 6), startTime: EPOCH });
  exchange.addAccount(USER);
  const clock = new ManualClock(0, EPOCH);
  const transport = new MemoryTransport({ seesPings: false });
  let conn: Conn | undefined;
  let seen = 0;
  let rejections = 0;
  const problems: string[] = [];
  const client = new KalshiWsClient({
    transport,
    endpoint: "ws://127.0.0.1:1/trade-api/ws/v2",
    keyId: "dst",
    signer: { sign: () => Promise.resolve("c2lnbmF0dXJl") },
    clock,
    books: true,
    reconnect: {
      initialDelayMs: 100,
      maxDelayMs: 2_000,
      stableAfterMs: 5_000,
      random: () => rng.float(),
    },
    resubscribe: {
      initialDelayMs: 100,
      maxDelayMs: 2_000,
      stableAfterMs: 5_000,
      random: () => rng.float(),
    },
    idleTimeoutMs: 2_000,
    probeTimeoutMs: 1_000,
    commandTimeoutMs: 1_000,
  });
  client.on(
    "subscription_lost",
    (e) => problems.push(`${e.subscription} lost: ${e.error.message}`),
  );
  client.on("connected", (e) => {
    if (e.reconnected) stats.reconnects++;
  });
  client.on("gap", () => stats.gaps++);
  client.on("resubscribed", () => stats.resubscribes++);
  client.on("closed", (e) => {
    if (e.error !== undefined) problems.push(`client closed: ${e.error.message}`);
  });

  const send = (c: Conn, frames: readonly OutFrame[]) => {
    if (c.silent || c.socket.state !== "open") return;
    for (const frame of frames) {
      // A drop never swallows a terminal error: a sid that dies without a word cannot be
      // noticed by any client (see harness.ts).
      if (frame.seq !== undefined && c.drop && !frame.text.startsWith('{"type":"error"')) {
        c.drop = false; // its seq is consumed: a gap
        continue;
      }
      c.socket.receive(frame.text);
      if (frame.seq !== undefined && c.duplicate) {
        c.duplicate = false;
        c.socket.receive(frame.text);
      }
    }
  };
  /** Accepts (or refuses) sockets the client opened since the last look. */
  const serve = () => {
    for (; seen < transport.sockets.length; seen++) {
      const socket = transport.sockets[seen]!;
      if (socket.state !== "connecting") continue;
      if (rejections > 0) {
        rejections--;
        socket.reject(rng.pick([503, 500, 429]));
        continue;
      }
      const c: Conn = {
        socket,
        protocol: new ProtocolConnection({ exchange, userId: USER }),
        silent: false,
        drop: false,
        duplicate: false,
        ignoreNext: false,
      };
      socket.onSend = (frame) => {
        if (c.silent) return;
        if (c.ignoreNext) {
          c.ignoreNext = false;
          return;
        }
        send(c, c.protocol.handleText(JSON.stringify(frame), clock.wallTime()));
      };
      socket.accept();
      conn = c;
    }
  };
  const market = (count: number) => {
    for (let i = 0; i < count; i++) {
      const events = exchange.step(clock.wallTime());
      const c = conn;
      if (c !== undefined && c.socket.state === "open") send(c, c.protocol.onEvents(events));
    }
  };
  const advance = async (ms: number) => {
    for (let left = ms; left > 0; left -= 50) {
      serve();
      await clock.advance(Math.min(50, left));
    }
    serve();
  };

  try {
    const starting = client.start();
    await advance(50);
    await starting;
    const tickers = exchange.markets().map((m) => m.ticker).filter(() => rng.chance(0.6));
    if (tickers.length === 0) tickers.push(exchange.markets()[0]!.ticker);
    const pending: Promise<Subscription>[] = [
      client.subscribe({ channels: ["orderbook_delta"], market_tickers: tickers }),
      client.subscribe({ channels: ["ticker", "trade"] }),
      client.subscribe({ channels: ["fill", "user_orders"] }),
    ];
    await advance(200);
    const subs = await Promise.all(pending);
    // Readers, as an application has them (streams must not wedge the client).
    const readers = subs.map(async (sub) => {
      for await (const _ of sub) { /* read */ }
    });

    for (let step = 0; step < steps; step++) {
      const c = conn?.socket.state === "open" ? conn : undefined;
      let ms = 50;
      if (rng.chance(0.04)) {
        const fault = rng.pick(CLIENT_FAULTS);
        const sid = c?.protocol.subscriptions().length
          ? rng.pick(c.protocol.subscriptions()).sid
          : undefined;
        switch (fault) {
          case "disconnect":
            c?.socket.drop();
            break;
          case "silent":
            if (c !== undefined) c.silent = true;
            break;
          case "drop":
            if (c !== undefined) c.drop = true;
            break;
          case "duplicate":
            if (c !== undefined) c.duplicate = true;
            break;
          case "error_10":
          case "error_25":
            if (c !== undefined && sid !== undefined) {
              send(c, c.protocol.raiseError(sid, fault === "error_10" ? 10 : 25));
            }
            break;
          case "reject_handshakes":
            rejections = rng.int(1, 3);
            c?.socket.drop();
            break;
          case "command_error":
            c?.protocol.failNextCommand(rng.pick([18, 27] as const));
            break;
          case "ignore_command":
            if (c !== undefined) c.ignoreNext = true;
            break;
          case "burst":
            market(rng.int(20, 200));
            break;
          case "clock_jump":
            ms = rng.int(2_000, 30_000);
            break;
        }
      }
      market(1);
      await advance(ms);
    }
    // Calm: disarm what never fired, let the market run, then stop it and let everything land.
    if (conn !== undefined) {
      conn.drop = conn.duplicate = conn.ignoreNext = false;
    }
    rejections = 0;
    for (let step = 0; step < 300; step++) {
      market(1);
      await advance(50);
    }
    await advance(3_000);
    if (client.state !== "open") problems.push(`client ${client.state} at the end`);
    for (const sub of subs) {
      if (!sub.active) problems.push(`${sub} not active at the end`);
      else if (sub.sids.length !== sub.channels.length) {
        problems.push(`${sub} has ${sub.sids.length}/${sub.channels.length} sids at the end`);
      }
    }
    for (const ticker of subs[0]!.markets ?? []) {
      const book = client.books!.get(ticker);
      if (book === undefined || !book.valid) {
        problems.push(`book ${ticker} invalid at the end`);
        continue;
      }
      stats.booksChecked++;
      const truth = exchange.market(ticker)!.book;
      for (const side of ["yes", "no"] as const) {
        const ladder = truth.ladder(side);
        let same = book.levelCount(side) === ladder.size;
        for (let rank = 0; same && rank < book.levelCount(side); rank++) {
          same = ladder.get(book.bidPrice(side, rank)!) === book.bidSize(side, rank);
        }
        if (!same) problems.push(`book ${ticker} ${side} differs from the truth at the end`);
      }
    }
    await client.close();
    await advance(3_000);
    await Promise.all(readers);
  } catch (error) {
    problems.push(`threw ${error instanceof Error ? error.stack : error}`);
  } finally {
    await client.close();
    await clock.advance(5_000);
  }
  return problems.length === 0 ? undefined : `seed ${seed}: ${problems.join("; ")}`;
}
