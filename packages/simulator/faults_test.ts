/**
 * The simulator's faults at the edges of a connection, over real loopback sockets: handshakes
 * never answered or refused for a while, a command swallowed with the link cut before its
 * reply, and terminal-error storms on one channel.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { startSimulator } from "./server.ts";
import { TestClient, webCryptoHeaders } from "./_test_client.ts";

/** Opens a raw WebSocket and reports how its handshake ended within `withinMs`. */
async function handshake(url: string, headers: Record<string, string>, withinMs: number) {
  const ws = new WebSocket(url, { headers } as unknown as string[]);
  const outcome = await new Promise<string>((resolve) => {
    const timer = setTimeout(() => resolve("pending"), withinMs);
    ws.onopen = () => {
      clearTimeout(timer);
      resolve("open");
    };
    ws.onerror = (event) => {
      clearTimeout(timer);
      resolve(`error: ${(event as ErrorEvent).message}`);
    };
  });
  await new Promise<void>((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve();
    ws.onclose = () => resolve();
    ws.close();
  });
  return outcome;
}

test("Faults.hangHandshakes() leaves the next handshakes unanswered, then serves again", async () => {
  await using sim = await startSimulator({ autoStart: false, pingIntervalMs: 0 });
  const headers = await webCryptoHeaders(sim.keyId, sim.privateKeyPem);
  sim.faults.hangHandshakes(1);
  assert.equal(await handshake(sim.url, headers, 400), "pending");
  assert.equal(await handshake(sim.url, headers, 5_000), "open");
  assert.deepEqual(sim.stats().handshakes, { accepted: 1, refused: 0, hung: 1 });
});

test("Faults.hangHandshakesFor() and rejectHandshakesFor() hold for a while, recoverHandshakes() ends them", async () => {
  await using sim = await startSimulator({ autoStart: false, pingIntervalMs: 0 });
  const headers = await webCryptoHeaders(sim.keyId, sim.privateKeyPem);
  sim.faults.rejectHandshakesFor(300, 503);
  assert.match(await handshake(sim.url, headers, 5_000), /503/);
  await new Promise((resolve) => setTimeout(resolve, 350));
  assert.equal(await handshake(sim.url, headers, 5_000), "open");
  sim.faults.hangHandshakesFor(Infinity);
  assert.equal(await handshake(sim.url, headers, 300), "pending");
  assert.equal(await handshake(sim.url, headers, 300), "pending");
  sim.faults.recoverHandshakes();
  assert.equal(await handshake(sim.url, headers, 5_000), "open");
  assert.deepEqual(sim.stats().handshakes, { accepted: 2, refused: 1, hung: 2 });
});

test("Faults.dropBeforeReply() swallows the next subscribe and cuts the link before any reply", async () => {
  await using sim = await startSimulator({ autoStart: false, pingIntervalMs: 0 });
  const client = await TestClient.connect(
    sim.url,
    await webCryptoHeaders(sim.keyId, sim.privateKeyPem),
  );
  sim.faults.dropBeforeReply({ cmd: "subscribe" });
  const [listed] = await client.request({ cmd: "list_subscriptions" });
  assert.equal(listed!.type, "ok", "other commands are still answered");
  client.send({ cmd: "subscribe", params: { channels: ["trade"] } });
  await client.closed();
  assert.equal(client.frames.filter((f) => f.type === "subscribed").length, 0);
  assert.equal(sim.stats().commands.subscribe, 1);
  const again = await TestClient.connect(
    sim.url,
    await webCryptoHeaders(sim.keyId, sim.privateKeyPem),
  );
  const [subscribed] = await again.request({ cmd: "subscribe", params: { channels: ["trade"] } });
  assert.equal(subscribed!.type, "subscribed", "armed once");
  await again.close();
});

test("Faults.errorStorm() kills every subscription of the channel as soon as it exists, until stopped", async () => {
  await using sim = await startSimulator({ autoStart: false, pingIntervalMs: 0 });
  const client = await TestClient.connect(
    sim.url,
    await webCryptoHeaders(sim.keyId, sim.privateKeyPem),
  );
  const [ticker] = await client.request({ cmd: "subscribe", params: { channels: ["ticker"] } });
  const [live] = await client.request({ cmd: "subscribe", params: { channels: ["trade"] } });
  sim.faults.errorStorm({ channel: "trade", code: 25 });
  await client.waitFor((f) => f.type === "error" && f.sid === live!.msg.sid);
  for (let i = 0; i < 3; i++) {
    const [subscribed] = await client.request({
      cmd: "subscribe",
      params: { channels: ["trade"] },
    });
    const [killed] = await client.waitFor(
      (f) => f.type === "error" && f.sid === subscribed!.msg.sid,
    );
    assert.equal(killed!.msg.code, 25);
  }
  assert.equal(sim.faults.stormKills, 4);
  assert.deepEqual(
    sim.connections()[0]!.subscriptions.map((s) => s.sid),
    [ticker!.msg.sid],
    "other channels are spared",
  );
  sim.faults.stopErrorStorm();
  const [calm] = await client.request({ cmd: "subscribe", params: { channels: ["trade"] } });
  sim.step(5);
  await client.request({ cmd: "list_subscriptions" });
  assert.ok(sim.connections()[0]!.subscriptions.some((s) => s.sid === calm!.msg.sid));
  await client.close();
});
