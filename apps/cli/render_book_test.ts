import { test } from "node:test";
import assert from "node:assert/strict";
import { OrderBook } from "@kalshi-ws/deno";
import { formatAge, renderBooks } from "./render_book.ts";

function book(): OrderBook {
  const b = new OrderBook("KXFED-26DEC-T4.25");
  b.applySnapshot({
    market_ticker: "KXFED-26DEC-T4.25",
    yes_dollars_fp: [["0.4000", "5.00"], ["0.4100", "25.00"], ["0.4200", "10.50"]],
    no_dollars_fp: [["0.5500", "7.00"], ["0.5600", "3.25"]],
  }, false);
  return b;
}

const OPTIONS = { depth: 2, now: 10_000, title: "kalshi-ws book", state: "open", color: false };

test("renderBooks() draws best bids and asks first, with spread, mid and update age", () => {
  const text = renderBooks(
    [{ ticker: "KXFED-26DEC-T4.25", book: book(), updatedAt: 9_500 }],
    OPTIONS,
  );
  const lines = text.trimEnd().split("\n");
  assert.equal(lines[0], "kalshi-ws book  [open]");
  assert.match(lines[1]!, /^ +size +YES bid │ YES ask +size$/);
  assert.match(lines[3]!, /^KXFED-26DEC-T4\.25 +updated 0\.5 s ago$/);
  assert.equal(
    lines[4],
    "  bid 0.4200  ask 0.4400  spread 0.0200  mid 0.4300  levels 3/2",
  );
  // Best first on both sides; asks are $1 − NO bids; depth 2 cuts the third YES level.
  assert.match(lines[5]!, /^ +10\.50 +0\.4200 │ 0\.4400 +3\.25$/);
  assert.match(lines[6]!, /^ +25\.00 +0\.4100 │ 0\.4500 +7\.00$/);
  assert.equal(lines.length, 7);
  for (const line of lines) assert.equal(line, line.trimEnd(), "no trailing spaces");
  assert.ok(!text.includes("\x1b["), "no colour unless asked");
});

test("renderBooks() shows waiting markets, invalid books and the connection state", () => {
  const invalid = book();
  invalid.invalidate();
  const text = renderBooks([
    { ticker: "KXA", book: undefined, updatedAt: undefined },
    { ticker: "KXFED-26DEC-T4.25", book: invalid, updatedAt: 0 },
  ], { ...OPTIONS, state: "reconnecting", color: true });
  assert.ok(text.includes("[\x1b[33mreconnecting\x1b[0m]"), "state in yellow");
  assert.match(text, /KXA.*\n.*waiting for the first snapshot/);
  assert.match(text, /resyncing \(invalidated\): last known levels below/);
  assert.ok(!text.includes("spread"), "no stale summary for an invalid book");
  assert.match(text, /updated 10 s ago/);
});

test("renderBooks() shows the latest notice in place of the first blank line", () => {
  const text = renderBooks([{ ticker: "KXFED-26DEC-T4.25", book: book(), updatedAt: 9_500 }], {
    ...OPTIONS,
    notice: { text: "gap on sid 1: repairing", warning: true, at: 8_000 },
  });
  const lines = text.split("\n");
  assert.equal(lines[2], "gap on sid 1: repairing (2.0 s ago)");
  assert.match(lines[3]!, /^KXFED-26DEC-T4\.25/);
});

test("renderBooks() marks empty sides with a dash", () => {
  const b = new OrderBook("KXB");
  b.applySnapshot({ market_ticker: "KXB", yes_dollars_fp: [["0.1000", "1.00"]] }, false);
  const text = renderBooks([{ ticker: "KXB", book: b, updatedAt: undefined }], OPTIONS);
  assert.ok(text.includes("bid 0.1000  ask —  spread —  mid —  levels 1/0"), text);
});

test("formatAge() is coarse enough to read while it changes", () => {
  assert.equal(formatAge(-5), "0.0 s");
  assert.equal(formatAge(1234), "1.2 s");
  assert.equal(formatAge(45_400), "45 s");
  assert.equal(formatAge(600_000), "10 min");
});
