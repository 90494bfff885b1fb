/**
 * Which NATS servers `publish` and `consume` connect to: every `--nats` value (each may list
 * several, comma-separated), else `NATS_URL` (comma-separated too), else the local default.
 * Giving a cluster's servers lets the client move to another when its server goes away.
 *
 * @module
 */

import { UsageError } from "./args.ts";

/** The server used when neither `--nats` nor `NATS_URL` names one. */
export const DEFAULT_NATS_URL = "nats://127.0.0.1:4222";

/**
 * The servers from `--nats` values (else `natsUrl`, the environment's `NATS_URL`), checked:
 * each `nats://host:port`, `tls://host:port` or `host:port`. Throws a {@linkcode UsageError}
 * naming the bad entry.
 */
export function natsServers(flags: readonly string[], natsUrl: string | undefined): string[] {
  const fromFlags = flags.length > 0;
  const source = fromFlags ? "--nats" : "NATS_URL";
  const given = fromFlags ? flags : natsUrl === undefined || natsUrl === "" ? [] : [natsUrl];
  const servers: string[] = [];
  for (const value of given) {
    for (const entry of value.split(",")) {
      const server = entry.trim();
      if (server === "") {
        throw new UsageError(
          `Invalid ${source} '${value}': an empty server in the list`,
          "Example: --nats nats://10.0.0.5:4222,nats://10.0.0.6:4222",
        );
      }
      checkServer(server, source);
      if (!servers.includes(server)) servers.push(server);
    }
  }
  return servers.length > 0 ? servers : [DEFAULT_NATS_URL];
}

function checkServer(server: string, source: string): void {
  const bad = (why: string): UsageError =>
    new UsageError(
      `Invalid ${source} server '${redactNatsUrl(server)}': ${why}`,
      "Example: --nats nats://10.0.0.5:4222 (repeat it, or separate servers with commas)",
    );
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(server) ? server : `nats://${server}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw bad("not a server address");
  }
  if (url.protocol !== "nats:" && url.protocol !== "tls:") {
    throw bad("expected nats://host:port or tls://host:port");
  }
  if (url.hostname === "") throw bad("no host");
  if (url.pathname !== "" && url.pathname !== "/" || url.search !== "" || url.hash !== "") {
    throw bad("a server address has no path");
  }
}

/** `servers` for display: credentials in a URL (`nats://user:pass@host`) become `***`. */
export function describeNatsServers(servers: readonly string[]): string {
  return servers.map(redactNatsUrl).join(",");
}

function redactNatsUrl(server: string): string {
  return server.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^@/]*@/i, (_, scheme) => `${scheme ?? ""}***@`);
}
