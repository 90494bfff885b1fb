/**
 * `@kalshi-ws/simulator`: a local, Kalshi-compatible exchange speaking the real WebSocket
 * protocol (Trade API v2) over real sockets on loopback — for tests, benchmarks and demos.
 *
 * - Handshake auth like Kalshi (RSA-PSS signed headers; HTTP 401 with a short body otherwise),
 *   or an open mode; `heartbeat` pings every 10 s; pongs to client pings.
 * - All four commands with Kalshi's semantics (sids, per-sid `seq`, idempotent re-subscribe,
 *   `get_snapshot`, `add_markets`/`delete_markets`, `list_subscriptions`) and every error code.
 * - Markets with exact YES/NO bid ladders (sub-cent prices, fractional sizes) driven by a seeded,
 *   deterministic activity generator; simulated own orders yield `fill`, `user_order` and
 *   `market_position` for the authenticated key.
 * - Fault injection per connection or subscription: `sim.faults.dropNext`, `duplicateNext`,
 *   `disconnect`, `goSilent`, `sendMalformed`, `sendUnknownType`, `raiseError(…, 25 | 10)`,
 *   `rejectHandshakes(n)`.
 * - `sim.truth` exposes every true book (as Kalshi ladders and as scaled integers), orders and
 *   positions; the pure model (no sockets) is exported from `@kalshi-ws/simulator/model`.
 *
 * From the command line: `deno task simulate [--port N] [--seed N] [--open] …` (Deno) or
 * `npx kalshi-ws simulate …` (Node, the CLI package `kalshi-ws`) prints the URL, the test key id
 * and the path of its PKCS#1 private key file.
 *
 * @example
 * ```ts
 * import WebSocket from "ws";
 * import { signHandshake, startSimulator } from "@kalshi-ws/simulator";
 *
 * const sim = await startSimulator({ seed: 7, autoStart: false });
 * const headers = signHandshake(sim.keyId, sim.privateKeyPem, Date.now());
 * const ws = new WebSocket(sim.url, { headers }); // any client that sends upgrade headers
 * await new Promise((resolve) => ws.once("open", resolve));
 * ws.send(JSON.stringify({
 *   id: 1,
 *   cmd: "subscribe",
 *   params: { channels: ["orderbook_delta"], market_ticker: "KXFED-26DEC-T4.25" },
 * }));
 * sim.step(50); // fifty generator steps, delivered now
 * sim.faults.dropNext({ sid: 1 }); // the next frame on sid 1 is lost: the client sees a gap
 * sim.truth.book("KXFED-26DEC-T4.25"); // what the client's book must converge to
 * ws.close();
 * await sim.close();
 * ```
 *
 * @module
 */

/** Scaled-integer units used throughout (re-exported from `@kalshi-ws/core` for convenience). */
export type { Count, Micros, Price } from "@kalshi-ws/core";
export {
  type AuthResult,
  generateTestKeyPair,
  KeyRegistry,
  signHandshake,
  type TestKeyPair,
  WS_PATH,
} from "./auth.ts";
export {
  type ConnectionInfo,
  type PlaceOrderRequest,
  Simulator,
  type SimulatorOptions,
  type SimulatorStats,
  startSimulator,
  type Truth,
} from "./server.ts";
export {
  type ErrorStormOptions,
  Faults,
  type FaultTarget,
  type HandshakeAnswer,
} from "./faults.ts";
export {
  applyFaultPlan,
  FAULT_KINDS,
  FaultSpecError,
  type FaultStep,
  parseFaultSpec,
} from "./fault_plan.ts";
export { type KeyFile, keyFileProblem, writeKeyFile } from "./key_file.ts";
export { MAX_ACTIVITY_RATE, MAX_CLIENT_FRAME_BYTES, MAX_COMMAND_BYTES } from "./limits.ts";
