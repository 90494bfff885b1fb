/**
 * The `communications` channel: requests for quotes (RFQs) and the quotes on them, through their
 * whole life — an RFQ is created (contract- or cost-sized, on a market or on a combo looked up
 * in a multivariate collection), market makers quote it, its creator accepts a quote, the quote
 * executes (each side gets its own order ids, the maker's client order id `quote:<hash>:<id>`),
 * and the RFQ is deleted.
 *
 * Who sees what, as Kalshi documents: `rfq_created`/`rfq_deleted` go to every subscriber (only
 * the creator's own with `user_filter: "self"`); quote events only to the RFQ's and the quote's
 * creators; `quote_executed` to each of them separately. Accounts of the exchange take part as
 * RFQ creators and as market makers; everyone else is anonymous other traders.
 *
 * @module
 */

import { type Count, formatCount, formatPrice, ONE_DOLLAR, type Price } from "@kalshi-ws/core";
import type { FeedContext } from "./channel_feeds.ts";
import { type ExchangeEvent, rfc3339 } from "./events.ts";
import { type ComboLeg, type Multivariate, MVE_COLLECTIONS, randomLegs } from "./multivariate.ts";
import type { Side } from "./order_book.ts";
import type { Rng } from "./rng.ts";

interface Rfq {
  readonly id: string;
  /** The account that created it, or undefined for another trader. */
  readonly user: string | undefined;
  readonly creatorId: string;
  readonly market: string;
  readonly event: string;
  /** Contract-sized RFQs: contracts; cost-sized: undefined. */
  readonly contracts: Count | undefined;
  /** Cost-sized RFQs: target cost (1/10 000 $). */
  readonly targetCost: Price | undefined;
  readonly fair: Price;
  readonly mve: { readonly collection: string; readonly legs: readonly ComboLeg[] } | undefined;
  readonly quotes: Quote[];
}

interface Quote {
  readonly id: string;
  readonly user: string | undefined;
  readonly creatorId: string;
  readonly yesBid: Price;
  readonly noBid: Price;
  readonly yesOffered: Count;
  readonly noOffered: Count;
  accepted: { readonly side: Side; readonly contracts: Count } | undefined;
}

/** Open RFQs kept at most (older ones are deleted first). */
const MAX_OPEN = 8;
const CHANNEL = "communications";

/** RFQs and quotes (see the module doc). */
export class Communications {
  readonly #multivariate: Multivariate;
  readonly #open: Rfq[] = [];
  /** Public communications ids of the accounts (anonymised, stable per account). */
  readonly #commsIds = new Map<string, string>();
  #orders = 0;

  /** Creates the RFQ generator; combo RFQs look their combination up in `multivariate`. */
  constructor(multivariate: Multivariate) {
    this.#multivariate = multivariate;
  }

  /** One step: create an RFQ, quote, accept, execute or delete, depending on what is open. */
  step(context: FeedContext): ExchangeEvent[] {
    const events: ExchangeEvent[] = [];
    const { rng } = context;
    const quoted = this.#open.filter((r) => r.quotes.length > 0);
    const accepted = quoted.filter((r) => r.quotes.some((q) => q.accepted !== undefined));
    const roll = rng.float();
    if (this.#open.length === 0 || (roll < 0.3 && this.#open.length < MAX_OPEN)) {
      this.#create(context, events);
    } else if (roll < 0.6) {
      this.#quote(rng.pick(this.#open), context, events);
    } else if (roll < 0.75 && quoted.length > 0) {
      const rfq = rng.pick(quoted);
      this.#accept(rfq, rng.pick(rfq.quotes), context, events);
    } else if (roll < 0.9 && accepted.length > 0) {
      this.#execute(rng.pick(accepted), context, events);
    } else {
      this.#delete(rng.pick(this.#open), context, events);
    }
    return events;
  }

  #commsId(user: string | undefined, rng: Rng): string {
    if (user === undefined) return hex64(rng);
    let id = this.#commsIds.get(user);
    if (id === undefined) this.#commsIds.set(user, id = hex64(rng));
    return id;
  }

  #create(context: FeedContext, events: ExchangeEvent[]): void {
    const { rng, now, accounts, markets } = context;
    const open = markets.filter((m) => m.status === "active");
    if (open.length === 0) return;
    const user = accounts.length > 0 && rng.chance(0.4) ? rng.pick(accounts) : undefined;
    let market = rng.pick(open);
    let rfqMarket = market.ticker;
    let rfqEvent = market.eventTicker;
    let mve: Rfq["mve"];
    const legs = rng.chance(0.3) ? randomLegs(context) : undefined;
    if (legs !== undefined) {
      const collection = rng.pick(MVE_COLLECTIONS);
      const combo = this.#multivariate.lookup(collection, legs, context, events);
      rfqMarket = combo.ticker;
      rfqEvent = combo.eventTicker;
      mve = { collection, legs };
      market = open.find((m) => m.ticker === legs[0]!.market_ticker) ?? market;
    }
    if (this.#open.length >= MAX_OPEN) this.#delete(this.#open[0]!, context, events);
    const sized = rng.chance(0.7);
    const rfq: Rfq = {
      id: rng.uuid(),
      user,
      creatorId: this.#commsId(user, rng),
      market: rfqMarket,
      event: rfqEvent,
      contracts: sized ? rng.int(1, 50) * 1_000 : undefined,
      targetCost: sized ? undefined : rng.int(10, 500) * ONE_DOLLAR,
      fair: Math.min(9_000, Math.max(1_000, market.fair)),
      mve,
      quotes: [],
    };
    this.#open.push(rfq);
    events.push({
      channel: CHANNEL,
      type: "rfq_created",
      ticker: rfq.market,
      ...(user === undefined ? {} : { creator: user }),
      msg: {
        ...rfqFields(rfq),
        created_ts: rfc3339(now),
        ...(mve === undefined ? {} : {
          mve_collection_ticker: mve.collection,
          mve_selected_legs: mve.legs.map((l) => ({ ...l })),
        }),
      },
    });
  }

  #quote(rfq: Rfq, context: FeedContext, events: ExchangeEvent[]): void {
    const { rng, now, accounts } = context;
    // Accounts quote other traders' RFQs; other market makers quote everyone's.
    const user = rfq.user === undefined && accounts.length > 0 && rng.chance(0.5)
      ? rng.pick(accounts)
      : undefined;
    const edge = rng.int(1, 5) * 100;
    const size = rfq.contracts ?? rng.int(1, 50) * 1_000;
    const quote: Quote = {
      id: rng.uuid(),
      user,
      creatorId: this.#commsId(user, rng),
      yesBid: rfq.fair - edge,
      noBid: ONE_DOLLAR - rfq.fair - edge,
      yesOffered: size,
      noOffered: rng.chance(0.5) ? size : size * 2,
      accepted: undefined,
    };
    rfq.quotes.push(quote);
    const audience = audienceOf(rfq, quote);
    if (audience.length === 0) return; // nobody who could be connected is involved
    events.push({
      channel: CHANNEL,
      type: "quote_created",
      ticker: rfq.market,
      audience,
      msg: { ...quoteFields(rfq, quote), created_ts: rfc3339(now) },
    });
  }

  #accept(rfq: Rfq, quote: Quote, context: FeedContext, events: ExchangeEvent[]): void {
    if (quote.accepted !== undefined) return;
    const side: Side = context.rng.chance(0.5) ? "yes" : "no";
    const offered = side === "yes" ? quote.yesOffered : quote.noOffered;
    quote.accepted = { side, contracts: rfq.contracts ?? offered };
    const audience = audienceOf(rfq, quote);
    if (audience.length === 0) return;
    events.push({
      channel: CHANNEL,
      type: "quote_accepted",
      ticker: rfq.market,
      audience,
      msg: {
        ...quoteFields(rfq, quote),
        accepted_side: side,
        contracts_accepted_fp: formatCount(quote.accepted.contracts),
      },
    });
  }

  #execute(rfq: Rfq, context: FeedContext, events: ExchangeEvent[]): void {
    const { rng, now } = context;
    const quote = rfq.quotes.find((q) => q.accepted !== undefined)!;
    const hash = rng.nextUint32().toString(16).padStart(8, "0");
    const sides: [string | undefined, string][] = [
      [quote.user, `quote:${hash}:${quote.id}`], // the maker
      [rfq.user, `rfq-${++this.#orders}`], // the taker
    ];
    for (const [user, clientOrderId] of sides) {
      if (user === undefined) continue;
      events.push({
        channel: CHANNEL,
        type: "quote_executed",
        ticker: rfq.market,
        userId: user,
        msg: {
          quote_id: quote.id,
          rfq_id: rfq.id,
          quote_creator_id: quote.creatorId,
          rfq_creator_id: rfq.creatorId,
          order_id: rng.uuid(),
          client_order_id: clientOrderId,
          market_ticker: rfq.market,
          executed_ts: rfc3339(now),
        },
      });
    }
    this.#delete(rfq, context, events);
  }

  #delete(rfq: Rfq, context: FeedContext, events: ExchangeEvent[]): void {
    const index = this.#open.indexOf(rfq);
    if (index < 0) return;
    this.#open.splice(index, 1);
    events.push({
      channel: CHANNEL,
      type: "rfq_deleted",
      ticker: rfq.market,
      ...(rfq.user === undefined ? {} : { creator: rfq.user }),
      msg: { ...rfqFields(rfq), deleted_ts: rfc3339(context.now) },
    });
  }
}

/** The accounts involved in a quote (the RFQ's and the quote's creators). */
function audienceOf(rfq: Rfq, quote: Quote): string[] {
  return [rfq.user, quote.user].filter((u): u is string => u !== undefined);
}

function rfqFields(rfq: Rfq): Record<string, unknown> {
  return {
    id: rfq.id,
    creator_id: rfq.creatorId,
    market_ticker: rfq.market,
    event_ticker: rfq.event,
    ...(rfq.contracts === undefined ? {} : { contracts_fp: formatCount(rfq.contracts) }),
    ...(rfq.targetCost === undefined ? {} : { target_cost_dollars: formatPrice(rfq.targetCost) }),
  };
}

function quoteFields(rfq: Rfq, quote: Quote): Record<string, unknown> {
  return {
    quote_id: quote.id,
    rfq_id: rfq.id,
    quote_creator_id: quote.creatorId,
    rfq_creator_id: rfq.creatorId,
    market_ticker: rfq.market,
    event_ticker: rfq.event,
    yes_bid_dollars: formatPrice(quote.yesBid),
    no_bid_dollars: formatPrice(quote.noBid),
    yes_contracts_offered_fp: formatCount(quote.yesOffered),
    no_contracts_offered_fp: formatCount(quote.noOffered),
    ...(rfq.targetCost === undefined
      ? {}
      : { rfq_target_cost_dollars: formatPrice(rfq.targetCost) }),
  };
}

/** A 64-hex-digit public communications id (as Kalshi anonymises creators). */
function hex64(rng: Rng): string {
  let out = "";
  for (let i = 0; i < 8; i++) out += rng.nextUint32().toString(16).padStart(8, "0");
  return out;
}
