/**
 * Users' positions and their money: each fill moves a position, realizing profit and loss when
 * it reduces the opposite exposure, and settling a market pays every position out. Amounts are
 * scaled integers (1/100 contract, micro-dollars), so the simulator's P&L is exact.
 *
 * @module
 */

import type { Count, Micros, Price } from "@kalshi-ws/core";
import type { Side } from "./order_book.ts";

/** A user's position in one market (scaled integers). */
export interface Position {
  /** Signed net position: + YES, − NO (1/100 contract). */
  position: Count;
  /** Cost basis of the open position (micro-dollars). */
  cost: Micros;
  /** Realized profit and loss (micro-dollars). */
  realized: Micros;
  /** Fees paid (micro-dollars). */
  fees: Micros;
  /** Contracts traded. */
  volume: Count;
}

/** Every user's position in every market they traded. */
export class Positions {
  readonly #byUser = new Map<string, Map<string, Position>>();

  /** `userId`'s position in `ticker` (zeros when it never traded there). */
  get(userId: string, ticker: string): Readonly<Position> {
    return this.#byUser.get(userId)?.get(ticker) ??
      { position: 0, cost: 0, realized: 0, fees: 0, volume: 0 };
  }

  /** Books a fill of `quantity` of `side` at `price` (that side's leg) with `fee` for `userId`. */
  fill(
    userId: string,
    ticker: string,
    side: Side,
    price: Price,
    quantity: Count,
    fee: Micros,
  ): Readonly<Position> {
    const position = this.#entry(userId, ticker);
    applyFill(position, side, price, quantity, fee);
    return position;
  }

  /**
   * Pays out every open position in `ticker` for `result` ($1 per contract on the winning side)
   * and returns the changed positions with their users, in the order users first traded.
   */
  settle(ticker: string, result: Side): [userId: string, position: Readonly<Position>][] {
    const settled: [string, Position][] = [];
    for (const [userId, byTicker] of this.#byUser) {
      const position = byTicker.get(ticker);
      if (position === undefined || position.position === 0) continue;
      const payout = position.position > 0 === (result === "yes")
        ? Math.abs(position.position) * 10_000
        : 0;
      position.realized += payout - position.cost;
      position.cost = 0;
      position.position = 0;
      settled.push([userId, position]);
    }
    return settled;
  }

  #entry(userId: string, ticker: string): Position {
    let byTicker = this.#byUser.get(userId);
    if (byTicker === undefined) this.#byUser.set(userId, byTicker = new Map());
    let position = byTicker.get(ticker);
    if (position === undefined) {
      byTicker.set(ticker, position = { position: 0, cost: 0, realized: 0, fees: 0, volume: 0 });
    }
    return position;
  }
}

/** Applies a fill to a position, realizing P&L when it reduces the opposite exposure. */
function applyFill(
  position: Position,
  side: Side,
  price: Price,
  quantity: Count,
  fee: Micros,
): void {
  const sign = side === "yes" ? 1 : -1;
  position.volume += quantity;
  position.fees += fee;
  let open = quantity;
  if (position.position !== 0 && Math.sign(position.position) !== sign) {
    const held = Math.abs(position.position);
    const closing = Math.min(held, quantity);
    const closedCost = Math.round((position.cost * closing) / held);
    // A YES and a NO contract together pay $1 (10 000 micros per 1/100 contract).
    position.realized += closing * 10_000 - closedCost - price * closing;
    position.cost -= closedCost;
    position.position += sign * closing;
    open -= closing;
  }
  position.position += sign * open;
  position.cost += price * open;
}
