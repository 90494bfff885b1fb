/**
 * The CLI's runtime seam on Node (the npm package `kalshi-ws`): the same behaviour as
 * `runtime_deno.ts` with Node's APIs. Stdout and stderr are written synchronously with
 * `fs.writeSync` (as Deno's `writeSync`), so a closed pipe is seen at the write that failed and
 * nothing is left queued at exit; file errors carry Deno's names (`NotFound`,
 * `PermissionDenied`, …), so messages read the same on both runtimes. `replay --serve` listens
 * with `node:http` and the `ws` package.
 *
 * It uses Node's global `process`: importing `node:process` would open stdout and stderr as
 * streams at import time (Node's module wrapper reads every property of `process`), which an
 * importer of the package should not get, and which would make Node write to them itself.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { closeSync, openSync, readSync, statSync, writeSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { isatty } from "node:tty";
import { nodeListener } from "@kalshi-ws/metrics";
import { systemClock } from "@kalshi-ws/client/internal";
import { transport } from "@kalshi-ws/node";
import { type WebSocket, WebSocketServer } from "ws";
import type { OutputStreams } from "./output.ts";
import {
  type CliRuntime,
  type CliSignal,
  type FileSink,
  type HttpServerOptions,
  readBounded,
  type RunningHttpServer,
  type RunningWebSocketServer,
  SMALL_FILE_BYTES,
  UPGRADE_REQUIRED,
  type WebSocketServerOptions,
} from "./runtime.ts";

/** Node's error codes under the names Deno gives the same errors. */
const DENO_ERROR_NAMES: Readonly<Record<string, string>> = {
  ENOENT: "NotFound",
  EACCES: "PermissionDenied",
  EPERM: "PermissionDenied",
  EEXIST: "AlreadyExists",
  EISDIR: "IsADirectory",
  ENOTDIR: "NotADirectory",
  ELOOP: "FilesystemLoop",
  EBUSY: "Busy",
  EPIPE: "BrokenPipe",
  EADDRINUSE: "AddrInUse",
  ETIMEDOUT: "TimedOut",
  EINTR: "Interrupted",
};

/** `error` renamed as Deno names it (the code and message stay). */
function denoNamed(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  const name = typeof code === "string" ? DENO_ERROR_NAMES[code] : undefined;
  if (name !== undefined && error instanceof Error) {
    Object.defineProperty(error, "name", { value: name, configurable: true, writable: true });
  }
  return error;
}

/** Runs `fn`, renaming a thrown Node error as Deno names it. */
function named<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw denoNamed(error);
  }
}

/** Blocks for `ms` (a full pipe or terminal in non-blocking mode needs a moment to drain). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * `fs.writeSync` to a descriptor, waiting out `EAGAIN` (a descriptor another process or Node
 * itself set non-blocking); returns the bytes written, throws `BrokenPipe` when the reader left.
 */
function writeFd(fd: number, bytes: Uint8Array): number {
  for (;;) {
    try {
      return writeSync(fd, bytes);
    } catch (error) {
      if ((error as { code?: unknown }).code === "EAGAIN") {
        sleepSync(1);
        continue;
      }
      throw denoNamed(error);
    }
  }
}

/** The Node implementation of {@linkcode CliRuntime}. */
export const nodeRuntime: CliRuntime = {
  name: "node",
  get args(): readonly string[] {
    return process.argv.slice(2);
  },
  windowsPaths: process.platform === "win32",
  transport,
  clock: systemClock,
  env: (name) => process.env[name],
  cwd() {
    try {
      return process.cwd();
    } catch {
      return undefined; // the folder was removed
    }
  },
  isDirectory(path) {
    try {
      return statSync(path).isDirectory();
    } catch {
      return false;
    }
  },
  readSmallTextFile(path, maxBytes = SMALL_FILE_BYTES) {
    const fd = named(() => openSync(path, "r"));
    try {
      return readBounded((into) => named(() => readSync(fd, into)), maxBytes);
    } finally {
      closeSync(fd);
    }
  },
  async readTextFile(path) {
    try {
      return new TextDecoder().decode(await readFile(path));
    } catch (error) {
      throw denoNamed(error);
    }
  },
  async readStdin() {
    const chunks: Uint8Array[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array);
    return new TextDecoder().decode(Buffer.concat(chunks));
  },
  createFile(path): FileSink {
    const fd = named(() => openSync(path, "w"));
    return {
      write(bytes) {
        for (let offset = 0; offset < bytes.length;) {
          offset += writeFd(fd, bytes.subarray(offset));
        }
      },
      close: () => closeSync(fd),
    };
  },
  streams(): OutputStreams {
    return {
      writeOut: (bytes) => writeFd(1, bytes),
      writeErr: (bytes) => writeFd(2, bytes),
      outIsTerminal: isatty(1),
      errIsTerminal: isatty(2),
      noColor: process.env.NO_COLOR !== undefined,
    };
  },
  terminalRows() {
    // Only touched on a terminal: process.stdout on a pipe would make it non-blocking.
    if (isatty(1)) return process.stdout.rows;
    if (isatty(2)) return process.stderr.rows;
    return undefined;
  },
  onSignal(signal: CliSignal, listener: () => void) {
    try {
      process.on(signal, listener);
    } catch {
      return () => {}; // not on this OS
    }
    return () => void process.off(signal, listener);
  },
  onUncaughtError(handler) {
    process.on("uncaughtException", handler);
    process.on("unhandledRejection", handler);
  },
  exit: (code) => process.exit(code),
  serveWebSockets,
  serveHttp,
  permissionHint: () => undefined, // Node runs without a permission system
};

/** Largest frame a client may send: Deno's own limit (64 MiB), so both servers agree. */
const MAX_PAYLOAD = 64 * 1024 * 1024;

/** How long {@linkcode RunningWebSocketServer.close} waits for a client's closing handshake. */
const CLOSE_GRACE_MS = 1_000;

/** `node:http` with a `ws` server: WebSockets on 127.0.0.1, 426 for plain HTTP. */
async function serveWebSockets(options: WebSocketServerOptions): Promise<RunningWebSocketServer> {
  const http = createServer((_request, response) => {
    response.writeHead(426, { "content-type": "text/plain;charset=UTF-8" });
    response.end(UPGRADE_REQUIRED);
  });
  const wss = new WebSocketServer({ server: http, maxPayload: MAX_PAYLOAD });
  wss.on("connection", (socket: WebSocket) => {
    socket.on("error", () => {});
    const handlers = options.accept({
      send: (text) => {
        if (socket.readyState === socket.OPEN) socket.send(text);
      },
      close: (code, reason) => {
        try {
          socket.close(code, reason);
        } catch {
          // already closing, or a code ws refuses to send
        }
      },
    });
    socket.on("message", (data, isBinary) => handlers.message(isBinary ? "" : String(data)));
    socket.on("close", () => handlers.closed());
  });
  await new Promise<void>((resolve, reject) => {
    http.once("error", (error: Error & { code?: string }) => {
      const problem = error.code === "EADDRINUSE"
        ? "address already in use"
        : error.code === "EACCES"
        ? "permission denied"
        : error.message;
      reject(new Error(`Cannot listen on 127.0.0.1:${options.port}: ${problem}`));
    });
    http.listen(options.port, "127.0.0.1", () => resolve());
  });
  const address = http.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;
  return {
    port,
    async close() {
      await Promise.all([...wss.clients].map(closedWithin));
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** `node:http` answering through a web-standard handler (`--metrics-port`). */
async function serveHttp(options: HttpServerOptions): Promise<RunningHttpServer> {
  const http = createServer(nodeListener(options.handler));
  await listen(http, options.port, options.hostname);
  const address = http.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;
  return {
    port,
    async close() {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** Listens, or rejects with the reason in the words the Deno runtime uses too. */
function listen(http: ReturnType<typeof createServer>, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    http.once("error", (error: Error & { code?: string }) => {
      const problem = error.code === "EADDRINUSE"
        ? "address already in use"
        : error.code === "EACCES"
        ? "permission denied"
        : error.code === "EADDRNOTAVAIL"
        ? "address not available here"
        : error.message;
      const where = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
      reject(new Error(`Cannot listen on ${where}: ${problem}`));
    });
    http.listen(port, host, () => resolve());
  });
}

/** Resolves when `socket` has closed, cutting it after {@linkcode CLOSE_GRACE_MS}. */
function closedWithin(socket: WebSocket): Promise<void> {
  if (socket.readyState === socket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
