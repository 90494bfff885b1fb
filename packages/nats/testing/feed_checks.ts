/**
 * Checks the integration tests share: waiting on a condition, comparing rebuilt books with the
 * simulator's truth, and auditing a whole stream for duplicates.
 *
 * @module
 */

import type { BookStore } from "@kalshi-ws/client";
import type { Simulator } from "@kalshi-ws/simulator";
import type { NatsConnection } from "@nats-io/transport-node";
import { DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Header } from "../envelope.ts";

/** Polls `condition` every 25 ms until true; throws `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Markets whose book in `books` differs from the simulator's truth (empty: all equal). */
export function booksDiffering(
  sim: Simulator,
  books: BookStore,
  markets: readonly string[],
): string[] {
  const differing: string[] = [];
  for (const market of markets) {
    const book = books.get(market);
    const truth = sim.truth.book(market);
    if (
      book === undefined || !book.valid ||
      JSON.stringify(book.ladder("yes")) !== JSON.stringify(truth.yes) ||
      JSON.stringify(book.ladder("no")) !== JSON.stringify(truth.no)
    ) differing.push(market);
  }
  return differing;
}

/** What {@linkcode auditStream} found. */
export interface StreamAudit {
  /** Messages in the stream. */
  readonly messages: number;
  /** `Nats-Msg-Id` values stored more than once. */
  readonly duplicateIds: string[];
  /** Trade ids stored more than once. */
  readonly duplicateTrades: string[];
  /** Book events (deltas, Kalshi snapshots, notices) whose (epoch, market, Book-Seq) repeats. */
  readonly repeatedBookSeqs: string[];
  /** Subjects seen, with counts. */
  readonly subjects: Map<string, number>;
}

/** Reads every message of `stream` and looks for anything stored twice. */
export async function auditStream(nc: NatsConnection, stream: string): Promise<StreamAudit> {
  const jsm = await jetstreamManager(nc);
  const last = (await jsm.streams.info(stream)).state.last_seq;
  const consumer = await jetstream(nc).consumers.get(stream, { deliver_policy: DeliverPolicy.All });
  const ids = new Set<string>();
  const trades = new Set<string>();
  const bookSeqs = new Set<string>();
  const duplicateIds: string[] = [];
  const duplicateTrades: string[] = [];
  const repeatedBookSeqs: string[] = [];
  const subjects = new Map<string, number>();
  let messages = 0;
  if (last > 0) {
    const iterator = await consumer.consume();
    for await (const m of iterator) {
      messages++;
      const kind = m.subject.split(".").at(-2)!;
      subjects.set(kind, (subjects.get(kind) ?? 0) + 1);
      const id = m.headers?.get(Header.MsgId) ?? "";
      if (id !== "" && ids.has(id)) duplicateIds.push(id);
      ids.add(id);
      const body = JSON.parse(m.string());
      if (body.type === "trade") {
        if (trades.has(body.msg.trade_id)) duplicateTrades.push(body.msg.trade_id);
        trades.add(body.msg.trade_id);
      }
      if (kind === "orderbook_delta" || kind === "book_status") {
        const key = `${m.headers?.get(Header.Epoch)} ${m.subject} ${
          m.headers?.get(Header.BookSeq)
        }`;
        if (bookSeqs.has(key)) repeatedBookSeqs.push(key);
        bookSeqs.add(key);
      }
      if (m.seq >= last) break;
    }
    await iterator.close();
  }
  return { messages, duplicateIds, duplicateTrades, repeatedBookSeqs, subjects };
}
