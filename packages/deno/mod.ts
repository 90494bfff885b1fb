/**
 * `@kalshi-ws/deno`: the Kalshi WebSocket client for Deno. Its transport ({@linkcode transport},
 * `tcp_transport.ts`) speaks WebSocket over `Deno.connectTls`/`Deno.connect` itself and hands
 * every frame of a socket read over in one event-loop turn: Deno's built-in `WebSocket` spends an
 * event-loop turn per message, which capped the client below a bare `WebSocket` + `JSON.parse`
 * loop (issue #19, `bench/README.md`). It sees Kalshi's heartbeat pings, so they count as
 * liveness. `denoTransport` from `@kalshi-ws/deno/web-socket` is the built-in `WebSocket` (it
 * answers pings itself and never shows them; liveness then rests on `list_subscriptions`
 * probes): pass it as `transport` where the runtime's own WebSocket is wanted.
 *
 * Exports the same names as the other runtime adapter, so switching runtime is one import.
 *
 * @example
 * ```ts ignore
 * import { connect } from "@kalshi-ws/deno";
 *
 * await using client = await connect({
 *   endpoint: "demo",
 *   keyId: "your-key-id",
 *   privateKeyPem: await Deno.readTextFile("kalshi.key"), // the PEM file Kalshi gave you
 * });
 * const books = await client.subscribe({ channels: ["orderbook_delta"], market_tickers: ["KXA-1"] });
 * for await (const event of books) {
 *   if (event.type === "data") console.log(event.message);
 * }
 * ```
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
import { tcpTransport } from "./tcp_transport.ts";

/** This runtime's {@linkcode Transport} (pass it to `@kalshi-ws/client`'s own `connect`). */
export const transport: Transport = tcpTransport;

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
