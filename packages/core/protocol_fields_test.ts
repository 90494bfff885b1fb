/**
 * The field table (`protocol_fields.ts`) against the official AsyncAPI, read with a real YAML
 * parser: for every message the server sends, the table lists exactly the fields the spec's
 * schemas for that `type` declare (at every depth), no more and no fewer. Skipped when the spec
 * is not beside the repository.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { parse } from "yaml";
import { DEFAULT_SPEC_PATH as SPEC_PATH } from "./testing/spec_examples.ts";
import { CHANNEL_INFO, CHANNELS } from "./channel.ts";
import { DATA_MESSAGE_TYPES } from "./message.ts";
import { KNOWN_FIELDS, RETIRED_FIELDS, RETIRED_TYPES } from "./protocol_fields.ts";

const SPEC_MISSING = existsSync(SPEC_PATH) ? false : `spec not found at ${SPEC_PATH}`;

// deno-lint-ignore no-explicit-any
type Json = any;

/** Field paths a schema declares, in the table's notation (`msg.a`, `msg.b[].c`, `msg[].d`). */
function schemaPaths(schemas: Json, node: Json, prefix: string, out: Set<string>): void {
  while (node?.$ref !== undefined) node = schemas[node.$ref.split("/").pop()];
  if (node === undefined) return;
  for (const combinator of ["allOf", "oneOf", "anyOf"]) {
    for (const part of node[combinator] ?? []) schemaPaths(schemas, part, prefix, out);
  }
  if (node.type === "array" && node.items !== undefined) {
    schemaPaths(schemas, node.items, `${prefix.slice(0, -1)}[].`, out);
    return;
  }
  for (const [key, value] of Object.entries(node.properties ?? {})) {
    out.add(`${prefix}${key}`);
    schemaPaths(schemas, value, `${prefix}${key}.`, out);
  }
}

/** Every server→client message of the spec: its `type` and declared paths (union per type). */
function specFields(): Map<string, Set<string>> {
  const document = parse(readFileSync(SPEC_PATH, "utf8"));
  const schemas = document.components.schemas;
  const byType = new Map<string, Set<string>>();
  for (const operation of Object.values(document.operations) as Json[]) {
    if (operation.action !== "send") continue; // AsyncAPI 3: the server sends
    for (const ref of operation.messages) {
      const channelName = ref.$ref.split("/")[2];
      const messageRef = document.channels[channelName].messages[ref.$ref.split("/").pop()];
      const message = document.components.messages[messageRef.$ref.split("/").pop()];
      if (message.contentType !== "application/json") continue; // ping/pong control frames
      const payload = schemas[message.payload.$ref.split("/").pop()];
      const type = payload.properties.type.const;
      const paths = byType.get(type) ?? new Set<string>();
      schemaPaths(schemas, payload, "", paths);
      byType.set(type, paths);
    }
  }
  return byType;
}

test("the field table lists exactly the fields the official spec declares, type by type", {
  skip: SPEC_MISSING,
}, () => {
  const spec = specFields();
  assert.ok(spec.size >= 27, `spec messages found: ${[...spec.keys()].join(", ")}`);
  assert.deepEqual(Object.keys(KNOWN_FIELDS).sort(), [...spec.keys()].sort());
  for (const [type, paths] of spec) {
    const table = new Set(KNOWN_FIELDS[type]);
    const missing = [...paths].filter((p) => !table.has(p));
    const extra = [...table].filter((p) => !paths.has(p));
    assert.deepEqual({ type, missing, extra }, { type, missing: [], extra: [] });
  }
});

test("every current data message type and every response type has a row in the table", () => {
  for (const channel of CHANNELS) {
    for (const type of CHANNEL_INFO[channel].messageTypes) {
      assert.ok(KNOWN_FIELDS[type] !== undefined, `${channel}: ${type}`);
    }
  }
  for (const type of ["subscribed", "unsubscribed", "ok", "error"]) {
    assert.ok(KNOWN_FIELDS[type] !== undefined, type);
  }
  for (const type of DATA_MESSAGE_TYPES) {
    assert.ok(
      KNOWN_FIELDS[type] !== undefined || RETIRED_TYPES.includes(type),
      `${type}: known or retired`,
    );
  }
});

test("retired fields are not documented fields, and their twins are", () => {
  for (const [type, fields] of Object.entries(RETIRED_FIELDS)) {
    const known = new Set(KNOWN_FIELDS[type]);
    assert.ok(known.size > 0, `${type} is a known type`);
    for (const field of fields) {
      assert.equal(known.has(field.path), false, `${type} ${field.path} is not current`);
      if (field.current !== undefined) {
        assert.ok(known.has(field.current), `${type} ${field.current} is current`);
      }
      assert.equal(field.action === "note" || field.current !== undefined, true, field.path);
    }
  }
});
