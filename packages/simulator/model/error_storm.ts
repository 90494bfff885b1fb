/**
 * A terminal-error storm: Kalshi failing one channel's subscriptions again and again. While the
 * storm lasts, every subscription of that channel is killed with a terminal code (25 by default)
 * the moment it exists — the situation in which a client that re-subscribes at once sends tens
 * of thousands of subscribes a minute. Pure: the socket server and the deterministic simulations
 * call {@linkcode ErrorStorm.strike} after each reply and at the storm's start.
 *
 * @example
 * ```ts
 * import { ErrorStorm } from "./error_storm.ts";
 * const storm = new ErrorStorm("orderbook_delta", 25, 30_000);
 * storm.active(10_000); // true
 * ```
 *
 * @module
 */

import {
  type Channel,
  type ErrorCode,
  isTerminalError,
  TERMINAL_ERROR_CODES,
} from "@kalshi-ws/core";
import type { ProtocolConnection } from "./connection.ts";
import type { OutFrame } from "./outbox.ts";

/** One storm on one channel, over every connection. */
export class ErrorStorm {
  /** The channel whose subscriptions are killed. */
  readonly channel: Channel;
  /** The terminal code sent (10 or 25). */
  readonly code: ErrorCode;
  /** The storm ends at this instant (in the caller's clock; `Infinity`: until stopped). */
  readonly until: number;
  /** Subscriptions killed so far. */
  kills = 0;

  /** A storm on `channel` with `code` until `until`. */
  constructor(channel: Channel, code: ErrorCode, until: number) {
    if (!isTerminalError(code)) {
      throw new RangeError(
        `Cannot storm with error ${code}: only ${
          [...TERMINAL_ERROR_CODES].join(" and ")
        } are terminal`,
      );
    }
    this.channel = channel;
    this.code = code;
    this.until = until;
  }

  /** Whether the storm still lasts at `now`. */
  active(now: number): boolean {
    return now < this.until;
  }

  /** The error frames that kill every live subscription of the channel on `protocol` now. */
  strike(protocol: ProtocolConnection, now: number): OutFrame[] {
    if (!this.active(now)) return [];
    const frames: OutFrame[] = [];
    for (const sub of protocol.subscriptions()) {
      if (sub.channel !== this.channel) continue;
      this.kills++;
      for (const frame of protocol.raiseError(sub.sid, this.code)) frames.push(frame);
    }
    return frames;
  }
}
