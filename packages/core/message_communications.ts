/**
 * The `communications` channel: RFQs (`rfq_created`, `rfq_deleted`) and quotes
 * (`quote_created`, `quote_accepted`, `quote_executed`).
 *
 * @module
 */

import type { Side } from "./message_common.ts";

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
