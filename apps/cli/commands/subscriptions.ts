/**
 * `kalshi-ws subscriptions`: connects and lists the server's subscriptions for the connection
 * (`list_subscriptions`), optionally after subscribing with `-c`/`-m`.
 *
 * @module
 */

import type { CommandContext } from "../context.ts";
import { openClient, shutdown } from "../connect.ts";
import { subscribeParams } from "./stream.ts";

/** Runs `subscriptions`. */
export async function subscriptions(context: CommandContext): Promise<number> {
  const { args, out, format } = context;
  const params = args.channels.length > 0 ? subscribeParams(args, "subscriptions") : undefined;
  const client = await openClient(context);
  try {
    // Every wait ends with the run (Ctrl-C, SIGTERM, --duration), in any connection state.
    const subscription = params === undefined
      ? undefined
      : await context.lifetime.until(client.subscribe(params));
    const list = await context.lifetime.until(client.listSubscriptions());
    if (list.length === 0) out.status("no subscriptions on this connection");
    for (const entry of list) {
      if (format === "ndjson") out.json(entry);
      else out.line(`sid ${entry.sid}  ${entry.channel}`);
    }
    await shutdown(context, client, subscription === undefined ? [] : [subscription]);
  } finally {
    await client.close();
  }
  return 0;
}
