/**
 * `kalshi-ws book`: keeps exact local order books for the given markets and shows them — a
 * live ladder on a terminal, NDJSON `book` lines otherwise (see `book_view.ts`).
 *
 * @module
 */

import { BookStore, type KalshiWsClient, type Subscription } from "@kalshi-ws/client";
import { UsageError } from "../args.ts";
import { BookView } from "../book_view.ts";
import type { CommandContext } from "../context.ts";
import { openClient, shutdown, subscribeWhileRunning } from "../connect.ts";
import { redactUrl } from "../redact.ts";

/** Runs `book`. */
export async function book(context: CommandContext): Promise<number> {
  const markets = context.args.markets;
  if (markets.length === 0) {
    throw new UsageError(
      "Pass at least one --market for 'book'",
      "Example: kalshi-ws book -m KXFED-26DEC-T4.25 -m KXCPI-26DEC-T0.3",
    );
  }
  const store = new BookStore();
  const client = await openClient(context, { books: store });
  return await watchBooks(
    context,
    client,
    store,
    markets,
    `kalshi-ws book  ${redactUrl(client.url)}`,
  );
}

/**
 * Subscribes `orderbook_delta` for `markets` on a connected client whose books live in `store`,
 * shows them until the run stops, then unsubscribes, closes and prints the final state.
 * Resolves with the exit code.
 */
export async function watchBooks(
  context: CommandContext,
  client: KalshiWsClient,
  store: BookStore,
  markets: readonly string[],
  title: string,
): Promise<number> {
  const { args, out, lifetime, format } = context;
  let view: BookView | undefined;
  try {
    view = new BookView(store, {
      out,
      format,
      intervalMs: args.intervalMs,
      depth: args.depth,
      markets,
      title,
      state: () => client.state,
      rows: format === "text" ? context.runtime.terminalRows() : undefined,
      color: out.color,
      onClosed: () => lifetime.stop("stdout_closed"),
      timers: context.runtime.clock,
    });
    view.start();
    // A listener, not a `for await` loop over the subscription: the books live in the store and
    // the view only needs to know which market a message touched, so a listener spares every
    // frame a queued entry, a promise and a resumption. Added before subscribing (no initial
    // buffer then) so the first snapshots count too.
    let count = 0;
    let subscription: Subscription | undefined;
    const stopListening = [
      client.on("data", (event) => {
        const message = event.message;
        if (message.type !== "orderbook_snapshot" && message.type !== "orderbook_delta") return;
        if (lifetime.stopped) return;
        view!.touched(message.msg.market_ticker);
        if (out.closed) lifetime.stop("stdout_closed");
        if (args.maxMessages !== undefined && ++count >= args.maxMessages) {
          lifetime.stop("max_messages");
        }
      }),
    ];
    // What a stream reader would have seen end its loop: the client closing for good, or the
    // subscription lost; with the error, if any.
    const ended = new Promise<Error | undefined>((resolve) => {
      stopListening.push(
        client.on("closed", (event) => resolve(event.error)),
        client.on("subscription_lost", (event) => {
          if (event.subscription === subscription) resolve(event.error);
        }),
      );
    });
    let failure: Error | undefined;
    try {
      // Until subscribed, only the lifetime can end the wait (in any state: reconnecting, the
      // reply lost with the link); the books then stay invalid and are reported as such.
      subscription = await subscribeWhileRunning(context, client, {
        channels: ["orderbook_delta"],
        market_tickers: markets,
        ...(args.useYesPrice ? { use_yes_price: true } : {}),
      }, { buffer: false });
      if (subscription !== undefined) {
        failure = await Promise.race([lifetime.done().then(() => undefined), ended]);
      }
    } finally {
      for (const stop of stopListening) stop();
    }
    if (failure !== undefined) throw failure;
    if (!lifetime.stopped) lifetime.stop("finished");
    // The final state, before unsubscribing and closing invalidate the books; its lines drain
    // into stdout while the run unsubscribes and closes.
    const invalid = view.finish({ background: true });
    if (invalid.length > 0) {
      out.warn(`not printed (book not valid at exit): ${invalid.join(", ")}`);
    }
    await shutdown(context, client, subscription === undefined ? [] : [subscription]);
  } finally {
    view?.stop();
    await client.close();
    await view?.written;
  }
  out.status(`stopped (${lifetime.reason})`);
  return lifetime.exitCode;
}
