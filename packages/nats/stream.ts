/**
 * The JetStream stream that stores the feed, and the KV bucket that holds the leases: created
 * on first use with settings every collector and consumer agrees on. On a cluster both are
 * replicated (three copies by default), so losing a server loses neither the feed nor the
 * leases.
 *
 * @module
 */

import type { NatsConnection } from "@nats-io/transport-node";
import { jetstreamManager, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import { DEFAULT_PREFIX } from "./subjects.ts";

/** Default stream name. */
export const DEFAULT_STREAM = "KALSHI";

/** The lease bucket of a stream's collectors (`KALSHI` → `KALSHI_collectors`). */
export function leaseBucketName(stream: string): string {
  return `${stream}_collectors`;
}

/** Settings of the feed's stream. */
export interface FeedStreamOptions {
  /** Stream name (default `KALSHI`). */
  readonly stream?: string;
  /** Subject prefix (default `kalshi`): the stream captures `<prefix>.>`. */
  readonly prefix?: string;
  /** How long messages are kept (ms, default 24 h). */
  readonly maxAgeMs?: number;
  /** Most bytes kept, oldest dropped first (default unlimited). */
  readonly maxBytes?: number;
  /** De-duplication window for `Nats-Msg-Id` (ms, default 2 min). */
  readonly duplicateWindowMs?: number;
  /** `"file"` (default) or `"memory"`. */
  readonly storage?: "file" | "memory";
  /** Copies kept on a cluster's servers (default {@linkcode defaultReplicas}). */
  readonly replicas?: number;
}

/**
 * Replicas for a stream or bucket created through `nc`: 3 when its server belongs to a cluster
 * of at least three servers (their client URLs in the server's `INFO`), else 1.
 */
export function defaultReplicas(nc: NatsConnection): number {
  const info = nc.info;
  if (info?.cluster === undefined || info.cluster === "") return 1;
  return (info.connect_urls?.length ?? 0) >= 3 ? 3 : 1;
}

function checkReplicas(replicas: number): number {
  if (!Number.isSafeInteger(replicas) || replicas < 1 || replicas > 5) {
    throw new RangeError(`Cannot keep ${replicas} replicas: give an integer from 1 to 5`);
  }
  return replicas;
}

const NS = 1_000_000;

/**
 * Creates the feed's stream if it does not exist (an existing one is used as it is, so an
 * operator's changes stick). Returns the stream name.
 */
export async function ensureFeedStream(
  nc: NatsConnection,
  options: FeedStreamOptions = {},
): Promise<string> {
  const name = options.stream ?? DEFAULT_STREAM;
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.info(name);
    return name;
  } catch (error) {
    if (!/stream not found/i.test(String((error as Error)?.message))) throw error;
  }
  try {
    await jsm.streams.add({
      name,
      subjects: [`${prefix}.>`],
      retention: RetentionPolicy.Limits,
      storage: options.storage === "memory" ? StorageType.Memory : StorageType.File,
      max_age: (options.maxAgeMs ?? 24 * 3600_000) * NS,
      max_bytes: options.maxBytes ?? -1,
      duplicate_window: (options.duplicateWindowMs ?? 120_000) * NS,
      num_replicas: checkReplicas(options.replicas ?? defaultReplicas(nc)),
    });
  } catch (error) {
    // Another collector created it first.
    if (!/already in use|already exists/i.test(String((error as Error)?.message))) throw error;
  }
  return name;
}

/**
 * Opens (creating if needed, with `replicas` copies: default {@linkcode defaultReplicas}) the
 * lease bucket with max age `ttlMs`. Throws when the bucket exists with another TTL: leases
 * would expire on the bucket's clock, not on this collector's.
 */
export async function openLeaseBucket(
  nc: NatsConnection,
  bucket: string,
  ttlMs: number,
  replicas?: number,
): Promise<KV> {
  const kv = await new Kvm(nc).create(bucket, {
    ttl: ttlMs,
    history: 1,
    replicas: checkReplicas(replicas ?? defaultReplicas(nc)),
  });
  const actual = (await kv.status()).ttl;
  if (actual !== ttlMs) {
    throw new Error(
      `Cannot share leases in bucket "${bucket}": its lease TTL is ${actual} ms, not ${ttlMs} ms ` +
        "(give every collector the same lease TTL, or delete the bucket)",
    );
  }
  return kv;
}
