/**
 * The per-connection protocol state machine: commands in, frames out.
 *
 * One {@linkcode ProtocolConnection} per WebSocket connection. It owns the connection's
 * subscriptions (sids from 1), each sid's `seq` counter, idempotent re-subscribe, every error
 * code, and the frame-level fault hooks (drop or duplicate the next sequenced frame). It never
 * touches a socket or a clock: the server (or a deterministic harness) feeds it text, market
 * events and `now`, and sends the {@linkcode OutFrame}s it returns, in order.
 *
 * @example
 * ```ts
 * import { Exchange, ProtocolConnection } from "./mod.ts";
 * const exchange = new Exchange({ seed: 7 });
 * const connection = new ProtocolConnection({ exchange, userId: "user-1" });
 * const frames = connection.handleText(
 *   '{"id":1,"cmd":"subscribe","params":{"channels":["orderbook_delta"],"market_ticker":"KXFED-26DEC-T4.25"}}',
 *   Date.UTC(2026, 10, 25),
 * );
 * frames.map((f) => JSON.parse(f.text).type); // ["subscribed", "orderbook_snapshot"]
 * connection.onEvents(exchange.step(Date.UTC(2026, 10, 25, 0, 0, 1)));
 * ```
 *
 * @module
 */

import { formatPrice, ONE_DOLLAR } from "@kalshi-ws/core";
import { DriftMode } from "./drift_mode.ts";
import type { ExchangeEvent } from "./events.ts";
import type { Exchange } from "./exchange.ts";
import { delivers, readShards, type RouteFilter } from "./routing.ts";
import {
  CF_INDEX_IDS,
  type Channel,
  CHANNEL_ACTIONS,
  ERROR_MESSAGES,
  type ErrorCode,
  isChannel,
  MARKET_CHANNELS,
  PRIVATE_CHANNELS,
  PYTH_UNDERLYINGS,
  SEQUENCED_CHANNELS,
  TERMINAL_ERROR_CODES,
} from "./protocol.ts";
import { errorFrame, isObject, parseCommandEnvelope } from "./envelope.ts";

/** One frame to send: its text, and the sid/seq it carries (for fault targeting and tests). */
export interface OutFrame {
  /** The JSON text frame. */
  readonly text: string;
  /** The subscription it belongs to, if any. */
  readonly sid?: number;
  /** Its sequence number, when it carries one. */
  readonly seq?: number;
}

/** A live subscription, as {@linkcode ProtocolConnection.subscriptions} reports it. */
export interface SubscriptionInfo {
  /** Server-assigned id (from 1 per connection). */
  readonly sid: number;
  /** Channel name. */
  readonly channel: Channel;
  /** Last `seq` used on this sid (0 before any). */
  readonly seq: number;
  /** True when the subscription covers every market. */
  readonly allMarkets: boolean;
  /** Subscribed market tickers (empty when `allMarkets`). */
  readonly marketTickers: readonly string[];
  /** NO levels reported in YES prices (`use_yes_price`). */
  readonly useYesPrice: boolean;
}

/** Options of {@linkcode ProtocolConnection}. */
export interface ProtocolConnectionOptions {
  /** The exchange whose markets and books the connection serves. */
  readonly exchange: Exchange;
  /** The authenticated user; undefined for an anonymous (open-mode) connection. */
  readonly userId?: string | undefined;
  /** Most markets one subscription may hold before code 26 (default 10 000). */
  readonly marketLimit?: number;
  /** Drift mode: add undocumented fields and message types (see `drift_mode.ts`). */
  readonly drift?: boolean;
}

/** A frame-level fault waiting for the next matching sequenced frame. */
export interface PendingFault {
  /** Drop the frame (its `seq` is consumed: the client sees a gap) or send it twice. */
  readonly kind: "drop" | "duplicate";
  /** Only a frame of this sid; any sequenced frame when undefined. */
  readonly sid?: number | undefined;
}

interface Subscription extends RouteFilter {
  readonly sid: number;
  readonly channel: Channel;
  seq: number;
  allMarkets: boolean;
  readonly tickers: Set<string>;
  byId: boolean;
  readonly useYesPrice: boolean;
  readonly skipTickerAck: boolean;
  ids: string[];
}

type Params = Record<string, unknown>;

/** Thrown inside command handling to answer with an error frame. */
class CommandFailure {
  readonly code: ErrorCode;
  readonly extra: Record<string, unknown> | undefined;
  constructor(code: ErrorCode, extra?: Record<string, unknown>) {
    this.code = code;
    this.extra = extra;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const jsonCache = new WeakMap<ExchangeEvent, (string | undefined)[]>();

/** The protocol state machine of one connection (see the module doc). */
export class ProtocolConnection {
  readonly #exchange: Exchange;
  readonly #userId: string | undefined;
  readonly #marketLimit: number;
  readonly #subs = new Map<number, Subscription>();
  readonly #faults: PendingFault[] = [];
  readonly #failures: ErrorCode[] = [];
  readonly #drift: DriftMode | undefined;
  #nextSid = 1;

  /** Creates the state machine for a new connection. */
  constructor(options: ProtocolConnectionOptions) {
    this.#exchange = options.exchange;
    this.#userId = options.userId;
    this.#marketLimit = options.marketLimit ?? 10_000;
    this.#drift = options.drift === true ? new DriftMode() : undefined;
  }

  /** The authenticated user, or undefined for an anonymous connection. */
  get userId(): string | undefined {
    return this.#userId;
  }

  /** The live subscriptions, by ascending sid. */
  subscriptions(): SubscriptionInfo[] {
    return [...this.#subs.values()].map((sub) => ({
      sid: sub.sid,
      channel: sub.channel,
      seq: sub.seq,
      allMarkets: sub.allMarkets,
      marketTickers: [...sub.tickers],
      useYesPrice: sub.useYesPrice,
    }));
  }

  /** Frame-level faults still waiting for a matching frame. */
  pendingFaults(): readonly PendingFault[] {
    return this.#faults;
  }

  /** Arms a fault: the next sequenced frame (of `sid`, if given) is dropped, its seq consumed. */
  dropNext(sid?: number): void {
    this.#faults.push({ kind: "drop", sid });
  }

  /** Arms a fault: the next sequenced frame (of `sid`, if given) is sent twice. */
  duplicateNext(sid?: number): void {
    this.#faults.push({ kind: "duplicate", sid });
  }

  /**
   * Arms a fault: the next command (whatever it is) is answered with error `code` instead of
   * being executed — e.g. 18 "Command timeout" or 27 "Too many requests".
   */
  failNextCommand(code: ErrorCode): void {
    this.#failures.push(code);
  }

  /** Handles one text frame from the client at `now` and returns the frames to send. */
  handleText(text: string, now: number): OutFrame[] {
    const out: OutFrame[] = [];
    const command = parseCommandEnvelope(text);
    if (!command.ok) {
      this.#push(out, { text: errorText(command.code, command.id) });
      return out;
    }
    const id = command.id;
    const failure = this.#failures.shift();
    if (failure !== undefined) {
      this.#push(out, { text: errorText(failure, id) });
      return out;
    }
    try {
      switch (command.cmd) {
        case "subscribe":
          this.#subscribe(id, requireParams(command), now, out);
          break;
        case "unsubscribe":
          this.#unsubscribe(id, requireParams(command), out);
          break;
        case "update_subscription":
          this.#update(id, requireParams(command), now, out);
          break;
        case "list_subscriptions":
          this.#push(out, {
            text: JSON.stringify({
              ...(id === undefined ? {} : { id }),
              type: "ok",
              msg: [...this.#subs.values()].map((s) => ({ channel: s.channel, sid: s.sid })),
            }),
          });
          break;
        default:
          throw new CommandFailure(5);
      }
    } catch (error) {
      if (!(error instanceof CommandFailure)) throw error;
      this.#push(out, { text: errorText(error.code, id, error.extra) });
    }
    return out;
  }

  /** Frames for market events, to every matching subscription, in event order. */
  onEvents(events: readonly ExchangeEvent[]): OutFrame[] {
    const out: OutFrame[] = [];
    if (this.#subs.size === 0) return out;
    for (const event of events) {
      if (event.userId !== undefined && event.userId !== this.#userId) continue;
      for (const sub of this.#subs.values()) {
        if (!delivers(event, sub, this.#userId)) continue;
        const owned = event.owner !== undefined && event.owner.userId === this.#userId;
        const json = eventJson(event, owned, sub.useYesPrice);
        if (SEQUENCED_CHANNELS.has(sub.channel)) {
          const seq = ++sub.seq;
          this.#push(out, {
            text: `{"type":"${event.type}","sid":${sub.sid},"seq":${seq},"msg":${json}}`,
            sid: sub.sid,
            seq,
          });
        } else {
          this.#push(out, {
            text: `{"type":"${event.type}","sid":${sub.sid},"msg":${json}}`,
            sid: sub.sid,
          });
        }
      }
    }
    return out;
  }

  /**
   * Raises an asynchronous error on `sid` (e.g. terminal 25 or 10): an `error` frame with `sid`
   * (and `seq` on sequenced channels). Terminal codes end the subscription. No frames when the
   * sid is not live.
   */
  raiseError(sid: number, code: ErrorCode): OutFrame[] {
    const out: OutFrame[] = [];
    const sub = this.#subs.get(sid);
    if (sub === undefined) return out;
    if (SEQUENCED_CHANNELS.has(sub.channel)) {
      const seq = ++sub.seq;
      this.#push(out, {
        text: JSON.stringify({ type: "error", sid, seq, msg: { code, msg: ERROR_MESSAGES[code] } }),
        sid,
        seq,
      });
    } else {
      this.#push(out, {
        text: JSON.stringify({ type: "error", sid, msg: { code, msg: ERROR_MESSAGES[code] } }),
        sid,
      });
    }
    if (TERMINAL_ERROR_CODES.has(code)) this.#subs.delete(sid);
    return out;
  }

  /** A frame that is not valid JSON (fault injection: the client must survive it). */
  malformedFrame(): OutFrame {
    return { text: '{"type":"orderbook_delta","sid":1,"seq":' };
  }

  /** A well-formed frame of a `type` Kalshi never sends (fault injection). */
  unknownTypeFrame(sid?: number): OutFrame {
    return {
      text: JSON.stringify({
        type: "simulator_unknown_type",
        ...(sid === undefined ? {} : { sid }),
        msg: {},
      }),
    };
  }

  /** Appends `frame`, applying the first armed fault that matches it (and drift mode). */
  #push(out: OutFrame[], frame: OutFrame): void {
    if (this.#drift !== undefined) frame = this.#drift.alter(frame, out);
    if (frame.seq !== undefined && this.#faults.length > 0) {
      const index = this.#faults.findIndex((f) => f.sid === undefined || f.sid === frame.sid);
      if (index >= 0) {
        const [fault] = this.#faults.splice(index, 1);
        if (fault!.kind === "drop") return;
        out.push(frame);
      }
    }
    out.push(frame);
  }

  #subscribe(id: number | undefined, params: Params, now: number, out: OutFrame[]): void {
    const channels = params.channels;
    if (
      channels === undefined || channels === null ||
      (Array.isArray(channels) && channels.length === 0)
    ) {
      throw new CommandFailure(3);
    }
    if (!isStringArray(channels)) throw new CommandFailure(1);
    for (const channel of channels) if (!isChannel(channel)) throw new CommandFailure(8);
    const wanted = [...new Set(channels as Channel[])];
    if (this.#userId === undefined && wanted.some((c) => PRIVATE_CHANNELS.has(c))) {
      throw new CommandFailure(9);
    }
    const useYesPrice = optionalBoolean(params.use_yes_price);
    const skipTickerAck = optionalBoolean(params.skip_ticker_ack);
    const initialTicker = optionalBoolean(params.send_initial_snapshot);
    const markets = this.#marketsParam(params, wanted.length === 1 && wanted[0] === "ticker");
    if (markets === undefined && wanted.includes("orderbook_delta")) throw new CommandFailure(14);
    const shards = wanted.includes("communications") ? readShards(params) : undefined;
    if (typeof shards === "number") throw new CommandFailure(shards);
    if (
      params.user_filter !== undefined && params.user_filter !== "" && params.user_filter !== "self"
    ) {
      throw new CommandFailure(typeof params.user_filter === "string" ? 11 : 1);
    }
    const indexIds = optionalStringArray(params.index_ids);
    const underlyings = optionalStringArray(params.underlying_tickers);
    if (markets !== undefined && markets.tickers.length > this.#marketLimit) {
      throw new CommandFailure(26);
    }

    for (const channel of wanted) {
      const marketChannel = MARKET_CHANNELS.has(channel);
      const existing = [...this.#subs.values()].find((s) => s.channel === channel);
      if (existing !== undefined) {
        // Idempotent re-subscribe: add new markets, answer `ok`, snapshot only the new ones.
        const added: string[] = [];
        if (marketChannel && !existing.allMarkets) {
          if (markets === undefined) {
            existing.allMarkets = true;
            existing.tickers.clear();
          } else {
            for (const ticker of markets.tickers) {
              if (!existing.tickers.has(ticker)) added.push(ticker);
            }
            if (existing.tickers.size + added.length > this.#marketLimit) {
              throw new CommandFailure(26);
            }
            for (const ticker of added) existing.tickers.add(ticker);
          }
        }
        this.#ok(id, existing, out);
        this.#initialData(existing, added, initialTicker, undefined, now, out);
        continue;
      }
      const sub: Subscription = {
        sid: this.#nextSid++,
        channel,
        seq: 0,
        allMarkets: !marketChannel || markets === undefined,
        tickers: new Set(marketChannel && markets !== undefined ? markets.tickers : []),
        byId: markets?.byId ?? false,
        useYesPrice: channel === "orderbook_delta" && useYesPrice,
        skipTickerAck,
        ids: channel === "pyth_value"
          ? underlyings ?? []
          : channel.startsWith("cfbenchmarks")
          ? indexIds ?? []
          : [],
        ownRfqsOnly: channel === "communications" && params.user_filter === "self",
        shardFactor: channel === "communications" ? shards?.factor : undefined,
        shardKey: channel === "communications" ? shards?.key : undefined,
      };
      this.#subs.set(sub.sid, sub);
      this.#push(out, {
        text: JSON.stringify({
          ...(id === undefined ? {} : { id }),
          type: "subscribed",
          msg: { channel, sid: sub.sid },
        }),
      });
      this.#initialData(sub, [...sub.tickers], initialTicker, undefined, now, out);
    }
  }

  /** Snapshots for `tickers` on an orderbook sub, or initial tickers on a ticker sub. */
  #initialData(
    sub: Subscription,
    tickers: readonly string[],
    initialTicker: boolean,
    id: number | undefined,
    now: number,
    out: OutFrame[],
  ): void {
    if (sub.channel === "orderbook_delta") {
      for (const ticker of tickers) {
        const seq = ++sub.seq;
        const msg = JSON.stringify(this.#exchange.snapshotMsg(ticker, sub.useYesPrice));
        const idPart = id === undefined ? "" : `"id":${id},`;
        this.#push(out, {
          text: `{"type":"orderbook_snapshot",${idPart}"sid":${sub.sid},"seq":${seq},"msg":${msg}}`,
          sid: sub.sid,
          seq,
        });
      }
    } else if (sub.channel === "ticker" && initialTicker) {
      for (const ticker of tickers) {
        const msg = JSON.stringify(this.#exchange.tickerMsg(ticker, now));
        this.#push(out, { text: `{"type":"ticker","sid":${sub.sid},"msg":${msg}}`, sid: sub.sid });
      }
    }
  }

  /** The `ok` acknowledgement on `sub` (consumes a seq), with the full market list. */
  #ok(
    id: number | undefined,
    sub: Subscription,
    out: OutFrame[],
    msg?: Record<string, unknown>,
  ): void {
    const seq = ++sub.seq;
    let body = msg;
    if (
      body === undefined && MARKET_CHANNELS.has(sub.channel) && !sub.allMarkets &&
      !sub.skipTickerAck
    ) {
      const tickers = [...sub.tickers];
      body = sub.byId
        ? {
          market_tickers: tickers,
          market_ids: tickers.map((t) => this.#exchange.market(t)!.marketId),
        }
        : { market_tickers: tickers };
    }
    this.#push(out, {
      text: JSON.stringify({
        ...(id === undefined ? {} : { id }),
        type: "ok",
        sid: sub.sid,
        seq,
        ...(body === undefined ? {} : { msg: body }),
      }),
      sid: sub.sid,
      seq,
    });
  }

  #unsubscribe(id: number | undefined, params: Params, out: OutFrame[]): void {
    const sids = params.sids;
    if (sids === undefined || sids === null || (Array.isArray(sids) && sids.length === 0)) {
      throw new CommandFailure(4);
    }
    if (!Array.isArray(sids) || !sids.every((s) => Number.isSafeInteger(s))) {
      throw new CommandFailure(1);
    }
    for (const sid of sids as number[]) {
      const sub = this.#subs.get(sid);
      if (sub === undefined) {
        this.#push(out, { text: errorText(7, id) });
        continue;
      }
      this.#subs.delete(sid);
      const seq = ++sub.seq;
      this.#push(out, {
        text: JSON.stringify({
          ...(id === undefined ? {} : { id }),
          type: "unsubscribed",
          sid,
          seq,
        }),
        sid,
        seq,
      });
    }
  }

  #update(id: number | undefined, params: Params, now: number, out: OutFrame[]): void {
    const hasSid = params.sid !== undefined && params.sid !== null;
    const hasSids = params.sids !== undefined && params.sids !== null;
    if (hasSid === hasSids) throw new CommandFailure(12);
    let sid: number;
    if (hasSid) {
      if (!Number.isSafeInteger(params.sid)) throw new CommandFailure(1);
      sid = params.sid as number;
    } else {
      const sids = params.sids;
      if (!Array.isArray(sids) || !sids.every((s) => Number.isSafeInteger(s))) {
        throw new CommandFailure(1);
      }
      if (sids.length !== 1) throw new CommandFailure(12);
      sid = sids[0] as number;
    }
    const action = params.action;
    if (action === undefined || action === null || action === "") throw new CommandFailure(15);
    if (typeof action !== "string") throw new CommandFailure(1);
    const sub = this.#subs.get(sid);
    if (sub === undefined) throw new CommandFailure(7);
    if (!(CHANNEL_ACTIONS[sub.channel] ?? []).includes(action)) throw new CommandFailure(13);

    switch (action) {
      case "add_markets":
      case "delete_markets": {
        const markets = this.#marketsParam(params, sub.channel === "ticker");
        if (markets === undefined) throw new CommandFailure(14);
        if (action === "add_markets") {
          const added = sub.allMarkets ? [] : markets.tickers.filter((t) => !sub.tickers.has(t));
          if (sub.tickers.size + added.length > this.#marketLimit) throw new CommandFailure(26);
          for (const ticker of added) sub.tickers.add(ticker);
          if (markets.byId) sub.byId = true;
          this.#ok(id, sub, out);
          this.#initialData(
            sub,
            added,
            optionalBoolean(params.send_initial_snapshot),
            undefined,
            now,
            out,
          );
        } else {
          if (!sub.allMarkets) { for (const ticker of markets.tickers) sub.tickers.delete(ticker); }
          this.#ok(id, sub, out);
        }
        return;
      }
      case "get_snapshot": {
        if (
          params.market_ticker !== undefined || params.market_id !== undefined ||
          params.market_ids !== undefined
        ) {
          throw new CommandFailure(11);
        }
        const tickers = params.market_tickers;
        if (
          tickers === undefined || tickers === null ||
          (Array.isArray(tickers) && tickers.length === 0)
        ) {
          throw new CommandFailure(14);
        }
        if (!isStringArray(tickers)) throw new CommandFailure(1);
        const missing = tickers.filter((t) =>
          !sub.tickers.has(t) || this.#exchange.market(t) === undefined
        );
        if (missing.length > 0) throw new CommandFailure(11, { market_tickers: missing });
        this.#initialData(sub, tickers, false, id, now, out);
        return;
      }
      case "subscribe_indices":
      case "unsubscribe_indices":
      case "subscribe_underlyings":
      case "unsubscribe_underlyings": {
        const indices = action.endsWith("_indices");
        const values = optionalStringArray(indices ? params.index_ids : params.underlying_tickers);
        if (values === undefined || values.length === 0) {
          throw new CommandFailure(indices ? 24 : 28);
        }
        if (action.startsWith("subscribe")) {
          sub.ids = values.includes("all")
            ? ["all"]
            : [...new Set([...sub.ids.filter((v) => v !== "all"), ...values])];
        } else {
          sub.ids = values.includes("all") ? [] : sub.ids.filter((v) => !values.includes(v));
        }
        this.#ok(id, sub, out, indices ? { index_ids: sub.ids } : { underlying_tickers: sub.ids });
        return;
      }
      case "indexlist":
      case "underlying_list": {
        const seq = ++sub.seq;
        const indices = action === "indexlist";
        this.#push(out, {
          text: JSON.stringify({
            type: indices ? `${sub.channel}_indexlist` : "pyth_value_underlying_list",
            ...(id === undefined ? {} : { id }),
            sid: sub.sid,
            seq,
            msg: indices ? { index_ids: CF_INDEX_IDS } : { underlying_tickers: PYTH_UNDERLYINGS },
          }),
          sid: sub.sid,
          seq,
        });
        return;
      }
    }
  }

  /**
   * Reads `market_ticker(s)` (and `market_id(s)` when `idsAllowed`) into known tickers;
   * undefined when no market field is present. Codes: 1 wrong type, 11 invalid/unknown.
   */
  #marketsParam(
    params: Params,
    idsAllowed: boolean,
  ): { tickers: string[]; byId: boolean } | undefined {
    const fields = ["market_ticker", "market_tickers", "market_id", "market_ids"].filter((f) =>
      params[f] !== undefined && params[f] !== null
    );
    if (fields.length === 0) return undefined;
    if (fields.length > 1) throw new CommandFailure(11);
    const field = fields[0]!;
    const raw = params[field];
    let values: string[];
    if (field.endsWith("s")) {
      if (!isStringArray(raw)) throw new CommandFailure(1);
      if (raw.length === 0) throw new CommandFailure(11);
      values = raw;
    } else {
      if (typeof raw !== "string") throw new CommandFailure(1);
      values = [raw];
    }
    if (field.startsWith("market_id")) {
      if (!idsAllowed) throw new CommandFailure(11);
      const tickers: string[] = [];
      const unknown: string[] = [];
      for (const value of values) {
        const market = UUID.test(value)
          ? this.#exchange.markets().find((m) => m.marketId === value.toLowerCase())
          : undefined;
        if (market === undefined) unknown.push(value);
        else tickers.push(market.ticker);
      }
      if (unknown.length > 0) throw new CommandFailure(11);
      return { tickers: [...new Set(tickers)], byId: true };
    }
    const unknown = values.filter((t) => this.#exchange.market(t) === undefined);
    if (unknown.length > 0) {
      throw new CommandFailure(
        11,
        unknown.length === 1 ? { market_ticker: unknown[0] } : { market_tickers: unknown },
      );
    }
    return { tickers: [...new Set(values)], byId: false };
  }
}

/** The JSON of an event's `msg` for one subscriber variant, cached per event. */
function eventJson(event: ExchangeEvent, owned: boolean, useYesPrice: boolean): string {
  const repriced = useYesPrice && event.book !== undefined && event.book.side === "no";
  const variant = (owned ? 1 : 0) + (repriced ? 2 : 0);
  let cache = jsonCache.get(event);
  if (cache === undefined) jsonCache.set(event, cache = []);
  let json = cache[variant];
  if (json === undefined) {
    let msg: Record<string, unknown> = event.msg as Record<string, unknown>;
    if (owned || repriced) {
      msg = { ...msg };
      if (owned) msg.client_order_id = event.owner!.clientOrderId;
      if (repriced) msg.price_dollars = formatPrice(ONE_DOLLAR - event.book!.price);
    }
    json = cache[variant] = JSON.stringify(msg);
  }
  return json;
}

const errorText = errorFrame;

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}

function requireParams(command: { readonly params: unknown }): Params {
  const params = command.params;
  if (params === undefined || params === null) throw new CommandFailure(2);
  if (!isObject(params)) throw new CommandFailure(1);
  return params;
}

function optionalBoolean(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") throw new CommandFailure(1);
  return value;
}

function optionalStringArray(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isStringArray(value)) throw new CommandFailure(1);
  return value;
}
