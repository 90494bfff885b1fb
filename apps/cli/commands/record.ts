import type { CommandContext } from "../context.ts";

/** Runs `record`. */
export function record(_context: CommandContext): Promise<number> {
  return Promise.reject(new Error("Not implemented yet: record"));
}
