/**
 * A three-node (or n-node) NATS JetStream cluster on loopback for the integration tests: one
 * configuration file per node written from {@linkcode clusterNodeConfig} into a temporary
 * directory, one `nats-server` process per node, each node killable and restartable on its own
 * store, so a test can take a server away for real.
 *
 * @module
 */

import { connect as natsConnect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";

/** What one node's configuration needs. */
export interface ClusterNodeSettings {
  /** `server_name` (JetStream in a cluster needs one per node). */
  readonly name: string;
  /** The cluster's name (the same on every node). */
  readonly cluster: string;
  /** Interface to listen on (clients and routes). */
  readonly host: string;
  /** Client port. */
  readonly port: number;
  /** Route (cluster) port. */
  readonly clusterPort: number;
  /** Route URLs of every node (this one included: it is ignored). */
  readonly routes: readonly string[];
  /** JetStream store directory. */
  readonly storeDir: string;
}

/** The `nats-server -c` configuration of one cluster node. */
export function clusterNodeConfig(node: ClusterNodeSettings): string {
  return [
    `server_name: ${node.name}`,
    `listen: ${node.host}:${node.port}`,
    "jetstream {",
    `  store_dir: ${JSON.stringify(node.storeDir)}`,
    "  max_memory_store: 256MB",
    "  max_file_store: 2GB",
    "}",
    "cluster {",
    `  name: ${node.cluster}`,
    `  listen: ${node.host}:${node.clusterPort}`,
    "  routes: [",
    ...node.routes.map((route) => `    ${route}`),
    "  ]",
    "}",
    "",
  ].join("\n");
}

/** One node of a {@linkcode TestNatsCluster}. */
export interface ClusterNode {
  /** Its `server_name`. */
  readonly name: string;
  /** `nats://127.0.0.1:<port>`. */
  readonly url: string;
  /** Whether its process runs. */
  readonly running: boolean;
  /** Sends `signal` (SIGKILL: a crash) and waits for the process to end. */
  kill(signal?: Deno.Signal): Promise<void>;
  /** Starts it again on the same configuration and store; resolves once it accepts clients. */
  restart(): Promise<void>;
}

/** A running cluster. */
export interface TestNatsCluster extends AsyncDisposable {
  /** Client URLs of every node. */
  readonly urls: readonly string[];
  /** The nodes. */
  readonly nodes: readonly ClusterNode[];
  /** The node named `name`. */
  node(name: string): ClusterNode;
  /** Stops every node and removes the stores. */
  close(): Promise<void>;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`Cannot reach nats-server on port ${port}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/**
 * Starts `size` (default 3) clustered `nats-server -js` processes on loopback and resolves once
 * JetStream answers (its meta leader is elected). Fails clearly when `nats-server` is missing.
 */
export async function startNatsCluster(size = 3): Promise<TestNatsCluster> {
  const dir = await Deno.makeTempDir({ prefix: "kalshi-nats-cluster-" });
  const ports = Array.from({ length: size }, () => ({ port: freePort(), route: freePort() }));
  const routes = ports.map((p) => `nats-route://127.0.0.1:${p.route}`);
  const nodes: (ClusterNode & { stop(): Promise<void> })[] = [];
  for (let i = 0; i < size; i++) {
    const name = `n${i + 1}`;
    const configFile = `${dir}/${name}.conf`;
    await Deno.writeTextFile(
      configFile,
      clusterNodeConfig({
        name,
        cluster: "kalshi-test",
        host: "127.0.0.1",
        port: ports[i]!.port,
        clusterPort: ports[i]!.route,
        routes,
        storeDir: `${dir}/${name}`,
      }),
    );
    let child: Deno.ChildProcess | undefined;
    const start = async (): Promise<void> => {
      try {
        child = new Deno.Command("nats-server", {
          args: ["-c", configFile],
          stdout: "null",
          stderr: "null",
        }).spawn();
      } catch (error) {
        throw new Error(
          `Cannot start nats-server: ${
            (error as Error).message
          } (install it: apt-get install nats-server)`,
        );
      }
      await waitForPort(ports[i]!.port, 10_000);
    };
    const kill = async (signal: Deno.Signal = "SIGKILL"): Promise<void> => {
      const running = child;
      child = undefined;
      if (running === undefined) return;
      try {
        running.kill(signal);
      } catch {
        // already gone
      }
      await running.status;
    };
    nodes.push({
      name,
      url: `nats://127.0.0.1:${ports[i]!.port}`,
      get running() {
        return child !== undefined;
      },
      kill,
      restart: start,
      stop: () => kill("SIGTERM"),
    });
  }
  const close = async (): Promise<void> => {
    await Promise.all(nodes.map((n) => n.stop()));
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    await Promise.all(nodes.map((n) => n.restart()));
    await jetStreamReady(nodes.map((n) => n.url), 30_000);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    urls: nodes.map((n) => n.url),
    nodes,
    node: (name) => {
      const node = nodes.find((n) => n.name === name);
      if (node === undefined) throw new Error(`No cluster node named "${name}"`);
      return node;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Resolves once JetStream answers account requests through `urls`. */
async function jetStreamReady(urls: readonly string[], timeoutMs: number): Promise<void> {
  const nc = await natsConnect({ servers: [...urls] });
  const deadline = Date.now() + timeoutMs;
  try {
    while (true) {
      try {
        await (await jetstreamManager(nc, { timeout: 2_000 })).getAccountInfo();
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(`JetStream cluster not ready after ${timeoutMs} ms: ${error}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  } finally {
    await nc.close();
  }
}
