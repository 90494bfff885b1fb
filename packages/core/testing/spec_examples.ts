/**
 * Kalshi's AsyncAPI message examples for the core's tests: every example of the spec with its
 * direction, read from the YAML ({@linkcode readSpecExamples}) or from the committed copy in
 * `testdata/spec_examples.json` (written by `scripts/extract_spec_examples.ts`), so the decoder
 * and encoder tests run against the official examples even in a clone without the spec beside it.
 *
 * Direction comes from the spec's operations (AsyncAPI 3: `action: receive` = the server
 * receives = client → server; `send` = server → client). A message no operation references is
 * classified by its example payloads (`cmd` ⇒ client → server, `type` ⇒ server → client).
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

/** Who sends a message. */
export type Direction = "client_to_server" | "server_to_client";

/** One example of one spec message. */
export interface SpecExample {
  /** Key under `components.messages` (e.g. `orderbookDelta`). */
  readonly message: string;
  /** The message's `name` (e.g. `orderbook_delta`). */
  readonly name: string;
  /** The example's `name` (or `#<index>` when unnamed). */
  readonly example: string;
  /** Who sends it. */
  readonly direction: Direction;
  /** `application/json` for frames; control frames (ping/pong) are `application/octet-stream`. */
  readonly contentType: string;
  /** The example payload as in the spec. */
  readonly payload: unknown;
}

/** The file written to `testdata/`. */
export interface SpecExamplesFile {
  /** Where the examples come from. */
  readonly source: { readonly title: string; readonly version: string };
  /** Every example of every message, in spec order. */
  readonly examples: readonly SpecExample[];
}

type Obj = Record<string, unknown>;

function obj(value: unknown, where: string): Obj {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`Cannot read spec: ${where} is not an object`);
  }
  return value as Obj;
}

/** Follows a local `$ref` like `#/channels/root/messages/x`. */
function follow(doc: Obj, ref: string): Obj {
  let node: unknown = doc;
  for (const part of ref.replace(/^#\//, "").split("/")) node = obj(node, ref)[part];
  return obj(node, ref);
}

/** Extracts the examples from a parsed AsyncAPI 3 document. */
export function extractSpecExamples(doc: unknown): SpecExamplesFile {
  const root = obj(doc, "document");
  const info = obj(root.info, "info");
  const components = obj(obj(root.components, "components").messages, "components.messages");

  const directions = new Map<string, Direction>();
  for (const [name, value] of Object.entries(obj(root.operations ?? {}, "operations"))) {
    const operation = obj(value, `operations.${name}`);
    const direction: Direction = operation.action === "receive"
      ? "client_to_server"
      : "server_to_client";
    for (const ref of (operation.messages ?? []) as { $ref: string }[]) {
      let message = follow(root, ref.$ref);
      if (typeof message.$ref === "string") {
        const target = message.$ref;
        message = follow(root, target);
        directions.set(target.split("/").pop()!, direction);
      }
    }
  }

  const examples: SpecExample[] = [];
  for (const [key, value] of Object.entries(components)) {
    const message = obj(value, `components.messages.${key}`);
    const list = (message.examples ?? []) as { name?: string; payload: unknown }[];
    const contentType = String(message.contentType ?? root.defaultContentType ?? "");
    list.forEach((item, index) => {
      const payload = item.payload;
      let direction = directions.get(key);
      if (direction === undefined) {
        const fields = typeof payload === "object" && payload !== null ? payload : {};
        if ("cmd" in fields) direction = "client_to_server";
        else if ("type" in fields) direction = "server_to_client";
        else throw new Error(`Cannot classify example ${key}/${item.name}: no operation uses it`);
      }
      examples.push({
        message: key,
        name: String(message.name ?? key),
        example: item.name ?? `#${index}`,
        direction,
        contentType,
        payload,
      });
    });
  }
  return { source: { title: String(info.title), version: String(info.version) }, examples };
}

/** Reads the YAML at `path` and extracts its examples. */
export function readSpecExamples(path: string): SpecExamplesFile {
  return extractSpecExamples(parse(readFileSync(path, "utf8")));
}

/** The repository root (this file lives in `packages/core/testing/`). */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** Where the spec lives beside the repository (`../shared/spec/kalshi-asyncapi.yaml`). */
export const DEFAULT_SPEC_PATH: string = join(
  REPO_ROOT,
  "..",
  "shared",
  "spec",
  "kalshi-asyncapi.yaml",
);
