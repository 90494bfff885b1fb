/**
 * `@kalshi-ws/dst` (private): reliability tooling for kalshi-ws — deterministic simulation of
 * the healing stack against the simulator's pure model, and the loopback soak.
 *
 * @module
 */

export { runSoak, SOAK_FAULTS, type SoakFault, type SoakOptions, type SoakReport } from "./soak.ts";
