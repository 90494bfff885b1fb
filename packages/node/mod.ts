/**
 * `@kalshi-ws/node`: the Kalshi WebSocket client for Node, over the `ws` package. It sends
 * upgrade headers, reports the status of a rejected upgrade, and shows Kalshi's `heartbeat`
 * pings (answering them with pongs), which count as liveness.
 *
 * Exports the same names as the other runtime adapter, so switching runtime is one import.
 *
 * @example
 * ```ts ignore
 * import { readFileSync } from "node:fs";
 * import { connect } from "@kalshi-ws/node";
 *
 * await using client = await connect({
 *   endpoint: "demo",
 *   keyId: "your-key-id",
 *   privateKeyPem: readFileSync("kalshi.key", "utf8"), // the PEM file Kalshi gave you
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
  type ClientOptions,
  connect as connectWith,
  type KalshiWsClient,
  type Transport,
} from "@kalshi-ws/client";
import { nodeTransport } from "./node_transport.ts";

/** This runtime's {@linkcode Transport} (pass it to `@kalshi-ws/client`'s own `connect`). */
export const transport: Transport = nodeTransport;

/** Options of {@linkcode connect}: the client's, with `transport` defaulting to this runtime's. */
export type ConnectOptions = Omit<ClientOptions, "transport"> & { readonly transport?: Transport };

/**
 * Connects to Kalshi (production by default) and resolves with a self-healing client once the
 * first connection is open; see `@kalshi-ws/client` for the options and events.
 */
export function connect(options: ConnectOptions): Promise<KalshiWsClient> {
  return connectWith({ ...options, transport: options.transport ?? transport });
}

// The runtime-neutral client and the core, unchanged: both adapters export the same names.
export * from "@kalshi-ws/client";
