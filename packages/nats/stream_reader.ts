/**
 * Reading the feed's stream in order: ordered JetStream consumers (ephemeral, recreated by the
 * client from the last sequence read when their server goes away) and lookups of a market's
 * starting point.
 *
 * @module
 */

import {
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
} from "@nats-io/jetstream";

/** An ordered reader of one filter from a stream sequence. */
export interface OrderedReader {
  /** The messages, in stream order. */
  readonly messages: ConsumerMessages;
  /** Messages matching the filter from the start that were stored when the reader was made. */
  readonly pendingAtStart: number;
  /** Stops reading and removes the server-side consumer. */
  close(): Promise<void>;
}

/**
 * Pulls of up to 256 messages, and a 5 s pull expiry so that a consumer whose server died is
 * noticed (two missed heartbeats: 5 s) and recreated from the last sequence read on another.
 */
const CONSUME = { max_messages: 256, expires: 5_000 } as const;

/** Opens an ordered reader of `filter` from `startSeq` (undefined: the stream's first message). */
export async function openOrderedReader(
  js: JetStreamClient,
  stream: string,
  filter: string,
  startSeq: number | undefined,
): Promise<OrderedReader> {
  const consumer = await js.consumers.get(stream, {
    filter_subjects: filter,
    ...(startSeq === undefined
      ? { deliver_policy: DeliverPolicy.All }
      : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startSeq }),
  });
  const pendingAtStart = (await consumer.info(true)).num_pending;
  const messages = await consumer.consume(CONSUME);
  return {
    messages,
    pendingAtStart,
    close: async () => {
      await messages.close();
      await consumer.delete().catch(() => {}); // gone already, or expires on its own
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
