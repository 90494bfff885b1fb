/**
 * The first check of every client frame, shared by the simulator and `kalshi-ws replay --serve`:
 * a command must be one JSON object (at most {@linkcode MAX_COMMAND_BYTES}), with an optional
 * non-negative integer `id` and a string `cmd`; anything else is answered the way Kalshi answers
 * it (code 1 "Unable to process message", code 5 "Unknown command", code 2 "Params required").
 * The rest of a command's validation belongs to its handler. Client frames are hostile input:
 * nothing here throws, whatever the text (`null`, 100 000-deep nesting, a megabyte of junk).
 *
 * @module
 */

import { MAX_COMMAND_BYTES } from "../limits.ts";
import { isCommandName } from "@kalshi-ws/core";
import { ErrorCode, errorText } from "./protocol.ts";

/** A frame that passed the envelope check. */
export interface CommandEnvelope {
  readonly ok: true;
  /** The command id (undefined when absent, null or 0: no reply id). */
  readonly id: number | undefined;
  /** The command name. */
  readonly cmd: string;
  /** The raw `params` (validated by the command's handler). */
  readonly params: unknown;
}

/** A frame the envelope check refused: answer with `errorFrame(code, id)`. */
export interface RefusedEnvelope {
  readonly ok: false;
  readonly code: ErrorCode;
  /** The id to answer with, when the frame had a usable one. */
  readonly id: number | undefined;
}

/** Checks the envelope of one client text frame. Never throws. */
export function parseCommandEnvelope(text: string): CommandEnvelope | RefusedEnvelope {
  if (text.length > MAX_COMMAND_BYTES) {
    return { ok: false, code: ErrorCode.UnableToProcess, id: undefined };
  }
  let command: unknown;
  try {
    command = JSON.parse(text);
  } catch {
    return { ok: false, code: ErrorCode.UnableToProcess, id: undefined };
  }
  if (!isObject(command)) return { ok: false, code: ErrorCode.UnableToProcess, id: undefined };
  const rawId = command.id;
  let id: number | undefined;
  if (rawId !== undefined && rawId !== null) {
    if (!Number.isSafeInteger(rawId) || (rawId as number) < 0) {
      return { ok: false, code: ErrorCode.UnableToProcess, id: undefined };
    }
    id = rawId === 0 ? undefined : rawId as number;
  }
  const cmd = command.cmd;
  if (typeof cmd !== "string") {
    return {
      ok: false,
      code: cmd === undefined ? ErrorCode.UnknownCommand : ErrorCode.UnableToProcess,
      id,
    };
  }
  if (!isCommandName(cmd)) return { ok: false, code: ErrorCode.UnknownCommand, id };
  return { ok: true, id, cmd, params: command.params };
}

/** The `error` frame Kalshi sends for `code` (with the command's `id` when it had one). */
export function errorFrame(
  code: ErrorCode,
  id: number | undefined,
  extra?: Record<string, unknown>,
): string {
  return JSON.stringify({
    ...(id === undefined ? {} : { id }),
    type: "error",
    msg: { code, msg: errorText(code), ...extra },
  });
}

/** A plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
