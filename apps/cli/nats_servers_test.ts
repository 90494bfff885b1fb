import { test } from "node:test";
import assert from "node:assert/strict";
import { UsageError } from "./args.ts";
import { DEFAULT_NATS_URL, describeNatsServers, natsServers } from "./nats_servers.ts";

test("natsServers() takes repeated and comma-separated --nats values, else NATS_URL, else the local default", () => {
  assert.deepEqual(
    natsServers(["nats://10.0.0.5:4222,nats://10.0.0.6:4222", " 10.0.0.7:4222 "], "nats://x:1"),
    ["nats://10.0.0.5:4222", "nats://10.0.0.6:4222", "10.0.0.7:4222"],
  );
  assert.deepEqual(natsServers(["nats://a:1", "nats://a:1"], undefined), ["nats://a:1"]);
  assert.deepEqual(natsServers([], "nats://a:1,tls://b:2"), ["nats://a:1", "tls://b:2"]);
  assert.deepEqual(natsServers([], ""), [DEFAULT_NATS_URL]);
  assert.deepEqual(natsServers([], undefined), [DEFAULT_NATS_URL]);
});

test("natsServers() names a malformed server as a usage error, and never shows its password", () => {
  const cases: [string[], string | undefined, RegExp][] = [
    [["nats://a:1,"], undefined, /Invalid --nats 'nats:\/\/a:1,': an empty server/],
    [["ws://a:1"], undefined, /Invalid --nats server 'ws:\/\/a:1': expected nats:\/\//],
    [["nats://a:99999"], undefined, /not a server address/],
    [["nats://a:1/path"], undefined, /no path/],
    [[], "nats://a:1,,b:2", /Invalid NATS_URL/],
    [["http://user:secret@a:1"], undefined, /'http:\/\/\*\*\*@a:1'/],
  ];
  for (const [flags, env, message] of cases) {
    assert.throws(() => natsServers(flags, env), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, message);
      assert.doesNotMatch(error.message, /secret/);
      return true;
    });
  }
});

test("describeNatsServers() hides credentials in server URLs", () => {
  assert.equal(
    describeNatsServers(["nats://user:pw@a:1", "tok@b:2", "nats://c:3"]),
    "nats://***@a:1,***@b:2,nats://c:3",
  );
});
