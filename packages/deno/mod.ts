export { denoTransport } from "./deno_transport.ts";
