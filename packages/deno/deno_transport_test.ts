import { behaviourSuite, transportSuite } from "@kalshi-ws/client/testing";
import { denoTransport } from "./deno_transport.ts";

// The built-in WebSocket, exported as webSocketTransport (the default is tcp_transport.ts).
transportSuite(denoTransport);
behaviourSuite(denoTransport);
