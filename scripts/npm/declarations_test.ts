import { test } from "node:test";
import assert from "node:assert/strict";
import { hideInternals } from "./declarations.ts";

// The shape `deno pack` emits: a module doc glued to the first import, one-line JSDoc before
// each member.
const SERVER = `/**
 * The server.
 *
 * @module
 */ import { type Server } from "node:http";
import { type WebSocket } from "ws";
import { type Count, type Price } from "@kalshi-ws/core";
interface Live {
  readonly ws: WebSocket;
}
/** Fault injection. */ export declare class Faults {
  /** @internal Created by the simulator. */ constructor(sim: Simulator);
  /** Drops the next frame. */ dropNext(): void;
}
/** A simulator. */ export declare class Simulator {
  /** The price. */ readonly price: Price;
  /** @internal Pending. */ readonly _rejections: {
    status: number;
  }[];
  /** @internal Use startSimulator. */ constructor(server: Server, url: string);
  /** Stops it. */ close(): Promise<void>;
  /** @internal The live connection. */ _live(id?: number): Live;
}
`;

test("hideInternals() drops @internal members, makes internal constructors private and keeps the rest", () => {
  const { text, hidden, untagged } = hideInternals("server.d.ts", SERVER);
  assert.ok(text.startsWith("/**\n * The server.\n *\n * @module\n */"), "module doc kept");
  assert.doesNotMatch(text, /_rejections|_live|@internal/);
  assert.match(text, /export declare class Faults \{\n {2}private constructor\(\);\n/);
  assert.match(text, /export declare class Simulator \{[\s\S]*private constructor\(\);/);
  assert.match(text, /\/\*\* Drops the next frame. \*\/ dropNext\(\): void;/);
  assert.match(text, /\/\*\* Stops it. \*\/ close\(\): Promise<void>;/);
  assert.deepEqual(untagged, []);
  assert.ok(hidden.includes("Simulator._live"));
});

test("hideInternals() removes what only the internals used: helper types and their imports (no @types/ws needed)", () => {
  const { text, hidden } = hideInternals("server.d.ts", SERVER);
  assert.doesNotMatch(text, /interface Live|from "ws"|from "node:http"/);
  assert.match(text, /import \{ type Price \} from "@kalshi-ws\/core";/); // Count was unused
  assert.ok(hidden.includes("Live"));
  assert.ok(hidden.includes('import from "ws"'));
});

test("hideInternals() reports public _-prefixed members that are not tagged @internal", () => {
  const source = `export declare class A {\n  /** Oops. */ _helper(): void;\n  private _ok;\n}\n`;
  assert.deepEqual(hideInternals("a.d.ts", source).untagged, ["A._helper"]);
});

test("hideInternals() leaves a file without internals unchanged", () => {
  const source = `/** Doc. */ import { type Count } from "@kalshi-ws/core";\n` +
    `/** A thing. */ export interface Thing {\n  readonly count: Count;\n}\n`;
  assert.equal(hideInternals("thing.d.ts", source).text, source);
});
