/**
 * `@kalshi-ws/node`: the Kalshi WebSocket client for Node, over a WebSocket client of its own on
 * `node:net`/`node:tls` (every frame of a socket read decoded straight from the read's bytes). It
 * sends upgrade headers, reports the status of a rejected upgrade, and shows Kalshi's
 * `heartbeat` pings (answering them with pongs), which count as liveness.
 *
 * Exports the same names as the other runtime adapter, so switching runtime is one import.
 *
 * @example
 * ```ts ignore
 * import { readFileSync } from "node:fs";
 * import { connect, formatPrice } from "@kalshi-ws/node";
 *
 * const market = "KXFED-26DEC-T4.25";
 * const client = await connect({
 *   endpoint: "demo", // or "production", or the simulator's ws:// URL
 *   keyId: process.env.KALSHI_API_KEY_ID ?? "your-key-id",
 *   privateKeyPem: readFileSync("kalshi.key", "utf8"), // the PEM file Kalshi gave you
 *   books: true, // exact local order books in client.books
 * });
 * process.once("SIGINT", () => void client.close()); // Ctrl-C: clean close, the loop ends
 * const books = await client.subscribe({ channels: ["orderbook_delta"], market_tickers: [market] });
 * for await (const event of books) {
 *   const book = client.books.get(market);
 *   if (event.type === "data" && book?.valid && book.bestYesBid !== undefined) {
 *     console.log(`${market} best bid ${formatPrice(book.bestYesBid)}`);
 *   }
 * }
 * ```
 *
 * Node 20 and 22 do not parse `await using`: call `close()` (on Node 24+ `await using` works).
 *
 * @module
 */

import {
  type BookStore,
  type ClientOptions,
  connect as connectWith,
  type KalshiWsClient,
  type KalshiWsClientWithBooks,
  type Transport,
} from "@kalshi-ws/client";
import { nodeTransport } from "./node_transport.ts";

/** This runtime's {@linkcode Transport} (pass it to `@kalshi-ws/client`'s own `connect`). */
export const transport: Transport = nodeTransport;

/** Options of {@linkcode connect}: the client's, with `transport` defaulting to this runtime's. */
export type ConnectOptions = Omit<ClientOptions, "transport"> & { readonly transport?: Transport };

/**
 * Connects to Kalshi (production by default) and resolves with a self-healing client once the
 * first connection is open; see `@kalshi-ws/client` for the options and events. With
 * `books: true` (or a `BookStore`), `client.books` is typed present.
 */
export function connect(
  options: ConnectOptions & { readonly books: true | BookStore },
): Promise<KalshiWsClientWithBooks>;
/** Connects and resolves with a self-healing client once the first connection is open. */
export function connect(options: ConnectOptions): Promise<KalshiWsClient>;
export function connect(options: ConnectOptions): Promise<KalshiWsClient> {
  return connectWith({ ...options, transport: options.transport ?? transport });
}

// The runtime-neutral client and the core, unchanged: both adapters export the same names.
export * from "@kalshi-ws/client";
