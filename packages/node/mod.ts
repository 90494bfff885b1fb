export { nodeTransport } from "./node_transport.ts";
