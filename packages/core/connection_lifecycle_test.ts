import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ConnectionLifecycle,
  type LifecycleCommand,
  type LifecycleEvent,
  type LifecycleOptions,
} from "./connection_lifecycle.ts";

/** A lifecycle with a recording link and deterministic backoff (random fixed at 1). */
function lifecycle(options: LifecycleOptions = {}) {
  const link: string[] = [];
  const life = new ConnectionLifecycle({
    reconnect: { random: () => 1 },
    link: {
      opened: (now) => link.push(`opened@${now}`),
      closed: (code, reason, now) => link.push(`closed ${code} ${reason}@${now}`),
    },
    ...options,
  });
  const commands = (): LifecycleCommand[] => {
    const out: LifecycleCommand[] = [];
    for (let c = life.pollCommand(); c !== undefined; c = life.pollCommand()) out.push(c);
    return out;
  };
  const events = (): LifecycleEvent[] => {
    const out: LifecycleEvent[] = [];
    for (let e = life.pollEvent(); e !== undefined; e = life.pollEvent()) out.push(e);
    return out;
  };
  return { life, link, commands, events };
}

/** Started and open on socket 1 at t=10. */
function opened(options: LifecycleOptions = {}) {
  const t = lifecycle(options);
  t.life.start(0);
  t.commands();
  t.life.socketOpened(1, 10);
  return t;
}

test("ConnectionLifecycle.start() asks for a socket and arms the handshake deadline", () => {
  const { life, commands, link } = lifecycle();
  life.start(0);
  assert.deepEqual(commands(), [{ type: "open", socket: 1 }]);
  assert.equal(life.state, "connecting");
  assert.equal(life.pollTimeout(), 10_000);
  life.socketOpened(1, 40);
  assert.equal(life.state, "open");
  assert.equal(life.pollTimeout(), undefined);
  assert.deepEqual(link, ["opened@40"]);
  assert.equal(life.opens, 1);
  assert.throws(() => life.start(50), /Cannot start a connection lifecycle that is open/);
});

test("ConnectionLifecycle.handleTimeout() gives up on a first handshake that never completes", () => {
  const { life, commands, events } = lifecycle({ handshakeTimeoutMs: 3_000 });
  life.start(0);
  commands();
  life.handleTimeout(2_999);
  assert.deepEqual(commands(), []);
  life.handleTimeout(3_000);
  assert.deepEqual(commands(), [{
    type: "close",
    socket: 1,
    code: 1000,
    reason: "Handshake timed out after 3000 ms",
  }]);
  assert.deepEqual(events(), [{
    type: "given_up",
    failure: { message: "Handshake timed out after 3000 ms", timedOut: true },
    rejected: false,
  }]);
  assert.equal(life.state, "closed");
  assert.equal(life.pollTimeout(), undefined);
  life.socketOpened(1, 3_500); // too late: ignored
  assert.equal(life.state, "closed");
});

test("ConnectionLifecycle.handleTimeout() abandons a hung reconnect handshake, backs off and retries", () => {
  const { life, commands, events, link } = opened({ handshakeTimeoutMs: 5_000 });
  life.socketClosed(1, 1006, "", 1_000);
  assert.deepEqual(link, ["opened@10", "closed 1006 @1000"]);
  assert.deepEqual(events(), [
    { type: "reconnecting", attempt: 1, delayMs: 1_000, failure: undefined },
  ]);
  life.handleTimeout(2_000);
  assert.deepEqual(commands(), [{ type: "open", socket: 2 }]);
  assert.equal(life.pollTimeout(), 7_000);
  life.handleTimeout(7_000); // the server accepted TCP but never answered the upgrade
  assert.deepEqual(commands(), [{
    type: "close",
    socket: 2,
    code: 1000,
    reason: "Handshake timed out after 5000 ms",
  }]);
  assert.deepEqual(events(), [{
    type: "reconnecting",
    attempt: 2,
    delayMs: 2_000,
    failure: { message: "Handshake timed out after 5000 ms", timedOut: true },
  }]);
  life.handshakeFailed(2, { message: "aborted" }, 7_001); // the aborted socket's late event
  life.socketOpened(2, 7_002);
  assert.equal(life.state, "backing_off");
  life.handleTimeout(9_000);
  assert.deepEqual(commands(), [{ type: "open", socket: 3 }]);
  life.socketOpened(3, 9_050);
  assert.equal(life.state, "open");
  assert.deepEqual(link.at(-1), "opened@9050");
});

test("ConnectionLifecycle.handshakeFailed() counts 401 and 403 alike and gives up at the third in a row", () => {
  const { life, commands, events } = opened();
  life.socketClosed(1, 1006, "", 100);
  let now = 100;
  let socket = 1;
  for (const status of [401, 503, 403]) {
    now = life.pollTimeout()!;
    life.handleTimeout(now);
    socket = (commands()[0] as { socket: number }).socket;
    life.handshakeFailed(socket, { status, message: `status ${status}` }, now);
  }
  assert.equal(life.state, "backing_off");
  now = life.pollTimeout()!;
  life.handleTimeout(now);
  socket = (commands()[0] as { socket: number }).socket;
  life.handshakeFailed(socket, { status: 401, message: "status 401" }, now);
  const last = events().at(-1)!;
  assert.deepEqual(last, {
    type: "given_up",
    failure: { status: 401, message: "status 401" },
    rejected: true,
  });
  assert.equal(life.state, "closed");
});

test("ConnectionLifecycle waits at least a refusal's Retry-After before the next attempt, up to the backoff's cap", () => {
  const { life, commands, events } = opened();
  life.socketClosed(1, 1006, "", 100);
  events();
  let now = life.pollTimeout()!;
  life.handleTimeout(now);
  let socket = (commands()[0] as { socket: number }).socket;
  // 429 Retry-After: 12 s while the backoff would wait 2 s: the server's word wins.
  life.handshakeFailed(socket, { status: 429, message: "429", retryAfterMs: 12_000 }, now);
  assert.deepEqual(events().map((e) => e.type === "reconnecting" && e.delayMs), [12_000]);
  assert.equal(life.pollTimeout(), now + 12_000);
  // A shorter Retry-After than the backoff does not hurry the client.
  now = life.pollTimeout()!;
  life.handleTimeout(now);
  socket = (commands()[0] as { socket: number }).socket;
  life.handshakeFailed(socket, { status: 503, message: "503", retryAfterMs: 1 }, now);
  assert.deepEqual(events().map((e) => e.type === "reconnecting" && e.delayMs), [4_000]);
  // A hostile Retry-After (a day) cannot stall the client beyond the cap (30 s).
  now = life.pollTimeout()!;
  life.handleTimeout(now);
  socket = (commands()[0] as { socket: number }).socket;
  life.handshakeFailed(socket, { status: 503, message: "503", retryAfterMs: 86_400_000 }, now);
  assert.deepEqual(events().map((e) => e.type === "reconnecting" && e.delayMs), [30_000]);
  assert.equal(life.pollTimeout(), now + 30_000);
});

test("ConnectionLifecycle.socketOpened() resets the rejection count", () => {
  const { life, commands, events } = opened({ reconnect: { maxHandshakeRejections: 2 } });
  for (let round = 0; round < 3; round++) {
    life.socketClosed(life.socket!, 1006, "", life.pollTimeout() ?? 100);
    let now = life.pollTimeout()!;
    life.handleTimeout(now);
    life.handshakeFailed((commands()[0] as { socket: number }).socket, {
      status: 403,
      message: "forbidden",
    }, now);
    now = life.pollTimeout()!;
    life.handleTimeout(now);
    life.socketOpened((commands()[0] as { socket: number }).socket, now);
    assert.equal(life.state, "open");
  }
  assert.ok(events().every((e) => e.type === "reconnecting"));
});

test("ConnectionLifecycle.handshakeFailed() is final before the first connection ever opened", () => {
  const { life, commands, events } = lifecycle();
  life.start(0);
  commands();
  const cause = new Error("bad key");
  life.handshakeFailed(1, { message: "signer failed", cause }, 5);
  assert.deepEqual(events(), [{
    type: "given_up",
    failure: { message: "signer failed", cause },
    rejected: false,
  }]);
  assert.deepEqual(commands(), []);
});

test("ConnectionLifecycle.linkDead() closes the socket with 4000, tells the link 1006 and reconnects", () => {
  const { life, commands, events, link } = opened();
  life.linkDead(30_000);
  assert.deepEqual(commands(), [{
    type: "close",
    socket: 1,
    code: 4000,
    reason: "Liveness probe unanswered",
  }]);
  assert.deepEqual(link, ["opened@10", "closed 1006 Liveness probe unanswered@30000"]);
  assert.equal(events()[0]!.type, "reconnecting");
  life.socketClosed(1, 4000, "Liveness probe unanswered", 30_010); // late: ignored
  assert.equal(link.length, 2);
  assert.equal(life.state, "backing_off");
});

test("ConnectionLifecycle.close() waits for the close frame, then ends; the deadline cuts it", () => {
  const clean = opened();
  clean.life.close(100);
  assert.equal(clean.life.state, "closing");
  assert.equal(clean.life.willReconnect, false);
  assert.deepEqual(clean.commands(), [{
    type: "close",
    socket: 1,
    code: 1000,
    reason: "client closed",
  }]);
  assert.equal(clean.life.pollTimeout(), 2_100);
  clean.life.socketClosed(1, 1000, "bye", 150);
  assert.deepEqual(clean.events(), [{ type: "closed" }]);
  assert.deepEqual(clean.link.at(-1), "closed 1000 bye@150");

  const unanswered = opened({ closeTimeoutMs: 500 });
  unanswered.life.close(100);
  unanswered.commands();
  unanswered.life.handleTimeout(600);
  assert.deepEqual(unanswered.commands(), [{
    type: "close",
    socket: 1,
    code: 1000,
    reason: "client closed",
  }]);
  assert.deepEqual(unanswered.events(), [{ type: "closed" }]);
  assert.deepEqual(unanswered.link.at(-1), "closed 1000 client closed@600");
  assert.equal(unanswered.life.pollTimeout(), undefined);
});

test("ConnectionLifecycle.close() ends at once while connecting, backing off or idle", () => {
  const connecting = lifecycle();
  connecting.life.start(0);
  connecting.commands();
  connecting.life.close(5);
  assert.deepEqual(connecting.commands(), [{
    type: "close",
    socket: 1,
    code: 1000,
    reason: "client closed",
  }]);
  assert.deepEqual(connecting.events(), [{ type: "closed" }]);
  assert.equal(connecting.life.pollTimeout(), undefined);
  connecting.life.socketOpened(1, 6); // the aborted handshake completed anyway: ignored
  assert.equal(connecting.life.state, "closed");
  assert.deepEqual(connecting.link, []);

  const backingOff = opened();
  backingOff.life.socketClosed(1, 1006, "", 50);
  backingOff.events();
  backingOff.life.close(60);
  assert.deepEqual(backingOff.events(), [{ type: "closed" }]);
  assert.deepEqual(backingOff.commands(), []);
  assert.equal(backingOff.life.pollTimeout(), undefined);

  const idle = lifecycle();
  idle.life.close(0);
  assert.deepEqual(idle.events(), [{ type: "closed" }]);
  idle.life.close(1);
  assert.deepEqual(idle.events(), []);
});

test("ConnectionLifecycle.socketClosed() ends the lifecycle at the first drop when reconnect is off", () => {
  const { life, events, link } = opened({ reconnect: false });
  assert.equal(life.willReconnect, false);
  life.socketClosed(1, 1006, "gone", 70);
  assert.deepEqual(events(), [{ type: "closed" }]);
  assert.deepEqual(link.at(-1), "closed 1006 gone@70");
  assert.equal(life.state, "closed");
});

test("ConnectionLifecycle backs off from the start again after a stable connection", () => {
  const { life, commands, events } = opened({
    reconnect: { random: () => 1, stableAfterMs: 60_000 },
  });
  life.socketClosed(1, 1006, "", 100);
  life.handleTimeout(life.pollTimeout()!);
  life.handshakeFailed(2, { message: "refused" }, 1_100);
  life.handleTimeout(life.pollTimeout()!);
  life.socketOpened(3, 3_100);
  life.socketClosed(3, 1006, "", 63_100);
  commands();
  const delays = events().flatMap((e) => e.type === "reconnecting" ? [e.delayMs] : []);
  assert.deepEqual(delays, [1_000, 2_000, 1_000]);
});

test("new ConnectionLifecycle() refuses options that make no sense", () => {
  assert.throws(() => new ConnectionLifecycle({ handshakeTimeoutMs: 0 }), RangeError);
  assert.throws(() => new ConnectionLifecycle({ closeTimeoutMs: -1 }), RangeError);
  assert.throws(
    () => new ConnectionLifecycle({ reconnect: { maxHandshakeRejections: 0 } }),
    RangeError,
  );
});
