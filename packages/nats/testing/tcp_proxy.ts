/**
 * A loopback TCP proxy the tests put between a collector (or a consumer) and NATS, to make
 * JetStream "slow or down" on demand: `pause()` stops forwarding bytes both ways (connections
 * stay open, as with a stalled server), `sever()` drops every connection and refuses new ones
 * (as with a server that went away: clients see the disconnect), `resume()` ends either.
 *
 * @module
 */

/** A running proxy. */
export interface TcpProxy extends AsyncDisposable {
  /** `nats://127.0.0.1:<port>` of the proxy. */
  readonly url: string;
  /** Stops forwarding (bytes wait). */
  pause(): void;
  /** Closes every connection and refuses new ones (clients see a disconnect and reconnect). */
  sever(): void;
  /** Forwards again (and accepts connections again after `sever()`). */
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
  let refusing = false;
  const closeAll = (): void => {
    for (const c of conns) {
      try {
        c.close();
      } catch {
        // already closed
      }
    }
    conns.clear();
  };
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
      if (refusing) {
        client.close();
        continue;
      }
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
    refusing = false;
    const g = gate;
    gate = undefined;
    g?.open();
  };
  const close = async (): Promise<void> => {
    resume();
    listener.close();
    closeAll();
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
    sever: () => {
      refusing = true;
      closeAll();
    },
    resume,
    close,
    [Symbol.asyncDispose]: close,
  };
}
