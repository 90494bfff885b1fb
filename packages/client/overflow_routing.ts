/**
 * Where a data message goes inside an event stream: its lane and the overflow policy that bounds
 * it. A lane is one subscription's data on one channel; a stream counts and drops each lane
 * separately, so a flood of trades never pushes an order book out.
 *
 * Everything here is derived from the core's channel table ({@linkcode CHANNEL_INFO}: which
 * channel carries which message types, read through `channelsOfMessageType`), so routing cannot
 * drift from it. `event_lifecycle` is
 * carried by two channels (`market_lifecycle_v2` and `multivariate_market_lifecycle`); a
 * subscription to both routes it by the channel of the sid it came on.
 *
 * @module
 */

import {
  type Channel,
  CHANNEL_INFO,
  CHANNELS,
  channelsOfMessageType,
  CommandError,
  type SidInfo,
  type SubscriptionKey,
} from "@kalshi-ws/core";
import type { OverflowPolicy } from "./event_stream.ts";

/** Overflow policies per channel, as a subscription resolved them (every channel present). */
export type OverflowPolicies = Readonly<Partial<Record<Channel, OverflowPolicy>>>;

/** Where one message type of one subscription goes: its lane, channel and policy. */
export interface Route {
  /** The lane (see the module doc); only meaningful inside the client. */
  readonly lane: number;
  /** The channel the message came on (`undefined` for a type no channel lists). */
  readonly channel: Channel | undefined;
  /** The policy applied when the lane is full. */
  readonly policy: OverflowPolicy;
}

const SLOT = new Map<Channel, number>(CHANNELS.map((channel, slot) => [channel, slot]));
/** The lane slot of message types no channel lists (unknown types, retired channels). */
const OTHER_SLOT = CHANNELS.length;
/** Lanes per subscription key: one per channel plus one for unlisted message types. */
const LANES_PER_KEY = CHANNELS.length + 1;

/** Every data message type some channel emits (from `CHANNEL_INFO`). */
const MESSAGE_TYPES: readonly string[] = [
  ...new Set(CHANNELS.flatMap((channel) => CHANNEL_INFO[channel].messageTypes)),
];

/** The default policy of a channel: books resync, tickers keep the latest, the rest drop-oldest. */
export function defaultOverflow(channel: Channel | undefined): OverflowPolicy {
  if (channel === "orderbook_delta") return "resync";
  if (channel === "ticker") return "latest";
  return "drop-oldest";
}

/**
 * The policy of every channel of a new subscription: the requested one, else the default.
 * Throws a {@linkcode CommandError} for `"resync"` on a channel that is not an order book.
 */
export function resolveOverflow(
  channels: readonly Channel[],
  requested: OverflowPolicies | undefined,
): OverflowPolicies {
  const policies: Partial<Record<Channel, OverflowPolicy>> = {};
  for (const channel of channels) {
    const policy = requested?.[channel] ?? defaultOverflow(channel);
    if (policy === "resync" && channel !== "orderbook_delta") {
      throw new CommandError(
        `Cannot use overflow policy "resync" for "${channel}": only order books can be resynced`,
      );
    }
    policies[channel] = policy;
  }
  return policies;
}

/** The lane of `channel`'s data for subscription `key` (key 0: data of no known subscription). */
export function laneOf(key: SubscriptionKey, channel: Channel | undefined): number {
  return key * LANES_PER_KEY + (channel === undefined ? OTHER_SLOT : SLOT.get(channel)!);
}

/** The subscription key a lane belongs to. */
export function keyOfLane(lane: number): SubscriptionKey {
  return Math.floor(lane / LANES_PER_KEY);
}

/** The channel a lane carries (`undefined` for the lane of unlisted message types). */
export function channelOfLane(lane: number): Channel | undefined {
  return CHANNELS[lane % LANES_PER_KEY];
}

/**
 * The routes of one subscription, built once when it is created: a message type carried by
 * exactly one of its channels is one map lookup (none when it is the previous message's type).
 */
export class RouteTable {
  readonly #key: SubscriptionKey;
  readonly #channels: readonly Channel[];
  readonly #overflow: OverflowPolicies;
  /** Types exactly one of the subscription's channels carries (and types none carries). */
  readonly #byType = new Map<string, Route>();
  /** The route of each of the subscription's channels. */
  readonly #byChannel = new Map<Channel, Route>();
  /** The type `route` last found in `#byType`, and its route (data comes in runs of one type). */
  #lastType: string | undefined;
  #lastRoute: Route | undefined;

  /** Routes for subscription `key` to `channels` with the resolved `overflow` policies. */
  constructor(key: SubscriptionKey, channels: readonly Channel[], overflow: OverflowPolicies) {
    this.#key = key;
    this.#channels = channels;
    this.#overflow = overflow;
    for (const channel of channels) this.#byChannel.set(channel, this.#routeFor(channel));
    for (const type of MESSAGE_TYPES) {
      const mine = channelsOfMessageType(type).filter((channel) => channels.includes(channel));
      if (mine.length === 1) this.#byType.set(type, this.#byChannel.get(mine[0]!)!);
    }
  }

  /**
   * The route of a message of `type`; `sids` (asked only when two of the subscription's channels
   * carry the type) tells which channel the message's `sid` belongs to.
   */
  route(type: string, sid: number | undefined, sids: () => readonly SidInfo[]): Route {
    if (type === this.#lastType) return this.#lastRoute!;
    const route = this.#byType.get(type);
    if (route === undefined) return this.#resolve(type, sid, sids);
    this.#lastType = type;
    this.#lastRoute = route;
    return route;
  }

  /** A type several of the subscription's channels carry (by the sid's channel), or none. */
  #resolve(type: string, sid: number | undefined, sids: () => readonly SidInfo[]): Route {
    const listed = channelsOfMessageType(type);
    const carriers = listed.filter((channel) => this.#channels.includes(channel));
    if (carriers.length === 0) {
      // Not this subscription's type (unknown, or another channel's): one route, kept.
      const route = this.#routeFor(listed[0]);
      this.#byType.set(type, route);
      return route;
    }
    const channel = sids().find((info) => info.sid === sid)?.channel;
    return this.#byChannel.get(carriers.find((c) => c === channel) ?? carriers[0]!)!;
  }

  #routeFor(channel: Channel | undefined): Route {
    const policy = (channel === undefined ? undefined : this.#overflow[channel]) ??
      defaultOverflow(channel);
    return { lane: laneOf(this.#key, channel), channel, policy };
  }
}

/** Routes of data that belongs to no known subscription (a sid the session does not know). */
const UNOWNED = new Map<string, Route>(
  MESSAGE_TYPES.map((type) => {
    const channel = channelsOfMessageType(type)[0]!;
    return [type, { lane: laneOf(0, channel), channel, policy: defaultOverflow(channel) }];
  }),
);
const UNOWNED_OTHER: Route = {
  lane: laneOf(0, undefined),
  channel: undefined,
  policy: "drop-oldest",
};

/** The route of a message of `type` that belongs to no known subscription. */
export function unownedRoute(type: string): Route {
  return UNOWNED.get(type) ?? UNOWNED_OTHER;
}
