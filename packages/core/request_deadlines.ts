/**
 * The time budget of user requests: every request is settled (answered, refused, or rejected
 * with a timeout) within the command timeout of the moment the caller made it — whether it was
 * sent at once, queued for the next connection, or waiting for its subscription to be restored.
 * A request made while the link is down therefore never waits for a connection that may never
 * come; a request sent at once keeps exactly the deadline its command has on the wire.
 *
 * This class only keeps the books (which requests are open, until when); the session decides
 * what an expired request leaves behind. A request settles once: later answers are ignored.
 *
 * @example
 * ```ts
 * import { RequestDeadlines } from "./request_deadlines.ts";
 * const deadlines = new RequestDeadlines();
 * deadlines.track(1, "subscribe", 10_000);
 * deadlines.next(); // 10000
 * deadlines.due(10_000); // [{ request: 1, command: "subscribe" }]
 * deadlines.settle(1); // true: first settlement
 * deadlines.settle(1); // false: already settled
 * ```
 *
 * @module
 */

/** An open request whose deadline has passed. */
export interface DueRequest {
  /** The request id. */
  readonly request: number;
  /** The wire command it stands for (for the timeout error). */
  readonly command: string;
}

interface Entry {
  readonly command: string;
  readonly deadline: number;
}

/** Open requests and their deadlines. */
export class RequestDeadlines {
  readonly #open = new Map<number, Entry>();

  /** How many requests are open. */
  get size(): number {
    return this.#open.size;
  }

  /** Starts the clock of `request` (standing for wire `command`): it must settle by `deadline`. */
  track(request: number, command: string, deadline: number): void {
    this.#open.set(request, { command, deadline });
  }

  /** Whether `request` is still open. */
  isOpen(request: number): boolean {
    return this.#open.has(request);
  }

  /** Marks `request` settled; returns false when it was not open (settled already, or unknown). */
  settle(request: number): boolean {
    return this.#open.delete(request);
  }

  /** The earliest deadline of an open request. */
  next(): number | undefined {
    let earliest: number | undefined;
    for (const entry of this.#open.values()) {
      if (earliest === undefined || entry.deadline < earliest) earliest = entry.deadline;
    }
    return earliest;
  }

  /** The open requests whose deadline is at or before `now` (still open: settle them). */
  due(now: number): DueRequest[] {
    const due: DueRequest[] = [];
    for (const [request, entry] of this.#open) {
      if (entry.deadline <= now) due.push({ request, command: entry.command });
    }
    return due;
  }

  /** Forgets every request (all were settled by other means). */
  clear(): void {
    this.#open.clear();
  }
}
