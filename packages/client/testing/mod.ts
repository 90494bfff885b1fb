/**
 * `@kalshi-ws/client/testing`: test tooling for code built on the client and for new runtime
 * adapters.
 *
 * - {@linkcode MemoryTransport} and {@linkcode ManualClock}: drive a client with no sockets and
 *   no real time — the test plays the server (accepts, feeds frames, drops the link) and moves
 *   the clock, so reconnects, timeouts and gap repair run deterministically.
 * - {@linkcode transportSuite}: the conformance tests every `Transport` must pass
 *   (headers, text both ways, rejected upgrades, dropped links, pings), over loopback.
 * - {@linkcode behaviourSuite} and {@linkcode bookIntegritySuite}: the real client over a
 *   transport against the simulator (`@kalshi-ws/simulator`) — subscriptions, faults, healing,
 *   and books equal to the simulator's truth after every kind of fault. `@kalshi-ws/deno` and
 *   `@kalshi-ws/node` both run them.
 *
 * The suites register `node:test` tests, so they run under `deno test` and `node --test`. Not
 * part of the npm package (it would pull in the simulator and `ws`).
 *
 * @module
 */

export { behaviourSuite, type BehaviourSuiteOptions } from "./behaviour_suite.ts";
export { bookIntegritySuite } from "./book_integrity_suite.ts";
export { flushMicrotasks, ManualClock } from "./manual_clock.ts";
export { MemorySocket, MemoryTransport } from "./memory_transport.ts";
export { transportSuite } from "./transport_suite.ts";
