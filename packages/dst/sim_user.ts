/**
 * The simulated user of the client: subscribes at the start (an order-book subscription, and by
 * chance ticker/trade, lifecycle and the private channels), makes random requests during the
 * fault phase (add or remove markets, resync, list, unsubscribe), reacts to what it is told as a
 * user would (retries a refused subscribe, subscribes again when the session ended its
 * order-book subscription), and stops the client. It keeps the ledger of its requests
 * ({@linkcode RequestClock}): every one must get exactly one result, in time.
 *
 * @module
 */

import {
  type Channel,
  CommandError,
  type SessionEvent,
  type SubscribeParams,
  type SubscriptionKey,
} from "@kalshi-ws/core";
import { RequestClock } from "./budgets.ts";
import type { ClientDriver } from "./client_driver.ts";
import type { RunState } from "./run_state.ts";
import { COMMAND_TIMEOUT_MS } from "./scenario.ts";

/** One subscription the user made. */
export interface UserSub {
  key: SubscriptionKey;
  readonly channels: readonly Channel[];
  readonly params: SubscribeParams;
  /** Confirmed by `subscribed` (or still waiting for it); false once the user unsubscribed. */
  live: boolean;
}

/** The user of the simulated client. */
export class SimUser {
  /** The user's subscriptions, in the order made. */
  readonly subs: UserSub[] = [];
  /** The user's requests still waiting for their result. */
  readonly requests: RequestClock = new RequestClock(COMMAND_TIMEOUT_MS);
  readonly #run: RunState;
  readonly #driver: ClientDriver;
  readonly #tickers: readonly string[];

  /** The user of `driver`'s client, trading the markets `tickers`. */
  constructor(run: RunState, driver: ClientDriver, tickers: readonly string[]) {
    this.#run = run;
    this.#driver = driver;
    this.#tickers = tickers;
  }

  /** The subscriptions made before the client starts. */
  subscribeAll(): void {
    const rng = this.#run.rng;
    const markets = this.#tickers.filter(() => rng.chance(0.6));
    if (markets.length === 0) markets.push(rng.pick(this.#tickers));
    this.#addSub({
      channels: ["orderbook_delta"],
      market_tickers: markets,
      ...(rng.chance(0.3) ? { use_yes_price: true } : {}),
    });
    if (rng.chance(0.7)) {
      this.#addSub(
        rng.chance(0.5)
          ? { channels: ["ticker", "trade"] }
          : { channels: ["ticker", "trade"], market_tickers: [rng.pick(this.#tickers)] },
      );
    }
    if (rng.chance(0.5)) this.#addSub({ channels: ["market_lifecycle_v2"] });
    if (rng.chance(0.5)) this.#addSub({ channels: ["fill", "user_orders", "market_positions"] });
  }

  #addSub(params: SubscribeParams): void {
    const run = this.#run;
    const key = this.#driver.session.subscribe(params, run.now);
    this.requests.called(key, "subscribe", run.now);
    this.subs.push({ key, channels: params.channels, params, live: true });
    run.trace(`user subscribe ${params.channels.join(",")} key ${key}`);
    this.#driver.flushTransmit("user");
  }

  /** The user's order-book subscription (there is always one once subscribed). */
  bookSub(): UserSub | undefined {
    return this.subs.find((s) => s.channels.includes("orderbook_delta"));
  }

  /** A random request during the fault phase. */
  request(): void {
    const run = this.#run;
    const rng = run.rng;
    const session = this.#driver.session;
    const book = this.bookSub();
    if (book === undefined) return;
    const markets = session.marketsOf(book.key) ?? [];
    const roll = rng.int(0, 4);
    try {
      if (roll === 0) {
        const extra = this.#tickers.filter((t) => !markets.includes(t));
        if (extra.length === 0) return;
        const ticker = rng.pick(extra);
        this.#call("add_markets", session.addMarkets(book.key, [ticker], run.now));
        run.trace(`user add_markets ${ticker}`);
      } else if (roll === 1) {
        if (markets.length < 2) return;
        const ticker = rng.pick(markets);
        this.#call("remove", session.removeMarkets(book.key, [ticker], run.now));
        run.trace(`user delete_markets ${ticker}`);
      } else if (roll === 2) {
        this.#call("resync", session.resync(book.key, run.now));
        run.trace("user resync");
      } else if (roll === 3) {
        this.list();
      } else {
        const other = this.subs.find((s) =>
          s !== book && s.channels.includes("market_lifecycle_v2")
        );
        if (other === undefined) {
          if (this.subs.some((s) => s.channels.includes("market_lifecycle_v2"))) return;
          this.#addSub({ channels: ["market_lifecycle_v2"] });
        } else if (other.live) {
          this.#call("unsubscribe", session.unsubscribe(other.key, run.now));
          other.live = false;
          run.trace(`user unsubscribe key ${other.key}`);
        }
      }
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
    }
    this.#driver.drain(); // results settled locally (e.g. offline) come out now, as in the client
  }

  /** Lists the subscriptions (its result may already be queued: drained later). */
  list(): void {
    this.#call("list", this.#driver.session.listSubscriptions(this.#run.now));
  }

  /** The user made request `request`; results may already be queued (drained later). */
  #call(what: string, request: number): void {
    this.requests.called(request, what, this.#run.now);
  }

  /** The user stops the client. */
  stop(): void {
    const run = this.#run;
    run.stopAt = run.now;
    this.#driver.lifecycle.close(run.now);
    this.#driver.afterLifecycle();
  }

  /** What the user does on `event`: settles its requests, retries, subscribes again. */
  react(event: SessionEvent): void {
    const run = this.#run;
    switch (event.type) {
      case "unsubscribed": {
        const index = this.subs.findIndex((s) => s.key === event.key);
        if (index >= 0) {
          const [gone] = this.subs.splice(index, 1);
          // The session ended the order-book subscription (every market was removed): the
          // user subscribes to a market again.
          if (gone!.channels.includes("orderbook_delta")) {
            this.#addSub({
              channels: ["orderbook_delta"],
              market_tickers: [run.rng.pick(this.#tickers)],
            });
          }
        }
        return;
      }
      case "command_result": {
        // Exactly one result per request.
        const what = this.requests.settled(event.request);
        if (what === undefined) run.fail(`result for unknown or settled request ${event.request}`);
        if (!event.ok) {
          run.trace(`request ${event.request} (${what}) failed: ${event.error.message}`);
          if (what === "subscribe" && !run.ending) {
            // The user was told; a user retries (the fault plan may refuse the first try).
            const index = this.subs.findIndex((s) => s.key === event.request);
            if (index >= 0) this.#addSub(this.subs.splice(index, 1)[0]!.params);
          }
        }
        return;
      }
      default:
        return;
    }
  }
}
