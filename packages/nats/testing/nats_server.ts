/**
 * A NATS server with JetStream for the integration tests: the one `NATS_URL` names (CI starts
 * it), or else a `nats-server` child process on a free loopback port with a temporary store,
 * removed on close.
 *
 * @module
 */

/** A server the tests can use. */
export interface TestNatsServer extends AsyncDisposable {
  /** `nats://127.0.0.1:<port>`. */
  readonly url: string;
  /** Stops the child process (if this started one) and removes its store. */
  close(): Promise<void>;
}

/** Uses `NATS_URL`, or starts `nats-server -js` on loopback; fails clearly if it is missing. */
export async function testNatsServer(): Promise<TestNatsServer> {
  const given = Deno.env.get("NATS_URL");
  if (given !== undefined && given !== "") {
    return {
      url: given,
      close: () => Promise.resolve(),
      [Symbol.asyncDispose]: () => Promise.resolve(),
    };
  }
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const dir = await Deno.makeTempDir({ prefix: "kalshi-nats-" });
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("nats-server", {
      args: ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", dir],
      stdout: "null",
      stderr: "null",
    }).spawn();
  } catch (error) {
    await Deno.remove(dir, { recursive: true });
    throw new Error(
      `Cannot start nats-server: ${
        (error as Error).message
      } (install it: apt-get install nats-server, or set NATS_URL)`,
    );
  }
  const deadline = Date.now() + 10_000;
  while (true) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        await child.status;
        throw new Error(`Cannot reach nats-server on port ${port} after 10 s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const close = async (): Promise<void> => {
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
    await child.status;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  return { url: `nats://127.0.0.1:${port}`, close, [Symbol.asyncDispose]: close };
}
