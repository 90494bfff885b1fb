/**
 * The client's own bound on inbound frames. Runtimes accept text frames up to 64 MiB (Deno) or
 * 100 MiB (`ws`), and a hostile or broken server can send one to blow up memory (a 50 MB frame
 * cost 362 MiB of RSS); beyond the runtime's limit the socket just dies with 1006. Kalshi's
 * largest frames (snapshots of deep books) are far below the default here. A frame above
 * `maxFrameBytes` is skipped and reported as a `decode_error` naming the size and the limit
 * (transports that can refuse it earlier, like `ws` via `maxPayload`, close with 1009 and say why).
 *
 * @module
 */

import { DecodeError } from "@kalshi-ws/core";

/** Default `maxFrameBytes`: 16 MiB, a quarter of Deno's own 64 MiB limit. */
export const DEFAULT_MAX_FRAME_BYTES: number = 16 * 1024 * 1024;

/** The UTF-8 length of `text` without encoding it. */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 4; // a surrogate pair: one 4-byte character
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * The error for a frame larger than `maxBytes`, or undefined when it fits. Cheap for ordinary
 * frames: the exact byte count is only taken when the text could be too large.
 */
export function oversizeFrame(text: string, maxBytes: number): DecodeError | undefined {
  if (text.length * 3 <= maxBytes) return undefined; // even all 3-byte characters would fit
  const bytes = text.length > maxBytes ? text.length : utf8Length(text);
  if (bytes <= maxBytes) return undefined;
  return new DecodeError(
    `frame of ${text.length > maxBytes ? "at least " : ""}${bytes} bytes exceeds maxFrameBytes ` +
      `(${maxBytes}); skipped`,
    text.slice(0, 200),
  );
}
