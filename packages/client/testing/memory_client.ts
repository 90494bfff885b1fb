/**
 * Test helper: a client connected over the memory transport with a manual clock, a fake signer
 * that records what it signed, and the first socket accepted — the starting point of the
 * client's unit tests.
 *
 * @module
 */

import { connect, type KalshiWsClient } from "../client.ts";
import type { ClientEvent } from "../client_event.ts";
import type { ClientOptions } from "../client_options.ts";
import type { Signer } from "../signer.ts";
import { flushMicrotasks, ManualClock } from "./manual_clock.ts";
import { type MemorySocket, MemoryTransport } from "./memory_transport.ts";

/** A signer that records what it signed (the real one is tested in signer_test.ts). */
export function fakeSigner(): Signer & { messages: string[] } {
  const messages: string[] = [];
  return {
    messages,
    sign(message) {
      messages.push(message);
      return Promise.resolve(`sig:${message}`);
    },
  };
}

export interface Harness {
  readonly clock: ManualClock;
  readonly transport: MemoryTransport;
  readonly signer: ReturnType<typeof fakeSigner>;
  readonly client: KalshiWsClient;
  readonly events: ClientEvent[];
  readonly socket: () => MemorySocket;
}

/** Connects a client over the memory transport and accepts the first socket. */
export async function open(overrides: Partial<ClientOptions> = {}): Promise<Harness> {
  const clock = new ManualClock();
  const transport = new MemoryTransport({ seesPings: false });
  const signer = fakeSigner();
  const connecting = connect({
    transport,
    endpoint: "ws://sim.test/trade-api/ws/v2",
    keyId: "key-1",
    signer,
    clock,
    reconnect: { random: () => 1 },
    resubscribe: { random: () => 1 },
    ...overrides,
  });
  await flushMicrotasks();
  transport.last.accept();
  const client = await connecting;
  const events: ClientEvent[] = [];
  client.on("*", (event) => events.push(event));
  return { clock, transport, signer, client, events, socket: () => transport.last };
}

/** Answers the last `subscribe` on `socket` with one `subscribed` per channel, sids from `sid`. */
export function ackSubscribe(socket: MemorySocket, sid: number): void {
  const command = socket.commands("subscribe").at(-1)!;
  const params = command.params as { channels: string[] };
  params.channels.forEach((channel, i) =>
    socket.receive({ id: command.id, type: "subscribed", msg: { channel, sid: sid + i } })
  );
}
