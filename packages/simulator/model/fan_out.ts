/**
 * Fan-out: the frames of exchange events for one connection — each event to every
 * subscription that routes it (see `routing.ts`), in event order, with the envelope (`type`,
 * `sid`, and `seq` on sequenced channels). An event's `msg` JSON is built once per variant
 * (the owner's `client_order_id`, NO prices in YES terms) and shared by every connection, which
 * keeps a thousand subscribers cheap.
 *
 * @module
 */

import { formatPrice, ONE_DOLLAR } from "@kalshi-ws/core";
import type { ExchangeEvent } from "./events.ts";
import type { Outbox, OutFrame } from "./outbox.ts";
import { SEQUENCED_CHANNELS } from "./protocol.ts";
import { delivers } from "./routing.ts";
import { nextSeq, type SubscriptionTable } from "./subscription_table.ts";

const jsonCache = new WeakMap<ExchangeEvent, (string | undefined)[]>();

/** The frames of `events` for the connection of `userId` with subscriptions `subs`. */
export function fanOut(
  events: readonly ExchangeEvent[],
  subs: SubscriptionTable,
  userId: string | undefined,
  outbox: Outbox,
): OutFrame[] {
  const out: OutFrame[] = [];
  if (subs.size === 0) return out;
  for (const event of events) {
    if (event.userId !== undefined && event.userId !== userId) continue;
    for (const sub of subs.values()) {
      if (!delivers(event, sub, userId)) continue;
      const owned = event.owner !== undefined && event.owner.userId === userId;
      const json = eventJson(event, owned, sub.useYesPrice);
      if (SEQUENCED_CHANNELS.has(sub.channel)) {
        const seq = nextSeq(sub);
        outbox.push(out, {
          text: `{"type":"${event.type}","sid":${sub.sid},"seq":${seq},"msg":${json}}`,
          sid: sub.sid,
          seq,
        });
      } else {
        outbox.push(out, {
          text: `{"type":"${event.type}","sid":${sub.sid},"msg":${json}}`,
          sid: sub.sid,
        });
      }
    }
  }
  return out;
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
