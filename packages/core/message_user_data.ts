/**
 * The private per-user channels: `fill`, `market_positions` (`market_position` messages),
 * `user_orders` (`user_order` messages) and `order_group_updates`.
 *
 * @module
 */

import type { BookSide, Side } from "./message_common.ts";

/** Payload of `fill`: one of your fills. */
export interface FillMsg {
  /** Unique per fill. */
  readonly trade_id: string;
  /** Your order. */
  readonly order_id: string;
  /** Your client order id. */
  readonly client_order_id?: string;
  /** The market. */
  readonly market_ticker: string;
  /** Exchange shard. */
  readonly exchange_index?: number;
  /** Whether you were the taker. */
  readonly is_taker: boolean;
  /** Deprecated side. */
  readonly side?: Side;
  /** Deprecated action (`""` when unknown). */
  readonly action?: "buy" | "sell" | "sell_partial" | "sell_to_close" | "";
  /** Deprecated (buy-yes and sell-no ⇒ `yes`). */
  readonly purchased_side?: Side;
  /** Canonical direction. */
  readonly outcome_side?: Side;
  /** Canonical direction in book vocabulary. */
  readonly book_side?: BookSide;
  /** Always the YES-leg price. */
  readonly yes_price_dollars: string;
  /** Contracts filled. */
  readonly count_fp: string;
  /** Total exchange fee, fixed-point dollars (up to 6 dp). */
  readonly fee_cost?: string;
  /** Signed position after the fill. */
  readonly post_position_fp?: string;
  /** Unix seconds (deprecated). */
  readonly ts?: number;
  /** Unix ms. */
  readonly ts_ms?: number;
  /** Sub-account. */
  readonly subaccount?: number;
}

/** `fill`: one of your fills; not sequenced. */
export interface FillMessage {
  /** Discriminant. */
  readonly type: "fill";
  /** Subscription. */
  readonly sid: number;
  /** Not sent by Kalshi on this channel. */
  readonly seq?: number;
  /** The fill. */
  readonly msg: FillMsg;
}

/** Payload of `market_position`: your position in one market. */
export interface MarketPositionMsg {
  /** Your user id. */
  readonly user_id: string;
  /** The market. */
  readonly market_ticker: string;
  /** Signed net position (+ YES, − NO). */
  readonly position_fp: string;
  /** Cost basis. */
  readonly position_cost_dollars: string;
  /** Realized P&L. */
  readonly realized_pnl_dollars: string;
  /** Fees paid. */
  readonly fees_paid_dollars: string;
  /** Fee cost of the position. */
  readonly position_fee_cost_dollars?: string;
  /** Contracts traded. */
  readonly volume_fp?: string;
  /** Sub-account. */
  readonly subaccount?: number;
}

/** `market_position` (channel `market_positions`): position update; not sequenced. */
export interface MarketPositionMessage {
  /** Discriminant. */
  readonly type: "market_position";
  /** Subscription. */
  readonly sid: number;
  /** Not sent by Kalshi on this channel. */
  readonly seq?: number;
  /** The position. */
  readonly msg: MarketPositionMsg;
}

/** Why a user order last changed. */
export type LastUpdateReason =
  | "Decrease"
  | "Amend"
  | "MarginCancel"
  | "SelfTradeCancel"
  | "ExpiryCancel"
  | "CloseCancel"
  | "HaltCancel"
  | "Trade"
  | "PostOnlyCrossCancel"
  | "ReduceOnlyCancel";

/** Payload of `user_order`: the state of one of your orders. */
export interface UserOrderMsg {
  /** Order UUID. */
  readonly order_id: string;
  /** Your user id. */
  readonly user_id: string;
  /** The market (named `ticker` here, not `market_ticker`). */
  readonly ticker: string;
  /** Exchange shard. */
  readonly exchange_index?: number;
  /** Order status. */
  readonly status: "resting" | "canceled" | "executed" | "unknown";
  /** Deprecated side. */
  readonly side?: Side;
  /** Deprecated. */
  readonly is_yes?: boolean;
  /** Canonical direction. */
  readonly outcome_side?: Side;
  /** Canonical direction in book vocabulary. */
  readonly book_side?: BookSide;
  /** Limit price, YES leg. */
  readonly yes_price_dollars: string;
  /** Contracts filled. */
  readonly fill_count_fp: string;
  /** Contracts still resting. */
  readonly remaining_count_fp: string;
  /** Contracts ordered. */
  readonly initial_count_fp: string;
  /** Taker fill cost (6 dp). */
  readonly taker_fill_cost_dollars?: string;
  /** Maker fill cost (6 dp). */
  readonly maker_fill_cost_dollars?: string;
  /** Taker fees (6 dp; older frames omit when zero). */
  readonly taker_fees_dollars?: string;
  /** Maker fees (6 dp; older frames omit when zero). */
  readonly maker_fees_dollars?: string;
  /** Your client order id. */
  readonly client_order_id?: string;
  /** Order group. */
  readonly order_group_id?: string;
  /** Self-trade prevention mode. */
  readonly self_trade_prevention_type?: "taker_at_cross" | "maker";
  /** RFC 3339 (deprecated). */
  readonly created_time?: string | null;
  /** Unix ms. */
  readonly created_ts_ms?: number | null;
  /** RFC 3339 (deprecated). */
  readonly last_update_time?: string;
  /** Unix ms. */
  readonly last_updated_ts_ms?: number;
  /** RFC 3339 (deprecated). */
  readonly expiration_time?: string;
  /** Unix ms. */
  readonly expiration_ts_ms?: number;
  /** Why it last changed. */
  readonly last_update_reason?: LastUpdateReason;
  /** 0 = primary account. */
  readonly subaccount_number?: number;
}

/** `user_order` (channel `user_orders`): order update; not sequenced. */
export interface UserOrderMessage {
  /** Discriminant. */
  readonly type: "user_order";
  /** Subscription. */
  readonly sid: number;
  /** Not sent by Kalshi on this channel. */
  readonly seq?: number;
  /** The order. */
  readonly msg: UserOrderMsg;
}

/** Payload of `order_group_updates`. */
export interface OrderGroupUpdatesMsg {
  /** What happened. */
  readonly event_type: "created" | "triggered" | "reset" | "deleted" | "limit_updated";
  /** The group. */
  readonly order_group_id: string;
  /** Contracts limit (on `created` and `limit_updated`). */
  readonly contracts_limit_fp?: string;
  /** Matching-engine time, Unix ms. */
  readonly ts_ms?: number;
}

/** `order_group_updates`: order-group lifecycle. */
export interface OrderGroupUpdatesMessage {
  /** Discriminant. */
  readonly type: "order_group_updates";
  /** Subscription. */
  readonly sid: number;
  /** Sequence number. */
  readonly seq?: number;
  /** The update. */
  readonly msg: OrderGroupUpdatesMsg;
}
