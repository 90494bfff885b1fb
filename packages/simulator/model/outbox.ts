/**
 * The last step of every frame a connection sends: drift mode may alter it, and an armed
 * frame-level fault acts on the next sequenced frame that matches — dropped (its `seq` is
 * consumed, so the client sees a gap) or sent twice. Commands and the fan-out only append
 * frames here, so faults and drift apply to all of them alike.
 *
 * @module
 */

import { DriftMode } from "./drift_mode.ts";

/** One frame to send: its text, and the sid/seq it carries (for fault targeting and tests). */
export interface OutFrame {
  /** The JSON text frame. */
  readonly text: string;
  /** The subscription it belongs to, if any. */
  readonly sid?: number;
  /** Its sequence number, when it carries one. */
  readonly seq?: number;
}

/** A frame-level fault waiting for the next matching sequenced frame. */
export interface PendingFault {
  /** Drop the frame (its `seq` is consumed: the client sees a gap) or send it twice. */
  readonly kind: "drop" | "duplicate";
  /** Only a frame of this sid; any sequenced frame when undefined. */
  readonly sid?: number | undefined;
}

/** Where one connection's frames go out (see the module doc). */
export class Outbox {
  readonly #faults: PendingFault[] = [];
  readonly #drift: DriftMode | undefined;

  /** An outbox; `drift` turns drift mode on for the connection. */
  constructor(drift: boolean) {
    this.#drift = drift ? new DriftMode() : undefined;
  }

  /** Frame-level faults still waiting for a matching frame. */
  pendingFaults(): readonly PendingFault[] {
    return this.#faults;
  }

  /** Arms `fault` for the next sequenced frame (of its sid, if given). */
  arm(fault: PendingFault): void {
    this.#faults.push(fault);
  }

  /** Appends `frame` to `out`, applying the first armed fault that matches it (and drift mode). */
  push(out: OutFrame[], frame: OutFrame): void {
    if (this.#drift !== undefined) frame = this.#drift.alter(frame, out);
    if (frame.seq !== undefined && this.#faults.length > 0) {
      const index = this.#faults.findIndex((f) => f.sid === undefined || f.sid === frame.sid);
      if (index >= 0) {
        const [fault] = this.#faults.splice(index, 1);
        if (fault!.kind === "drop") return;
        out.push(frame);
      }
    }
    out.push(frame);
  }
}
