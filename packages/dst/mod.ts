/**
 * `@kalshi-ws/dst` (private): reliability tooling for kalshi-ws — deterministic simulation of
 * the healing stack against the simulator's pure model, and the loopback soak.
 *
 * ## The rooms
 *
 * - The core-level simulation (`deno task dst`, `main.ts`; 10 000 seeds in CI through
 *   `seed_range.ts`): `harness.ts` (composition: builds the parts, runs the steps) over
 *   `scenario.ts` (options, results, constants, what a seed decides up front), `run_state.ts`
 *   (the shared clock, counters, trace, `fail`), `memory_network.ts` (the simulated server and
 *   the in-memory wire), `client_driver.ts` (the core's `Session` and `ConnectionLifecycle`
 *   driven over it), `sim_user.ts` (subscriptions, requests, reactions, stop),
 *   `fault_schedule.ts` (which fault when, the turning point, the calm) and `invariants.ts`
 *   (every check), with `truth.ts` (the books a client must hold), `budgets.ts` (request
 *   deadlines, re-subscribe rate) and `handshake_plan.ts` (the server's handshake answers).
 * - The client-level simulation: `client_sim.ts` (the real `KalshiWsClient` over the client's
 *   memory transport and manual clock; same faults and budgets).
 * - The soak: `soak.ts` (real sockets, real timers; `bench/soak.ts` is its command line).
 * - The fuzzing toolkit: `testing/` (`@kalshi-ws/dst/testing`), used by the `fuzz_*_test.ts`
 *   files here and by the CLI's.
 *
 * @module
 */

export { runSoak, SOAK_FAULTS, type SoakFault, type SoakOptions, type SoakReport } from "./soak.ts";
