/**
 * Reading the feed's stream in order, through server failures: ordered JetStream consumers
 * (ephemeral, one replica, in memory) re-created from the last sequence read whenever theirs
 * stops answering — and lookups of a market's starting point.
 *
 * The client library re-creates an ordered consumer itself only when the server says it is
 * gone. When the one server holding it dies, a cluster still lists it (nobody answers for it
 * until that server returns), so the library would wait for the server; this reader gives up on
 * it after two missed heartbeats (5 s) and makes a new one on a live server instead.
 *
 * @module
 */

import {
  type Consumer,
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from "@nats-io/jetstream";

/** An ordered reader of one filter from a stream sequence. */
export interface OrderedReader {
  /** The messages, in stream order, each once. */
  readonly messages: AsyncIterable<JsMsg>;
  /** Messages matching the filter from the start that were stored when the reader was made. */
  readonly pendingAtStart: number;
  /** Consumers made again after theirs stopped answering. */
  readonly restarts: number;
  /** Stops reading and removes the server-side consumer. */
  close(): Promise<void>;
}

/**
 * Pulls of up to 256 messages, and a 5 s pull expiry: heartbeats every 2.5 s, so a consumer
 * whose server died is noticed after two missed ones.
 */
const CONSUME = { max_messages: 256, expires: 5_000 } as const;
const MISSED_HEARTBEATS = 2;
const RETRY_MS = [250, 500, 1_000, 2_000] as const;

interface Current {
  readonly consumer: Consumer;
  readonly messages: ConsumerMessages;
  /** Set when the consumer stopped answering (its iteration was stopped for a new one). */
  stale: boolean;
}

/** Opens an ordered reader of `filter` from `startSeq` (undefined: the stream's first message). */
export async function openOrderedReader(
  js: JetStreamClient,
  stream: string,
  filter: string,
  startSeq: number | undefined,
): Promise<OrderedReader> {
  let closed = false;
  let restarts = 0;
  const open = async (from: number | undefined): Promise<Current> => {
    const consumer = await js.consumers.get(stream, {
      filter_subjects: filter,
      ...(from === undefined
        ? { deliver_policy: DeliverPolicy.All }
        : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: from }),
    });
    const messages = await consumer.consume(CONSUME);
    const current: Current = { consumer, messages, stale: false };
    void (async () => {
      for await (const status of messages.status()) {
        if (status.type === "heartbeats_missed" && status.count >= MISSED_HEARTBEATS) {
          current.stale = true;
          await messages.close();
          return;
        }
      }
    })().catch(() => {});
    return current;
  };
  let current = await open(startSeq);
  const pendingAtStart = (await current.consumer.info(true)).num_pending;
  const reopen = async (from: number | undefined): Promise<Current | undefined> => {
    void current.consumer.delete().catch(() => {}); // its server may be gone: it expires then
    for (let attempt = 0; !closed; attempt++) {
      try {
        return await open(from);
      } catch {
        // no stream leader yet, or the request timed out: try again
        const wait = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]!;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
    return undefined;
  };
  async function* read(): AsyncGenerator<JsMsg> {
    let next = startSeq;
    while (true) {
      for await (const m of current.messages) {
        next = m.seq + 1;
        yield m;
      }
      if (closed || !current.stale) return;
      restarts++;
      const fresh = await reopen(next);
      if (fresh === undefined) return;
      current = fresh;
    }
  }
  return {
    messages: read(),
    pendingAtStart,
    get restarts() {
      return restarts;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await current.messages.close();
      // Not awaited: its server may be away (then it expires on its own).
      void current.consumer.delete().catch(() => {});
    },
  };
}

/** Stream sequence of the last message on `subject`, or undefined when there is none. */
export async function lastMessage(
  jsm: JetStreamManager,
  stream: string,
  subject: string,
): Promise<number | undefined> {
  try {
    const m = await jsm.streams.getMessage(stream, { last_by_subj: subject });
    return m?.seq ?? undefined;
  } catch (error) {
    if (/no message found/i.test(String((error as Error)?.message))) return undefined;
    throw error;
  }
}

/** Whether any stored message matches `filter`. */
export async function anyMessage(
  jsm: JetStreamManager,
  stream: string,
  filter: string,
): Promise<boolean> {
  const info = await jsm.streams.info(stream, { subjects_filter: filter });
  return Object.keys(info.state.subjects ?? {}).length > 0;
}
