/**
 * The lifecycle channels: `market_lifecycle_v2` (market events, `event_lifecycle`,
 * `event_fee_update`) and `multivariate_market_lifecycle` (combo markets, `event_lifecycle`).
 *
 * @module
 */

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
