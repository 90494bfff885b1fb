/**
 * Soak: the real client (Deno adapter, real sockets, real timers) against the real simulator
 * over loopback for a chosen time, with a fault injected every few seconds. Between faults the
 * market is paused and every local book is compared with the simulator's truth, so a soak
 * proves correctness as well as stamina. Heap is sampled at start and end.
 *
 * `bench/soak.ts` is the command line; `soak_test.ts` runs a short version in CI.
 *
 * @module
 */

import {
  type ClientEvent,
  connect,
  type KalshiWsClient,
  type SocketEvents,
  type Subscription,
  type Transport,
  transport as denoTransport,
} from "@kalshi-ws/deno";
import { type Simulator, startSimulator } from "@kalshi-ws/simulator";
import { seededRandom as random } from "@kalshi-ws/core";

/** Faults a soak injects, one every `faultEveryMs`, chosen round-robin from a seeded shuffle. */
export const SOAK_FAULTS = [
  "disconnect",
  "silent",
  "drop",
  "duplicate",
  "error_25",
  "error_10",
  "reject_handshakes",
  "malformed",
  "unknown_type",
  "burst",
  "command_error_18",
] as const;

/** One of {@linkcode SOAK_FAULTS}. */
export type SoakFault = typeof SOAK_FAULTS[number];

/** Options of {@linkcode runSoak}. */
export interface SoakOptions {
  /** How long to run (ms). */
  readonly durationMs: number;
  /** Time between faults (ms, default 3 000). */
  readonly faultEveryMs?: number;
  /** Simulator generator steps per second (default 200). */
  readonly rate?: number;
  /** Seed of the simulator and of the fault order (default 1). */
  readonly seed?: number;
  /** Longest a heal may take (ms) before it counts as a failure (default 20 000). */
  readonly healTimeoutMs?: number;
  /** Called with a progress line after each fault cycle (e.g. `console.error`). */
  readonly log?: (line: string) => void;
}

/** What a soak observed; `failures` is empty when the client healed every time. */
export interface SoakReport {
  /** Wall time run (ms). */
  readonly durationMs: number;
  /** Simulator seed. */
  readonly seed: number;
  /** Text frames the client received. */
  readonly frames: number;
  /** Data events delivered. */
  readonly dataEvents: number;
  /** Faults injected, by kind. */
  readonly faults: Readonly<Record<string, number>>;
  /** Reconnections (connected events after the first). */
  readonly reconnects: number;
  /** `gap` events (each repaired by a resync or re-subscribe). */
  readonly gaps: number;
  /** `resynced` events. */
  readonly resyncs: number;
  /** `resubscribed` events. */
  readonly resubscribes: number;
  /** `seq_anomaly` events (duplicates refused). */
  readonly seqAnomalies: number;
  /** `decode_error` events. */
  readonly decodeErrors: number;
  /** Messages dropped by slow streams (`lagged`). */
  readonly lagged: number;
  /** Book comparisons against the truth that passed. */
  readonly bookChecks: number;
  /** Longest time from a fault to every subscription live and every book valid (ms). */
  readonly maxHealMs: number;
  /** Mean of the same (ms). */
  readonly meanHealMs: number;
  /** Heap used after start-up (MiB, after a GC when `--expose-gc`). */
  readonly heapStartMiB: number;
  /** Heap used at the end (MiB, after a GC when `--expose-gc`). */
  readonly heapEndMiB: number;
  /** Whether heap figures were taken after a forced GC. */
  readonly gcExposed: boolean;
  /** What went wrong (empty on success). */
  readonly failures: readonly string[];
}

const mib = (bytes: number): number => Math.round(bytes / 1048576 * 10) / 10;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Counts frames on the way in; otherwise the Deno transport unchanged. */
function countingTransport(inner: Transport, counter: { frames: number }): Transport {
  return {
    name: `${inner.name}+count`,
    seesPings: inner.seesPings,
    open(url, headers, events: SocketEvents) {
      return inner.open(url, headers, {
        open: () => events.open(),
        text: (data) => {
          counter.frames++;
          events.text(data);
        },
        ping: () => events.ping(),
        close: (code, reason) => events.close(code, reason),
        handshakeFailed: (status, message) => events.handshakeFailed(status, message),
      });
    },
  };
}

/** Heap used now, after a GC when the runtime exposes one. */
function heapUsed(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return Deno.memoryUsage().heapUsed;
}

/**
 * Runs a soak (see the module doc) and resolves with its report. Closes the client and the
 * simulator before resolving, also on failure.
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const seed = options.seed ?? 1;
  const faultEveryMs = options.faultEveryMs ?? 3_000;
  const rate = options.rate ?? 200;
  const healTimeoutMs = options.healTimeoutMs ?? 20_000;
  const log = options.log ?? (() => {});
  const rng = random(seed);
  const counter = { frames: 0 };
  const counts = {
    data: 0,
    reconnects: 0,
    gaps: 0,
    resyncs: 0,
    resubscribes: 0,
    anomalies: 0,
    decodeErrors: 0,
    lagged: 0,
  };
  const faults: Record<string, number> = {};
  const failures: string[] = [];
  const heals: number[] = [];
  let bookChecks = 0;

  const sim: Simulator = await startSimulator({
    seed,
    activityRate: rate,
    autoStart: false,
    pingIntervalMs: 1_000,
  });
  let client: KalshiWsClient | undefined;
  const readers: Promise<void>[] = [];
  const started = performance.now();
  let heapStart = 0;
  try {
    client = await connect({
      transport: countingTransport(denoTransport, counter),
      endpoint: sim.url,
      keyId: sim.keyId,
      privateKeyPem: sim.privateKeyPem,
      books: true,
      reconnect: { initialDelayMs: 100, maxDelayMs: 2_000, maxHandshakeRejections: 5 },
      idleTimeoutMs: 1_500,
      probeTimeoutMs: 1_000,
      commandTimeoutMs: 2_000,
    });
    const c = client;
    c.on("*", (event: ClientEvent) => {
      switch (event.type) {
        case "data":
          counts.data++;
          break;
        case "connected":
          if (event.reconnected) counts.reconnects++;
          break;
        case "gap":
          counts.gaps++;
          break;
        case "resynced":
          counts.resyncs++;
          break;
        case "resubscribed":
          counts.resubscribes++;
          break;
        case "seq_anomaly":
          counts.anomalies++;
          break;
        case "decode_error":
          counts.decodeErrors++;
          break;
        case "subscription_lost":
          failures.push(`${event.subscription} lost: ${event.error.message}`);
          break;
        case "closed":
          if (event.error !== undefined) failures.push(`client closed: ${event.error.message}`);
          break;
      }
    });
    const tickers = sim.truth.tickers();
    const subs: Subscription[] = [
      await c.subscribe({ channels: ["orderbook_delta"], market_tickers: tickers }),
      await c.subscribe({ channels: ["ticker", "trade", "market_lifecycle_v2"] }),
      await c.subscribe({ channels: ["fill", "user_orders", "market_positions"] }),
    ];
    // A reader per subscription, as an application would have: streams must keep up and heal.
    for (const sub of subs) {
      readers.push((async () => {
        for await (const event of sub) {
          if (event.type === "lagged") counts.lagged += event.dropped;
        }
      })());
    }

    const healed = (): boolean =>
      c.state === "open" &&
      subs.every((s) => s.active && s.sids.length === s.channels.length) &&
      tickers.every((t) => c.books!.get(t)?.valid === true);

    /** Waits (polling) until `done()` or `timeoutMs`; resolves with the time waited or -1. */
    const until = async (done: () => boolean, timeoutMs: number): Promise<number> => {
      const from = performance.now();
      while (!done()) {
        if (performance.now() - from > timeoutMs) return -1;
        await sleep(5);
      }
      return performance.now() - from;
    };

    const booksMatch = (): boolean =>
      tickers.every((t) => {
        const book = c.books!.get(t);
        if (book === undefined || !book.valid) return false;
        const truth = sim.truth.bookScaled(t);
        for (const side of ["yes", "no"] as const) {
          const levels = truth[side];
          if (book.levelCount(side) !== levels.length) return false;
          for (let rank = 0; rank < levels.length; rank++) {
            const [price, count] = levels[levels.length - 1 - rank]!;
            if (book.bidPrice(side, rank) !== price || book.bidSize(side, rank) !== count) {
              return false;
            }
          }
        }
        return true;
      });

    const bookSid = (): number | undefined => subs[0]!.sids[0]?.sid;
    const inject = (fault: SoakFault): void => {
      faults[fault] = (faults[fault] ?? 0) + 1;
      switch (fault) {
        case "disconnect":
          sim.faults.disconnect();
          return;
        case "silent":
          sim.faults.goSilent();
          return;
        case "drop":
          sim.faults.dropNext({ sid: bookSid() });
          return;
        case "duplicate":
          sim.faults.duplicateNext({ sid: bookSid() });
          return;
        case "error_25":
        case "error_10": {
          const sid = bookSid();
          if (sid !== undefined) sim.faults.raiseError({ sid }, fault === "error_25" ? 25 : 10);
          return;
        }
        case "reject_handshakes":
          sim.faults.rejectHandshakes(2);
          sim.faults.disconnect();
          return;
        case "malformed":
          sim.faults.sendMalformed();
          return;
        case "unknown_type":
          sim.faults.sendUnknownType();
          return;
        case "burst":
          sim.step(2_000);
          return;
        case "command_error_18":
          // The next command (a repair) is refused with 18; a gap makes the client send one.
          sim.faults.failNextCommand(18);
          sim.faults.dropNext({ sid: bookSid() });
          return;
      }
    };

    sim.startActivity(rate);
    if (await until(healed, healTimeoutMs) < 0) failures.push("initial subscriptions never live");
    heapStart = heapUsed();
    const order: SoakFault[] = [];
    let cycle = 0;
    while (performance.now() - started < options.durationMs && failures.length === 0) {
      if (order.length === 0) {
        order.push(...SOAK_FAULTS);
        for (let i = order.length - 1; i > 0; i--) {
          const j = Math.floor(rng() * (i + 1));
          [order[i], order[j]] = [order[j]!, order[i]!];
        }
      }
      const fault = order.pop()!;
      const at = performance.now();
      try {
        inject(fault);
      } catch {
        // No live connection at this instant (still reconnecting): nothing to inject into.
        faults[fault]!--;
        await sleep(50);
        continue;
      }
      // Let the fault take effect (a gap needs the next frame; silence needs the idle timeout).
      await sleep(Math.min(faultEveryMs / 2, 250));
      const waited = await until(healed, healTimeoutMs);
      if (waited < 0) {
        failures.push(`not healed ${healTimeoutMs} ms after fault "${fault}"`);
        break;
      }
      heals.push(performance.now() - at);
      // Pause the market, let the client catch up, compare every book with the truth.
      sim.stopActivity();
      if (await until(booksMatch, 5_000) < 0) {
        failures.push(`books differ from the truth after fault "${fault}"`);
      } else bookChecks++;
      sim.startActivity(rate);
      cycle++;
      if (cycle % 20 === 0) {
        log(
          `soak: ${Math.round((performance.now() - started) / 1000)} s, ${cycle} faults, ` +
            `${counter.frames} frames, ${counts.reconnects} reconnects, max heal ` +
            `${Math.round(Math.max(...heals))} ms, heap ${mib(heapUsed())} MiB`,
        );
      }
      const rest = faultEveryMs - (performance.now() - at);
      if (rest > 0) await sleep(rest);
    }
  } catch (error) {
    failures.push(`soak aborted: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    sim.stopActivity();
    await client?.close();
    await Promise.allSettled(readers);
    await sim.close();
  }
  const heapEnd = heapUsed();
  return {
    durationMs: Math.round(performance.now() - started),
    seed,
    frames: counter.frames,
    dataEvents: counts.data,
    faults,
    reconnects: counts.reconnects,
    gaps: counts.gaps,
    resyncs: counts.resyncs,
    resubscribes: counts.resubscribes,
    seqAnomalies: counts.anomalies,
    decodeErrors: counts.decodeErrors,
    lagged: counts.lagged,
    bookChecks,
    maxHealMs: Math.round(heals.length === 0 ? 0 : Math.max(...heals)),
    meanHealMs: Math.round(heals.length === 0 ? 0 : heals.reduce((a, b) => a + b) / heals.length),
    heapStartMiB: mib(heapStart),
    heapEndMiB: mib(heapEnd),
    gcExposed: typeof (globalThis as { gc?: unknown }).gc === "function",
    failures,
  };
}
