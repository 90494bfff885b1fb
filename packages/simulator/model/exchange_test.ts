import { test } from "node:test";
import assert from "node:assert/strict";
import { ONE_DOLLAR } from "@kalshi-ws/core";
import { Exchange } from "./exchange.ts";
import { takerFee } from "./trading.ts";
import { isOnGrid } from "./markets.ts";
import { TrueBook } from "./order_book.ts";

const T0 = Date.UTC(2026, 10, 25, 12);
const FED = "KXFED-26DEC-T4.25";

function history(seed: number, steps: number): string[] {
  const exchange = new Exchange({ seed });
  exchange.addAccount("user-1");
  const out: string[] = [];
  for (let i = 0; i < steps; i++) {
    for (const event of exchange.step(T0 + i)) {
      out.push(`${event.type} ${JSON.stringify(event.msg)}`);
    }
  }
  return out;
}

test("Exchange.step() reproduces the same history for the same seed", () => {
  assert.deepEqual(history(5, 2_000), history(5, 2_000));
  assert.notDeepEqual(history(5, 200), history(6, 200));
});

test("Exchange.step() keeps books uncrossed, on grid, with sub-cent prices and fractional sizes", () => {
  const exchange = new Exchange({ seed: 21 });
  exchange.addAccount("user-1");
  let subCent = 0;
  let fractional = 0;
  for (let i = 0; i < 20_000; i++) {
    for (const event of exchange.step(T0 + i)) {
      if (event.book === undefined) continue;
      if (event.book.price % 100 !== 0) subCent++;
      if (event.book.delta % 100 !== 0) fractional++;
    }
  }
  for (const market of exchange.markets()) {
    const yes = market.book.best("yes");
    const no = market.book.best("no");
    if (yes !== undefined && no !== undefined) {
      assert.ok(yes + no < ONE_DOLLAR, `${market.ticker} crossed`);
    }
    for (const side of ["yes", "no"] as const) {
      for (const [price, count] of market.book.ladder(side)) {
        assert.ok(
          isOnGrid(market.priceRanges, price),
          `${market.ticker} ${side} ${price} off grid`,
        );
        assert.ok(count > 0);
      }
    }
  }
  assert.ok(subCent > 100, "sub-cent prices occur");
  assert.ok(fractional > 100, "fractional sizes occur");
});

test("TrueBook.apply() rejects negative sizes and crossing bids", () => {
  const book = new TrueBook();
  book.apply("yes", 4_000, 1_000);
  assert.throws(() => book.apply("yes", 4_000, -1_001), RangeError);
  assert.throws(() => book.apply("no", 6_000, 100), RangeError, "0.40 + 0.60 = $1 crosses");
  book.apply("no", 5_999, 100);
  assert.deepEqual(book.wire(), { yes: [["0.4000", "10.00"]], no: [["0.5999", "1.00"]] });
  book.apply("yes", 4_000, -1_000);
  assert.deepEqual(book.scaled(), { yes: [], no: [[5_999, 100]] });
});

test("takerFee() rounds 0.07 × C × P × (1 − P) up to the cent", () => {
  assert.equal(takerFee(10_000, 5_000), 1_750_000); // 100 contracts at $0.50: $1.75
  assert.equal(takerFee(100, 5_000), 20_000); // 1 contract: $0.0175 → $0.02
  assert.equal(takerFee(1, 100), 10_000); // tiny: still one cent
});

test("Exchange.placeOrder() takes crossing liquidity at the maker's price, then rests the rest", () => {
  const exchange = new Exchange({ seed: 8 });
  const market = exchange.market(FED)!;
  const bestNo = market.book.best("no")!;
  const available = market.book.sizeAt("no", bestNo);
  const limit = ONE_DOLLAR - bestNo; // crosses the best NO bid only
  const { order, events } = exchange.placeOrder("taker", {
    ticker: FED,
    side: "yes",
    price: limit,
    count: available + 300,
    clientOrderId: "t-1",
  }, T0);
  const types = events.map((e) => e.type);
  assert.deepEqual(types.filter((t) => t !== "orderbook_delta" && t !== "ticker"), [
    "trade",
    "fill",
    "market_position",
    "user_order",
  ]);
  const fill = events.find((e) => e.type === "fill")!.msg;
  assert.equal(fill.yes_price_dollars, ((ONE_DOLLAR - bestNo) / 10_000).toFixed(4));
  assert.equal(fill.is_taker, true);
  assert.notEqual(fill.fee_cost, "0.000000");
  assert.equal(order.status, "resting");
  assert.equal(order.remaining, 300);
  assert.equal(market.book.sizeAt("no", bestNo), 0);
  assert.equal(market.book.sizeAt("yes", limit), 300);
  const deltas = events.filter((e) => e.type === "orderbook_delta");
  assert.ok(deltas.every((e) => e.owner?.clientOrderId === "t-1"), "the taker caused every change");
  assert.equal(exchange.position("taker", FED).position, available + 300 - 300);
});

test("Exchange.settle() empties the book, emits determined then settled, and settles positions", () => {
  const exchange = new Exchange({ seed: 4 });
  const market = exchange.market(FED)!;
  const bestNo = market.book.best("no")!;
  exchange.placeOrder(
    "u",
    { ticker: FED, side: "yes", price: ONE_DOLLAR - bestNo, count: 100 },
    T0,
  );
  const cost = exchange.position("u", FED).cost;
  const events = exchange.settle(FED, "yes", T0 + 1_000);
  const lifecycle = events.filter((e) => e.type === "market_lifecycle_v2").map((e) =>
    e.msg.event_type
  );
  assert.deepEqual(lifecycle, ["determined", "settled"]);
  assert.deepEqual(market.book.scaled(), { yes: [], no: [] });
  const position = exchange.position("u", FED);
  assert.equal(position.position, 0);
  assert.equal(position.realized, 1_000_000 - cost);
  assert.throws(() =>
    exchange.placeOrder("u", { ticker: FED, side: "yes", price: 5_000, count: 100 }, T0)
  );
});

test("Exchange.createMarket() emits event_lifecycle then a created lifecycle with metadata", () => {
  const exchange = new Exchange({ seed: 2 });
  const events = exchange.createMarket({ ticker: "KXNEW-26DEC31-T1.5", title: "New" }, T0);
  assert.deepEqual(events.map((e) => e.type), ["event_lifecycle", "market_lifecycle_v2"]);
  assert.equal(events[1]!.msg.event_type, "created");
  assert.equal(events[1]!.msg.price_level_structure, "linear_cent");
  assert.throws(() => exchange.createMarket({ ticker: "KXNEW-26DEC31-T1.5" }, T0), RangeError);
});

test("Exchange.placeOrder() reports a ticker only when the top of book changes", () => {
  const exchange = new Exchange({ seed: 9 });
  const market = exchange.market(FED)!;
  const best = market.book.best("yes")!;
  const deep = market.book.scaled().yes[0]![0] - 10; // below every YES level (deci-cent grid)
  const below = exchange.placeOrder("u", { ticker: FED, side: "yes", price: deep, count: 100 }, T0);
  assert.ok(!below.events.some((e) => e.type === "ticker"));
  const top = exchange.placeOrder("u", { ticker: FED, side: "yes", price: best, count: 100 }, T0);
  const ticker = top.events.find((e) => e.type === "ticker")!;
  assert.equal(ticker.msg.yes_bid_size_fp, ((market.book.sizeAt("yes", best)) / 100).toFixed(2));
  const canceled = exchange.cancelOrder("u", top.order.orderId, T0);
  assert.deepEqual(canceled.map((e) => e.type), ["orderbook_delta", "user_order", "ticker"]);
});
