import { test } from "node:test";
import assert from "node:assert/strict";
import { type OutboundMessage, Publisher, type PublisherEvent } from "./publisher.ts";

/** A fake JetStream: records sends; each is settled by the test. */
class FakeStream {
  readonly sent: { message: OutboundMessage; ack: () => void; fail: (e: Error) => void }[] = [];
  readonly stored: string[] = [];
  readonly send = (message: OutboundMessage): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      this.sent.push({
        message,
        ack: () => {
          if (!this.stored.includes(message.msgId)) this.stored.push(message.msgId);
          resolve();
        },
        fail: reject,
      });
    });
}

/** A manual timer for the retry backoff. */
class ManualTimer {
  pending: { fn: () => void; ms: number }[] = [];
  readonly set = (fn: () => void, ms: number): () => void => {
    const entry = { fn, ms };
    this.pending.push(entry);
    return () => this.pending = this.pending.filter((e) => e !== entry);
  };
  fire(): number {
    const [first] = this.pending.splice(0, 1);
    first!.fn();
    return first!.ms;
  }
}

const flush = () => new Promise<void>((resolve) => queueMicrotask(resolve)).then(() => {});
const msg = (n: number, market?: string): OutboundMessage => ({
  subject: "kalshi.trade.KXA",
  data: `{"n":${n}}`,
  msgId: `e.${n}`,
  headers: {},
  ...(market === undefined ? {} : { market }),
});

test("Publisher sends in order within its window and refuses offers beyond its capacity", async () => {
  const js = new FakeStream();
  const publisher = new Publisher({ send: js.send, capacity: 4, maxInFlight: 2 });
  for (let n = 1; n <= 4; n++) assert.equal(publisher.offer(msg(n)), true);
  assert.equal(publisher.offer(msg(5)), false);
  assert.deepEqual(js.sent.map((s) => s.message.msgId), ["e.1", "e.2"]);
  js.sent[0]!.ack();
  await flush();
  await flush();
  assert.deepEqual(js.sent.map((s) => s.message.msgId), ["e.1", "e.2", "e.3"]);
  assert.equal(publisher.queued, 3);
  assert.equal(publisher.offer(msg(5)), true);
  for (const s of js.sent.slice(1)) s.ack();
  await flush();
  await flush();
  for (const s of js.sent.slice(3)) s.ack();
  await publisher.flush();
  assert.deepEqual(js.stored, ["e.1", "e.2", "e.3", "e.4", "e.5"]);
  assert.equal(publisher.published, 5);
  publisher.close();
});

test("Publisher stalls on a failure, probes with the oldest message after a backoff, and re-sends the rest in order with the same ids", async () => {
  const js = new FakeStream();
  const timer = new ManualTimer();
  const events: PublisherEvent[] = [];
  let now = 0;
  const publisher = new Publisher({
    send: js.send,
    maxInFlight: 3,
    retryDelayMs: 100,
    setTimer: timer.set,
    onEvent: (e) => events.push(e),
    now: () => now,
  });
  for (let n = 1; n <= 3; n++) publisher.offer(msg(n));
  js.sent[1]!.ack(); // stored, but its ack arrives before the failure of the first
  js.sent[0]!.fail(new Error("timeout"));
  await flush();
  assert.equal(publisher.stalled, true);
  assert.equal(events[0]?.type, "stalled");
  publisher.offer(msg(4)); // buffered while stalled
  assert.equal(js.sent.length, 3);
  // First probe fails too: the backoff doubles.
  now = 100;
  assert.equal(timer.fire(), 100);
  assert.equal(js.sent.at(-1)!.message.msgId, "e.1");
  js.sent.at(-1)!.fail(new Error("still down"));
  await flush();
  now = 300;
  assert.equal(timer.fire(), 200);
  js.sent.at(-1)!.ack();
  await flush();
  await flush();
  assert.equal(publisher.stalled, false);
  assert.deepEqual(events.map((e) => e.type), ["stalled", "resumed"]);
  assert.equal(events[1]?.type === "resumed" && events[1].stalledMs, 300);
  // e.2 was acknowledged before: only e.3 and e.4 are re-sent, in order.
  assert.deepEqual(js.sent.slice(5).map((s) => s.message.msgId), ["e.3", "e.4"]);
  for (const s of js.sent.slice(5)) s.ack();
  js.sent[2]!.ack(); // a late ack of the first e.3 changes nothing
  await publisher.flush();
  assert.deepEqual(js.stored, ["e.2", "e.1", "e.3", "e.4"]);
  assert.equal(publisher.published, 4);
  publisher.close();
});

test("Publisher.retryNow() probes at once while a stall waits out its backoff, and does nothing otherwise", async () => {
  const js = new FakeStream();
  const timer = new ManualTimer();
  const publisher = new Publisher({
    send: js.send,
    retryDelayMs: 5_000,
    setTimer: timer.set,
  });
  publisher.retryNow(); // not stalled: nothing to do
  publisher.offer(msg(1));
  publisher.offer(msg(2));
  assert.equal(js.sent.length, 2);
  publisher.retryNow(); // still not stalled
  assert.equal(js.sent.length, 2);
  js.sent[0]!.fail(new Error("timeout"));
  await flush();
  assert.equal(publisher.stalled, true);
  assert.equal(timer.pending.length, 1); // the probe is due in 5 s
  publisher.retryNow();
  assert.equal(timer.pending.length, 0, "the backoff timer is cancelled");
  assert.deepEqual(js.sent.slice(2).map((s) => s.message.msgId), ["e.1"]);
  publisher.retryNow(); // a probe is on its way: not a second one
  assert.equal(js.sent.length, 3);
  js.sent[2]!.ack();
  await flush();
  await flush();
  assert.equal(publisher.stalled, false);
  for (const s of js.sent.slice(3)) s.ack();
  await publisher.flush();
  assert.deepEqual(js.stored, ["e.1", "e.2"]);
  publisher.close();
});

test("Publisher discards, unsent, messages its admit check refuses", async () => {
  const js = new FakeStream();
  const publisher = new Publisher({
    send: js.send,
    admit: (m) => m.market !== "KXLOST",
  });
  publisher.offer(msg(1, "KXA"));
  publisher.offer(msg(2, "KXLOST"));
  publisher.offer(msg(3));
  assert.deepEqual(js.sent.map((s) => s.message.msgId), ["e.1", "e.3"]);
  for (const s of js.sent) s.ack();
  await publisher.flush();
  assert.equal(publisher.discarded, 1);
  assert.equal(publisher.queued, 0);
  publisher.close();
});

test("Publisher reports the age of its oldest unacknowledged message as lag", () => {
  const js = new FakeStream();
  let now = 1_000;
  const publisher = new Publisher({ send: js.send, now: () => now });
  assert.equal(publisher.lagMs, 0);
  publisher.offer(msg(1));
  now = 1_250;
  publisher.offer(msg(2));
  assert.equal(publisher.lagMs, 250);
  publisher.close();
  assert.equal(publisher.offer(msg(3)), false);
});

test("Publisher counts batches by the Kalshi messages they carry, against its capacity and in its counters", async () => {
  const js = new FakeStream();
  const publisher = new Publisher({ send: js.send, capacity: 10 });
  const batch = (n: number, frames: number): OutboundMessage => ({ ...msg(n), frames });
  assert.equal(publisher.offer(batch(1, 6)), true);
  assert.equal(publisher.offer(batch(2, 5)), false); // 11 > 10
  assert.equal(publisher.offer(batch(3, 4)), true);
  assert.equal(publisher.queued, 10);
  assert.equal(publisher.room, 0);
  for (const s of js.sent) s.ack();
  await publisher.flush();
  assert.equal(publisher.published, 10);
  assert.equal(publisher.acknowledged, 2);
  // One batch larger than the whole capacity still goes through an empty queue.
  assert.equal(publisher.offer(batch(4, 25)), true);
  assert.equal(publisher.offer(msg(5)), false);
});
