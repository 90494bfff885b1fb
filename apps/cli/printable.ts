/**
 * The one escaping helper for text that reaches a terminal. A hostile server (or a hostile
 * recording) controls error messages, close reasons, frame excerpts, tickers and every field of
 * a data message; printed raw, its control characters could move the cursor, rewrite the screen,
 * set the window title or hide text. Everything the CLI prints passes through here: status lines
 * and errors in `Output`, text data lines, the ladder's tickers and titles.
 *
 * @module
 */

/**
 * C0 controls (including newline and tab), DEL, C1 controls, and the Unicode line/paragraph
 * separators and bidirectional overrides (which reorder what a reader sees).
 */
// deno-lint-ignore no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Characters JSON.stringify leaves raw that a terminal may still act on: DEL, C1 and the rest. */
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escapeOne(char: string): string {
  return NAMED[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/**
 * `text` with every control character written as a visible escape (`\n`, `\u001b`, …), so it
 * prints as exactly one line that cannot steer the terminal. Printable text is unchanged.
 */
export function printable(text: string): string {
  UNPRINTABLE.lastIndex = 0;
  return UNPRINTABLE.test(text) ? text.replace(UNPRINTABLE, escapeOne) : text;
}

/**
 * `JSON.stringify(value)` with the characters it leaves raw but terminals may act on (DEL, C1
 * controls, separators, bidi overrides) written as `\uXXXX` too: the same JSON value, safe to
 * show. JSON already escapes C0 controls.
 */
export function printableJson(value: unknown): string {
  const text = JSON.stringify(value) ?? "null";
  JSON_UNSAFE.lastIndex = 0;
  return JSON_UNSAFE.test(text) ? text.replace(JSON_UNSAFE, escapeOne) : text;
}
