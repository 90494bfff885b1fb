/**
 * `@kalshi-ws/dst/testing`: the fuzzing toolkit, for this package's fuzzers and the CLI's (the
 * replay server) — a seeded generator with mutators for hostile input ({@linkcode Fuzz}), a
 * corpus of real frames of every channel, and hostile client frames with the checks every
 * server answer must pass.
 *
 * @module
 */

export { baseFrames, corpus, Fuzz, KEYS } from "./fuzz.ts";
export {
  checkReply,
  commandId,
  COMMANDS,
  hostileFrame,
  KALSHI_CODES,
  tryParse,
} from "./hostile_commands.ts";
