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
import { Kvm } from "@nats-io/kv";
import { framesOf, Header, readBookHeaders } from "../envelope.ts";
import { leaseBucketName } from "../stream.ts";

/** A fresh stream name and subject prefix, so tests sharing a server never meet. */
export function testStreamNames(): { stream: string; prefix: string } {
  const tag = crypto.randomUUID().slice(0, 8);
  return { stream: `T_${tag}`, prefix: `t${tag}` };
}

/** Deletes `stream` and its lease bucket (whatever exists of them). */
export async function removeFeed(nc: NatsConnection, stream: string): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(stream).catch(() => {});
  await new Kvm(nc).open(leaseBucketName(stream)).then((kv) => kv.destroy()).catch(() => {});
}

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
  /** Kalshi messages (and collector messages) they carry: a batch counts each. */
  readonly frames: number;
  /** Messages that were batches. */
  readonly batches: number;
  /** `Nats-Msg-Id` values stored more than once. */
  readonly duplicateIds: string[];
  /** Trade ids stored more than once. */
  readonly duplicateTrades: string[];
  /** Book events (deltas, Kalshi snapshots, notices) whose (epoch, market, Book-Seq) repeats. */
  readonly repeatedBookSeqs: string[];
  /**
   * Book counters missing inside a collector run's stored range of a market (`epoch market n`):
   * book events lost between the collector and the stream.
   */
  readonly missingBookSeqs: string[];
  /** Subjects seen (by kind), with counts of stream messages. */
  readonly subjects: Map<string, number>;
}

/** Reads every message of `stream` and looks for anything stored twice or missing. */
export async function auditStream(nc: NatsConnection, stream: string): Promise<StreamAudit> {
  const jsm = await jetstreamManager(nc);
  const last = (await jsm.streams.info(stream)).state.last_seq;
  const consumer = await jetstream(nc).consumers.get(stream, { deliver_policy: DeliverPolicy.All });
  const ids = new Set<string>();
  const trades = new Set<string>();
  const bookSeqs = new Set<string>();
  const runs = new Map<string, number[]>();
  const duplicateIds: string[] = [];
  const duplicateTrades: string[] = [];
  const repeatedBookSeqs: string[] = [];
  const subjects = new Map<string, number>();
  let messages = 0;
  let frames = 0;
  let batches = 0;
  if (last > 0) {
    const iterator = await consumer.consume();
    for await (const m of iterator) {
      messages++;
      const kind = m.subject.split(".").at(-2)!;
      subjects.set(kind, (subjects.get(kind) ?? 0) + 1);
      const id = m.headers?.get(Header.MsgId) ?? "";
      if (id !== "" && ids.has(id)) duplicateIds.push(id);
      ids.add(id);
      const bodies = framesOf(m.headers, m.string());
      frames += bodies.length;
      if (bodies.length > 1) batches++;
      for (const text of bodies) {
        const body = JSON.parse(text);
        if (body.type !== "trade") continue;
        if (trades.has(body.msg.trade_id)) duplicateTrades.push(body.msg.trade_id);
        trades.add(body.msg.trade_id);
      }
      if (kind === "orderbook_delta" || kind === "book_status") {
        const { epoch, bookSeq, lastBookSeq } = readBookHeaders(m.headers);
        const run = `${epoch} ${m.subject.split(".").at(-1)}`;
        for (let n = bookSeq!; n <= lastBookSeq!; n++) {
          const key = `${run} ${m.subject.split(".").at(-2)} ${n}`;
          if (bookSeqs.has(key)) repeatedBookSeqs.push(key);
          bookSeqs.add(key);
          if (!runs.has(run)) runs.set(run, []);
          runs.get(run)!.push(n);
        }
      }
      if (m.seq >= last) break;
    }
    await iterator.close();
  }
  const missingBookSeqs: string[] = [];
  for (const [run, seen] of runs) {
    const have = new Set(seen);
    const [low, high] = [Math.min(...seen), Math.max(...seen)];
    for (let n = low; n <= high; n++) if (!have.has(n)) missingBookSeqs.push(`${run} ${n}`);
  }
  return {
    messages,
    frames,
    batches,
    duplicateIds,
    duplicateTrades,
    repeatedBookSeqs,
    missingBookSeqs,
    subjects,
  };
}
