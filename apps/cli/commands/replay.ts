import type { CommandContext } from "../context.ts";

/** Runs `replay`. */
export function replay(_context: CommandContext): Promise<number> {
  return Promise.reject(new Error("Not implemented yet: replay"));
}
