/**
 * Server → client messages: one type per message of the official AsyncAPI (plus legacy
 * `ticker_v2` and `multivariate_lookup` for old recordings) and a tolerant, lean decoder.
 *
 * {@linkcode decodeMessage} returns the parsed object itself (no copy), typed as a union
 * discriminated on `type`. It checks only what the library relies on (envelope integers,
 * `subscribed`/`error` essentials, order-book levels) and keeps every other field as sent: Kalshi
 * marks fields required that real frames omit, so most payload fields are typed optional where
 * reality shows them missing. Unknown `type`s become {@linkcode UnknownMessage}, never lost.
 *
 * @example
 * ```ts
 * import { decodeMessage } from "./message.ts";
 * const m = decodeMessage('{"type":"subscribed","id":1,"msg":{"channel":"ticker","sid":3}}');
 * if (m.type === "subscribed") m.msg.sid; // 3
 * ```
 *
 * @module
 */

import type { DriftLog } from "./drift.ts";
import { DecodeError } from "./errors.ts";
import { checkFields } from "./field_check.ts";

// ---------------------------------------------------------------------------------------------
// Shared field types

/** `"yes"` or `"no"`: a market side (which bid ladder, which outcome). */
export type Side = "yes" | "no";

/** `"bid"` (≡ yes) or `"ask"` (≡ no): the same direction bit in book vocabulary. */
export type BookSide = "bid" | "ask";

/**
 * One order-book level as sent: `[price_dollars, count_fp]`, both fixed-point decimal strings
 * (`["0.4200", "10.00"]`). JSON numbers seen in the wild are converted to strings by the decoder.
 */
export type PriceLevel = readonly [price: string, count: string];

// ---------------------------------------------------------------------------------------------
// Command responses

/** Payload of `subscribed`: the channel and the new subscription's sid. */
export interface SubscribedMsg {
  /** Channel name as sent in `subscribe` (a string: future channels stay decodable). */
  readonly channel: string;
  /** Server-assigned subscription id, unique within the connection. */
  readonly sid: number;
}

/** `subscribed`: one per channel of a `subscribe` command; no `seq`. */
export interface SubscribedMessage {
  /** Discriminant. */
  readonly type: "subscribed";
  /** Echo of the command id. */
  readonly id?: number;
  /** Channel and sid. */
  readonly msg: SubscribedMsg;
}

/** `unsubscribed`: one per sid of an `unsubscribe`; `sid`/`seq` are top-level, no `msg`. */
export interface UnsubscribedMessage {
  /** Discriminant. */
  readonly type: "unsubscribed";
  /** Echo of the command id. */
  readonly id?: number;
  /** The cancelled subscription. */
  readonly sid: number;
  /** Takes the subscription's next sequence number (absent in some older frames). */
  readonly seq?: number;
}

/**
 * Payload of an `ok` answering `update_subscription` (or an idempotent re-`subscribe`): the
 * full resulting filter. Which list is present depends on the channel; market lists are
 * omitted with `skip_ticker_ack`.
 */
export interface OkMsg {
  /** Markets of the subscription after the update. */
  readonly market_tickers?: readonly string[];
  /** Market UUIDs of the subscription after the update (`ticker` channel). */
  readonly market_ids?: readonly string[];
  /** CF Benchmarks index filter after the update (`["all"]` in all-mode). */
  readonly index_ids?: readonly string[];
  /** Pyth underlying filter after the update (`["all"]` in all-mode). */
  readonly underlying_tickers?: readonly string[];
}

/** `ok` acknowledging a subscription change; carries `sid`/`seq` when subscription-scoped. */
export interface OkMessage {
  /** Discriminant (shared with {@linkcode ListSubscriptionsMessage}: test `Array.isArray(msg)`). */
  readonly type: "ok";
  /** Echo of the command id. */
  readonly id?: number;
  /** The updated subscription. */
  readonly sid?: number;
  /** Consumes the subscription's next sequence number. */
  readonly seq?: number;
  /** Resulting filter lists; may be absent. */
  readonly msg?: OkMsg;
}

/** One entry of the `list_subscriptions` reply. */
export interface SubscriptionEntry {
  /** Channel name. */
  readonly channel: string;
  /** Its sid. */
  readonly sid: number;
}

/**
 * `ok` answering `list_subscriptions`: `msg` is an array. The legacy top-level `subscriptions`
 * array is moved into `msg` by the decoder.
 */
export interface ListSubscriptionsMessage {
  /** Discriminant (shared with {@linkcode OkMessage}: test `Array.isArray(msg)`). */
  readonly type: "ok";
  /** Echo of the command id. */
  readonly id?: number;
  /** Active subscriptions. */
  readonly msg: readonly SubscriptionEntry[];
}

/** Payload of `error`: Kalshi's numeric code and text (see the protocol reference §5). */
export interface ErrorMsg {
  /** Error code (e.g. 8 = unknown channel, 10/25 = terminal subscription errors). */
  readonly code: number;
  /** Error text, e.g. `"Unknown channel name"`. */
  readonly msg: string;
  /** Market the error concerns, when it concerns one. */
  readonly market_ticker?: string;
  /** Markets the error concerns. */
  readonly market_tickers?: readonly string[];
  /** Market UUID the error concerns (legacy schema). */
  readonly market_id?: string;
}

/** `error`: answers a command (`id`) or concerns a subscription (`sid`, and `seq` if sequenced). */
export interface ErrorMessage {
  /** Discriminant. */
  readonly type: "error";
  /** The command it answers. */
  readonly id?: number;
  /** The subscription it concerns. */
  readonly sid?: number;
  /** Sequence number on sid-scoped errors of sequenced channels. */
  readonly seq?: number;
  /** Code and text. */
  readonly msg: ErrorMsg;
}

// ---------------------------------------------------------------------------------------------
// orderbook_delta channel

/** Payload of `orderbook_snapshot`: the full book of one market. */
export interface OrderbookSnapshotMsg {
  /** The market. */
  readonly market_ticker: string;
  /** Its UUID; observed as `""` on an empty book. */
  readonly market_id?: string;
  /** YES bids, ascending price; key absent when there are none. */
  readonly yes_dollars_fp?: readonly PriceLevel[];
  /** NO bids, ascending price (YES-leg prices with `use_yes_price`); absent when none. */
  readonly no_dollars_fp?: readonly PriceLevel[];
}

/** `orderbook_snapshot`: replaces one market's book; consumes a seq. */
export interface OrderbookSnapshotMessage {
  /** Discriminant. */
  readonly type: "orderbook_snapshot";
  /** Subscription. */
  readonly sid: number;
  /** Sequence number (required: the book cannot be trusted without it). */
  readonly seq: number;
  /** Present when answering `get_snapshot`. */
  readonly id?: number;
  /** The book. */
  readonly msg: OrderbookSnapshotMsg;
}

/** Payload of `orderbook_delta`: a signed size change at one price level. */
export interface OrderbookDeltaMsg {
  /** The market. */
  readonly market_ticker: string;
  /** Its UUID. */
  readonly market_id?: string;
  /** Price level, fixed-point dollars (`"0.4200"`). */
  readonly price_dollars: string;
  /** Signed change in resting contracts (`"-54.00"`). */
  readonly delta_fp: string;
  /** Which bid ladder. */
  readonly side: Side;
  /** Present only when your order caused the change. */
  readonly client_order_id?: string;
  /** Present only when your order caused the change and you use sub-accounts. */
  readonly subaccount?: number;
  /** RFC 3339 time (deprecated). */
  readonly ts?: string;
  /** When the change was recorded, Unix ms. */
  readonly ts_ms?: number;
}

/** `orderbook_delta`: one level change; consumes a seq. */
export interface OrderbookDeltaMessage {
  /** Discriminant. */
  readonly type: "orderbook_delta";
  /** Subscription. */
  readonly sid: number;
  /** Sequence number (required: gaps invalidate the book). */
  readonly seq: number;
  /** The change. */
  readonly msg: OrderbookDeltaMsg;
}

// ---------------------------------------------------------------------------------------------
// ticker, trade, fill, market_positions, user_orders, order_group_updates

/** Payload of `ticker`: a market's latest price, top of book and totals. */
export interface TickerMsg {
  /** Market UUID. */
  readonly market_id?: string;
  /** The market. */
  readonly market_ticker: string;
  /** Last traded price (`"0.0000"` if never traded). */
  readonly price_dollars?: string;
  /** Best YES bid. */
  readonly yes_bid_dollars?: string;
  /** Best YES ask. */
  readonly yes_ask_dollars?: string;
  /** Contracts at the best YES bid. */
  readonly yes_bid_size_fp?: string;
  /** Contracts at the best YES ask. */
  readonly yes_ask_size_fp?: string;
  /** Contracts in the last trade. */
  readonly last_trade_size_fp?: string;
  /** Total contracts traded. */
  readonly volume_fp?: string;
  /** Open interest in contracts. */
  readonly open_interest_fp?: string;
  /** Signed whole-dollar traded notional (observed missing). */
  readonly dollar_volume?: number;
  /** Signed whole-dollar open-interest notional (observed missing). */
  readonly dollar_open_interest?: number;
  /** Unix seconds (deprecated). */
  readonly ts?: number;
  /** Unix ms. */
  readonly ts_ms?: number;
  /** RFC 3339 (deprecated; observed missing). */
  readonly time?: string;
}

/** `ticker`: market summary update; not sequenced. */
export interface TickerMessage {
  /** Discriminant. */
  readonly type: "ticker";
  /** Subscription. */
  readonly sid: number;
  /** Not sent by Kalshi on this channel. */
  readonly seq?: number;
  /** The update. */
  readonly msg: TickerMsg;
}

/** Payload of `trade`: one public trade. */
export interface TradeMsg {
  /** Trade UUID. */
  readonly trade_id: string;
  /** The market. */
  readonly market_ticker: string;
  /** YES-leg price. */
  readonly yes_price_dollars: string;
  /** NO-leg price (= 1 − YES). */
  readonly no_price_dollars: string;
  /** Contracts traded. */
  readonly count_fp: string;
  /** Deprecated taker direction. */
  readonly taker_side?: Side;
  /** Canonical taker direction (buy-yes/sell-no ⇒ `yes`). */
  readonly taker_outcome_side?: Side;
  /** Same bit as `taker_outcome_side` (`bid` ≡ `yes`). */
  readonly taker_book_side?: BookSide;
  /** Matched off-book as a block trade. */
  readonly is_block_trade?: boolean;
  /** Unix seconds (deprecated). */
  readonly ts?: number;
  /** Unix ms. */
  readonly ts_ms?: number;
}

/** `trade`: a public trade (`seq` per the current spec; absent in older recordings). */
export interface TradeMessage {
  /** Discriminant. */
  readonly type: "trade";
  /** Subscription. */
  readonly sid: number;
  /** Sequence number. */
  readonly seq?: number;
  /** The trade. */
  readonly msg: TradeMsg;
}

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

// ---------------------------------------------------------------------------------------------
// Lifecycle channels

/** Market metadata sent with a lifecycle `created` event. */
export interface LifecycleAdditionalMetadata {
  /** Market name. */
  readonly name?: string;
  /** Title. */
  readonly title?: string;
  /** YES subtitle. */
  readonly yes_sub_title?: string;
  /** NO subtitle. */
  readonly no_sub_title?: string;
  /** Primary rules. */
  readonly rules_primary?: string;
  /** Secondary rules. */
  readonly rules_secondary?: string;
  /** Whether the market can close early. */
  readonly can_close_early?: boolean;
  /** Parent event. */
  readonly event_ticker?: string;
  /** Expected expiration, Unix seconds. */
  readonly expected_expiration_ts?: number;
  /** Strike type (e.g. `greater`, `between`). */
  readonly strike_type?: string;
  /** Floor strike. */
  readonly floor_strike?: number;
  /** Cap strike. */
  readonly cap_strike?: number;
  /** Custom strike. */
  readonly custom_strike?: Readonly<Record<string, unknown>>;
}

/** A price band of a market's tick structure (dollar strings). */
export interface PriceRange {
  /** Band start. */
  readonly start: string;
  /** Band end. */
  readonly end: string;
  /** Tick size in the band. */
  readonly step: string;
}

/** Lifecycle event kinds of `market_lifecycle_v2` (`metadata_updated` included). */
export type MarketLifecycleEventType =
  | "created"
  | "activated"
  | "deactivated"
  | "close_date_updated"
  | "determined"
  | "settled"
  | "price_level_structure_updated"
  | "metadata_updated";

/**
 * Payload of `market_lifecycle_v2` and `multivariate_market_lifecycle`: which fields are present
 * depends on `event_type` (see the protocol reference §6.9). `metadata_updated` carries the
 * strike fields and `yes_sub_title` at top level.
 */
export interface MarketLifecycleMsg {
  /** The market. */
  readonly market_ticker: string;
  /** What happened. */
  readonly event_type: MarketLifecycleEventType;
  /** Exchange shard (`created`). */
  readonly exchange_index?: number;
  /** Open time, Unix s (`created`). */
  readonly open_ts?: number;
  /** Close time, Unix s (`created`, `close_date_updated`). */
  readonly close_ts?: number;
  /** Determination time, Unix s (`determined`). */
  readonly determination_ts?: number;
  /** Settlement time, Unix s (`settled`). */
  readonly settled_ts?: number;
  /** Result (`determined`). */
  readonly result?: string;
  /** Settlement value, fixed-point dollars (`determined`). */
  readonly settlement_value?: string;
  /** Paused (`activated`/`deactivated`). */
  readonly is_deactivated?: boolean;
  /** Market metadata (`created`). */
  readonly additional_metadata?: LifecycleAdditionalMetadata;
  /** Tick structure name (`created`, `price_level_structure_updated`). */
  readonly price_level_structure?: string;
  /** Tick bands. */
  readonly price_ranges?: readonly PriceRange[];
  /** `metadata_updated`: strike type. */
  readonly strike_type?: string;
  /** `metadata_updated`: floor strike. */
  readonly floor_strike?: number;
  /** `metadata_updated`: cap strike. */
  readonly cap_strike?: number;
  /** `metadata_updated`: custom strike. */
  readonly custom_strike?: Readonly<Record<string, unknown>>;
  /** `metadata_updated`: YES subtitle. */
  readonly yes_sub_title?: string;
}

/** `market_lifecycle_v2`: market state change (incl. `metadata_updated`). */
export interface MarketLifecycleV2Message {
  /** Discriminant. */
  readonly type: "market_lifecycle_v2";
  /** Subscription. */
  readonly sid: number;
  /** Sequence number. */
  readonly seq?: number;
  /** The event. */
  readonly msg: MarketLifecycleMsg;
}

/** `multivariate_market_lifecycle`: state change of a multivariate (combo) market. */
export interface MultivariateMarketLifecycleMessage {
  /** Discriminant. */
  readonly type: "multivariate_market_lifecycle";
  /** Subscription. */
  readonly sid: number;
  /** Sequence number. */
  readonly seq?: number;
  /** The event. */
  readonly msg: MarketLifecycleMsg;
}

/** Payload of `event_lifecycle`: an event was created. */
export interface EventLifecycleMsg {
  /** The event. */
  readonly event_ticker: string;
  /** Exchange shard. */
  readonly exchange_index?: number;
  /** Title. */
  readonly title?: string;
  /** Subtitle (oldest spec: `sub_title`). */
  readonly subtitle?: string;
  /** Collateral return type. */
  readonly collateral_return_type?: "MECNET" | "DIRECNET" | "";
  /** Parent series. */
  readonly series_ticker?: string;
  /** Strike date, Unix s. */
  readonly strike_date?: number;
  /** Strike period. */
  readonly strike_period?: string;
}

/** `event_lifecycle`: event creation (both lifecycle channels). */
export interface EventLifecycleMessage {
  /** Discriminant. */
  readonly type: "event_lifecycle";
  /** Subscription. */
  readonly sid: number;
  /** Sequence number. */
  readonly seq?: number;
  /** The event. */
  readonly msg: EventLifecycleMsg;
}

/** Payload of `event_fee_update`: both overrides `null` ⇒ the override was cleared. */
export interface EventFeeUpdateMsg {
  /** The event. */
  readonly event_ticker: string;
  /** Fee model override. */
  readonly fee_type_override?:
    | "quadratic"
    | "quadratic_with_maker_fees"
    | "quadratic_with_combo_maker_fees"
    | "flat"
    | "margin_market_maker_program_fees"
    | null;
  /** Fee multiplier override. */
  readonly fee_multiplier_override?: number | null;
}

/** `event_fee_update` (`market_lifecycle_v2` only): an event-level fee override changed. */
export interface EventFeeUpdateMessage {
  /** Discriminant. */
  readonly type: "event_fee_update";
  /** Subscription. */
  readonly sid: number;
  /** Sequence number. */
  readonly seq?: number;
  /** The change. */
  readonly msg: EventFeeUpdateMsg;
}

// ---------------------------------------------------------------------------------------------
// communications channel

/** One leg of a multivariate (combo) RFQ. */
export interface MveSelectedLeg {
  /** Leg event. */
  readonly event_ticker: string;
  /** Leg market. */
  readonly market_ticker: string;
  /** Leg side. */
  readonly side: Side;
  /** Settlement value if already settled. */
  readonly yes_settlement_value_dollars?: string;
}

/** Payload of `rfq_created`. */
export interface RfqCreatedMsg {
  /** RFQ id. */
  readonly id: string;
  /** Anonymised creator id. */
  readonly creator_id: string;
  /** The market. */
  readonly market_ticker: string;
  /** Its event. */
  readonly event_ticker?: string;
  /** Contract-sized RFQs: contracts. */
  readonly contracts_fp?: string;
  /** Cost-sized RFQs: target cost. */
  readonly target_cost_dollars?: string;
  /** RFC 3339. */
  readonly created_ts: string;
  /** Combo RFQs: collection. */
  readonly mve_collection_ticker?: string;
  /** Combo RFQs: legs. */
  readonly mve_selected_legs?: readonly MveSelectedLeg[];
}

/** `rfq_created`. */
export interface RfqCreatedMessage {
  /** Discriminant. */
  readonly type: "rfq_created";
  /** Subscription. */
  readonly sid: number;
  /** Sequence number. */
  readonly seq?: number;
  /** The RFQ. */
  readonly msg: RfqCreatedMsg;
}

/** Payload of `rfq_deleted`. */
export interface RfqDeletedMsg {
  /** RFQ id. */
  readonly id: string;
  /** Anonymised creator id. */
  readonly creator_id: string;
  /** The market. */
  readonly market_ticker: string;
  /** Its event. */
  readonly event_ticker?: string;
  /** Contracts. */
  readonly contracts_fp?: string;
  /** Target cost. */
  readonly target_cost_dollars?: string;
  /** RFC 3339. */
  readonly deleted_ts: string;
}

/** `rfq_deleted`. */
export interface RfqDeletedMessage {
  /** Discriminant. */
  readonly type: "rfq_deleted";
  /** Subscription. */
  readonly sid: number;
  /** Sequence number. */
  readonly seq?: number;
  /** The RFQ. */
  readonly msg: RfqDeletedMsg;
}

/** Fields shared by the quote messages. */
export interface QuoteMsgBase {
  /** Quote id. */
  readonly quote_id: string;
  /** RFQ id. */
  readonly rfq_id: string;
  /** Quote creator (anonymised). */
  readonly quote_creator_id: string;
  /** RFQ creator (anonymised). */
  readonly rfq_creator_id: string;
  /** The market. */
  readonly market_ticker: string;
  /** Your own sub-account, when your side used one. */
  readonly subaccount?: number;
}

/** Payload of `quote_created`. */
export interface QuoteCreatedMsg extends QuoteMsgBase {
  /** Its event. */
  readonly event_ticker?: string;
  /** YES bid. */
  readonly yes_bid_dollars: string;
  /** NO bid. */
  readonly no_bid_dollars: string;
  /** Contracts offered on YES. */
  readonly yes_contracts_offered_fp?: string;
  /** Contracts offered on NO. */
  readonly no_contracts_offered_fp?: string;
  /** RFQ target cost. */
  readonly rfq_target_cost_dollars?: string;
  /** RFC 3339. */
  readonly created_ts: string;
}

/** `quote_created`. */
export interface QuoteCreatedMessage {
  /** Discriminant. */
  readonly type: "quote_created";
  /** Subscription. */
  readonly sid: number;
  /** Sequence number. */
  readonly seq?: number;
  /** The quote. */
  readonly msg: QuoteCreatedMsg;
}

/** Payload of `quote_accepted` (no timestamp field). */
export interface QuoteAcceptedMsg extends QuoteMsgBase {
  /** Its event. */
  readonly event_ticker?: string;
  /** YES bid. */
  readonly yes_bid_dollars: string;
  /** NO bid. */
  readonly no_bid_dollars: string;
  /** Side accepted. */
  readonly accepted_side?: Side;
  /** Contracts accepted. */
  readonly contracts_accepted_fp?: string;
  /** Contracts offered on YES. */
  readonly yes_contracts_offered_fp?: string;
  /** Contracts offered on NO. */
  readonly no_contracts_offered_fp?: string;
  /** RFQ target cost. */
  readonly rfq_target_cost_dollars?: string;
}

/** `quote_accepted`. */
export interface QuoteAcceptedMessage {
  /** Discriminant. */
  readonly type: "quote_accepted";
  /** Subscription. */
  readonly sid: number;
  /** Sequence number. */
  readonly seq?: number;
  /** The quote. */
  readonly msg: QuoteAcceptedMsg;
}

/** Payload of `quote_executed`: your order ids, to correlate with `fill`. */
export interface QuoteExecutedMsg extends QuoteMsgBase {
  /** Your order. */
  readonly order_id: string;
  /** Your client order id. */
  readonly client_order_id: string;
  /** RFC 3339. */
  readonly executed_ts: string;
}

/** `quote_executed`. */
export interface QuoteExecutedMessage {
  /** Discriminant. */
  readonly type: "quote_executed";
  /** Subscription. */
  readonly sid: number;
  /** Sequence number. */
  readonly seq?: number;
  /** The execution. */
  readonly msg: QuoteExecutedMsg;
}

// ---------------------------------------------------------------------------------------------
// cfbenchmarks_value, cfbenchmarks_value_5hz, pyth_value

/** A windowed average of a CF Benchmarks index. */
export interface CfbenchmarksAvgData {
  /** Average, 8 dp string. */
  readonly value: string;
  /** Ticks counted. */
  readonly window_size: number;
  /** Window start, Unix ms. */
  readonly window_start_ts_ms: number;
  /** Window end (exclusive), Unix ms. */
  readonly window_end_ts_exclusive: number;
}

/** Payload of `cfbenchmarks_value`. */
export interface CfbenchmarksValueMsg {
  /** Index id (e.g. `BRTI`). */
  readonly index_id: string;
  /** Receive time at Kalshi, Unix ms. */
  readonly received_at: number;
  /** Raw upstream frame, as JSON text. */
  readonly data: string;
  /** Trailing 60 s average. */
  readonly avg_60s_data: CfbenchmarksAvgData;
  /** Final-minute quarter-hour average (only in that minute). */
  readonly last_60s_windowed_average_15min?: CfbenchmarksAvgData;
}

/** `cfbenchmarks_value`: ≈1/s index value. */
export interface CfbenchmarksValueMessage {
  /** Discriminant. */
  readonly type: "cfbenchmarks_value";
  /** Subscription. */
  readonly sid: number;
  /** Sequence number. */
  readonly seq?: number;
  /** The value. */
  readonly msg: CfbenchmarksValueMsg;
}

/** Payload of `cfbenchmarks_value_5hz`. */
export interface CfbenchmarksValue5HzMsg {
  /** Index id. */
  readonly index_id: string;
  /** Value, 8 dp string. */
  readonly value_usd: string;
  /** Source time, Unix ms. */
  readonly source_ts_ms: number;
  /** Receive time at Kalshi, Unix ms. */
  readonly received_at: number;
  /** Raw upstream frame, as JSON text. */
  readonly data: string;
}

/** `cfbenchmarks_value_5hz`: up to 5/s index value. */
export interface CfbenchmarksValue5HzMessage {
  /** Discriminant. */
  readonly type: "cfbenchmarks_value_5hz";
  /** Subscription. */
  readonly sid: number;
  /** Sequence number. */
  readonly seq?: number;
  /** The value. */
  readonly msg: CfbenchmarksValue5HzMsg;
}

/** Payload of the `*_indexlist` replies. */
export interface IndexListMsg {
  /** Available (or recently streamed) index ids. */
  readonly index_ids: readonly string[];
}

/** `cfbenchmarks_value_indexlist`: reply to `indexlist` (carries the command `id`). */
export interface CfbenchmarksIndexListMessage {
  /** Discriminant. */
  readonly type: "cfbenchmarks_value_indexlist";
  /** Echo of the command id. */
  readonly id?: number;
  /** Subscription. */
  readonly sid: number;
  /** Sequence number. */
  readonly seq?: number;
  /** The ids. */
  readonly msg: IndexListMsg;
}

/** `cfbenchmarks_value_5hz_indexlist`: reply to `indexlist` on the 5 Hz channel. */
export interface Cfbenchmarks5HzIndexListMessage {
  /** Discriminant. */
  readonly type: "cfbenchmarks_value_5hz_indexlist";
  /** Echo of the command id. */
  readonly id?: number;
  /** Subscription. */
  readonly sid: number;
  /** Sequence number. */
  readonly seq?: number;
  /** The ids. */
  readonly msg: IndexListMsg;
}

/** Payload of `pyth_value`. */
export interface PythValueMsg {
  /** Underlying, e.g. `Metal.XAU/USD`. */
  readonly underlying_ticker: string;
  /** Value, 8 dp string. */
  readonly value_usd: string;
  /** Source time, Unix ms. */
  readonly source_ts_ms: number;
  /** Receive time at Kalshi, Unix ms. */
  readonly received_at: number;
}

/** `pyth_value`: deduplicated Pyth price. */
export interface PythValueMessage {
  /** Discriminant. */
  readonly type: "pyth_value";
  /** Subscription. */
  readonly sid: number;
  /** Sequence number. */
  readonly seq?: number;
  /** The value. */
  readonly msg: PythValueMsg;
}

/** Payload of `pyth_value_underlying_list`. */
export interface UnderlyingListMsg {
  /** Underlyings streamed in the last two hours. */
  readonly underlying_tickers: readonly string[];
}

/** `pyth_value_underlying_list`: reply to `underlying_list` (carries the command `id`). */
export interface PythUnderlyingListMessage {
  /** Discriminant. */
  readonly type: "pyth_value_underlying_list";
  /** Echo of the command id. */
  readonly id?: number;
  /** Subscription. */
  readonly sid: number;
  /** Sequence number. */
  readonly seq?: number;
  /** The tickers. */
  readonly msg: UnderlyingListMsg;
}

// ---------------------------------------------------------------------------------------------
// Legacy (removed channels, for old recordings)

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

// ---------------------------------------------------------------------------------------------
// Unions

/** A frame whose `type` this library does not know: kept whole, never dropped. */
export interface UnknownMessage {
  /** Discriminant. */
  readonly type: "unknown";
  /** The frame's actual `type`. */
  readonly wireType: string;
  /** The parsed frame. */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** Every data message (a channel's payload on a sid), current and legacy. */
export type DataMessage =
  | OrderbookSnapshotMessage
  | OrderbookDeltaMessage
  | TickerMessage
  | TradeMessage
  | FillMessage
  | MarketPositionMessage
  | UserOrderMessage
  | OrderGroupUpdatesMessage
  | MarketLifecycleV2Message
  | MultivariateMarketLifecycleMessage
  | EventLifecycleMessage
  | EventFeeUpdateMessage
  | RfqCreatedMessage
  | RfqDeletedMessage
  | QuoteCreatedMessage
  | QuoteAcceptedMessage
  | QuoteExecutedMessage
  | CfbenchmarksValueMessage
  | CfbenchmarksIndexListMessage
  | CfbenchmarksValue5HzMessage
  | Cfbenchmarks5HzIndexListMessage
  | PythValueMessage
  | PythUnderlyingListMessage
  | TickerV2Message
  | MultivariateLookupMessage;

/** A `type` of a {@linkcode DataMessage}. */
export type DataMessageType = DataMessage["type"];

/** A response to a command: `subscribed`, `unsubscribed`, `ok` (both shapes) or `error`. */
export type ResponseMessage =
  | SubscribedMessage
  | UnsubscribedMessage
  | OkMessage
  | ListSubscriptionsMessage
  | ErrorMessage;

/** Anything {@linkcode decodeMessage} returns, discriminated on `type`. */
export type ServerMessage = ResponseMessage | DataMessage | UnknownMessage;

// ---------------------------------------------------------------------------------------------
// Decoder

/** Every data-message `type` the decoder knows (current and legacy), for dispatch and routing. */
export const DATA_MESSAGE_TYPES = [
  "orderbook_snapshot",
  "orderbook_delta",
  "ticker",
  "trade",
  "fill",
  "market_position",
  "user_order",
  "order_group_updates",
  "market_lifecycle_v2",
  "multivariate_market_lifecycle",
  "event_lifecycle",
  "event_fee_update",
  "rfq_created",
  "rfq_deleted",
  "quote_created",
  "quote_accepted",
  "quote_executed",
  "cfbenchmarks_value",
  "cfbenchmarks_value_indexlist",
  "cfbenchmarks_value_5hz",
  "cfbenchmarks_value_5hz_indexlist",
  "pyth_value",
  "pyth_value_underlying_list",
  "ticker_v2",
  "multivariate_lookup",
] as const satisfies readonly DataMessageType[];

// Compile-time check that the list above names every DataMessage type.
type _MissingDataType = Exclude<DataMessageType, typeof DATA_MESSAGE_TYPES[number]>;
const _allDataTypesListed: [_MissingDataType] extends [never] ? true : _MissingDataType = true;
void _allDataTypesListed;

const DATA_TYPES: ReadonlySet<string> = new Set(DATA_MESSAGE_TYPES);

/** Whether `message` is a channel data message (not a response and not unknown). */
export function isDataMessage(message: ServerMessage): message is DataMessage {
  return DATA_TYPES.has(message.type);
}

/** Whether `message` is the `list_subscriptions` reply (an `ok` whose `msg` is an array). */
export function isListSubscriptionsReply(
  message: ServerMessage,
): message is ListSubscriptionsMessage {
  return message.type === "ok" && Array.isArray(message.msg);
}

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Names a JSON value for an error reason: `null`, `an array`, `"text"`, `3.5`, `an object`. */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (value === undefined) return "missing";
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function isIndex(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** Kalshi numbers sids from 1, and a command can only name a positive sid. */
const NO_SID_ZERO = "sid 0 does not exist (Kalshi numbers sids from 1)";

/**
 * Parses one text frame into a {@linkcode ServerMessage}; see the module doc for the rules.
 * A frame in a retired format (a current field missing, its retired twin present, e.g. a
 * snapshot with only integer-cent `yes`/`no` ladders) is a {@linkcode DecodeError} naming the
 * retired field. With `drift`, unknown types, channels and fields and retired fields are
 * counted there (`drift.ts`).
 */
export function decodeMessage(text: string, drift?: DriftLog): ServerMessage {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch (error) {
    throw new DecodeError(`invalid JSON (${(error as Error).message})`, text, { cause: error });
  }
  if (!isObject(frame)) {
    throw new DecodeError(`expected a JSON object, got ${describe(frame)}`, text);
  }
  const type = frame.type;
  if (typeof type !== "string") {
    throw new DecodeError(`"type" must be a string, got ${describe(type)}`, text);
  }
  if (frame.id !== undefined && !isIndex(frame.id)) {
    throw new DecodeError(`"id" must be a non-negative integer, got ${describe(frame.id)}`, text);
  }
  if (frame.sid !== undefined && !isIndex(frame.sid)) {
    throw new DecodeError(`"sid" must be a non-negative integer, got ${describe(frame.sid)}`, text);
  }
  if (frame.sid === 0) throw new DecodeError(NO_SID_ZERO, text);
  if (frame.seq !== undefined && !isIndex(frame.seq)) {
    throw new DecodeError(`"seq" must be a non-negative integer, got ${describe(frame.seq)}`, text);
  }
  checkFields(frame, type, text, drift);
  switch (type) {
    case "orderbook_delta":
      checkDelta(frame, text);
      break;
    case "orderbook_snapshot":
      checkSnapshot(frame, text);
      break;
    case "subscribed": {
      const msg = frame.msg;
      if (!isObject(msg)) throw invalid(type, "msg", "an object", msg, text);
      if (typeof msg.channel !== "string") {
        throw invalid(type, "msg.channel", "a string", msg.channel, text);
      }
      if (!isIndex(msg.sid)) {
        throw invalid(type, "msg.sid", "a non-negative integer", msg.sid, text);
      }
      if (msg.sid === 0) throw new DecodeError(NO_SID_ZERO, text);
      break;
    }
    case "unsubscribed":
      if (frame.sid === undefined) throw invalid(type, "sid", "present", undefined, text);
      break;
    case "ok":
      checkOk(frame, text);
      break;
    case "error": {
      const msg = frame.msg;
      if (!isObject(msg)) throw invalid(type, "msg", "an object", msg, text);
      if (!Number.isSafeInteger(msg.code)) {
        throw invalid(type, "msg.code", "an integer", msg.code, text);
      }
      if (typeof msg.msg !== "string") throw invalid(type, "msg.msg", "a string", msg.msg, text);
      break;
    }
    default:
      if (!DATA_TYPES.has(type)) {
        drift?.record("unknown_type", type, undefined, frame, text);
        return { type: "unknown", wireType: type, raw: frame };
      }
      checkData(frame, type, text);
  }
  return frame as unknown as ServerMessage;
}

function invalid(
  type: string,
  field: string,
  expected: string,
  actual: unknown,
  text: string,
): DecodeError {
  return new DecodeError(`"${type}" ${field} must be ${expected}, got ${describe(actual)}`, text);
}

/** Every data message: a `sid` to route by and an object `msg`. */
function checkData(frame: Obj, type: string, text: string): Obj {
  if (frame.sid === undefined) throw invalid(type, "sid", "present", undefined, text);
  const msg = frame.msg;
  if (!isObject(msg)) throw invalid(type, "msg", "an object", msg, text);
  return msg;
}

/** Order-book frames also need a `seq` (gap detection) and a market. */
function checkBookFrame(frame: Obj, type: string, text: string): Obj {
  const msg = checkData(frame, type, text);
  if (frame.seq === undefined) throw invalid(type, "seq", "present", undefined, text);
  if (typeof msg.market_ticker !== "string" || msg.market_ticker === "") {
    throw invalid(type, "msg.market_ticker", "a non-empty string", msg.market_ticker, text);
  }
  return msg;
}

function checkDelta(frame: Obj, text: string): void {
  const type = "orderbook_delta";
  const msg = checkBookFrame(frame, type, text);
  const price = msg.price_dollars;
  if (typeof price !== "string") {
    if (typeof price !== "number" || !Number.isFinite(price)) {
      throw invalid(type, "msg.price_dollars", "a decimal string", price, text);
    }
    msg.price_dollars = String(price);
  }
  const delta = msg.delta_fp;
  if (typeof delta !== "string") {
    if (typeof delta !== "number" || !Number.isFinite(delta)) {
      throw invalid(type, "msg.delta_fp", "a decimal string", delta, text);
    }
    msg.delta_fp = String(delta);
  }
  if (msg.side !== "yes" && msg.side !== "no") {
    throw invalid(type, "msg.side", '"yes" or "no"', msg.side, text);
  }
}

function checkSnapshot(frame: Obj, text: string): void {
  const msg = checkBookFrame(frame, "orderbook_snapshot", text);
  checkLevels(msg, "yes_dollars_fp", text);
  checkLevels(msg, "no_dollars_fp", text);
}

/** `[price, size]` pairs of decimal strings; JSON numbers become strings, `null` means absent. */
function checkLevels(msg: Obj, key: "yes_dollars_fp" | "no_dollars_fp", text: string): void {
  const levels = msg[key];
  if (levels === undefined) return;
  if (levels === null) {
    delete msg[key];
    return;
  }
  const field = `msg.${key}`;
  if (!Array.isArray(levels)) {
    throw invalid("orderbook_snapshot", field, "an array of levels", levels, text);
  }
  for (let i = 0; i < levels.length; i++) {
    const level: unknown = levels[i];
    if (!Array.isArray(level) || level.length !== 2) {
      throw invalid("orderbook_snapshot", `${field}[${i}]`, "a [price, size] pair", level, text);
    }
    for (let j = 0; j < 2; j++) {
      const value: unknown = level[j];
      if (typeof value === "string") continue;
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw invalid(
          "orderbook_snapshot",
          `${field}[${i}][${j}]`,
          "a decimal string",
          value,
          text,
        );
      }
      level[j] = String(value);
    }
  }
}

const OK_LISTS = ["market_tickers", "market_ids", "index_ids", "underlying_tickers"] as const;

function checkOk(frame: Obj, text: string): void {
  let msg = frame.msg;
  if (msg === undefined && Array.isArray(frame.subscriptions)) {
    // Legacy list_subscriptions reply: the array was top-level `subscriptions`.
    msg = frame.msg = frame.subscriptions;
  }
  if (msg === undefined) return;
  if (Array.isArray(msg)) {
    for (let i = 0; i < msg.length; i++) {
      const entry: unknown = msg[i];
      if (!isObject(entry)) throw invalid("ok", `msg[${i}]`, "an object", entry, text);
      if (typeof entry.channel !== "string") {
        throw invalid("ok", `msg[${i}].channel`, "a string", entry.channel, text);
      }
      if (!isIndex(entry.sid)) {
        throw invalid("ok", `msg[${i}].sid`, "a non-negative integer", entry.sid, text);
      }
      if (entry.sid === 0) throw new DecodeError(NO_SID_ZERO, text);
    }
    return;
  }
  if (!isObject(msg)) throw invalid("ok", "msg", "an object or an array", msg, text);
  for (const key of OK_LISTS) {
    const list = msg[key];
    if (list !== undefined && !Array.isArray(list)) {
      throw invalid("ok", `msg.${key}`, "an array", list, text);
    }
  }
}
