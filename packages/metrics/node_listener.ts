/**
 * Mounts a web-standard handler on Node's `http.createServer`: the request becomes a `Request`
 * (method, URL, headers; the endpoints read no body), the `Response` is written back with its
 * body streamed (server-sent events included) and cancelled when the client goes away.
 * Structural types stand for Node's, so this module needs neither Node nor `@types/node`.
 *
 * @module
 */

/** What {@linkcode nodeListener} reads of Node's `IncomingMessage`. */
export interface NodeRequestLike {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** What {@linkcode nodeListener} uses of Node's `ServerResponse`. */
export interface NodeResponseLike {
  writeHead(status: number, headers: Record<string, string>): unknown;
  write(chunk: Uint8Array): unknown;
  end(): unknown;
  on(event: "close", listener: () => void): unknown;
}

/** A `(request: Request) => Response` handler, such as `createMetricsHandler`'s. */
export type WebHandler = (request: Request) => Response | Promise<Response>;

/**
 * A request listener for `http.createServer(nodeListener(handler))`; a handler that throws
 * answers 500.
 */
export function nodeListener(
  handler: WebHandler,
): (request: NodeRequestLike, response: NodeResponseLike) => void {
  return (request, response) => void answer(handler, request, response);
}

async function answer(
  handler: WebHandler,
  request: NodeRequestLike,
  response: NodeResponseLike,
): Promise<void> {
  let reply: Response;
  try {
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === "string") headers.set(name, value);
      else if (Array.isArray(value)) { for (const v of value) headers.append(name, v); }
    }
    const host = typeof request.headers.host === "string" ? request.headers.host : "localhost";
    const url = new URL(request.url ?? "/", `http://${host}`);
    reply = await handler(new Request(url, { method: request.method ?? "GET", headers }));
  } catch {
    reply = new Response("Internal Server Error\n", { status: 500 });
  }
  response.writeHead(reply.status, Object.fromEntries(reply.headers));
  const body = reply.body;
  if (body === null || request.method === "HEAD") {
    await body?.cancel();
    response.end();
    return;
  }
  const reader = body.getReader();
  response.on("close", () => void reader.cancel().catch(() => {}));
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      response.write(value);
    }
  } catch {
    // the client went away, or the body failed: end the answer
  }
  response.end();
}
