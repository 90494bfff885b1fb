/**
 * Market definitions: tickers, ids, and the price grids ("price level structures") that decide
 * which prices a market's books may hold, including sub-cent ticks.
 *
 * @module
 */

import type { Price } from "@kalshi-ws/core";

/** One band of a price grid: prices `start` ≤ p < `end` on multiples of `step` from `start`. */
export interface PriceRange {
  /** First price of the band (1/10 000 $). */
  readonly start: Price;
  /** End of the band (exclusive, except for the last band, which ends at $1). */
  readonly end: Price;
  /** Tick size inside the band (1/10 000 $). */
  readonly step: Price;
}

/** Kalshi's names for price grids that the simulator knows how to build. */
export type PriceLevelStructure =
  | "linear_cent"
  | "deci_cent"
  | "tapered_deci_cent"
  | "center_deci_edge_centi_cent";

/** The grids behind each {@linkcode PriceLevelStructure}, so markets can use sub-cent ticks. */
export const PRICE_STRUCTURES: Readonly<Record<PriceLevelStructure, readonly PriceRange[]>> = {
  linear_cent: [{ start: 0, end: 10_000, step: 100 }],
  deci_cent: [{ start: 0, end: 10_000, step: 10 }],
  tapered_deci_cent: [
    { start: 0, end: 1_000, step: 10 },
    { start: 1_000, end: 9_000, step: 100 },
    { start: 9_000, end: 10_000, step: 10 },
  ],
  center_deci_edge_centi_cent: [
    { start: 0, end: 500, step: 1 },
    { start: 500, end: 9_500, step: 10 },
    { start: 9_500, end: 10_000, step: 1 },
  ],
};

/** What a caller specifies to create a market; everything but `ticker` has a default. */
export interface MarketSpec {
  /** The market ticker, as Kalshi spells it (may contain `.`), e.g. `KXHIGHNY-22DEC23-B53.5`. */
  readonly ticker: string;
  /** The market UUID; drawn from the seeded generator when omitted. */
  readonly marketId?: string;
  /** The event ticker; defaults to the ticker without its last `-` segment. */
  readonly eventTicker?: string;
  /** Human-readable title used in lifecycle metadata. */
  readonly title?: string;
  /** The price grid; defaults to `linear_cent`. */
  readonly priceLevelStructure?: PriceLevelStructure;
  /** Where the activity generator centres the book (1/10 000 $, YES price); default 5000. */
  readonly fairPrice?: Price;
}

/** A handful of realistic markets (some tickers with `.`, some sub-cent grids) used by default. */
export const DEFAULT_MARKETS: readonly MarketSpec[] = [
  {
    ticker: "KXHIGHNY-26NOV25-B53.5",
    title: "Highest temperature in NYC on Nov 25, 2026?",
    fairPrice: 3_600,
  },
  {
    ticker: "KXBTCD-26NOV2517-T98999.99",
    title: "Bitcoin price on Nov 25, 2026 at 5pm EST?",
    fairPrice: 5_200,
  },
  {
    ticker: "KXFED-26DEC-T4.25",
    title: "Fed funds rate after Dec 2026 meeting?",
    priceLevelStructure: "deci_cent",
    fairPrice: 8_150,
  },
  {
    ticker: "KXCPI-26DEC-T0.3",
    title: "CPI in Dec 2026?",
    priceLevelStructure: "tapered_deci_cent",
    fairPrice: 650,
  },
  {
    ticker: "KXINXD-26NOV25-B6500",
    title: "S&P 500 on Nov 25, 2026?",
    priceLevelStructure: "center_deci_edge_centi_cent",
    fairPrice: 9_700,
  },
];

/** The grid band containing `price`, or undefined when it is outside (0, $1). */
function bandOf(ranges: readonly PriceRange[], price: Price): PriceRange | undefined {
  if (price <= 0 || price >= 10_000) return undefined;
  for (const range of ranges) {
    if (price >= range.start && price < range.end) return range;
  }
  return undefined;
}

/** True when `price` is strictly between $0 and $1 and on the market's grid. */
export function isOnGrid(ranges: readonly PriceRange[], price: Price): boolean {
  const band = bandOf(ranges, price);
  return band !== undefined && (price - band.start) % band.step === 0;
}

/** The largest grid price ≤ `price` (undefined when none is above $0). */
export function snapDown(ranges: readonly PriceRange[], price: Price): Price | undefined {
  const band = bandOf(ranges, Math.min(price, 9_999));
  if (band === undefined) return undefined;
  const snapped = band.start +
    Math.floor((Math.min(price, 9_999) - band.start) / band.step) * band.step;
  return snapped > 0 ? snapped : undefined;
}

/** The tick size at `price` (the step of its band; the finest step when outside the grid). */
export function tickAt(ranges: readonly PriceRange[], price: Price): Price {
  return bandOf(ranges, price)?.step ?? Math.min(...ranges.map((r) => r.step));
}

/** The event ticker Kalshi would use for `ticker` (everything before its last `-`). */
export function defaultEventTicker(ticker: string): string {
  const cut = ticker.lastIndexOf("-");
  return cut > 0 ? ticker.slice(0, cut) : ticker;
}
