/**
 * The CLI's runtime seam on Deno (`deno task cli`, `deno task demo`): the only module of the CLI
 * that uses the `Deno` namespace. Permissions narrower than a command needs show as values it
 * may not read (an environment variable, the working directory) or as errors naming the
 * `--allow-*` flag.
 *
 * @module
 */

import { transport } from "@kalshi-ws/deno";
import { denoClock } from "./deno_clock.ts";
import type { OutputStreams } from "./output.ts";
import {
  type CliRuntime,
  type CliSignal,
  type FileSink,
  type HttpServerOptions,
  readBounded,
  type RunningHttpServer,
  type RunningWebSocketServer,
  type ServedSocketHandlers,
  SMALL_FILE_BYTES,
  UPGRADE_REQUIRED,
  type WebSocketServerOptions,
} from "./runtime.ts";

/** The Deno implementation of {@linkcode CliRuntime}. */
export const denoRuntime: CliRuntime = {
  name: "deno",
  get args(): readonly string[] {
    return Deno.args;
  },
  windowsPaths: Deno.build.os === "windows",
  transport,
  clock: denoClock,
  env(name) {
    try {
      return Deno.env.get(name);
    } catch {
      return undefined; // not in the task's --allow-env list: treat as unset
    }
  },
  cwd() {
    try {
      return Deno.cwd();
    } catch {
      return undefined;
    }
  },
  isDirectory(path) {
    try {
      return Deno.statSync(path).isDirectory;
    } catch {
      return false;
    }
  },
  readSmallTextFile(path, maxBytes = SMALL_FILE_BYTES) {
    using file = Deno.openSync(path, { read: true });
    return readBounded((into) => file.readSync(into), maxBytes);
  },
  readTextFile: (path) => Deno.readTextFile(path),
  readStdin: () => new Response(Deno.stdin.readable).text(),
  createFile(path): FileSink {
    const file = Deno.openSync(path, { write: true, create: true, truncate: true });
    return {
      write(bytes) {
        for (let offset = 0; offset < bytes.length;) {
          offset += file.writeSync(bytes.subarray(offset));
        }
      },
      close: () => file.close(),
    };
  },
  streams(): OutputStreams {
    return {
      writeOut: (bytes) => Deno.stdout.writeSync(bytes),
      writeOutAsync: (bytes) => Deno.stdout.write(bytes),
      writeErr: (bytes) => Deno.stderr.writeSync(bytes),
      outIsTerminal: Deno.stdout.isTerminal(),
      errIsTerminal: Deno.stderr.isTerminal(),
      noColor: Deno.noColor || denoRuntime.env("NO_COLOR") !== undefined,
    };
  },
  terminalRows() {
    try {
      return Deno.consoleSize().rows;
    } catch {
      return undefined;
    }
  },
  onSignal(signal: CliSignal, listener: () => void) {
    try {
      Deno.addSignalListener(signal, listener);
    } catch {
      return () => {}; // not on this OS (Windows has no SIGHUP)
    }
    return () => Deno.removeSignalListener(signal, listener);
  },
  onUncaughtError(handler) {
    globalThis.addEventListener("unhandledrejection", (event) => {
      event.preventDefault();
      handler(event.reason);
    });
    globalThis.addEventListener("error", (event) => {
      event.preventDefault();
      handler(event.error);
    });
  },
  exit: (code) => Deno.exit(code),
  serveWebSockets,
  serveHttp,
  permissionHint(error) {
    return error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied
      ? "grant it with the matching deno run --allow-* flag"
      : undefined;
  },
};

/** `Deno.serve` with `Deno.upgradeWebSocket`: WebSockets on 127.0.0.1, 426 for plain HTTP. */
async function serveWebSockets(options: WebSocketServerOptions): Promise<RunningWebSocketServer> {
  const listening = Promise.withResolvers<Deno.NetAddr>();
  let server: Deno.HttpServer;
  try {
    server = Deno.serve({
      hostname: "127.0.0.1",
      port: options.port,
      onListen: (addr) => listening.resolve(addr as Deno.NetAddr),
    }, (request) => {
      if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
        return new Response(UPGRADE_REQUIRED, { status: 426 });
      }
      const { socket, response } = Deno.upgradeWebSocket(request);
      let handlers: ServedSocketHandlers | undefined;
      socket.onopen = () => {
        handlers = options.accept({
          send: (text) => {
            if (socket.readyState === WebSocket.OPEN) socket.send(text);
          },
          close: (code, reason) => {
            try {
              socket.close(code, reason);
            } catch {
              // already closing
            }
          },
        });
      };
      socket.onmessage = (event) =>
        handlers?.message(typeof event.data === "string" ? event.data : "");
      socket.onclose = () => handlers?.closed();
      socket.onerror = () => {};
      return response;
    });
  } catch (error) {
    const problem = listenProblem(error);
    if (problem === undefined) throw error; // e.g. no --allow-net: main names the flag
    throw new Error(`Cannot listen on 127.0.0.1:${options.port}: ${problem}`);
  }
  const addr = await listening.promise;
  return { port: addr.port, close: () => server.shutdown() };
}

/** `Deno.serve` with the handler as it is (`--metrics-port`). */
async function serveHttp(options: HttpServerOptions): Promise<RunningHttpServer> {
  const listening = Promise.withResolvers<Deno.NetAddr>();
  let server: Deno.HttpServer;
  try {
    server = Deno.serve({
      hostname: options.hostname,
      port: options.port,
      onListen: (addr) => listening.resolve(addr as Deno.NetAddr),
      onError: () => new Response("Internal Server Error\n", { status: 500 }),
    }, options.handler);
  } catch (error) {
    const problem = listenProblem(error);
    if (problem === undefined) throw error; // e.g. no --allow-net: main names the flag
    throw new Error(`Cannot listen on ${hostPort(options.hostname, options.port)}: ${problem}`);
  }
  const addr = await listening.promise;
  return { port: addr.port, close: () => server.shutdown() };
}

/** `host:port`, with an IPv6 address in brackets. */
function hostPort(hostname: string, port: number): string {
  return hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`;
}

/** Why listening failed, in the words the Node runtime uses too (undefined: another error). */
function listenProblem(error: unknown): string | undefined {
  if (error instanceof Deno.errors.AddrInUse) return "address already in use";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied"; // port < 1024
  if (error instanceof Deno.errors.AddrNotAvailable) return "address not available here";
  return undefined;
}
