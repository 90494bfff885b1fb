/**
 * The checks of a run, each failing it through {@linkcode RunState.fail}:
 * - **books**: every book the client holds as valid equals the truth ({@linkcode TruthTracker})
 *   as of the last frame of that market it received; every delivered order-book event and every
 *   `resynced` claim is checked the same way; at the end of a heal run, every book equals the
 *   exchange's current one;
 * - **healing**: from the heal bound after the last fault, every subscription is live on the
 *   current connection with every book valid; no subscription is ever lost; the client never
 *   gives up, never opens a socket after a stop, never closes without one;
 * - **deadlines and budgets** (`budgets.ts`): no request waits past the command timeout of its
 *   call; every request gets a result; a stop ends the client within the close timeout;
 *   automatic re-subscribes of a subscription stay under a bound in every minute;
 * - **no silent loss**: a frame the server dropped is reported as a `gap` before any later data
 *   of its sid; fresh data on a live sid is delivered (or its book is visibly invalid);
 *   duplicates are never delivered twice;
 * - **memory**: books, tracked truth, subscriptions and commands per step stay bounded.
 *
 * It is the {@linkcode ClientObserver} side of the client driver (what the client saw) plus the
 * per-step and end-of-run checks; it changes nothing in the system under test.
 *
 * @module
 */

import type { Channel, LifecycleEvent, SessionEvent, SubscriptionKey } from "@kalshi-ws/core";
import { ResubscribeRate } from "./budgets.ts";
import type { ClientDriver } from "./client_driver.ts";
import type { Frame, MemoryNetwork, ServerConn } from "./memory_network.ts";
import type { RunState } from "./run_state.ts";
import { CLOSE_TIMEOUT_MS, RESUBSCRIBES_PER_MINUTE } from "./scenario.ts";
import type { SimUser } from "./sim_user.ts";
import type { TruthTracker } from "./truth.ts";

const CONTROL = new Set(["subscribed", "unsubscribed", "ok", "error"]);

/** The invariants of one run. */
export class Invariants {
  /** Automatic re-subscribes per subscription and minute. */
  readonly rate: ResubscribeRate = new ResubscribeRate(RESUBSCRIBES_PER_MINUTE);
  readonly #run: RunState;
  readonly #network: MemoryNetwork;
  readonly #driver: ClientDriver;
  readonly #user: SimUser;
  readonly #truth: TruthTracker;
  readonly #tickers: readonly string[];
  /** Exchange event index of the last frame the client received. */
  #receivedIndex = 0;

  /** The checks of a run over these parts; `tickers` are the exchange's markets. */
  constructor(
    run: RunState,
    network: MemoryNetwork,
    driver: ClientDriver,
    user: SimUser,
    truth: TruthTracker,
    tickers: readonly string[],
  ) {
    this.#run = run;
    this.#network = network;
    this.#driver = driver;
    this.#user = user;
    this.#truth = truth;
    this.#tickers = tickers;
  }

  // -------------------------------------------------------------------------------------------
  // What the client saw (the driver's observer)

  /** The truth of a book frame's market catches up with the frame. */
  frameArrives(frame: Frame): void {
    this.#receivedIndex = frame.index;
    if (frame.market !== undefined) this.#truth.advance(frame.market, frame.index);
  }

  /** Nothing silently dropped: fresh data on a live sid is delivered or its book is invalid. */
  frameHandled(
    frame: Frame,
    owner: SubscriptionKey | undefined,
    fresh: boolean,
    delivered: ReadonlySet<number>,
  ): void {
    const driver = this.#driver;
    const sid = frame.sid;
    if (owner !== undefined && !CONTROL.has(frame.type) && driver.linkOpen) {
      if (!fresh) {
        if (delivered.has(sid!)) this.#fail(`duplicate seq ${frame.seq} on sid ${sid} delivered`);
      } else if (!delivered.has(sid!)) {
        const book = frame.market === undefined ? undefined : driver.books.get(frame.market);
        const held = frame.market !== undefined && (book === undefined || !book.valid);
        if (!held && driver.ownerOf(sid!) === owner) {
          this.#fail(`${frame.type} seq ${frame.seq} on live sid ${sid} silently dropped`);
        }
      }
    }
  }

  /** Checks a session event that came on `conn`. */
  sessionEvent(event: SessionEvent, conn: ServerConn | undefined): void {
    const run = this.#run;
    switch (event.type) {
      case "data": {
        if (event.key === undefined || event.sid === undefined) return;
        const message = event.message;
        const seqMatch = (message as { seq?: unknown }).seq;
        if (typeof seqMatch === "number" && conn !== undefined) {
          const drops = conn.drops.get(event.sid);
          if (drops !== undefined) {
            for (const s of drops) {
              if (s < seqMatch) {
                this.#fail(`seq ${s} on sid ${event.sid} was dropped without a gap event`);
              }
            }
          }
        }
        if (message.type === "orderbook_delta" || message.type === "orderbook_snapshot") {
          const ticker = message.msg.market_ticker;
          const book = this.#driver.books.get(ticker);
          if (book === undefined || !book.valid) {
            this.#fail(`${message.type} for ${ticker} delivered while its book is invalid`);
          }
          this.#compare(ticker, `${message.type} seq ${message.seq}`);
        }
        return;
      }
      case "gap": {
        run.stats.gaps++;
        run.trace(`gap sid ${event.sid} ${event.expected}..${event.received}`);
        const drops = conn?.drops.get(event.sid);
        if (drops !== undefined) {
          for (let s = event.expected; s < event.received; s++) drops.delete(s);
        }
        return;
      }
      case "resynced":
        run.stats.resyncs++;
        run.trace(`resynced sid ${event.sid}`);
        // Checked after the whole input: a later step of the same input may already have
        // invalidated a market again (e.g. a delete_markets timing out right after); then it
        // must be invalid, never valid and wrong.
        for (const ticker of event.markets) {
          const book = this.#driver.books.get(ticker);
          if (book === undefined) this.#fail(`resynced claims ${ticker} but it has no book`);
          if (book.valid) this.#compare(ticker, "resynced");
        }
        return;
      case "subscribed":
      case "resubscribed":
        if (event.type === "resubscribed") run.stats.resubscribes++;
        // A sid adopted by a merged re-subscribe starts a new history: what it lost before
        // was lost while the subscription was visibly being restored.
        for (const { sid } of event.sids) {
          const drops = conn?.drops.get(sid);
          const seen = conn?.seen.get(sid) ?? 0;
          if (drops !== undefined) { for (const s of drops) if (s <= seen) drops.delete(s); }
        }
        run.trace(`${event.type} key ${event.key} ${JSON.stringify(event.sids)}`);
        return;
      case "subscription_lost":
        if (!run.ending) this.#fail(`subscription ${event.key} lost: ${event.error.message}`);
        return;
      default:
        return;
    }
  }

  /** No socket after a stop. */
  socketOpening(): void {
    if (this.#run.stopAt !== undefined) this.#fail("a socket was opened after the stop");
  }

  /** The client never gives up, and closes only when stopped. */
  lifecycleEvent(event: LifecycleEvent): void {
    const run = this.#run;
    if (event.type === "reconnecting") {
      if (event.failure?.timedOut === true) run.stats.handshakeTimeouts++;
      run.trace(`reconnecting in ${event.delayMs} ms (${event.failure?.message ?? "drop"})`);
    } else if (event.type === "given_up") {
      this.#fail(`client gave up: ${event.failure.message}`);
    } else if (run.stopAt === undefined) this.#fail("client closed without a stop");
    else run.trace("client closed");
  }

  /** Automatic re-subscribes of one subscription stay under the per-minute bound. */
  autoSubscribe(text: string): void {
    const channel = (JSON.parse(text) as { params: { channels: string[] } }).params.channels[0];
    const sub = this.#user.subs.find((s) => s.channels.includes(channel as Channel));
    if (sub === undefined) return;
    const breach = this.rate.record(sub.key, this.#run.now);
    if (breach !== undefined) this.#fail(breach);
  }

  /** No command storm. */
  commandsSent(count: number): void {
    if (count > 60) this.#fail(`memory: ${count} commands sent in one step (a command storm)`);
  }

  // -------------------------------------------------------------------------------------------
  // Per step

  /** The checks after every step. */
  step(): void {
    const run = this.#run;
    const { stepMs, faultSteps, healBoundMs, profile } = run.scenario;
    const driver = this.#driver;
    // Deadlines: no request outlives its budget; a stop ends the client in time.
    const overdue = this.#user.requests.overdue(run.now);
    if (overdue !== undefined) this.#fail(overdue);
    if (run.stopAt !== undefined) {
      const waited = run.now - run.stopAt;
      if (driver.lifecycle.state !== "closed" && waited > CLOSE_TIMEOUT_MS + stepMs) {
        this.#fail(`stopped ${waited} ms ago and still ${driver.lifecycle.state}`);
      }
      return; // nothing heals after a stop
    }
    // Valid books equal the truth; books nobody can trust let their truth catch up (bounded).
    const books = driver.books;
    for (const ticker of this.#tickers) {
      const book = books.get(ticker);
      if (book !== undefined && book.valid) this.#compare(ticker, "a step");
      else this.#truth.advance(ticker, this.#receivedIndex);
    }
    if (books.size > this.#tickers.length) {
      this.#fail(`memory: ${books.size} books held for ${this.#tickers.length} markets`);
    }
    if (this.#truth.pending > 20_000) {
      this.#fail(`memory: ${this.#truth.pending} truth changes held`);
    }
    const held = driver.session.subscriptionKeys().length;
    if (held > this.#user.subs.length + 1) this.#fail(`memory: ${held} subscriptions held`);
    if (profile !== "heal") return;
    // Healing: bounded time after the last fault, everything is live and valid.
    const healed = this.unhealed() === undefined;
    if (healed && run.healedAt === undefined) {
      run.healedAt = run.now;
      run.stats.healMs = Math.max(run.stats.healMs, run.now - run.lastFault);
    } else if (!healed) run.healedAt = undefined;
    if (run.step >= faultSteps && run.now - run.lastFault > healBoundMs && !healed) {
      this.#fail(`not healed ${healBoundMs} ms after the last fault: ${this.unhealed()}`);
    }
  }

  /** What is not healed yet (`undefined`: everything is live and valid). */
  unhealed(): string | undefined {
    const { lifecycle, session, books } = this.#driver;
    if (lifecycle.state !== "open") return `client ${lifecycle.state}`;
    for (const sub of this.#user.subs) {
      if (!sub.live) continue;
      const sids = session.sidsOf(sub.key);
      if (sids.length !== sub.channels.length) {
        return `subscription ${sub.key} has ${sids.length}/${sub.channels.length} sids`;
      }
    }
    const book = this.#user.bookSub();
    if (book === undefined) return "no order-book subscription";
    for (const ticker of session.marketsOf(book.key) ?? []) {
      if (books.get(ticker)?.valid !== true) return `book ${ticker} invalid`;
    }
    return undefined;
  }

  // -------------------------------------------------------------------------------------------
  // At the end

  /** After a heal run has quiesced: healed, and every book equals the exchange's. */
  atEnd(): void {
    const run = this.#run;
    const session = this.#driver.session;
    const reason = this.unhealed();
    if (reason !== undefined) this.#fail(`not healed at the end: ${reason}`);
    const c = this.#network.conn;
    run.trace(
      `end: conn ${c?.id} silent ${c?.silent} down ${
        c === undefined ? -1 : c.down.length - c.downHead
      } up ${c?.up.length} subs ${
        JSON.stringify(c?.protocol.subscriptions().map((s) => [s.sid, s.channel, s.seq]))
      } faults ${JSON.stringify(c?.protocol.pendingFaults())} sids ${
        JSON.stringify(session.sidsOf(this.#user.bookSub()!.key))
      }`,
    );
    // Quiet now: the books equal the exchange's books — unless the server dropped the last
    // frames of the sid and nothing followed (no client can notice that; see README).
    const sid = session.sidsOf(this.#user.bookSub()!.key)[0]?.sid;
    const unseen = sid === undefined ? 0 : this.#network.conn?.drops.get(sid)?.size ?? 0;
    if (unseen === 0 && !this.#trailingDrop()) {
      for (const ticker of session.marketsOf(this.#user.bookSub()!.key) ?? []) {
        this.#truth.advance(ticker, this.#network.eventIndex);
        this.#compare(ticker, "the end");
      }
    }
    this.everyRequestSettled();
  }

  /** Every request the user made got its result. */
  everyRequestSettled(): void {
    for (const [request, what] of this.#user.requests.open()) {
      this.#fail(`request ${request} (${what}) never got a result`);
    }
  }

  /** Whether the server dropped the last frame(s) of the book sid and sent nothing since. */
  #trailingDrop(): boolean {
    const book = this.#user.bookSub();
    const sid = book === undefined ? undefined : this.#driver.session.sidsOf(book.key)[0]?.sid;
    const conn = this.#network.conn;
    const info = conn?.protocol.subscriptions().find((s) => s.sid === sid);
    return info !== undefined && info.seq > (conn!.emitted.get(info.sid) ?? 0);
  }

  #compare(ticker: string, what: string): void {
    this.#run.stats.bookChecks++;
    const diff = this.#truth.diff(ticker, this.#driver.books.get(ticker)!);
    if (diff !== undefined) {
      this.#fail(
        `book ${ticker} valid but wrong after ${what}: ${diff}; truth ${this.#truth.show(ticker)}`,
      );
    }
  }

  #fail(message: string): never {
    return this.#run.fail(message);
  }
}
