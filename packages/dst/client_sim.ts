/**
 * Deterministic simulation one layer up: the real {@linkcode KalshiWsClient} (its connection
 * driver and lifecycle, backoff, liveness abandon, streams and listeners) over the client's
 * in-memory transport and manual clock, against the simulator's pure model. Slower than
 * `harness.ts` (the client is asynchronous, so every virtual step flushes microtasks), hence
 * fewer seeds. The same faults as the harness, those at the edges of a connection included
 * (handshakes never answered or refused for a while, a link cut between a command and its reply,
 * terminal-error storms), and the same budgets: no request waits past its deadline, automatic
 * re-subscribes stay bounded per minute, a stop ends the client in time in every state. A heal
 * run ends with every subscription live and every book valid and equal to the exchange's, no
 * subscription lost and the client never giving up; stop and outage runs end with a close.
 *
 * @module
 */

import { KalshiWsClient, type Subscription } from "@kalshi-ws/client";
import {
  ErrorStorm,
  Exchange,
  type OutFrame,
  ProtocolConnection,
  Rng,
} from "@kalshi-ws/simulator/model";
import { ManualClock, type MemorySocket, MemoryTransport } from "@kalshi-ws/client/testing";
import { RequestClock, ResubscribeRate } from "./budgets.ts";
import { HandshakePlan } from "./handshake_plan.ts";
// The same account, epoch, timeouts and re-subscribe bound as the harness (same pacing here).
import {
  CLOSE_TIMEOUT_MS,
  COMMAND_TIMEOUT_MS,
  EPOCH,
  MAX_REJECTIONS,
  RESUBSCRIBES_PER_MINUTE,
  USER,
} from "./scenario.ts";

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
  "hang_handshake",
  "refuse_for",
  "drop_before_reply",
  "error_storm",
] as const;

interface Conn {
  readonly socket: MemorySocket;
  readonly protocol: ProtocolConnection;
  readonly openedAt: number;
  silent: boolean;
  drop: boolean;
  duplicate: boolean;
  ignoreNext: boolean;
  cutNext: boolean;
}

const STEP_MS = 50;

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
  /** Runs stopped by the user mid-run (or after the server went for good). */
  stops?: number;
  /** Reconnect attempts abandoned at the handshake deadline. */
  handshakeTimeouts?: number;
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
  const plan = new HandshakePlan(MAX_REJECTIONS);
  const requests = new RequestClock(COMMAND_TIMEOUT_MS);
  const rate = new ResubscribeRate(RESUBSCRIBES_PER_MINUTE);
  const roll = rng.float();
  const profile = roll < 0.1 ? "stop" : roll < 0.15 ? "outage" : "heal";
  const turnStep = rng.int(5, steps - 1);
  let conn: Conn | undefined;
  let seen = 0;
  let storm: ErrorStorm | undefined;
  let channels = new Map<string, Subscription>();
  let nextRequest = 0;
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
      maxDelayMs: 5_000,
      stableAfterMs: 5_000,
      random: () => rng.float(),
    },
    handshakeTimeoutMs: 2_000,
    closeTimeoutMs: CLOSE_TIMEOUT_MS,
    idleTimeoutMs: 2_000,
    probeTimeoutMs: 1_000,
    commandTimeoutMs: COMMAND_TIMEOUT_MS,
  });
  client.on(
    "subscription_lost",
    (e) => problems.push(`${e.subscription} lost: ${e.error.message}`),
  );
  client.on("connected", (e) => {
    if (e.reconnected) stats.reconnects++;
  });
  client.on("reconnecting", (e) => {
    if (/timed out/.test(e.error?.message ?? "")) {
      stats.handshakeTimeouts = (stats.handshakeTimeouts ?? 0) + 1;
    }
  });
  client.on("gap", () => stats.gaps++);
  client.on("resubscribed", () => stats.resubscribes++);
  let stopping = false;
  client.on("closed", (e) => {
    if (e.error !== undefined) problems.push(`client closed: ${e.error.message}`);
    else if (!stopping) problems.push("client closed without a stop");
  });

  /** Tracks a user request: it must settle (either way) within the command timeout. */
  const track = (what: string, promise: Promise<unknown>) => {
    const request = ++nextRequest;
    requests.called(request, what, clock.now());
    const settled = () => void requests.settled(request);
    promise.then(settled, settled);
  };
  const send = (c: Conn, frames: readonly OutFrame[]) => {
    if (c.silent || c.socket.state !== "open") return;
    for (const frame of frames) {
      // A drop never swallows a terminal error: a sid that dies without a word cannot be
      // noticed by any client (see `MemoryNetwork.raise`).
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
  const strike = (c: Conn) => {
    if (storm === undefined) return;
    if (!storm.active(clock.now())) storm = undefined;
    else send(c, storm.strike(c.protocol, clock.now()));
  };
  /** Accepts, refuses or leaves hanging the sockets the client opened since the last look. */
  const serve = () => {
    for (; seen < transport.sockets.length; seen++) {
      const socket = transport.sockets[seen]!;
      if (socket.state !== "connecting") continue;
      const outcome = plan.answer(clock.now());
      if (outcome === "hang") continue; // never answered: the client must time out
      if (outcome !== "accept") {
        socket.reject(outcome);
        continue;
      }
      const c: Conn = {
        socket,
        protocol: new ProtocolConnection({ exchange, userId: USER }),
        openedAt: clock.now(),
        silent: false,
        drop: false,
        duplicate: false,
        ignoreNext: false,
        cutNext: false,
      };
      socket.onSend = (frame) => {
        if (c.silent || c.socket.state !== "open") return;
        if (c.cutNext) {
          c.cutNext = false; // the link dies between the command and its reply
          c.socket.drop();
          return;
        }
        if (c.ignoreNext) {
          c.ignoreNext = false;
          return;
        }
        if (frame.cmd === "subscribe" && clock.now() > c.openedAt) {
          const channel = (frame.params as { channels: string[] }).channels[0]!;
          const sub = channels.get(channel);
          const breach = sub === undefined ? undefined : rate.record(sub.key, clock.now());
          if (breach !== undefined) problems.push(breach);
        }
        send(c, c.protocol.handleText(JSON.stringify(frame), clock.wallTime()));
        strike(c);
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
    for (let left = ms; left > 0; left -= STEP_MS) {
      serve();
      await clock.advance(Math.min(STEP_MS, left));
      const overdue = requests.overdue(clock.now());
      if (overdue !== undefined) problems.push(overdue);
    }
    serve();
  };
  /** Closes the client and checks that it ended within the close timeout. */
  const stop = async () => {
    stopping = true;
    const started = clock.now();
    let ended = false;
    const closing = client.close().then(() => ended = true);
    await advance(CLOSE_TIMEOUT_MS + STEP_MS);
    if (!ended) problems.push(`close() still pending ${clock.now() - started} ms after the stop`);
    await closing;
    if (profile !== "heal") stats.stops = (stats.stops ?? 0) + 1;
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
    channels = new Map(subs.flatMap((sub) => sub.channels.map((ch) => [ch, sub] as const)));
    // Readers, as an application has them (streams must not wedge the client).
    const readers = subs.map(async (sub) => {
      for await (const _ of sub) { /* read */ }
    });

    for (let step = 0; step < steps && !stopping; step++) {
      let c = conn?.socket.state === "open" ? conn : undefined;
      let ms = STEP_MS;
      if (step === turnStep && profile === "stop") {
        await stop();
        break;
      }
      if (step === turnStep && profile === "outage") {
        plan.window(rng.chance(0.5) ? "hang" : 503, Infinity);
        c?.socket.drop();
        c = undefined;
      }
      if (rng.chance(0.04)) ms = inject(rng.pick(CLIENT_FAULTS), c);
      if (rng.chance(0.02)) userRequest(subs[0]!, tickers);
      market(1);
      await advance(ms);
    }
    if (profile === "heal") {
      // Calm: disarm what never fired, let the market run, then stop it and let it all land.
      if (conn !== undefined) {
        conn.drop =
          conn.duplicate =
          conn.ignoreNext =
          conn.cutNext =
            false;
      }
      plan.calm();
      storm = undefined;
      for (let step = 0; step < 300; step++) {
        market(1);
        await advance(STEP_MS);
      }
      await advance(3_000);
      checkHealed(client, subs, exchange, problems, stats);
    }
    if (!stopping) await stop();
    await advance(3_000);
    await Promise.all(readers);
    if (requests.open().length > 0) {
      problems.push(`requests never settled: ${JSON.stringify(requests.open())}`);
    }
  } catch (error) {
    problems.push(`threw ${error instanceof Error ? error.stack : error}`);
  } finally {
    stopping = true;
    await client.close();
    await clock.advance(5_000);
  }
  return problems.length === 0 ? undefined : `seed ${seed}: ${problems.join("; ")}`;

  /** Applies one fault; returns how far the clock moves this step. */
  function inject(fault: typeof CLIENT_FAULTS[number], c: Conn | undefined): number {
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
        plan.queue(Array.from({ length: rng.int(1, 3) }, () => rng.pick([503, 500, 429, 403])));
        c?.socket.drop();
        break;
      case "hang_handshake":
        plan.queue(["hang"]);
        c?.socket.drop();
        break;
      case "refuse_for":
        plan.window(rng.chance(0.7) ? 503 : "hang", clock.now() + rng.int(500, 6_000));
        c?.socket.drop();
        break;
      case "drop_before_reply":
        if (c !== undefined) c.cutNext = true;
        if (rng.chance(0.5)) {
          plan.window(rng.chance(0.7) ? 503 : "hang", clock.now() + rng.int(500, 5_000));
        }
        track("list_subscriptions", client.listSubscriptions());
        break;
      case "error_storm":
        storm = new ErrorStorm(
          rng.chance(0.6) ? "orderbook_delta" : "trade",
          rng.pick([25, 10] as const),
          clock.now() + rng.int(1_000, 5_000),
        );
        if (c !== undefined) strike(c);
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
        return rng.int(2_000, 30_000);
    }
    return STEP_MS;
  }

  /** A request a user makes mid-run (also while the client is reconnecting). */
  function userRequest(books: Subscription, tickers: readonly string[]): void {
    const roll = rng.int(0, 2);
    if (roll === 0) track("list_subscriptions", client.listSubscriptions());
    else if (roll === 1) track("resync", books.resync());
    else {
      const ticker = rng.pick(tickers);
      const has = books.markets?.includes(ticker) ?? false;
      if (has && (books.markets?.length ?? 0) < 2) return;
      track(
        has ? "remove_markets" : "add_markets",
        has ? books.removeMarkets([ticker]) : books.addMarkets([ticker]),
      );
    }
  }
}

/** The end state of a heal run: everything live, every book valid and equal to the truth. */
function checkHealed(
  client: KalshiWsClient,
  subs: readonly Subscription[],
  exchange: Exchange,
  problems: string[],
  stats: ClientRunStats,
): void {
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
}
