/**
 * `@kalshi-ws/nats/testing`: what the NATS integration tests share, for this package's tests and
 * the CLI's (`kalshi-ws publish`/`consume` against NATS) — a JetStream server (`NATS_URL`, or a
 * `nats-server` child process), a three-node cluster whose servers can be killed and restarted,
 * a TCP proxy that stalls the link on demand, and checks of a feed: books rebuilt from the
 * stream against the simulator's truth, and a whole-stream audit for duplicates.
 *
 * Deno only (child processes, sockets). Test tooling, not part of the npm package.
 *
 * @module
 */

export {
  auditStream,
  booksDiffering,
  removeFeed,
  type StreamAudit,
  testStreamNames,
  waitFor,
} from "./feed_checks.ts";
export {
  type ClusterNode,
  clusterNodeConfig,
  type ClusterNodeSettings,
  startNatsCluster,
  type TestNatsCluster,
} from "./nats_cluster.ts";
export { type TestNatsServer, testNatsServer } from "./nats_server.ts";
export { startTcpProxy, type TcpProxy } from "./tcp_proxy.ts";
