/**
 * `@kalshi-ws/nats`: scale out over NATS JetStream. Collectors publish one healed, normalized
 * Kalshi feed (data messages, lifecycle events, periodic book snapshots) to a JetStream stream
 * and share the market set through leases in a JetStream key-value bucket; consumers on any
 * machine rebuild exact books from the stream and report gaps.
 *
 * @example
 * ```ts ignore
 * import { connect as natsConnect } from "@nats-io/transport-node";
 * import { transport } from "@kalshi-ws/node"; // on Deno: "@kalshi-ws/deno"
 * import { startBookConsumer, startCollector } from "@kalshi-ws/nats";
 *
 * const nats = await natsConnect({ servers: "127.0.0.1:4222" });
 * const collector = await startCollector({
 *   nats,
 *   kalshi: { transport, endpoint: "demo", keyId: "…", privateKeyPem: "…" },
 *   markets: ["KXFED-26DEC-T4.25"],
 * });
 * const consumer = await startBookConsumer({ nats, markets: ["KXFED-26DEC-T4.25"] });
 * consumer.books.get("KXFED-26DEC-T4.25")?.bestYesBid;
 * ```
 *
 * @module
 */

export { AckSender } from "./ack_sender.ts";
export {
  type Collector,
  type CollectorCloseOptions,
  type CollectorCloseReport,
  type CollectorEvent,
  type CollectorOptions,
  type CollectorStats,
  startCollector,
} from "./collector.ts";
export { CloseDeadline, DEFAULT_COLLECTOR_CLOSE_TIMEOUT_MS } from "./close_deadline.ts";
export { type BookConsumer, type BookConsumerOptions, startBookConsumer } from "./consumer.ts";
export {
  FeedBooks,
  type FeedBooksOptions,
  type FeedGap,
  type FeedGapReason,
} from "./feed_books.ts";
export {
  type BookHeaders,
  type BookInvalidMessage,
  type BookInvalidReason,
  type CollectorSnapshotMessage,
  Header,
  type HeaderReader,
  marketOfMessage,
  messageId,
  readBookHeaders,
  snapshotId,
} from "./envelope.ts";
export { LeaseManager, type LeaseManagerOptions } from "./lease_manager.ts";
export {
  type OutboundMessage,
  Publisher,
  type PublisherEvent,
  type PublisherOptions,
  type SendFn,
} from "./publisher.ts";
export {
  leaseDeadline,
  type LeasePlan,
  type LeaseTimings,
  leaseTimings,
  type LeaseView,
  planLeases,
  preferredCollector,
  shareWeight,
} from "./shares.ts";
export {
  DEFAULT_STREAM,
  ensureFeedStream,
  type FeedStreamOptions,
  leaseBucketName,
  openLeaseBucket,
} from "./stream.ts";
export {
  BOOK_STATUS_TOKEN,
  bookStatusSubject,
  channelOfType,
  collectorKey,
  dataSubject,
  decodeToken,
  DEFAULT_PREFIX,
  encodeToken,
  EVENTS_TOKEN,
  eventsSubject,
  leaseKey,
  marketFilter,
  marketOfSubject,
  SNAPSHOT_TOKEN,
  snapshotSubject,
} from "./subjects.ts";
