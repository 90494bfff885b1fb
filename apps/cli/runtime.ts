/**
 * The seam between the CLI and the JavaScript runtime it runs on — the same pattern as the
 * client's transports. Commands never touch `Deno.*` or Node's `process`; they ask the
 * {@linkcode CliRuntime} in their context. `runtime_deno.ts` implements it for `deno task cli`,
 * `runtime_node.ts` for the npm package `kalshi-ws` on Node, so one source gives both the same
 * behaviour, output and exit codes.
 *
 * @module
 */

import type { Clock, Transport } from "@kalshi-ws/client";
import type { OutputStreams } from "./output.ts";

/** The signals the CLI handles: Ctrl-C, a service manager's stop, a closed terminal. */
export type CliSignal = "SIGINT" | "SIGTERM" | "SIGHUP";

/** A file open for writing (`record -o`); writes are synchronous and complete. */
export interface FileSink {
  /** Writes every byte (looping over partial writes). */
  write(bytes: Uint8Array): void;
  /** Closes the file. */
  close(): void;
}

/** One client of a {@linkcode CliRuntime.serveWebSockets} server. */
export interface ServedSocket {
  /** Sends a text frame; does nothing once the socket is no longer open. */
  send(text: string): void;
  /** Starts the closing handshake; does nothing when closing already. */
  close(code: number, reason: string): void;
}

/** What a server does with one client's frames and its end. */
export interface ServedSocketHandlers {
  /** A frame arrived (binary frames arrive as an empty string, as in Deno). */
  message(text: string): void;
  /** The socket closed, for whatever reason. */
  closed(): void;
}

/** Options of {@linkcode CliRuntime.serveWebSockets}. */
export interface WebSocketServerOptions {
  /** Port on 127.0.0.1 (0: any free port). */
  readonly port: number;
  /** Called once per client when its socket is open; returns its handlers. */
  readonly accept: (socket: ServedSocket) => ServedSocketHandlers;
}

/** A listening WebSocket server. */
export interface RunningWebSocketServer {
  /** The port it listens on. */
  readonly port: number;
  /** Stops listening and waits (briefly) for the clients to go. */
  close(): Promise<void>;
}

/** A web-standard request handler (`Deno.serve`'s), served by {@linkcode CliRuntime.serveHttp}. */
export type HttpHandler = (request: Request) => Response | Promise<Response>;

/** Options of {@linkcode CliRuntime.serveHttp}. */
export interface HttpServerOptions {
  /** Address to listen on (an IP address or a host name; `0.0.0.0` or `::` for every one). */
  readonly hostname: string;
  /** Port (0: any free port). */
  readonly port: number;
  /** Answers every request (streamed bodies, such as server-sent events, included). */
  readonly handler: HttpHandler;
}

/** A listening HTTP server. */
export interface RunningHttpServer {
  /** The port it listens on. */
  readonly port: number;
  /** Stops listening and ends open connections (end streamed responses first). */
  close(): Promise<void>;
}

/** What the CLI needs from its runtime. */
export interface CliRuntime {
  /** `"deno"` or `"node"`. */
  readonly name: string;
  /** The program's arguments (without the runtime and the script). */
  readonly args: readonly string[];
  /** Whether paths are Windows paths (`C:\\…`, `\\\\server\\share`) on this machine. */
  readonly windowsPaths: boolean;
  /** The client's transport for this runtime (`@kalshi-ws/deno` or `@kalshi-ws/node`). */
  readonly transport: Transport;
  /**
   * Time and timers for the client and the commands' own timers (on Deno not `setTimeout`,
   * whose first use costs ~15–20 ms: `deno_clock.ts`).
   */
  readonly clock: Clock;
  /** An environment variable; undefined when unset or not permitted to read. */
  env(name: string): string | undefined;
  /** The process's working directory; undefined when not permitted to know it (`demo`). */
  cwd(): string | undefined;
  /** Whether `path` is an existing directory. */
  isDirectory(path: string): boolean;
  /**
   * Reads a small text file (a key, `.env`), refusing anything larger than `maxBytes` with a
   * `RangeError`: a careless `--private-key-file /dev/zero` must end, not fill the memory.
   */
  readSmallTextFile(path: string, maxBytes?: number): string;
  /** Reads a whole text file (a recording). */
  readTextFile(path: string): Promise<string>;
  /** Reads all of stdin as text (`replay -`). */
  readStdin(): Promise<string>;
  /** Creates (or truncates) a file for writing. */
  createFile(path: string): FileSink;
  /** The process's stdout and stderr, and what they are connected to. */
  streams(): OutputStreams;
  /** Rows of the terminal stdout (or stderr) is, if any. */
  terminalRows(): number | undefined;
  /** Calls `listener` on `signal`; returns the function that stops it (no-op where the OS lacks it). */
  onSignal(signal: CliSignal, listener: () => void): () => void;
  /** Routes errors that escape everything (a bug) to `handler` instead of a stack trace. */
  onUncaughtError(handler: (error: unknown) => void): void;
  /** Ends the process now with `code`. */
  exit(code: number): never;
  /** Serves WebSockets on 127.0.0.1 (`replay --serve`); plain HTTP requests get 426. */
  serveWebSockets(options: WebSocketServerOptions): Promise<RunningWebSocketServer>;
  /**
   * Serves HTTP with a web-standard handler (`--metrics-port`); a port that cannot be bound
   * rejects with an error naming the address and why.
   */
  serveHttp(options: HttpServerOptions): Promise<RunningHttpServer>;
  /** How to grant a permission the runtime refused (Deno's `--allow-*`), if that is the error. */
  permissionHint(error: unknown): string | undefined;
}

/** Default bound of {@linkcode CliRuntime.readSmallTextFile}: 1 MiB. */
export const SMALL_FILE_BYTES = 1024 * 1024;

/** The answer to a plain HTTP request at a WebSocket-only server. */
export const UPGRADE_REQUIRED = "Upgrade Required: connect a WebSocket\n";

/**
 * Reads through `read` (which fills the buffer it is given and returns the bytes read, or 0 or
 * null at the end) and decodes UTF-8, refusing more than `maxBytes`.
 */
export function readBounded(
  read: (into: Uint8Array) => number | null,
  maxBytes: number,
): string {
  const buffer = new Uint8Array(maxBytes + 1);
  let length = 0;
  while (length < buffer.length) {
    const count = read(buffer.subarray(length));
    if (count === null || count === 0) break;
    length += count;
  }
  if (length > maxBytes) throw new RangeError(`larger than ${maxBytes} bytes`);
  return new TextDecoder().decode(buffer.subarray(0, length));
}

/** The signals that end a long-running command besides Ctrl-C (where the OS has them). */
export const TERMINATION_SIGNALS: readonly CliSignal[] = ["SIGTERM", "SIGHUP"];

/** Calls `fn` on SIGTERM or SIGHUP; returns the function that stops listening. */
export function onTermination(runtime: CliRuntime, fn: () => void): () => void {
  const removers = TERMINATION_SIGNALS.map((signal) => runtime.onSignal(signal, fn));
  return () => {
    for (const remove of removers) remove();
  };
}
