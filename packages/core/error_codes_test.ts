/**
 * The error-code table (`error_codes.ts`) against the facts: Kalshi's texts and terminal codes as
 * the official AsyncAPI lists them (when the spec is beside the repository), and the flags the
 * session's healing relies on.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { parse } from "yaml";
import { DEFAULT_SPEC_PATH as SPEC_PATH } from "./testing/spec_examples.ts";
import {
  ErrorCode,
  errorInfo,
  errorText,
  isErrorCode,
  isRetryableError,
  isTerminalError,
  KALSHI_ERRORS,
  RETRYABLE_ERROR_CODES,
  TERMINAL_ERROR_CODES,
} from "./error_codes.ts";

test("KALSHI_ERRORS has one row per code 1-28 and ErrorCode names each by its row", () => {
  const codes = Object.values(KALSHI_ERRORS).map((info) => info.code);
  assert.deepEqual(codes, Array.from({ length: 28 }, (_, i) => i + 1));
  for (const [name, info] of Object.entries(KALSHI_ERRORS)) {
    assert.equal(ErrorCode[name as keyof typeof ErrorCode], info.code, name);
    assert.equal(errorInfo(info.code), info, name);
    assert.equal(errorText(info.code as ErrorCode), info.text, name);
  }
  assert.equal(ErrorCode.UnknownSid, 7);
  assert.equal(ErrorCode.BufferOverflow, 25);
  assert.equal(errorText(ErrorCode.MarketTickerRequired), "Market Ticker required");
});

test("isTerminalError() is true for 10 and 25 only; isRetryableError() for 10, 17, 18, 25, 27", () => {
  assert.deepEqual([...TERMINAL_ERROR_CODES].sort((a, b) => a - b), [10, 25]);
  assert.deepEqual([...RETRYABLE_ERROR_CODES].sort((a, b) => a - b), [10, 17, 18, 25, 27]);
  assert.equal(isTerminalError(ErrorCode.ChannelError), true);
  assert.equal(isTerminalError(ErrorCode.BufferOverflow), true);
  assert.equal(isTerminalError(ErrorCode.CommandTimeout), false);
  assert.equal(isRetryableError(ErrorCode.TooManyRequests), true);
  assert.equal(isRetryableError(ErrorCode.InvalidParameter), false);
  assert.equal(isTerminalError(99), false);
});

test("isErrorCode() and errorInfo() refuse codes the table does not know", () => {
  for (const code of [0, 29, -1, 1.5, "7", null, undefined]) {
    assert.equal(isErrorCode(code), false, String(code));
  }
  assert.equal(errorInfo(29), undefined);
  assert.equal(isErrorCode(28), true);
});

const SPEC_MISSING = existsSync(SPEC_PATH) ? false : `spec not found at ${SPEC_PATH}`;

test("KALSHI_ERRORS matches the spec's error table: texts verbatim, retired and terminal codes", {
  skip: SPEC_MISSING,
}, () => {
  // deno-lint-ignore no-explicit-any
  const spec = parse(readFileSync(SPEC_PATH, "utf8")) as any;
  const messages = Object.values(spec.components.messages) as { description?: string }[];
  const description = messages.map((m) => m.description ?? "").find((d) =>
    d.includes("## Error Codes Reference") && d.includes("| 23 |")
  );
  assert.ok(description !== undefined, "the error response's table");
  const rows = [...description.matchAll(/^\| (\d+) \| ([^|]+) \|/gm)];
  assert.equal(rows.length, 28);
  for (const [, code, text] of rows) {
    const info = errorInfo(Number(code))!;
    if (text.trim() === "Retired") assert.equal(info.retired, true, code);
    else assert.equal(info.text, text.trim(), code);
  }
  const intro = spec.info.description as string;
  const terminal = intro.slice(intro.indexOf("## Terminal Errors"));
  const terminalCodes = [...terminal.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
  assert.deepEqual(terminalCodes, [...TERMINAL_ERROR_CODES]);
});
