import { transportSuite } from "@kalshi-ws/client/testing";
import { denoTransport } from "./deno_transport.ts";

transportSuite(denoTransport);
