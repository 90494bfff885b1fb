import { transportSuite } from "../client/testing/transport_suite.ts";
import { denoTransport } from "./deno_transport.ts";

transportSuite(denoTransport);
