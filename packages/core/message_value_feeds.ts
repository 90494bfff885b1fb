/**
 * The value-feed channels: `cfbenchmarks_value` and `cfbenchmarks_value_5hz` (CF Benchmarks
 * indices and their index lists) and `pyth_value` (Pyth prices and the underlying list).
 *
 * @module
 */

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
