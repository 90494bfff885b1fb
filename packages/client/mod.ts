/**
 * `@kalshi-ws/client`: the runtime-neutral Kalshi WebSocket client (web-standard APIs only).
 *
 * Users normally import `@kalshi-ws/deno` or `@kalshi-ws/node`, which re-export everything here
 * with their runtime's socket plugged in.
 *
 * @module
 */

export {
  type AuthHeaders,
  createAuthHeaders,
  createRsaPssSigner,
  importRsaPrivateKey,
  type Signer,
  signerFromCryptoKey,
  SIGNING_PATH,
} from "./signer.ts";
export { type Endpoint, type Environment, ENVIRONMENTS, resolveEndpoint } from "./environment.ts";
export {
  type SocketConnection,
  type SocketEvents,
  statusFromHandshakeMessage,
  type Transport,
} from "./transport.ts";
