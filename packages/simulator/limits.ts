/**
 * Bounds shared by every entry point of the simulator (`deno task simulate`, `kalshi-ws simulate`
 * and `demo`, and `startActivity()` itself), so none of them can be asked for a rate that blocks
 * the event loop (a blocked loop also ignores Ctrl-C).
 *
 * @module
 */

/** Most generator steps per second the activity timer runs (each step may emit several frames). */
export const MAX_ACTIVITY_RATE = 10_000;

/** Largest command frame (bytes) a simulated connection accepts; Kalshi's commands are tiny. */
export const MAX_COMMAND_BYTES = 64 * 1024;

/** Largest client frame (bytes) the server reads at all; above it the connection closes (1009). */
export const MAX_CLIENT_FRAME_BYTES = 1024 * 1024;
