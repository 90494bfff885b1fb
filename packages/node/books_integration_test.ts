import { bookIntegritySuite } from "@kalshi-ws/client/testing";
import { transport } from "./mod.ts";

/** CI runs a short version; `KALSHI_WS_BOOK_ROUNDS=2000 deno test -A ...` runs for minutes. */
const rounds = Number(Deno.env.get("KALSHI_WS_BOOK_ROUNDS") ?? "40");

bookIntegritySuite(transport, { rounds });
