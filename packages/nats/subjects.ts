/**
 * Subject and key naming for the NATS feed. Everything a collector publishes lives under one
 * prefix (default `kalshi`) so one stream captures it:
 *
 * | Subject                          | Carries                                                   |
 * | -------------------------------- | --------------------------------------------------------- |
 * | `<prefix>.<channel>.<market>`    | Kalshi data messages as received (`orderbook_delta` holds |
 * |                                  | both `orderbook_snapshot` and `orderbook_delta`)          |
 * | `<prefix>.snapshot.<market>`     | collector snapshots: periodic, on take-over, after outage |
 * | `<prefix>.book_status.<market>`  | notices that a market's book stopped being exact          |
 * | `<prefix>.events.<collector>`    | the collector's lifecycle events (JSON)                   |
 *
 * A market's whole book history therefore matches `<prefix>.*.<market>`, which one JetStream
 * consumer can follow in order. Tokens are escaped with {@linkcode encodeToken} because Kalshi
 * tickers contain `.` (a NATS token separator).
 *
 * @module
 */

/** Default subject prefix (first token of every subject). */
export const DEFAULT_PREFIX = "kalshi";

/** Subject token of collector snapshots (`<prefix>.snapshot.<market>`). */
export const SNAPSHOT_TOKEN = "snapshot";

/** Subject token of book validity notices (`<prefix>.book_status.<market>`). */
export const BOOK_STATUS_TOKEN = "book_status";

/** Subject token of collector lifecycle events (`<prefix>.events.<collector>`). */
export const EVENTS_TOKEN = "events";

const SAFE = /^[A-Za-z0-9_-]+$/;
const HEX = "0123456789ABCDEF";
const encoder = new TextEncoder();

/**
 * Escapes `value` into one NATS subject token that is also a valid KV key token: letters,
 * digits, `_` and `-` stay; every other UTF-8 byte becomes `=XX` (so `KXFED-26DEC-T4.25` becomes
 * `KXFED-26DEC-T4=2E25`). Reversible with {@linkcode decodeToken}.
 */
export function encodeToken(value: string): string {
  if (value === "") throw new RangeError("Cannot encode an empty subject token: give a name");
  if (SAFE.test(value)) return value;
  let out = "";
  for (const ch of value) {
    if (SAFE.test(ch)) {
      out += ch;
      continue;
    }
    for (const byte of encoder.encode(ch)) {
      out += "=" + HEX[byte >> 4] + HEX[byte & 15];
    }
  }
  return out;
}

/** Reverses {@linkcode encodeToken}; throws a RangeError on a malformed escape. */
export function decodeToken(token: string): string {
  if (!token.includes("=")) return token;
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    const ch = token[i]!;
    if (ch !== "=") {
      bytes.push(ch.charCodeAt(0));
      continue;
    }
    const hex = token.slice(i + 1, i + 3);
    if (!/^[0-9A-F]{2}$/.test(hex)) {
      throw new RangeError(`Cannot decode subject token "${token}": bad escape at ${i}`);
    }
    bytes.push(parseInt(hex, 16));
    i += 2;
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/** Subject of a Kalshi data message of `channel` for `market` (`kalshi.trade.KXA-1`). */
export function dataSubject(prefix: string, channel: string, market: string): string {
  return `${prefix}.${channel}.${encodeToken(market)}`;
}

/**
 * A memoized {@linkcode dataSubject} for `prefix`: the collector names a subject per message, and
 * escaping a ticker costs more than looking it up.
 */
export function dataSubjects(prefix: string): (channel: string, market: string) => string {
  const byChannel = new Map<string, Map<string, string>>();
  return (channel, market) => {
    let byMarket = byChannel.get(channel);
    if (byMarket === undefined) byChannel.set(channel, byMarket = new Map());
    let subject = byMarket.get(market);
    if (subject === undefined) byMarket.set(market, subject = dataSubject(prefix, channel, market));
    return subject;
  };
}

/** Subject of collector snapshots of `market`. */
export function snapshotSubject(prefix: string, market: string): string {
  return `${prefix}.${SNAPSHOT_TOKEN}.${encodeToken(market)}`;
}

/** Subject of book validity notices of `market`. */
export function bookStatusSubject(prefix: string, market: string): string {
  return `${prefix}.${BOOK_STATUS_TOKEN}.${encodeToken(market)}`;
}

/** Subject of the lifecycle events of collector `collectorId`. */
export function eventsSubject(prefix: string, collectorId: string): string {
  return `${prefix}.${EVENTS_TOKEN}.${encodeToken(collectorId)}`;
}

/** Filter matching every subject about `market` (data, snapshots, notices), in stream order. */
export function marketFilter(prefix: string, market: string): string {
  return `${prefix}.*.${encodeToken(market)}`;
}

/** The market named by the last token of `subject`. */
export function marketOfSubject(subject: string): string {
  return decodeToken(subject.slice(subject.lastIndexOf(".") + 1));
}

/**
 * The subject channel of a Kalshi message type: `orderbook_snapshot` travels with the deltas
 * on `orderbook_delta` (so snapshot and deltas stay in one order); other types are their own.
 */
export function channelOfType(type: string): string {
  return type === "orderbook_snapshot" ? "orderbook_delta" : type;
}

/** KV key of a collector's registration. */
export function collectorKey(collectorId: string): string {
  return `collector.${encodeToken(collectorId)}`;
}

/** KV key of a market's lease. */
export function leaseKey(market: string): string {
  return `lease.${encodeToken(market)}`;
}
