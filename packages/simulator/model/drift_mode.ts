/**
 * Drift mode: the simulator behaves like a Kalshi that changed its API under the client — it
 * adds fields no spec documents and sends a message type nobody knows — so users can see what
 * their client reports (`kalshi-ws check`, the `drift` event) before Kalshi does it for real.
 *
 * Deterministic and harmless to a correct client: the added fields sit beside every documented
 * one (books and sequence numbers are untouched), and the unknown type carries no `sid`/`seq`.
 * What is added:
 * - `msg.simulated_new_field` on the first data frame of each type, and on every 20th frame;
 * - a top-level `simulated_envelope_field` on the first reply of each type (`subscribed`, `ok`,
 *   `unsubscribed`, `error`, the list reply);
 * - a `{"type":"simulated_new_type",…}` frame before the connection's first frame and every
 *   100th frame after.
 *
 * @module
 */

import type { OutFrame } from "./outbox.ts";

/** The field drift mode adds to `msg` of data frames. */
export const DRIFT_FIELD = "simulated_new_field";
/** The top-level field drift mode adds to replies. */
export const DRIFT_ENVELOPE_FIELD = "simulated_envelope_field";
/** The message type drift mode sends. */
export const DRIFT_TYPE = "simulated_new_type";

const FIELD_EVERY = 20;
const TYPE_EVERY = 100;
const REPLIES = new Set(["subscribed", "unsubscribed", "ok", "error"]);
const TYPE = /"type":"([a-z0-9_]+)"/;
const UNKNOWN_TYPE_TEXT = JSON.stringify({
  type: DRIFT_TYPE,
  msg: { note: "sent by the simulator's drift mode: a message type no spec documents" },
});

/** Alters the frames of one connection (see the module doc). */
export class DriftMode {
  #frames = 0;
  readonly #typesSeen = new Set<string>();

  /**
   * The frame to send instead of `frame` (with an added field, or unchanged); pushes an
   * unknown-type frame onto `out` first when one is due.
   */
  alter(frame: OutFrame, out: OutFrame[]): OutFrame {
    const n = this.#frames++;
    if (n % TYPE_EVERY === 0) out.push({ text: UNKNOWN_TYPE_TEXT });
    const type = TYPE.exec(frame.text.slice(0, 80))?.[1];
    if (type === undefined) return frame;
    const first = !this.#typesSeen.has(type);
    if (first) this.#typesSeen.add(type);
    let text = frame.text;
    if (REPLIES.has(type)) {
      if (!first) return frame;
      text = `{"${DRIFT_ENVELOPE_FIELD}":true,${text.slice(1)}`;
    } else {
      if (!first && n % FIELD_EVERY !== 0) return frame;
      const at = text.indexOf('"msg":{');
      if (at < 0) return frame;
      const open = at + 7;
      const comma = text[open] === "}" ? "" : ",";
      text = `${text.slice(0, open)}"${DRIFT_FIELD}":"added by drift mode"${comma}${
        text.slice(open)
      }`;
    }
    return { ...frame, text };
  }
}
