/**
 * Messages of removed channels (`ticker_v2` until 2026-02-12, `multivariate` until 2026-08-06):
 * typed so old recordings still decode; the drift log reports them as retired types.
 *
 * @module
 */

import type { Side } from "./message_common.ts";

/** Payload of legacy `ticker_v2`: an incremental, partial update (any subset of fields). */
export interface TickerV2Msg {
  /** The market. */
  readonly market_ticker?: string;
  /** Market UUID. */
  readonly market_id?: string;
  /** Last price in cents (legacy). */
  readonly price?: number;
  /** Last price. */
  readonly price_dollars?: string;
  /** Best YES bid in cents. */
  readonly yes_bid?: number;
  /** Best YES ask in cents. */
  readonly yes_ask?: number;
  /** Volume change (legacy integer). */
  readonly volume_delta?: number;
  /** Volume change. */
  readonly volume_delta_fp?: string;
  /** Open interest change (legacy integer). */
  readonly open_interest_delta?: number;
  /** Open interest change. */
  readonly open_interest_delta_fp?: string;
  /** Traded notional change. */
  readonly dollar_volume_delta?: number;
  /** Open-interest notional change. */
  readonly dollar_open_interest_delta?: number;
  /** Unix seconds. */
  readonly ts?: number;
}

/** Legacy `ticker_v2` (channel removed 2026-02-12). */
export interface TickerV2Message {
  /** Discriminant. */
  readonly type: "ticker_v2";
  /** Subscription. */
  readonly sid: number;
  /** Sequence number, if any. */
  readonly seq?: number;
  /** The partial update. */
  readonly msg: TickerV2Msg;
}

/** Payload of legacy `multivariate_lookup`. */
export interface MultivariateLookupMsg {
  /** Collection. */
  readonly collection_ticker?: string;
  /** Event. */
  readonly event_ticker?: string;
  /** Market. */
  readonly market_ticker?: string;
  /** Selected legs. */
  readonly selected_markets?: readonly {
    readonly event_ticker: string;
    readonly market_ticker: string;
    readonly side: Side;
  }[];
}

/** Legacy `multivariate_lookup` (channel `multivariate`, removed 2026-08-06). */
export interface MultivariateLookupMessage {
  /** Discriminant. */
  readonly type: "multivariate_lookup";
  /** Subscription. */
  readonly sid: number;
  /** Sequence number, if any. */
  readonly seq?: number;
  /** The lookup. */
  readonly msg: MultivariateLookupMsg;
}
