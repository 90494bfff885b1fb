import { test } from "node:test";
import assert from "node:assert/strict";
import { Batcher, type BatcherOptions, type BatchInfo, type FeedFrame } from "./batcher.ts";
import { framesOf, Header, readBookHeaders } from "./envelope.ts";
import { type OutboundMessage, Publisher } from "./publisher.ts";

/** A batcher on a manual clock and timer, recording what it hands on. */
function setUp(options: Partial<BatcherOptions> = {}) {
  let now = 1000;
  let counter = 0;
  const timers: { fn: () => void; at: number }[] = [];
  const out: { message: OutboundMessage; info: BatchInfo }[] = [];
  let room = true;
  const batcher = new Batcher({
    collector: "c1",
    epoch: "c1-e",
    nextId: () => `c1-e.${++counter}`,
    offer: (message, info) => {
      if (!room) return false;
      out.push({ message, info });
      return true;
    },
    now: () => now,
    setTimer: (fn, ms) => {
      const entry = { fn, at: now + ms };
      timers.push(entry);
      return () => timers.splice(timers.indexOf(entry), 1);
    },
    ...options,
  });
  const advance = (ms: number): void => {
    now += ms;
    for (const t of timers.filter((t) => t.at <= now)) {
      timers.splice(timers.indexOf(t), 1);
      t.fn();
    }
  };
  return {
    batcher,
    out,
    advance,
    timers,
    noRoom: () => room = false,
  };
}

const OB = "kalshi.orderbook_delta.KXA";
const delta = (bookSeq: number, sid = 1): FeedFrame => ({
  subject: OB,
  market: "KXA",
  text: `{"type":"orderbook_delta","sid":${sid},"seq":${bookSeq + 10},"msg":{"n":${bookSeq}}}`,
  receivedMs: 1_700_000_000_000 + bookSeq,
  sid,
  seq: bookSeq + 10,
  bookSeq,
  bookValid: true,
});
const ticker = (n: number, market = "KXA"): FeedFrame => ({
  subject: `kalshi.ticker.${market}`,
  market,
  text: `{"type":"ticker","sid":2,"msg":{"n":${n}}}`,
  receivedMs: 1_700_000_000_000 + n,
  sid: 2,
});
const get = (m: OutboundMessage) => ({ get: (name: string) => m.headers[name] ?? "" });

test("Batcher packs consecutive book events of a market into one message at the latency budget, with their counter range", () => {
  const { batcher, out, advance } = setUp({ latencyMs: 5 });
  for (let n = 1; n <= 3; n++) batcher.add(delta(n));
  batcher.add(ticker(1));
  assert.equal(batcher.pending, 4);
  advance(4);
  assert.equal(out.length, 0);
  advance(1);
  assert.equal(out.length, 2);
  const [book, tick] = out.map((o) => o.message);
  assert.equal(book!.subject, OB);
  assert.equal(book!.msgId, "c1-e.1");
  assert.equal(book!.frames, 3);
  assert.equal(book!.market, "KXA");
  assert.deepEqual(book!.headers, {
    [Header.ReceivedMs]: "1700000000001",
    [Header.Collector]: "c1",
    [Header.Epoch]: "c1-e",
    [Header.Batch]: "3",
    [Header.Sid]: "1",
    [Header.BookSeq]: "1-3",
    [Header.BookValid]: "true",
  });
  assert.deepEqual(framesOf(get(book!), book!.data), [1, 2, 3].map((n) => delta(n).text));
  assert.deepEqual(readBookHeaders(get(book!)), {
    epoch: "c1-e",
    bookSeq: 1,
    lastBookSeq: 3,
    valid: true,
  });
  assert.deepEqual(out[0]!.info, { market: "KXA", frames: 3, book: true });
  // A lone message in a batch goes out exactly as without batching.
  assert.equal(tick!.data, ticker(1).text);
  assert.equal(tick!.headers[Header.Batch], undefined);
  assert.equal(out[1]!.info.book, false);
  assert.equal(batcher.pending, 0);
});

test("Batcher with latency 0 publishes each message alone in the unbatched format (trades keyed by their id)", () => {
  const { batcher, out, timers } = setUp({ latencyMs: 0 });
  batcher.add(delta(7));
  batcher.add({ ...ticker(1), subject: "kalshi.trade.KXA", msgId: "trade.t-1" });
  assert.equal(timers.length, 0);
  assert.deepEqual(out.map((o) => o.message), [
    {
      subject: OB,
      data: delta(7).text,
      msgId: "c1-e.1",
      market: "KXA",
      headers: {
        [Header.ReceivedMs]: "1700000000007",
        [Header.Collector]: "c1",
        [Header.Epoch]: "c1-e",
        [Header.Sid]: "1",
        [Header.Seq]: "17",
        [Header.BookSeq]: "7",
        [Header.BookValid]: "true",
      },
    },
    {
      subject: "kalshi.trade.KXA",
      data: ticker(1).text,
      msgId: "trade.t-1",
      market: "KXA",
      headers: {
        [Header.ReceivedMs]: "1700000000001",
        [Header.Collector]: "c1",
        [Header.Epoch]: "c1-e",
        [Header.Sid]: "2",
      },
    },
  ]);
});

test("Batcher closes a batch at its count and size bounds, at a hole in the book counter and at a new sid", () => {
  const { batcher, out } = setUp({ latencyMs: 5, maxFrames: 3, maxBytes: 10_000 });
  for (let n = 1; n <= 4; n++) batcher.add(delta(n));
  assert.deepEqual(out.map((o) => o.message.headers[Header.BookSeq]), ["1-3"]);
  batcher.add(delta(6)); // 5 was dropped by the collector: never inside a range
  batcher.add(delta(7, 9)); // another subscription
  assert.deepEqual(out.map((o) => o.message.headers[Header.BookSeq]), ["1-3", "4", "6"]);
  batcher.flush();
  assert.deepEqual(out.map((o) => o.message.headers[Header.BookSeq]), ["1-3", "4", "6", "7"]);

  const small = setUp({ latencyMs: 5, maxBytes: delta(1).text.length * 2 + 1 });
  for (let n = 1; n <= 5; n++) small.batcher.add(delta(n));
  assert.deepEqual(small.out.map((o) => o.message.frames ?? 1), [2, 2]);
  assert.ok(small.out.every((o) => o.message.data.length <= delta(1).text.length * 2 + 1));
});

test("Batcher publishes a message alone after the open batches of its market, and only theirs", () => {
  const { batcher, out } = setUp({ latencyMs: 5 });
  batcher.add(delta(1));
  batcher.add(delta(2));
  batcher.add(ticker(1));
  batcher.add(ticker(1, "KXB"));
  const notice: FeedFrame = {
    subject: "kalshi.book_status.KXA",
    market: "KXA",
    text: '{"type":"book_invalid","msg":{"market_ticker":"KXA","reason":"gap"}}',
    receivedMs: 1_700_000_000_100,
    bookSeq: 3,
    bookValid: false,
  };
  assert.equal(batcher.addAlone(notice), true);
  assert.deepEqual(out.map((o) => [o.message.subject, o.message.frames ?? 1]), [
    [OB, 2],
    ["kalshi.ticker.KXA", 1],
    ["kalshi.book_status.KXA", 1],
  ]);
  assert.equal(out[2]!.message.headers[Header.BookSeq], "3");
  assert.equal(out[2]!.message.headers[Header.BookValid], "false");
  assert.equal(batcher.pending, 1); // KXB's ticker waits for its budget
});

test("Batcher reports a refused batch with what it carried", () => {
  const { batcher, noRoom, advance } = setUp({ latencyMs: 5 });
  const refused: BatchInfo[] = [];
  const b = new Batcher({
    collector: "c1",
    epoch: "e",
    nextId: () => "e.1",
    offer: (_m, info) => {
      refused.push(info);
      return false;
    },
    latencyMs: 0,
  });
  assert.equal(b.add(delta(1)), false);
  assert.equal(b.addAlone(ticker(1)), false);
  assert.deepEqual(refused, [
    { market: "KXA", frames: 1, book: true },
    { market: "KXA", frames: 1, book: false },
  ]);
  noRoom();
  batcher.add(delta(1));
  advance(5);
  assert.equal(batcher.pending, 0);
});

test("a batch retried after a failed publish carries the same id and body, so JetStream stores it once", async () => {
  const sent: OutboundMessage[] = [];
  const settle: ((ok: boolean) => void)[] = [];
  const retries: (() => void)[] = [];
  const publisher = new Publisher({
    send: (message) =>
      new Promise<void>((resolve, reject) => {
        sent.push(message);
        settle.push((ok) => ok ? resolve() : reject(new Error("no ack")));
      }),
    setTimer: (fn) => {
      retries.push(fn);
      return () => {};
    },
  });
  let counter = 0;
  const batcher = new Batcher({
    collector: "c1",
    epoch: "e",
    nextId: () => `e.${++counter}`,
    offer: (message) => publisher.offer(message),
    latencyMs: 5,
  });
  for (let n = 1; n <= 4; n++) batcher.add(delta(n));
  batcher.flush();
  for (let n = 5; n <= 6; n++) batcher.add(delta(n));
  batcher.flush();
  assert.deepEqual(sent.map((m) => m.msgId), ["e.1", "e.2"]);
  assert.equal(publisher.queued, 6);
  settle[0]!(false);
  await new Promise((resolve) => setTimeout(resolve, 0));
  retries.shift()!(); // the probe re-sends the oldest
  settle[2]!(true);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(sent.map((m) => m.msgId), ["e.1", "e.2", "e.1", "e.2"]);
  assert.equal(sent[2]!.data, sent[0]!.data);
  assert.deepEqual(sent[2]!.headers, sent[0]!.headers);
  assert.equal(sent[3]!.data, sent[1]!.data);
  settle[3]!(true);
  await publisher.flush();
  assert.equal(publisher.published, 6);
  assert.equal(publisher.acknowledged, 2);
});

test("Batcher refuses nonsense bounds", () => {
  const base = { collector: "c", epoch: "e", nextId: () => "e.1", offer: () => true };
  assert.throws(() => new Batcher({ ...base, latencyMs: -1 }), RangeError);
  assert.throws(() => new Batcher({ ...base, maxFrames: 0 }), RangeError);
  assert.throws(() => new Batcher({ ...base, maxBytes: Number.NaN }), RangeError);
});
