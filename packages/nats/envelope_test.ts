import { test } from "node:test";
import assert from "node:assert/strict";
import {
  framesOf,
  Header,
  marketOfMessage,
  messageId,
  readBookHeaders,
  snapshotId,
} from "./envelope.ts";

function headers(values: Record<string, string>): { get(name: string): string } {
  return { get: (name) => values[name] ?? "" };
}

test("messageId() keys trades by Kalshi's trade_id and everything else by epoch and counter", () => {
  assert.equal(messageId("c1-ab", 7, "trade", { trade_id: "t-1" }), "trade.t-1");
  assert.equal(messageId("c1-ab", 7, "trade", {}), "c1-ab.7");
  assert.equal(messageId("c1-ab", 8, "orderbook_delta", { market_ticker: "KXA" }), "c1-ab.8");
  assert.notEqual(messageId("c1-ab", 8, "ticker", {}), messageId("c1-cd", 8, "ticker", {}));
  assert.equal(snapshotId("c1-ab", "KXA", 12), "c1-ab.snapshot.KXA.12");
});

test("readBookHeaders() reads epoch, book counter (or a batch's range) and validity, tolerating absent or bad values", () => {
  assert.deepEqual(
    readBookHeaders(
      headers({ [Header.Epoch]: "e1", [Header.BookSeq]: "42", [Header.BookValid]: "true" }),
    ),
    { epoch: "e1", bookSeq: 42, lastBookSeq: 42, valid: true },
  );
  assert.deepEqual(
    readBookHeaders(headers({ [Header.Epoch]: "e1", [Header.BookSeq]: "42-57" })),
    { epoch: "e1", bookSeq: 42, lastBookSeq: 57, valid: true },
  );
  for (const bad of ["4x", "42-", "-42", "57-42", "1-2-3", "1234567890123456"]) {
    assert.deepEqual(
      readBookHeaders(headers({ [Header.BookSeq]: bad, [Header.BookValid]: "false" })),
      { epoch: undefined, bookSeq: undefined, lastBookSeq: undefined, valid: false },
      bad,
    );
  }
  assert.deepEqual(readBookHeaders(undefined), {
    epoch: undefined,
    bookSeq: undefined,
    lastBookSeq: undefined,
    valid: true,
  });
});

test("framesOf() returns a single message's body, or a batch's lines when they match its count", () => {
  assert.deepEqual(framesOf(undefined, '{"a":1}'), ['{"a":1}']);
  assert.deepEqual(framesOf(headers({}), '{"a":1}'), ['{"a":1}']);
  assert.deepEqual(framesOf(headers({ [Header.Batch]: "2" }), '{"a":1}\n{"b":2}'), [
    '{"a":1}',
    '{"b":2}',
  ]);
  assert.throws(
    () => framesOf(headers({ [Header.Batch]: "3" }), '{"a":1}\n{"b":2}'),
    /Kalshi-Batch says 3 messages, the body holds 2/,
  );
});

test("marketOfMessage() finds the market under Kalshi's different field names", () => {
  assert.equal(marketOfMessage({ msg: { market_ticker: "KXA" } }), "KXA");
  assert.equal(marketOfMessage({ msg: { ticker: "KXB" } }), "KXB");
  assert.equal(marketOfMessage({ msg: { event_ticker: "KXE" } }), "KXE");
  assert.equal(marketOfMessage({ msg: {} }), undefined);
  assert.equal(marketOfMessage({}), undefined);
});
