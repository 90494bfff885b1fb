/**
 * Every field of every server message, as the current AsyncAPI documents it, and every field
 * Kalshi has retired: the one table the decoder checks frames against for protocol drift.
 *
 * Paths name a field from the frame's top level: `sid`, `msg.market_ticker`,
 * `msg.additional_metadata.title`, `msg.price_ranges[].step` (objects inside an array),
 * `msg[].channel` (the `list_subscriptions` reply, whose `msg` is an array). A field that is
 * documented but optional is listed like any other: only fields outside this table are drift.
 * `protocol_fields_test.ts` checks the table against the official spec, schema by schema.
 *
 * @module
 */

/** What the decoder does with a retired field (see {@linkcode RetiredField}). */
export type RetiredAction =
  /** Refuse the frame when its current twin is missing: reading the twin would be wrong. */
  | "refuse"
  /** Copy it into its current twin when that is missing (same meaning, new spelling). */
  | "rename"
  /** Only count it (it has no current twin, or the decoder already handles it). */
  | "note";

/** A field Kalshi used to send and no longer documents. */
export interface RetiredField {
  /** Its path, e.g. `msg.yes`. */
  readonly path: string;
  /** The field that replaced it, e.g. `msg.yes_dollars_fp`, if any. */
  readonly current?: string;
  /** What the decoder does when it is present (see {@linkcode RetiredAction}). */
  readonly action: RetiredAction;
  /** What it held, for error messages (`"integer-cent [price, count] levels"`). */
  readonly what: string;
}

const SEQUENCED = ["type", "sid", "seq", "msg"];
const UNSEQUENCED = ["type", "sid", "msg"];

function msg(...fields: string[]): string[] {
  return fields.map((field) => `msg.${field}`);
}

function nested(parent: string, ...fields: string[]): string[] {
  return fields.map((field) => `msg.${parent}.${field}`);
}

const LIFECYCLE_METADATA = nested(
  "additional_metadata",
  "name",
  "title",
  "yes_sub_title",
  "no_sub_title",
  "rules_primary",
  "rules_secondary",
  "can_close_early",
  "event_ticker",
  "expected_expiration_ts",
  "strike_type",
  "floor_strike",
  "cap_strike",
  "custom_strike",
);

const LIFECYCLE = msg(
  "market_ticker",
  "event_type",
  "exchange_index",
  "open_ts",
  "close_ts",
  "determination_ts",
  "settled_ts",
  "result",
  "settlement_value",
  "is_deactivated",
  "additional_metadata",
  "price_level_structure",
);

const QUOTE = msg(
  "quote_id",
  "rfq_id",
  "quote_creator_id",
  "rfq_creator_id",
  "market_ticker",
  "subaccount",
);

const RFQ = msg(
  "id",
  "creator_id",
  "market_ticker",
  "event_ticker",
  "contracts_fp",
  "target_cost_dollars",
);

const AVG_DATA = ["value", "window_size", "window_start_ts_ms", "window_end_ts_exclusive"];

/**
 * Every documented field path of each server message `type` (the union of all the spec's
 * schemas for that type: `ok` has four, `market_lifecycle_v2` two).
 */
export const KNOWN_FIELDS: { readonly [type: string]: readonly string[] } = {
  subscribed: ["type", "id", "msg", ...msg("channel", "sid")],
  unsubscribed: ["type", "id", "sid", "seq"],
  ok: [
    "type",
    "id",
    "sid",
    "seq",
    "msg",
    ...msg("market_tickers", "market_ids", "index_ids", "underlying_tickers"),
    "msg[].channel",
    "msg[].sid",
  ],
  error: [
    "type",
    "id",
    "sid",
    "seq",
    "msg",
    ...msg("code", "msg", "market_ticker", "market_tickers"),
  ],
  orderbook_snapshot: [
    "type",
    "id",
    "sid",
    "seq",
    "msg",
    ...msg("market_ticker", "market_id", "yes_dollars_fp", "no_dollars_fp"),
  ],
  orderbook_delta: [
    ...SEQUENCED,
    ...msg(
      "market_ticker",
      "market_id",
      "price_dollars",
      "delta_fp",
      "side",
      "client_order_id",
      "subaccount",
      "ts",
      "ts_ms",
    ),
  ],
  ticker: [
    ...UNSEQUENCED,
    ...msg(
      "market_id",
      "market_ticker",
      "price_dollars",
      "yes_bid_dollars",
      "yes_ask_dollars",
      "yes_bid_size_fp",
      "yes_ask_size_fp",
      "last_trade_size_fp",
      "volume_fp",
      "open_interest_fp",
      "dollar_volume",
      "dollar_open_interest",
      "ts",
      "ts_ms",
      "time",
    ),
  ],
  trade: [
    ...SEQUENCED,
    ...msg(
      "trade_id",
      "market_ticker",
      "yes_price_dollars",
      "no_price_dollars",
      "count_fp",
      "taker_side",
      "taker_outcome_side",
      "taker_book_side",
      "is_block_trade",
      "ts",
      "ts_ms",
    ),
  ],
  fill: [
    ...UNSEQUENCED,
    ...msg(
      "trade_id",
      "order_id",
      "client_order_id",
      "market_ticker",
      "exchange_index",
      "is_taker",
      "side",
      "action",
      "purchased_side",
      "outcome_side",
      "book_side",
      "yes_price_dollars",
      "count_fp",
      "fee_cost",
      "post_position_fp",
      "ts",
      "ts_ms",
      "subaccount",
    ),
  ],
  market_position: [
    ...UNSEQUENCED,
    ...msg(
      "user_id",
      "market_ticker",
      "position_fp",
      "position_cost_dollars",
      "realized_pnl_dollars",
      "fees_paid_dollars",
      "position_fee_cost_dollars",
      "volume_fp",
      "subaccount",
    ),
  ],
  user_order: [
    ...UNSEQUENCED,
    ...msg(
      "order_id",
      "user_id",
      "ticker",
      "exchange_index",
      "status",
      "side",
      "is_yes",
      "outcome_side",
      "book_side",
      "yes_price_dollars",
      "fill_count_fp",
      "remaining_count_fp",
      "initial_count_fp",
      "taker_fill_cost_dollars",
      "maker_fill_cost_dollars",
      "taker_fees_dollars",
      "maker_fees_dollars",
      "client_order_id",
      "order_group_id",
      "self_trade_prevention_type",
      "created_time",
      "created_ts_ms",
      "last_update_time",
      "last_updated_ts_ms",
      "expiration_time",
      "expiration_ts_ms",
      "last_update_reason",
      "subaccount_number",
    ),
  ],
  order_group_updates: [
    ...SEQUENCED,
    ...msg("event_type", "order_group_id", "contracts_limit_fp", "ts_ms"),
  ],
  market_lifecycle_v2: [
    ...SEQUENCED,
    ...LIFECYCLE,
    ...LIFECYCLE_METADATA,
    ...msg("price_ranges", "strike_type", "floor_strike", "cap_strike", "custom_strike"),
    ...msg("yes_sub_title", "price_ranges[].start", "price_ranges[].end", "price_ranges[].step"),
  ],
  multivariate_market_lifecycle: [...SEQUENCED, ...LIFECYCLE, ...LIFECYCLE_METADATA],
  event_lifecycle: [
    ...SEQUENCED,
    ...msg(
      "event_ticker",
      "exchange_index",
      "title",
      "subtitle",
      "collateral_return_type",
      "series_ticker",
      "strike_date",
      "strike_period",
    ),
  ],
  event_fee_update: [
    ...SEQUENCED,
    ...msg("event_ticker", "fee_type_override", "fee_multiplier_override"),
  ],
  rfq_created: [
    ...SEQUENCED,
    ...RFQ,
    ...msg("created_ts", "mve_collection_ticker", "mve_selected_legs"),
    ...nested(
      "mve_selected_legs[]",
      "event_ticker",
      "market_ticker",
      "side",
      "yes_settlement_value_dollars",
    ),
  ],
  rfq_deleted: [...SEQUENCED, ...RFQ, ...msg("deleted_ts")],
  quote_created: [
    ...SEQUENCED,
    ...QUOTE,
    ...msg(
      "event_ticker",
      "yes_bid_dollars",
      "no_bid_dollars",
      "yes_contracts_offered_fp",
      "no_contracts_offered_fp",
      "rfq_target_cost_dollars",
      "created_ts",
    ),
  ],
  quote_accepted: [
    ...SEQUENCED,
    ...QUOTE,
    ...msg(
      "event_ticker",
      "yes_bid_dollars",
      "no_bid_dollars",
      "accepted_side",
      "contracts_accepted_fp",
      "yes_contracts_offered_fp",
      "no_contracts_offered_fp",
      "rfq_target_cost_dollars",
    ),
  ],
  quote_executed: [...SEQUENCED, ...QUOTE, ...msg("order_id", "client_order_id", "executed_ts")],
  cfbenchmarks_value: [
    ...SEQUENCED,
    ...msg("index_id", "received_at", "data", "avg_60s_data", "last_60s_windowed_average_15min"),
    ...nested("avg_60s_data", ...AVG_DATA),
    ...nested("last_60s_windowed_average_15min", ...AVG_DATA),
  ],
  cfbenchmarks_value_indexlist: ["type", "id", "sid", "seq", "msg", "msg.index_ids"],
  cfbenchmarks_value_5hz: [
    ...SEQUENCED,
    ...msg("index_id", "value_usd", "source_ts_ms", "received_at", "data"),
  ],
  cfbenchmarks_value_5hz_indexlist: ["type", "id", "sid", "seq", "msg", "msg.index_ids"],
  pyth_value: [
    ...SEQUENCED,
    ...msg("underlying_ticker", "value_usd", "source_ts_ms", "received_at"),
  ],
  pyth_value_underlying_list: ["type", "id", "sid", "seq", "msg", "msg.underlying_tickers"],
};

const CENTS = "integer cents";
const COUNT = "an integer contract count";
const CENTI_CENTS = "integer centi-cents";

function twins(what: string, ...pairs: [retired: string, current: string][]): RetiredField[] {
  return pairs.map(([retired, current]) => ({
    path: `msg.${retired}`,
    current: `msg.${current}`,
    action: "refuse",
    what,
  }));
}

const RFQ_RETIRED = [
  ...twins(COUNT, ["contracts", "contracts_fp"]),
  ...twins(CENTI_CENTS, ["target_cost", "target_cost_dollars"]),
];

const QUOTE_RETIRED = [
  ...twins(CENTS, ["yes_bid", "yes_bid_dollars"], ["no_bid", "no_bid_dollars"]),
  ...twins(
    COUNT,
    ["yes_contracts_offered", "yes_contracts_offered_fp"],
    ["no_contracts_offered", "no_contracts_offered_fp"],
  ),
  ...twins(CENTI_CENTS, ["rfq_target_cost", "rfq_target_cost_dollars"]),
];

/**
 * Fields Kalshi retired, by message type: the integer-cent and integer-count fields removed on
 * 2026-03-12 (centi-cent position money on 2026-04-02), the snapshot's `yes`/`no` and
 * `yes_dollars`/`no_dollars` ladders, and old spellings and removed fields of older specs.
 */
export const RETIRED_FIELDS: { readonly [type: string]: readonly RetiredField[] } = {
  orderbook_snapshot: [
    ...twins("integer-cent [price, count] levels", ["yes", "yes_dollars_fp"], [
      "no",
      "no_dollars_fp",
    ]),
    ...twins(
      "[price, integer count] levels",
      ["yes_dollars", "yes_dollars_fp"],
      ["no_dollars", "no_dollars_fp"],
    ),
  ],
  orderbook_delta: [
    ...twins(CENTS, ["price", "price_dollars"]),
    ...twins(COUNT, ["delta", "delta_fp"]),
  ],
  ticker: [
    ...twins(
      CENTS,
      ["price", "price_dollars"],
      ["yes_bid", "yes_bid_dollars"],
      ["yes_ask", "yes_ask_dollars"],
    ),
    ...twins(COUNT, ["volume", "volume_fp"], ["open_interest", "open_interest_fp"]),
    { path: "msg.no_bid_dollars", action: "note", what: "the best NO bid (oldest spec)" },
  ],
  trade: [
    ...twins(CENTS, ["yes_price", "yes_price_dollars"], ["no_price", "no_price_dollars"]),
    ...twins(COUNT, ["count", "count_fp"]),
  ],
  fill: [
    ...twins(CENTS, ["yes_price", "yes_price_dollars"]),
    ...twins(COUNT, ["count", "count_fp"], ["post_position", "post_position_fp"]),
  ],
  market_position: [
    ...twins(COUNT, ["position", "position_fp"], ["volume", "volume_fp"]),
    ...twins(
      CENTI_CENTS,
      ["position_cost", "position_cost_dollars"],
      ["realized_pnl", "realized_pnl_dollars"],
      ["fees_paid", "fees_paid_dollars"],
      ["position_fee_cost", "position_fee_cost_dollars"],
    ),
    { path: "msg.resting_orders_count", action: "note", what: "a count removed 2026-07-09" },
  ],
  rfq_created: RFQ_RETIRED,
  rfq_deleted: RFQ_RETIRED,
  quote_created: QUOTE_RETIRED,
  quote_accepted: [
    ...QUOTE_RETIRED,
    ...twins(COUNT, ["contracts_accepted", "contracts_accepted_fp"]),
  ],
  event_lifecycle: [
    {
      path: "msg.sub_title",
      current: "msg.subtitle",
      action: "rename",
      what: "the event subtitle (oldest spelling)",
    },
  ],
  market_lifecycle_v2: [
    {
      path: "msg.fractional_trading_enabled",
      action: "note",
      what: "a flag removed 2026-07-09",
    },
  ],
  error: [{ path: "msg.market_id", action: "note", what: "the market UUID (legacy schema)" }],
  ok: [{
    path: "subscriptions",
    current: "msg",
    action: "note",
    what: "the legacy list_subscriptions array (the decoder moves it into msg)",
  }],
};

/** Message types of removed channels that the decoder still reads (old recordings). */
export const RETIRED_TYPES: readonly string[] = ["ticker_v2", "multivariate_lookup"];
