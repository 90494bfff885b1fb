/**
 * Checks decoded frames against the field table (`protocol_fields.ts`): refuses frames in a
 * retired format and records drift into a {@linkcode DriftLog} ({@linkcode checkFields}). Used by
 * `decodeMessage`; the table is compiled once into a tree per message type, so a check is one
 * map lookup per field of the frame.
 *
 * @module
 */

import { isChannel } from "./channel.ts";
import type { DriftLog } from "./drift.ts";
import { DecodeError } from "./errors.ts";
import {
  KNOWN_FIELDS,
  RETIRED_FIELDS,
  RETIRED_TYPES,
  type RetiredField,
} from "./protocol_fields.ts";

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The documented fields below one path: as an object's keys and as an array's object items. */
interface Shape {
  /** Prefix of the paths of this shape's fields (`""`, `"msg."`, `"msg.price_ranges[]."`). */
  readonly prefix: string;
  /** Each documented key, with the shape below it (`LEAF` when nothing is documented below). */
  readonly fields: Map<string, Shape>;
  /** When the value is an array of objects: their shape. */
  items: Shape | undefined;
}

const LEAF: Shape = { prefix: "", fields: new Map(), items: undefined };

/** A retired `msg` field with a current twin, ready to test. */
interface Twin {
  readonly field: RetiredField;
  readonly key: string;
  readonly currentKey: string;
}

interface TypeRules {
  /** Index of this type's slots in a log's cache of verified key lists. */
  readonly slot: number;
  /** Whether plain frames may be recognised by their key list (no per-value checks). */
  readonly cacheable: boolean;
  /** The frame's top-level fields. */
  readonly top: Shape;
  /** The fields below `msg` (`undefined` when none are documented, as for `unsubscribed`). */
  readonly msg: Shape | undefined;
  /** Retired field paths of this type (so a surprise field is told apart from a retired one). */
  readonly retired: ReadonlySet<string>;
  /** Retired `msg` fields the decoder acts on (refuse or rename). */
  readonly twins: readonly Twin[];
}

function child(parent: Shape, key: string, array: boolean): Shape {
  let node = parent.fields.get(key);
  if (node === undefined || node === LEAF) {
    node = { prefix: `${parent.prefix}${key}.`, fields: new Map(), items: undefined };
    parent.fields.set(key, node);
  }
  if (!array) return node;
  node.items ??= { prefix: `${parent.prefix}${key}[].`, fields: new Map(), items: undefined };
  return node.items;
}

/** Builds the tree of `paths` (`msg.a`, `msg.b[].c`, `msg[].d`). */
function compileShape(paths: readonly string[]): Shape {
  const root: Shape = { prefix: "", fields: new Map(), items: undefined };
  for (const path of paths) {
    const parts = path.split(".");
    let node = root;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      const array = part.endsWith("[]");
      const key = array ? part.slice(0, -2) : part;
      if (i === parts.length - 1 && !array) {
        if (!node.fields.has(key)) node.fields.set(key, LEAF);
      } else {
        node = child(node, key, array);
      }
    }
  }
  return root;
}

function compileTwins(type: string, retired: readonly RetiredField[]): Twin[] {
  const twins: Twin[] = [];
  for (const field of retired) {
    if (field.action === "note") continue;
    const key = field.path.slice(4);
    const currentKey = field.current?.slice(4) ?? "";
    if (
      !field.path.startsWith("msg.") || key.includes(".") || !field.current?.startsWith("msg.") ||
      currentKey.includes(".")
    ) {
      throw new Error(`Cannot act on retired field ${type} ${field.path}: not a msg field`);
    }
    twins.push({ field, key, currentKey });
  }
  return twins;
}

const RULES = new Map<string, TypeRules>();
for (const [type, paths] of Object.entries(KNOWN_FIELDS)) {
  const retired = RETIRED_FIELDS[type] ?? [];
  const top = compileShape(paths);
  const msg = top.fields.get("msg");
  RULES.set(type, {
    slot: RULES.size * 2,
    cacheable: type !== "subscribed" && type !== "ok",
    top,
    msg: msg === undefined || msg === LEAF ? undefined : msg,
    retired: new Set(retired.map((f) => f.path)),
    twins: compileTwins(type, retired),
  });
}
const RETIRED_TYPE_SET: ReadonlySet<string> = new Set(RETIRED_TYPES);

/**
 * Checks a parsed frame of `type` against the table, before its type-specific validation:
 * - refuses it when its `msg` carries a retired field without the current twin (a book read from
 *   it would be silently empty, a price silently missing): {@linkcode DecodeError} naming the
 *   field; renamed fields are copied into their current name;
 * - with `log`, records what the table does not document: unknown and retired fields at every
 *   documented depth, unknown channels in `subscribed` and `list_subscriptions` replies, and the
 *   message types of removed channels. Unknown types are the decoder's to record.
 *
 * One map lookup per field, and for a frame with the same keys as the type's last clean frame
 * (the usual case) one comparison per key; plain deltas never get here (their fast path accepts
 * only documented fields).
 */
export function checkFields(frame: Obj, type: string, text: string, log?: DriftLog): void {
  const rules = RULES.get(type);
  if (rules === undefined) {
    if (log !== undefined && RETIRED_TYPE_SET.has(type)) {
      log.record("retired_type", type, undefined, frame, text);
    }
    return;
  }
  const msg = frame.msg;
  if (log !== undefined && rules.cacheable && isVerified(frame, msg, rules.slot, log._verified)) {
    return; // the same keys, in the same order, as the last frame found clean
  }
  if (rules.twins.length !== 0 && isObject(msg)) checkTwins(msg, rules, type, frame, text, log);
  if (log === undefined) return;
  const before = log.total;
  const top = rules.top.fields;
  for (const key in frame) {
    if (!top.has(key)) note(rules, rules.top, key, type, frame, text, log);
  }
  const shape = rules.msg;
  if (shape === undefined || typeof msg !== "object" || msg === null) return;
  if (Array.isArray(msg)) {
    if (shape.items !== undefined) walkItems(msg, shape.items, rules, type, frame, text, log);
  } else {
    walkObject(msg as Obj, shape, rules, type, frame, text, log);
    if (rules.cacheable && log.total === before) remember(frame, msg as Obj, shape, rules, log);
  }
  if (type === "subscribed") {
    const channel = (msg as Obj).channel;
    if (typeof channel === "string" && !isChannel(channel)) {
      log.record("unknown_channel", type, channel, frame, text);
    }
  } else if (type === "ok" && Array.isArray(msg)) {
    for (const entry of msg) {
      const channel = isObject(entry) ? entry.channel : undefined;
      if (typeof channel === "string" && !isChannel(channel)) {
        log.record("unknown_channel", type, channel, frame, text);
      }
    }
  }
}

/**
 * Whether `frame` and its `msg` have exactly the key lists last verified clean for this type:
 * one string comparison per key (keys are interned), no lookups — the common case, since Kalshi
 * sends each message type with the same keys in the same order.
 */
function isVerified(
  frame: Obj,
  msg: unknown,
  slot: number,
  verified: (readonly string[] | undefined)[],
): boolean {
  const topKeys = verified[slot];
  const msgKeys = verified[slot + 1];
  if (topKeys === undefined || msgKeys === undefined || !isObject(msg)) return false;
  return sameKeys(frame, topKeys) && sameKeys(msg, msgKeys);
}

function sameKeys(value: Obj, keys: readonly string[]): boolean {
  let i = 0;
  for (const key in value) {
    if (keys[i] !== key) return false;
    i++;
  }
  return i === keys.length;
}

/** Keeps a clean frame's key lists, when its `msg` holds only plain documented fields. */
function remember(frame: Obj, msg: Obj, shape: Shape, rules: TypeRules, log: DriftLog): void {
  const msgKeys = Object.keys(msg);
  for (const key of msgKeys) if (shape.fields.get(key) !== LEAF) return;
  log._verified[rules.slot] = Object.keys(frame);
  log._verified[rules.slot + 1] = msgKeys;
}

function checkTwins(
  msg: Obj,
  rules: TypeRules,
  type: string,
  frame: Obj,
  text: string,
  log: DriftLog | undefined,
): void {
  for (const twin of rules.twins) {
    const value = msg[twin.key];
    if (value === undefined || value === null) continue;
    const current = msg[twin.currentKey];
    if (current !== undefined && current !== null) continue;
    if (twin.field.action === "rename") {
      msg[twin.currentKey] = value;
      continue;
    }
    log?.record("retired_field", type, twin.field.path, frame, text);
    throw new DecodeError(
      `"${type}" carries the retired field ${twin.field.path} (${twin.field.what}) without ` +
        `${twin.field.current}; Kalshi no longer sends this format`,
      text,
    );
  }
}

/** Records an undocumented `key` of `shape`: retired if the table says so, else unknown. */
function note(
  rules: TypeRules,
  shape: Shape,
  key: string,
  type: string,
  frame: Obj,
  text: string,
  log: DriftLog,
): void {
  const path = `${shape.prefix}${key}`;
  log.record(rules.retired.has(path) ? "retired_field" : "unknown_field", type, path, frame, text);
}

function walkObject(
  value: Obj,
  shape: Shape,
  rules: TypeRules,
  type: string,
  frame: Obj,
  text: string,
  log: DriftLog,
): void {
  const fields = shape.fields;
  for (const key in value) {
    const below = fields.get(key);
    if (below === undefined) {
      note(rules, shape, key, type, frame, text, log);
    } else if (below !== LEAF) {
      const inner = value[key];
      if (Array.isArray(inner)) {
        if (below.items !== undefined) walkItems(inner, below.items, rules, type, frame, text, log);
      } else if (isObject(inner) && below.fields.size > 0) {
        walkObject(inner, below, rules, type, frame, text, log);
      }
    }
  }
}

function walkItems(
  items: readonly unknown[],
  shape: Shape,
  rules: TypeRules,
  type: string,
  frame: Obj,
  text: string,
  log: DriftLog,
): void {
  for (const item of items) {
    if (isObject(item)) walkObject(item, shape, rules, type, frame, text, log);
  }
}
