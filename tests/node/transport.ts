/**
 * The transport conformance suite on the installed `@kalshi-ws/node` (its `transport` is its own
 * WebSocket client on `node:net`/`node:tls`): run by `deno task test:node` under Node, against the
 * npm tarball.
 *
 * @module
 */

import { transport } from "@kalshi-ws/node";
import { transportSuite } from "../../packages/client/testing/transport_suite.ts";

transportSuite(transport);
