/**
 * Test helper: in-memory {@linkcode OutputStreams} that capture what an `Output` writes and
 * can play a closed pipe.
 *
 * @module
 */

import type { OutputStreams } from "./output.ts";

const decoder = new TextDecoder();

/** Captured stdout/stderr text; set `broken` to make stdout writes fail like a closed pipe. */
export class MemoryStreams implements OutputStreams {
  stdout = "";
  stderr = "";
  broken = false;
  readonly outIsTerminal: boolean;
  readonly errIsTerminal: boolean;
  readonly noColor: boolean;

  /** Terminal flags as given (default: not terminals, colour allowed). */
  constructor(options: { terminal?: boolean; noColor?: boolean } = {}) {
    this.outIsTerminal = options.terminal ?? false;
    this.errIsTerminal = options.terminal ?? false;
    this.noColor = options.noColor ?? false;
  }

  writeOut(bytes: Uint8Array): number {
    if (this.broken) throw new Deno.errors.BrokenPipe("Broken pipe (os error 32)");
    this.stdout += decoder.decode(bytes);
    return bytes.length;
  }

  writeErr(bytes: Uint8Array): number {
    this.stderr += decoder.decode(bytes);
    return bytes.length;
  }

  /** Stdout lines parsed as JSON. */
  json(): Record<string, unknown>[] {
    return this.stdout.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
  }
}
