/**
 * A loopback TCP proxy the tests put between a collector and NATS, to make JetStream "slow or
 * down" on demand: `pause()` stops forwarding bytes both ways (connections stay open, as with a
 * stalled server), `resume()` forwards them again.
 *
 * @module
 */

/** A running proxy. */
export interface TcpProxy extends AsyncDisposable {
  /** `nats://127.0.0.1:<port>` of the proxy. */
  readonly url: string;
  /** Stops forwarding (bytes wait). */
  pause(): void;
  /** Forwards again. */
  resume(): void;
  /** Closes the listener and every connection. */
  close(): Promise<void>;
}

/** Starts a proxy to `target` (`nats://host:port`). */
export function startTcpProxy(target: string): TcpProxy {
  const { hostname, port } = new URL(target.replace(/^nats:/, "http:"));
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const pipes: Promise<void>[] = [];
  let gate: { promise: Promise<void>; open: () => void } | undefined;
  const pipe = async (from: Deno.Conn, to: Deno.Conn): Promise<void> => {
    const buffer = new Uint8Array(64 * 1024);
    try {
      while (true) {
        const n = await from.read(buffer);
        if (n === null) break;
        while (gate !== undefined) await gate.promise;
        let written = 0;
        while (written < n) written += await to.write(buffer.subarray(written, n));
      }
    } catch {
      // a side closed
    }
    for (const c of [from, to]) {
      try {
        c.close();
      } catch {
        // already closed
      }
      conns.delete(c);
    }
  };
  const accepting = (async () => {
    for await (const client of listener) {
      let upstream: Deno.Conn;
      try {
        upstream = await Deno.connect({ hostname, port: Number(port) });
      } catch {
        client.close();
        continue;
      }
      conns.add(client);
      conns.add(upstream);
      pipes.push(pipe(client, upstream), pipe(upstream, client));
    }
  })().catch(() => {});
  const resume = (): void => {
    const g = gate;
    gate = undefined;
    g?.open();
  };
  const close = async (): Promise<void> => {
    resume();
    listener.close();
    for (const c of conns) {
      try {
        c.close();
      } catch {
        // already closed
      }
    }
    await accepting;
    await Promise.all(pipes);
  };
  return {
    url: `nats://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    pause: () => {
      if (gate !== undefined) return;
      let open!: () => void;
      const promise = new Promise<void>((resolve) => open = resolve);
      gate = { promise, open };
    },
    resume,
    close,
    [Symbol.asyncDispose]: close,
  };
}
