/**
 * Fuzzing helpers: a seeded generator, a corpus of real frames (every channel the
 * simulator's model produces, plus Kalshi frames observed in the wild and the AsyncAPI examples)
 * and mutators that produce the hostile inputs a decoder meets: truncations, byte flips, wrong
 * types, huge numbers, deep nesting, unicode and duplicate keys.
 *
 * @module
 */

import { Exchange, ProtocolConnection, Rng } from "@kalshi-ws/simulator/model";

/** The {@linkcode corpus} plus Kalshi frames observed in the wild (`core/testdata`). */
export async function baseFrames(seed: number): Promise<string[]> {
  const observed = await Deno.readTextFile(
    new URL("../../core/testdata/observed_frames.jsonl", import.meta.url),
  );
  return [...corpus(seed), ...observed.split("\n").filter((l) => l.trim() !== "")];
}

/** Seeded random source for fuzzers (the model's mulberry32). */
export class Fuzz {
  readonly rng: Rng;

  /** Creates a generator; the same seed gives the same inputs. */
  constructor(seed: number) {
    this.rng = new Rng(seed);
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return this.rng.int(min, max);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.rng.chance(p);
  }

  /** One element of `items`. */
  pick<T>(items: readonly T[]): T {
    return this.rng.pick(items);
  }

  /** A random string: ASCII, JSON syntax, control characters, unicode, lone surrogates. */
  string(maxLength = 12): string {
    const length = this.int(0, maxLength);
    let out = "";
    for (let i = 0; i < length; i++) out += this.char();
    return out;
  }

  /** One hostile character. */
  char(): string {
    switch (this.int(0, 7)) {
      case 0:
        return String.fromCharCode(this.int(0, 31)); // control
      case 1:
        return this.pick(['"', "\\", "{", "}", "[", "]", ":", ",", "\u2028", "\u2029"]);
      case 2:
        return String.fromCharCode(this.int(0xd800, 0xdfff)); // lone surrogate
      case 3:
        return this.pick(["é", "ß", "中", "😀", "\u202e", "\ufeff", "\u0000", "𝕏"]);
      default:
        return String.fromCharCode(this.int(32, 126));
    }
  }

  /** A number from the edges: huge, tiny, negative zero, non-integers, unsafe integers. */
  number(): number {
    return this.pick([
      0,
      -0,
      1,
      -1,
      0.5,
      1e-7,
      2 ** 31,
      2 ** 53,
      2 ** 53 + 2,
      -(2 ** 63),
      1e21,
      1e308,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
      this.int(-1_000_000, 1_000_000),
      this.int(0, 100),
    ]);
  }

  /** Any JSON-able value (with depth limit), biased towards the shapes Kalshi uses. */
  value(depth = 0): unknown {
    switch (this.int(0, depth > 3 ? 5 : 8)) {
      case 0:
        return null;
      case 1:
        return this.chance(0.5);
      case 2:
      case 3:
        return this.number();
      case 4:
        return this.string();
      case 5:
        return this.pick(["0.4200", "1.0000", "-0.01", "25.00", "1e3", "", " 1", "NaN", "0x10"]);
      case 6: {
        const n = this.int(0, 4);
        return Array.from({ length: n }, () => this.value(depth + 1));
      }
      default: {
        const out: Record<string, unknown> = {};
        for (let i = this.int(0, 4); i > 0; i--) {
          // defineProperty: `__proto__` becomes an own key, as JSON.parse would make it.
          Object.defineProperty(out, this.pick(KEYS), {
            value: this.value(depth + 1),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        return out;
      }
    }
  }

  /** A mutated version of `frame` (one of several strategies). */
  mutate(frame: string): string {
    switch (this.int(0, 11)) {
      case 0:
        return frame.slice(0, this.int(0, frame.length)); // truncated
      case 1: { // byte flips
        const chars = [...frame];
        for (let i = this.int(1, 4); i > 0 && chars.length > 0; i--) {
          chars[this.int(0, chars.length - 1)] = this.char();
        }
        return chars.join("");
      }
      case 2: { // insertion
        const at = this.int(0, frame.length);
        return frame.slice(0, at) + this.string(6) + frame.slice(at);
      }
      case 3: // deep nesting
        return this.nest(frame);
      case 4: // duplicate keys: a second `type`/`sid`/`seq`/`msg` wins in JSON.parse
        return frame.replace(
          /^\{/,
          `{"${this.pick(["type", "sid", "seq", "msg", "id"])}":${JSON.stringify(this.value())},`,
        );
      case 5: // huge or odd numbers in place of numbers
        return frame.replace(/-?\d+(\.\d+)?/, () =>
          this.pick([
            "1e309",
            "-1e309",
            "18446744073709551616",
            "9007199254740993",
            "-0",
            "0.0000000001",
            "1".repeat(400),
          ]));
      case 6: { // structure-aware: one field replaced by a value of another type
        const parsed = tryParse(frame);
        if (parsed === undefined) return frame;
        this.replaceField(parsed, 0);
        return tryStringify(parsed) ?? frame;
      }
      case 7: { // structure-aware: a field removed
        const parsed = tryParse(frame);
        if (parsed === undefined) return frame;
        this.removeField(parsed, 0);
        return tryStringify(parsed) ?? frame;
      }
      case 8: // a random value, not a frame at all
        return JSON.stringify(this.value()) ?? "null";
      case 9: // unicode / escapes in strings
        return frame.replace(/"([A-Za-z_]+)"/, () => JSON.stringify(this.string(8)));
      case 10: // big arrays
        return frame.replace(/\[\[/, `[${'["0.5000","1.00"],'.repeat(this.int(1, 2000))}[`);
      default: // two mutations
        return this.mutate(this.mutate(frame));
    }
  }

  /** `frame` wrapped in (or with a field holding) thousands of levels of nesting. */
  nest(frame: string): string {
    // 100 000 levels are rare: parsing them is linear but slow (100 000 arrays allocated).
    const depth = this.chance(0.02) ? 100_000 : this.pick([10, 100, 1_000, 5_000]);
    if (this.chance(0.5)) return "[".repeat(depth) + "]".repeat(depth);
    return frame.replace(/^\{/, `{"deep":${"[".repeat(depth)}${"]".repeat(depth)},`);
  }

  replaceField(node: unknown, depth: number): void {
    if (typeof node !== "object" || node === null) return;
    const keys = Object.keys(node);
    if (keys.length === 0) return;
    const key = this.pick(keys);
    const child = (node as Record<string, unknown>)[key];
    if (typeof child === "object" && child !== null && depth < 4 && this.chance(0.6)) {
      this.replaceField(child, depth + 1);
    } else {
      Object.defineProperty(node, key, {
        value: this.value(),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }

  removeField(node: unknown, depth: number): void {
    if (typeof node !== "object" || node === null) return;
    const keys = Object.keys(node);
    if (keys.length === 0) return;
    const key = this.pick(keys);
    const child = (node as Record<string, unknown>)[key];
    if (typeof child === "object" && child !== null && depth < 4 && this.chance(0.5)) {
      this.removeField(child, depth + 1);
    } else if (Array.isArray(node)) node.splice(Number(key), 1);
    else delete (node as Record<string, unknown>)[key];
  }
}

/** Field names Kalshi frames and commands use (random objects draw from them). */
export const KEYS = [
  "type",
  "sid",
  "seq",
  "id",
  "msg",
  "code",
  "channel",
  "market_ticker",
  "market_tickers",
  "market_id",
  "price_dollars",
  "delta_fp",
  "side",
  "yes_dollars_fp",
  "no_dollars_fp",
  "ts",
  "cmd",
  "params",
  "channels",
  "sids",
  "action",
  "__proto__",
  "constructor",
] as const;

function tryStringify(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined; // nested too deeply to print: keep the frame as it was
  }
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Real frames to mutate: a model connection subscribed to every data channel, stepped for a
 * while (with commands answered, errors raised, sids ended), plus Kalshi's observed frames.
 */
export function corpus(seed: number, steps = 400): string[] {
  const exchange = new Exchange({ seed });
  exchange.addAccount("fuzz-user");
  const connection = new ProtocolConnection({ exchange, userId: "fuzz-user" });
  const tickers = exchange.markets().map((m) => m.ticker);
  const now = Date.UTC(2026, 10, 25);
  const frames: string[] = [];
  const send = (command: unknown) => {
    for (const f of connection.handleText(JSON.stringify(command), now)) frames.push(f.text);
  };
  send({
    id: 1,
    cmd: "subscribe",
    params: { channels: ["orderbook_delta"], market_tickers: tickers },
  });
  send({
    id: 2,
    cmd: "subscribe",
    params: {
      channels: ["ticker", "trade", "market_lifecycle_v2", "fill", "user_orders"],
      send_initial_snapshot: true,
    },
  });
  send({ id: 3, cmd: "subscribe", params: { channels: ["market_positions"] } });
  send({
    id: 4,
    cmd: "update_subscription",
    params: { sid: 1, action: "get_snapshot", market_tickers: tickers.slice(0, 2) },
  });
  send({
    id: 5,
    cmd: "update_subscription",
    params: { sid: 1, action: "delete_markets", market_tickers: [tickers[0]] },
  });
  send({ id: 6, cmd: "list_subscriptions" });
  send({ id: 7, cmd: "subscribe", params: { channels: ["nope"] } });
  for (let i = 0; i < steps; i++) {
    for (const f of connection.onEvents(exchange.step(now + i * 100))) frames.push(f.text);
  }
  for (const f of connection.raiseError(2, 25)) frames.push(f.text);
  send({ id: 8, cmd: "unsubscribe", params: { sids: [3] } });
  frames.push(connection.malformedFrame().text, connection.unknownTypeFrame(1).text);
  return frames;
}
