/**
 * Extracts every message example of Kalshi's AsyncAPI document into
 * `packages/core/testdata/spec_examples.json`, so the decoder and encoder tests run against the
 * official examples even in a clone without the spec beside it (the extraction itself is
 * `packages/core/testing/spec_examples.ts`, which the core's tests also use on the live spec).
 *
 * Usage: `deno run -A scripts/extract_spec_examples.ts [path/to/kalshi-asyncapi.yaml]`
 * (default `../shared/spec/kalshi-asyncapi.yaml`, relative to the repository root).
 *
 * @module
 */

import { writeFileSync } from "node:fs";
import process from "node:process";
import {
  DEFAULT_SPEC_PATH,
  type Direction,
  readSpecExamples,
} from "../packages/core/testing/spec_examples.ts";

const path = process.argv[2] ?? DEFAULT_SPEC_PATH;
const file = readSpecExamples(path);
const out = new URL("../packages/core/testdata/spec_examples.json", import.meta.url);
writeFileSync(out, JSON.stringify(file, null, 2) + "\n");
const count = (d: Direction) => file.examples.filter((e) => e.direction === d).length;
process.stderr.write(
  `Wrote ${file.examples.length} examples (${count("server_to_client")} server→client, ` +
    `${count("client_to_server")} client→server) from ${path} to ${out.pathname}\n`,
);
