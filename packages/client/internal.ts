/**
 * `@kalshi-ws/client/internal`: the client's plumbing, for runtime adapters and tools built on
 * the client — not part of the client API (`@kalshi-ws/client`), and free to change between
 * versions. The protocol engine itself is `@kalshi-ws/core`'s.
 *
 * - handshake signing and endpoints: {@linkcode createAuthHeaders}, {@linkcode resolveEndpoint};
 * - the clock the client uses by default ({@linkcode systemClock}) and the frame limit;
 * - what adapters need to report a rejected upgrade ({@linkcode statusFromHandshakeMessage});
 * - the pieces streams are built from ({@linkcode Listeners}, {@linkcode EventStreamOptions}).
 *
 * @module
 */

export {
  type AuthHeaders,
  createAuthHeaders,
  importRsaPrivateKey,
  SIGNING_PATH,
} from "./signer.ts";
export { type Endpoint, resolveEndpoint } from "./environment.ts";
export { systemClock } from "./clock.ts";
export { DEFAULT_MAX_FRAME_BYTES } from "./frame_limit.ts";
export { retryAfterMs, statusFromHandshakeMessage } from "./transport.ts";
export { type DataInfo, type EventStreamOptions, Listeners } from "./event_stream.ts";
