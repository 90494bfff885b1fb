import { test } from "node:test";
import assert from "node:assert/strict";
import { OrderBook } from "@kalshi-ws/deno";
import { seededRandom } from "@kalshi-ws/core";
import { bookLine } from "./book_view.ts";
import { BookLineWriter } from "./book_lines.ts";
import { printableJson } from "./printable.ts";

const decoder = new TextDecoder("utf-8", { fatal: true });

/** What the view printed before the writer: `printableJson(bookLine(...))` and a newline. */
function expected(book: OrderBook, t: number, final: boolean): string {
  return `${printableJson(bookLine(book, t, final))}\n`;
}

function written(books: readonly OrderBook[], t: number, final: boolean): string {
  const writer = new BookLineWriter();
  for (const book of books) writer.add(book, t, final);
  return decoder.decode(writer.take());
}

/** A level's price text, 4 decimals, from 1/10 000 $. */
const price = (ticks: number) => (ticks / 10_000).toFixed(4);

/** Characters a hostile ticker may hold: controls, DEL, C1, separators, bidi, quotes, astral. */
const ODD = [
  "\n",
  "\u0000",
  "\u001b",
  '"',
  "\\",
  "\u007f",
  "\u0085",
  "\u2028",
  "\u202e",
  "é",
  "😀",
];

test("BookLineWriter writes the bytes of printableJson(bookLine()) for random books", () => {
  const random = seededRandom(19);
  const int = (n: number) => Math.floor(random() * n);
  for (let round = 0; round < 400; round++) {
    const useYesPrice = random() < 0.3;
    const level = (ticks: number): [string, string] => {
      const kind = int(4);
      const cents = kind === 0
        ? int(100)
        : kind === 1
        ? int(1_000_000)
        : kind === 2
        ? int(2 ** 36) * 1_000 + int(1_000) // sizes past 2^31, up to ~2^46
        : 1 + int(99_999);
      return [price(ticks), (cents / 100).toFixed(2)];
    };
    // YES bids below $0.50 and NO bids below $0.50 never cross; under use_yes_price the NO
    // ladder is at YES prices above $0.50.
    const yes = [...new Set(Array.from({ length: int(40) }, () => 1 + int(4999)))].map(level);
    const no = [...new Set(Array.from({ length: int(40) }, () => 1 + int(4999)))]
      .map((ticks) => level(useYesPrice ? 10_000 - ticks : ticks));
    let ticker = `KX${round}`;
    if (random() < 0.3) ticker += ODD[int(ODD.length)]! + ODD[int(ODD.length)]!;
    const book = new OrderBook(ticker);
    assert.ok(
      book.applySnapshot(
        { market_ticker: ticker, yes_dollars_fp: yes, no_dollars_fp: no },
        useYesPrice,
      ),
      `${book.problemDetail}`,
    );
    if (random() < 0.5) {
      // Deltas leave levels in insertion order different from the snapshot's.
      book.applyDelta({
        market_ticker: ticker,
        price_dollars: price(1 + int(4999)),
        delta_fp: "3.00",
        side: "yes",
      });
    }
    const t = random() < 0.9 ? 1_700_000_000_000 + int(1e9) : [0, -1, 1.5, 2 ** 53][int(4)]!;
    const final = random() < 0.5;
    assert.equal(written([book], t, final), expected(book, t, final), `round ${round}`);
  }
});

test("BookLineWriter: empty sides, half-tick mids, many books in one buffer, reuse after take()", () => {
  const books: OrderBook[] = [];
  const empty = new OrderBook("KXEMPTY");
  empty.applySnapshot({ market_ticker: "KXEMPTY" }, false);
  books.push(empty);
  const half = new OrderBook("KXHALF");
  half.applySnapshot({
    market_ticker: "KXHALF",
    yes_dollars_fp: [["0.4200", "1.00"]],
    no_dollars_fp: [["0.5699", "0.01"]],
  }, false);
  assert.equal(half.mid, 4250.5);
  books.push(half);
  const oneSide = new OrderBook("KXONE");
  oneSide.applySnapshot({
    market_ticker: "KXONE",
    no_dollars_fp: [["0.9999", "0.00"], ["0.0001", "5.5"]],
  }, false);
  books.push(oneSide);
  // Enough books to outgrow the first buffer several times.
  for (let i = 0; i < 300; i++) {
    const book = new OrderBook(`KXMANY-${i}`);
    const levels = Array.from(
      { length: 60 },
      (_, j) => [price(1 + j * 7 + (i % 7)), `${i}.${j % 10}0`] as [string, string],
    );
    book.applySnapshot({
      market_ticker: book.marketTicker,
      yes_dollars_fp: levels.slice(0, 30),
      no_dollars_fp: levels.slice(30).map(([, s], j) => [price(1 + j), s] as [string, string]),
    }, false);
    books.push(book);
  }
  const want = books.map((book) => expected(book, 7, true)).join("");
  const writer = new BookLineWriter();
  for (const book of books) writer.add(book, 7, true);
  assert.equal(decoder.decode(writer.take()), want);
  writer.add(half, 8);
  assert.equal(decoder.decode(writer.take()), expected(half, 8, false), "starts over after take()");
});
