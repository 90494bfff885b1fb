/**
 * Opening a client for a command: endpoint from `--url`/`--demo`, credentials from flags,
 * the environment or `.env`, liveness from `--idle-timeout`, and status lines for the
 * connection's lifecycle. Also what every command shares around it: subscribing for as long as
 * the run lasts, and the clean shutdown (unsubscribe, close) that fits the 2 s stop budget.
 *
 * @module
 */

import {
  type BookStore,
  type ClientEvent,
  CommandTimeoutError,
  connect,
  createRsaPssSigner,
  describeDrift,
  type KalshiWsClient,
  type Signer,
  type SubscribeOptions,
  type SubscribeParams,
  type Subscription,
  type TimerHandle,
  type Transport,
} from "@kalshi-ws/client";
import { UsageError } from "./args.ts";
import type { CommandContext } from "./context.ts";
import { credentialEnv, type Credentials, resolveCredentials } from "./credentials.ts";
import { StoppedError } from "./lifetime.ts";
import { resolveIn } from "./paths.ts";

/**
 * How long the stop of a run may spend: unsubscribing (1 s), then closing (0.5 s) — so a run
 * ends within 2 s of Ctrl-C, SIGTERM or `--duration`, also against a server that went quiet.
 */
const UNSUBSCRIBE_BUDGET_MS = 1_000;
const CLOSE_TIMEOUT_MS = 500;

/** Extra options of {@linkcode openClient}. */
export interface OpenClientOptions {
  /** Keep local order books in this store. */
  readonly books?: BookStore;
  /** Credentials to use instead of flags/environment (the in-process simulator's). */
  readonly credentials?: Credentials;
  /** Endpoint to use instead of `--url`/`--demo`. */
  readonly endpoint?: string;
  /** A transport wrapper (recording). */
  readonly transport?: Transport;
}

/** The endpoint `--url`/`--demo` select (Kalshi production by default). */
export function endpointOf(context: CommandContext): string {
  return context.args.url ?? (context.args.demo ? "demo" : "production");
}

/** Credentials from `--key-id`/`--private-key-file`, the environment or `.env`, or a usage error. */
export function credentialsOf(context: CommandContext): Credentials {
  const { args, runtime } = context;
  const dir = args.cwd;
  const credentials = resolveCredentials({
    keyId: args.keyId,
    privateKeyFile: args.privateKeyFile,
    env: credentialEnv(
      runtime,
      dir === undefined ? ".env" : resolveIn(dir, ".env", runtime.windowsPaths),
    ),
    readTextFile: (path) => runtime.readSmallTextFile(path),
    resolvePath: (path) => dir === undefined ? path : resolveIn(dir, path, runtime.windowsPaths),
  });
  if (credentials === undefined) {
    throw new UsageError(
      "Cannot connect without API credentials",
      "Pass --key-id and --private-key-file, or set KALSHI_API_KEY_ID and " +
        "KALSHI_PRIVATE_KEY_PATH (environment or .env); 'kalshi-ws demo' needs none",
    );
  }
  return credentials;
}

/** Imports the key once, before connecting; a key WebCrypto refuses is a usage error naming it. */
async function signerOf(credentials: Credentials): Promise<Signer> {
  try {
    return await createRsaPssSigner(credentials.privateKeyPem);
  } catch {
    throw new UsageError(
      `The private key ${credentials.keySource ?? ""} cannot be used: not a valid RSA key`
        .replace("  ", " "),
      "Kalshi API keys are RSA private keys (PKCS#1 PEM, or PKCS#8)",
    );
  }
}

/**
 * Connects (resolving once the first connection is open) and reports lifecycle events on
 * stderr. Ctrl-C during the handshake aborts it. Rejects with the client's errors
 * (`HandshakeRejectedError`, `ConnectionError`) for `main` to report.
 */
export async function openClient(
  context: CommandContext,
  options: OpenClientOptions = {},
): Promise<KalshiWsClient> {
  const { args, out, lifetime } = context;
  const credentials = options.credentials ?? credentialsOf(context);
  const signer = await signerOf(credentials);
  const endpoint = options.endpoint ?? endpointOf(context);
  const idleTimeoutMs = args.idleTimeoutSeconds === undefined
    ? undefined
    : args.idleTimeoutSeconds * 1000;
  // Abort only the handshake on a stop; once connected, commands close the client themselves
  // (after unsubscribing).
  if (lifetime.stopped) throw new StoppedError(lifetime.reason!); // e.g. stdout closed already
  const connecting = new AbortController();
  const abort = () => connecting.abort(new StoppedError(lifetime.reason!));
  lifetime.signal.addEventListener("abort", abort, { once: true });
  out.debug(`connecting to ${endpoint} as key ${credentials.keyId}`);
  let client: KalshiWsClient;
  try {
    client = await connect({
      endpoint,
      keyId: credentials.keyId,
      signer,
      ...(idleTimeoutMs === undefined ? {} : {
        idleTimeoutMs,
        probeTimeoutMs: Math.min(5_000, Math.max(1_000, idleTimeoutMs)),
      }),
      ...(options.books === undefined ? {} : { books: options.books }),
      transport: options.transport ?? context.runtime.transport,
      clock: context.runtime.clock,
      closeTimeoutMs: CLOSE_TIMEOUT_MS,
      signal: connecting.signal,
    });
  } finally {
    lifetime.signal.removeEventListener("abort", abort);
  }
  out.status(`connected to ${client.url}`);
  client.on("*", (event) => reportLifecycle(context, event));
  context.metrics?.watchClient(client);
  return client;
}

/** A status line on stderr for a lifecycle event (data and routine events stay quiet). */
function reportLifecycle(context: CommandContext, event: ClientEvent): void {
  const { out } = context;
  switch (event.type) {
    case "disconnected":
      if (!event.willReconnect) return;
      out.warn(
        `disconnected (code ${event.code}${event.reason ? `: ${event.reason}` : ""})` +
          "; reconnecting",
      );
      return;
    case "reconnecting":
      if (event.error === undefined) {
        out.debug(`reconnect attempt ${event.attempt} in ${Math.round(event.delayMs)} ms`);
      } else {
        out.warn(
          `reconnect attempt ${event.attempt} in ${Math.round(event.delayMs)} ms ` +
            `(${event.error.message})`,
        );
      }
      return;
    case "connected":
      if (event.reconnected) out.status(`reconnected to ${event.url}`);
      return;
    case "resubscribed":
      out.status(`resubscribed (${event.reason}): sids ${sidList(event.sids)}`);
      return;
    case "resubscribe_scheduled":
      out.warn(
        `resubscribe (${event.reason}) in ${Math.round(event.delayMs)} ms ` +
          `(attempt ${event.attempt})`,
      );
      return;
    case "subscribed":
      out.debug(`subscribed: sids ${sidList(event.sids)}`);
      return;
    case "gap":
      out.warn(
        `gap on sid ${event.sid} (${event.channel}): expected seq ${event.expected}, got ` +
          `${event.received}; repairing`,
      );
      return;
    case "seq_anomaly":
      out.debug(`duplicate or stale seq ${event.received} on sid ${event.sid} ignored`);
      return;
    case "book_invalid":
      out.warn(`book of ${event.marketTicker} invalid (${event.cause}); repairing`);
      return;
    case "resynced":
      out.status(`resynced sid ${event.sid}: ${event.markets.join(", ")}`);
      return;
    case "lagged":
      out.warn(`output fell behind: ${event.dropped} messages dropped`);
      return;
    case "server_error":
      out.warnRepeated(`server_error ${event.error.code}`, "such errors", event.error.message);
      return;
    case "decode_error":
      out.warnRepeated(
        "decode_error",
        "undecodable frames skipped",
        `undecodable frame skipped: ${event.error.message}`,
      );
      return;
    case "probe":
      out.debug("link quiet: liveness probe sent");
      return;
    case "drift":
      // A server inventing field names could send many kinds: the first few, then a count.
      out.warnRepeated(
        "drift",
        "more kinds of protocol drift first seen",
        `protocol drift: ${describeDrift(event)} (first seen; counting)`,
      );
      out.debug(`  example: ${event.example}`);
      return;
    case "subscription_lost":
      out.error(`subscription lost: ${event.error.message}`);
      return;
    default:
      return;
  }
}

function sidList(sids: readonly { channel: string; sid: number }[]): string {
  return sids.map((s) => `${s.sid} (${s.channel})`).join(", ");
}

/**
 * Subscribes for as long as the run lasts: resolves with the subscription, or with `undefined`
 * when the run stopped first (in any state: reconnecting, waiting for the reply). A subscribe
 * that timed out — the link died before the reply and no connection came back in time — is
 * made again (the client keeps reconnecting); Kalshi's refusals and usage errors are thrown.
 */
export async function subscribeWhileRunning(
  context: CommandContext,
  client: KalshiWsClient,
  params: SubscribeParams,
  options?: SubscribeOptions,
): Promise<Subscription | undefined> {
  const { lifetime, out } = context;
  for (;;) {
    try {
      return await lifetime.until(client.subscribe(params, options));
    } catch (error) {
      if (error instanceof StoppedError) return undefined;
      if (!(error instanceof CommandTimeoutError) || client.state === "closed") throw error;
      out.warn(`subscribe got no answer in time (${client.state}); subscribing again`);
    }
  }
}

/**
 * Ends a run cleanly: unsubscribes every still-active subscription while the link is up
 * (bounded wait), then closes the connection with code 1000, and says so on stderr. Within the
 * stop budget: 1 s for the unsubscribes, 0.5 s for the server's close frame.
 */
export async function shutdown(
  context: CommandContext,
  client: KalshiWsClient,
  subscriptions: readonly Subscription[],
  timeoutMs = UNSUBSCRIBE_BUDGET_MS,
): Promise<void> {
  const active = subscriptions.filter((s) => s.active);
  let unsubscribed = 0;
  if (client.state === "open" && active.length > 0) {
    const clock = context.runtime.clock;
    let timer: TimerHandle;
    const results = await Promise.race([
      Promise.allSettled(active.map((s) => s.unsubscribe())),
      new Promise<undefined>((resolve) =>
        timer = clock.setTimer(() => resolve(undefined), timeoutMs)
      ),
    ]);
    clock.clearTimer(timer);
    unsubscribed = results?.filter((r) => r.status === "fulfilled").length ?? 0;
  }
  await client.close();
  context.out.status(
    unsubscribed > 0 ? `unsubscribed ${unsubscribed} and closed` : "closed",
  );
}
