import { transportSuite } from "../client/testing/transport_suite.ts";
import { nodeTransport } from "./node_transport.ts";

transportSuite(nodeTransport);
