/**
 * Where to connect: Kalshi production, Kalshi demo, or any URL (a local simulator, a proxy).
 *
 * @module
 */

import { SIGNING_PATH } from "./signer.ts";

/** Kalshi's WebSocket endpoints (the recommended `external-api-ws` hosts). */
export const ENVIRONMENTS = {
  production: `wss://external-api-ws.kalshi.com${SIGNING_PATH}`,
  demo: `wss://external-api-ws.demo.kalshi.co${SIGNING_PATH}`,
} as const;

/** A named Kalshi environment. API keys are per environment: demo keys fail on production. */
export type Environment = keyof typeof ENVIRONMENTS;

/** A resolved endpoint: the URL to open and the path that goes into the handshake signature. */
export interface Endpoint {
  /** The `ws:`/`wss:` URL to open. */
  readonly url: string;
  /** The environment name, or `"custom"` for any other URL. */
  readonly environment: Environment | "custom";
  /** The path signed in the handshake (the URL's path, without its query string). */
  readonly signingPath: string;
}

/**
 * Resolves `"production"`, `"demo"` or a custom `ws:`/`wss:` URL (a `URL` works too) into an
 * {@linkcode Endpoint}. A custom URL without a path gets Kalshi's path, so
 * `ws://127.0.0.1:8080` and `ws://127.0.0.1:8080/trade-api/ws/v2` are the same endpoint.
 */
export function resolveEndpoint(target: Environment | string | URL): Endpoint {
  if (typeof target === "string" && Object.hasOwn(ENVIRONMENTS, target)) {
    const environment = target as Environment;
    return { url: ENVIRONMENTS[environment], environment, signingPath: SIGNING_PATH };
  }
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new TypeError(
      `Cannot use endpoint "${
        String(target)
      }": expected "production", "demo" or a ws:// or wss:// URL`,
    );
  }
  if (url.protocol !== "ws:" && url.protocol !== "wss:") {
    throw new TypeError(
      `Cannot use endpoint "${url.href}": protocol "${url.protocol}" is not ws: or wss:`,
    );
  }
  if (url.pathname === "/" || url.pathname === "") url.pathname = SIGNING_PATH;
  url.hash = "";
  return { url: url.href, environment: "custom", signingPath: url.pathname };
}
