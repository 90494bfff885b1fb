/**
 * Rebuilds order books from a recording with the same pieces a live client uses: the core's
 * `decodeMessage`, per-sid `checkSeq` and a `BookStore`. It follows the recording rather than
 * driving a session (no commands are sent), with the same rules: a sid belongs to the
 * subscription whose `subscribe` produced it on that connection (which also says whether NO
 * levels are at YES prices); a sequence gap invalidates that sid's books until their next
 * snapshot (the recorded repair); a disconnect invalidates every book until fresh snapshots.
 *
 * @module
 */

import {
  type BookStore,
  checkSeq,
  DecodeError,
  decodeMessage,
  isTerminalError,
  type OrderbookDeltaMsg,
  type OrderbookSnapshotMsg,
  SeqVerdict,
} from "@kalshi-ws/core";
import type { RecordingEntry } from "./recording.ts";

/** Something worth a status line while replaying. */
export type ReplayNote =
  | { readonly type: "connected"; readonly url: string }
  | { readonly type: "disconnected"; readonly code: number }
  | {
    readonly type: "gap";
    readonly sid: number;
    readonly expected: number;
    readonly received: number;
  }
  | { readonly type: "decode_error"; readonly message: string }
  | { readonly type: "bad_frame"; readonly excerpt: string; readonly length: number };

interface SidState {
  readonly channel: string;
  readonly useYesPrice: boolean;
  lastSeq: number;
  readonly markets: Set<string>;
}

/** Applies recording entries to a book store. */
export class ReplayBooks {
  readonly #store: BookStore;
  readonly #note: (note: ReplayNote) => void;
  /** Commands sent on the current connection, by id: whether they asked `use_yes_price`. */
  readonly #commands = new Map<number, boolean>();
  readonly #sids = new Map<number, SidState>();

  /** Feeds `store`; `note` hears connects, disconnects, gaps and undecodable frames. */
  constructor(store: BookStore, note: (note: ReplayNote) => void = () => {}) {
    this.#store = store;
    this.#note = note;
  }

  /**
   * Applies one entry; returns the market whose book it touched (for display ages), or
   * undefined. Data frames on order-book sids count as data.
   */
  apply(entry: RecordingEntry): string | undefined {
    if ("sent" in entry) {
      this.#sent(entry.sent);
      return undefined;
    }
    if ("frame" in entry) return this.#frame(entry.frame);
    if ("bad_frame" in entry) {
      this.#note({ type: "bad_frame", excerpt: entry.bad_frame, length: entry.length });
      return undefined;
    }
    if (entry.event === "connected") {
      this.#commands.clear();
      this.#sids.clear();
      this.#note({ type: "connected", url: entry.url });
    } else if (entry.event === "disconnected") {
      // A clean close (the recording client stopping) leaves the books as they were: exact up
      // to the end. Anything else lost frames in flight, as a live client would assume.
      if (entry.code !== 1000) this.#store.invalidateAll();
      this.#sids.clear();
      this.#note({ type: "disconnected", code: entry.code });
    }
    return undefined;
  }

  #sent(text: string): void {
    try {
      const command = JSON.parse(text) as {
        id?: number;
        cmd?: string;
        params?: { use_yes_price?: boolean };
      };
      if (typeof command.id === "number" && command.cmd === "subscribe") {
        this.#commands.set(command.id, command.params?.use_yes_price === true);
      }
    } catch {
      // not ours to judge: the server answered whatever it was
    }
  }

  #frame(text: string): string | undefined {
    let message;
    try {
      message = decodeMessage(text);
    } catch (error) {
      // A recording is as hostile as the server it came from: whatever the decoder refuses is
      // reported and skipped.
      const message = error instanceof DecodeError
        ? error.message
        : `Cannot decode frame: ${error instanceof Error ? error.message : String(error)}`;
      this.#note({ type: "decode_error", message });
      return undefined;
    }
    const m = message as {
      type: string;
      id?: number;
      sid?: number;
      seq?: number;
      msg?: unknown;
    };
    switch (m.type) {
      case "subscribed": {
        const msg = m.msg as { channel: string; sid: number };
        const useYesPrice = m.id === undefined ? false : this.#commands.get(m.id) ?? false;
        this.#sids.set(msg.sid, {
          channel: msg.channel,
          useYesPrice,
          lastSeq: 0,
          markets: new Set(),
        });
        return undefined;
      }
      case "unsubscribed": {
        if (m.sid !== undefined) this.#sids.delete(m.sid);
        return undefined;
      }
      case "error": {
        const code = (m.msg as { code?: number } | undefined)?.code;
        if (m.sid !== undefined && code !== undefined && isTerminalError(code)) {
          this.#invalidate(this.#sids.get(m.sid));
          this.#sids.delete(m.sid);
        }
        return undefined;
      }
      case "orderbook_snapshot":
      case "orderbook_delta":
        break;
      default:
        if (m.sid !== undefined && m.seq !== undefined) this.#seq(m.sid, m.seq);
        return undefined;
    }
    const state = m.sid === undefined ? undefined : this.#sids.get(m.sid);
    if (state === undefined) return undefined; // a sid this recording never saw subscribed
    if (m.seq !== undefined && !this.#seq(m.sid!, m.seq)) return undefined;
    if (m.type === "orderbook_snapshot") {
      const msg = m.msg as OrderbookSnapshotMsg;
      state.markets.add(msg.market_ticker);
      this.#store.applySnapshot(msg, state.useYesPrice);
      return msg.market_ticker;
    }
    const msg = m.msg as OrderbookDeltaMsg;
    this.#store.applyDelta(msg);
    return msg.market_ticker;
  }

  /** Checks a sid's seq; on a gap invalidates its books. False when the frame must be skipped. */
  #seq(sid: number, seq: number): boolean {
    const state = this.#sids.get(sid);
    if (state === undefined) return true;
    const expected = state.lastSeq + 1;
    const verdict = checkSeq(state, seq);
    if (verdict === SeqVerdict.Stale) return false;
    if (verdict === SeqVerdict.Gap) {
      this.#note({ type: "gap", sid, expected, received: seq });
      this.#invalidate(state);
    }
    return true;
  }

  #invalidate(state: SidState | undefined): void {
    if (state === undefined) return;
    for (const market of state.markets) this.#store.invalidate(market);
  }
}
