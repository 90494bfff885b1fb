/**
 * The promises of the calls in flight (`subscribe()`, `addMarkets()`, `listSubscriptions()`, …),
 * by the session's request id. The session answers every request with exactly one
 * `command_result` event, within the command timeout of the call, so every promise settles.
 *
 * @module
 */

import type { CommandResultEvent, CommandValue, RequestId } from "@kalshi-ws/core";

interface Waiter {
  readonly resolve: (value: CommandValue) => void;
  readonly reject: (error: unknown) => void;
}

/** Request id → the promise waiting for its `command_result`. */
export class PendingRequests {
  readonly #waiting = new Map<RequestId, Waiter>();
  /** Requests the client made for itself (overflow repairs): their results are not reported. */
  readonly #unreported = new Set<RequestId>();

  /** A promise settled by `request`'s result. */
  wait(request: RequestId): Promise<CommandValue> {
    return new Promise<CommandValue>((resolve, reject) => {
      this.#waiting.set(request, { resolve, reject });
    });
  }

  /** Marks `request` as the client's own: its result settles nothing. */
  unreported(request: RequestId): void {
    this.#unreported.add(request);
  }

  /** Settles the promise of `event`'s request; returns whether a user's request failed. */
  settle(event: CommandResultEvent): boolean {
    if (this.#unreported.delete(event.request)) return false;
    const waiter = this.#waiting.get(event.request);
    if (waiter === undefined) return false;
    this.#waiting.delete(event.request);
    if (event.ok) {
      waiter.resolve(event.value);
      return false;
    }
    waiter.reject(event.error);
    return true;
  }

  /** Rejects every waiting promise with `error(request)` (the client ended). */
  rejectAll(error: () => unknown): void {
    for (const [request, waiter] of this.#waiting) {
      this.#waiting.delete(request);
      waiter.reject(error());
    }
  }
}
