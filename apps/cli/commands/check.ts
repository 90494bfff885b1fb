import type { CommandContext } from "../context.ts";

/** Runs `check`. */
export function check(_context: CommandContext): Promise<number> {
  return Promise.reject(new Error("Not implemented yet: check"));
}
