/**
 * Books kept in step with their `orderbook_delta` sids, and repaired when they cannot be trusted.
 *
 * Snapshots and deltas go to the {@linkcode BookKeeper} in `seq` order. A market is untrusted —
 * its deltas held back — from the moment its sid is created or added to until its snapshot
 * arrives. A `seq` gap, a delta the keeper refuses, or a snapshot that never comes starts a repair:
 * the sid's books are invalidated, `get_snapshot` asks for fresh snapshots, and `resynced` is
 * emitted once every market has one. If `get_snapshot` fails or times out, the channel is renewed
 * (unsubscribed and subscribed afresh by the resubscribe plan). Gaps on other sequenced channels
 * are reported and tracking continues.
 *
 * @module
 */

import type { BookSlot } from "./book_keeper.ts";
import { getSnapshotCommand } from "./command_builders.ts";
import type { OrderbookDeltaMessage, OrderbookSnapshotMessage } from "./message_orderbook.ts";
import type { PurposeHandler, ResyncPurpose, SessionContext } from "./session_context.ts";
import { ORDERBOOK, type Sid } from "./subscription_handle.ts";
import { checkSeq, SeqVerdict } from "./subscriptions.ts";

/** Book synchronisation and gap repair of one session. */
export class BookRepair {
  readonly #ctx: SessionContext;
  /**
   * Order-book sids whose first snapshots must arrive by a deadline: a lost snapshot would
   * otherwise show only with the sid's next frame, which a quiet market may not send for long.
   */
  readonly #snapshotDeadlines = new Map<Sid, number>();

  /** Repair acting through `ctx`. */
  constructor(ctx: SessionContext) {
    this.#ctx = ctx;
  }

  /** What each outcome of a `get_snapshot` means: a failed repair renews the channel. */
  readonly resyncHandler: PurposeHandler<ResyncPurpose> = {
    answered: () => {}, // done when the snapshots are in (see #trusted)
    refused: (_purpose, command, _error, now) => {
      if (command.kind === "update") this.#resyncFailed(command.sid, now);
    },
    timedOut: (_purpose, command, _error, now) => {
      if (command.kind !== "update") return;
      const state = this.#ctx.table.sids.get(command.sid);
      const missing = command.markets.some((m) => state?.awaiting?.has(m));
      if (missing) this.#resyncFailed(command.sid, now);
    },
    lost: () => {}, // the connection's end invalidates the books; the re-subscribe renews them
    aborted: () => {},
  };

  /**
   * Counts a frame's `seq` on its sid: a gap is reported (and, on a book sid, repaired) and the
   * frame kept; a duplicate or regression is reported as an anomaly and the frame dropped.
   * Returns whether to keep the frame.
   */
  sequenced(state: Sid, seq: number, now: number): boolean {
    const expected = state.lastSeq + 1;
    const verdict = checkSeq(state, seq);
    if (verdict === SeqVerdict.Ok) return true;
    if (verdict === SeqVerdict.Stale) {
      this.anomaly(state, expected, seq);
      return false;
    }
    this.gap(state, expected, seq, now);
    return true;
  }

  /**
   * One `orderbook_delta`: applied in order, held while its market is untrusted. `price` and
   * `count` are its `price_dollars` and `delta_fp` already parsed (NaN: not parsed); `slot` is
   * the market's place for the keeper to remember its book (from the scanner), if any.
   */
  delta(
    message: OrderbookDeltaMessage,
    now: number,
    price = Number.NaN,
    count = Number.NaN,
    slot?: BookSlot,
  ): void {
    const ctx = this.#ctx;
    const state = ctx.table.sids.get(message.sid);
    if (state === undefined) {
      ctx.emit({ type: "data", key: undefined, sid: message.sid, message });
      return;
    }
    if (state.discarding || !this.sequenced(state, message.seq, now)) return;
    const market = message.msg.market_ticker;
    if (state.awaiting !== undefined && state.awaiting.has(market)) return; // held: book untrusted
    const books = ctx.books;
    if (
      books !== undefined &&
      !(price === price && count === count && books.applyLevelDelta !== undefined
        ? books.applyLevelDelta(market, message.msg.side, price, count, slot)
        : books.applyDelta(message.msg))
    ) {
      ctx.emit({
        type: "book_invalid",
        key: state.owner?.key,
        sid: state.sid,
        marketTicker: market,
        cause: "delta",
      });
      this.startResync(state, [market], now);
      return;
    }
    ctx.emit({ type: "data", key: state.owner?.key, sid: state.sid, message });
  }

  /** One `orderbook_snapshot`: replaces the market's book; the last awaited one ends a repair. */
  snapshot(message: OrderbookSnapshotMessage, now: number): void {
    const ctx = this.#ctx;
    const state = ctx.table.sids.get(message.sid);
    if (state === undefined) {
      ctx.emit({ type: "data", key: undefined, sid: message.sid, message });
      return;
    }
    if (state.discarding || !this.sequenced(state, message.seq, now)) return;
    const market = message.msg.market_ticker;
    if (state.markets !== undefined && !state.markets.has(market)) state.markets.add(market);
    const useYesPrice = state.owner?.useYesPrice ?? false;
    if (ctx.books !== undefined && !ctx.books.applySnapshot(message.msg, useYesPrice)) {
      (state.awaiting ??= new Set()).add(market);
      ctx.emit({
        type: "book_invalid",
        key: state.owner?.key,
        sid: state.sid,
        marketTicker: market,
        cause: "snapshot",
      });
      return;
    }
    ctx.emit({ type: "data", key: state.owner?.key, sid: state.sid, message });
    const awaiting = state.awaiting;
    if (awaiting === undefined || !awaiting.delete(market) || awaiting.size > 0) return;
    this.#trusted(state);
  }

  /** A new book sid: `markets` are untrusted until their snapshots, which must come in time. */
  expectSnapshots(state: Sid, markets: Set<string>, now: number): void {
    state.awaiting = markets;
    this.#snapshotDeadlines.set(state, now + this.#ctx.commandTimeoutMs);
  }

  /** The earliest first-snapshot deadline. */
  nextSnapshotDeadline(): number | undefined {
    let earliest: number | undefined;
    for (const deadline of this.#snapshotDeadlines.values()) {
      if (earliest === undefined || deadline < earliest) earliest = deadline;
    }
    return earliest;
  }

  /** Snapshots still missing at their deadline: ask for them (unless a repair is under way). */
  snapshotsDue(now: number): void {
    const table = this.#ctx.table;
    for (const [state, deadline] of this.#snapshotDeadlines) {
      if (deadline > now) continue;
      this.#snapshotDeadlines.delete(state);
      const missing = state.awaiting === undefined ? [] : [...state.awaiting];
      if (table.sids.get(state.sid) !== state || state.discarding || missing.length === 0) {
        continue;
      }
      let repairing = false;
      for (const command of table.pendingCommands()) {
        if (command.kind === "update" && command.sid === state.sid) repairing = true;
      }
      if (!repairing) this.startResync(state, missing, now);
    }
  }

  /** The connection closed: no snapshot is awaited any more. */
  connectionLost(): void {
    this.#snapshotDeadlines.clear();
  }

  /** Every market of an order-book sid is trusted again: end its repair, answer waiters. */
  #trusted(state: Sid): void {
    const ctx = this.#ctx;
    this.#snapshotDeadlines.delete(state);
    this.#endRepair(state);
    if (state.resyncing) {
      state.resyncing = false;
      ctx.emit({
        type: "resynced",
        key: state.owner?.key,
        sid: state.sid,
        markets: [...(state.markets ?? [])],
      });
    }
    const owner = state.owner;
    if (owner !== undefined) {
      for (const request of owner.resyncWaiters.splice(0)) {
        ctx.resolve(request, { command: "resync", key: owner.key });
      }
    }
  }

  /** Stops waiting for the sid's `get_snapshot` commands. */
  #endRepair(state: Sid): void {
    const table = this.#ctx.table;
    for (const command of [...table.pendingCommands()]) {
      if (
        command.kind === "update" && command.sid === state.sid && command.tag.purpose === "resync"
      ) {
        table.complete(command.id);
      }
    }
  }

  /** Frames were lost on `state`: report it; an order-book sid asks for fresh snapshots. */
  gap(state: Sid, expected: number, received: number, now: number): void {
    this.#ctx.emit({
      type: "gap",
      key: state.owner?.key,
      sid: state.sid,
      channel: state.channel,
      expected,
      received,
    });
    if (state.channel === ORDERBOOK && state.markets !== undefined && state.markets.size > 0) {
      this.startResync(state, [...state.markets], now);
    }
  }

  /** A duplicate or regressed `seq` on `state` (the frame is not delivered). */
  anomaly(state: Sid, expected: number, received: number): void {
    this.#ctx.emit({
      type: "seq_anomaly",
      key: state.owner?.key,
      sid: state.sid,
      channel: state.channel,
      expected,
      received,
    });
  }

  /** Invalidates `markets` of an order-book sid and asks for their snapshots (`get_snapshot`). */
  startResync(state: Sid, markets: readonly string[], now: number): void {
    if (markets.length === 0) return;
    const ctx = this.#ctx;
    const awaiting = state.awaiting ??= new Set();
    for (const m of markets) {
      ctx.books?.invalidate(m);
      awaiting.add(m);
    }
    state.resyncing = true;
    if (state.discarding || !ctx.connected) return;
    ctx.send(
      getSnapshotCommand(state.sid, markets),
      { purpose: "resync", handle: state.owner },
      now,
    );
  }

  /** An `add_markets` failed: stop waiting for snapshots of markets the sid does not have. */
  notAdded(sid: number, markets: readonly string[]): void {
    const state = this.#ctx.table.sids.get(sid);
    const awaiting = state?.awaiting;
    if (state === undefined || awaiting === undefined || awaiting.size === 0) return;
    for (const t of markets) if (!state.markets?.has(t)) awaiting.delete(t);
    if (awaiting.size === 0) this.#trusted(state);
  }

  /** `get_snapshot` failed or timed out: unsubscribe and subscribe the channel afresh. */
  #resyncFailed(sid: number, now: number): void {
    const ctx = this.#ctx;
    const state = ctx.table.sids.get(sid);
    if (state === undefined || state.discarding) return;
    this.#endRepair(state);
    if (state.owner === undefined) {
      ctx.plan.discard(state, now);
      return;
    }
    ctx.plan.replace(state.owner, state, "resync_failed", now);
  }

  /** Marks the books of an order-book sid invalid (its data can no longer be trusted). */
  invalidateBooks(state: Sid): void {
    const books = this.#ctx.books;
    if (books === undefined || state.channel !== ORDERBOOK) return;
    for (const m of state.markets ?? []) books.invalidate(m);
  }
}
