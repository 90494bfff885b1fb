import { behaviourSuite, transportSuite } from "@kalshi-ws/client/testing";
import { denoTransport } from "./deno_transport.ts";

// The built-in WebSocket, exported as @kalshi-ws/deno/web-socket (the default: tcp_transport.ts).
transportSuite(denoTransport);
behaviourSuite(denoTransport, { readsRetryAfter: false });
