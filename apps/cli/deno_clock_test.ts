import { test } from "node:test";
import assert from "node:assert/strict";
import { clearSignalTimer, denoClock, setSignalTimer } from "./deno_clock.ts";

test("denoClock timers fire once, in delay order; a cleared one never fires", async () => {
  const fired: string[] = [];
  const done = Promise.withResolvers<void>();
  setSignalTimer(() => fired.push("b"), 30);
  const cleared = setSignalTimer(() => fired.push("cleared"), 10);
  setSignalTimer(() => fired.push("a"), 1.2); // fractional: rounded up, never early
  setSignalTimer(() => fired.push("now"), -5);
  setSignalTimer(() => fired.push("nan"), Number.NaN);
  clearSignalTimer(cleared);
  clearSignalTimer(cleared); // twice: still a no-op
  clearSignalTimer(undefined);
  denoClock.setTimer(() => {
    fired.push("last");
    done.resolve();
  }, 60);
  await done.promise;
  assert.deepEqual(fired.slice(2), ["a", "b", "last"]);
  assert.deepEqual(new Set(fired.slice(0, 2)), new Set(["now", "nan"]));
});

test("a cleared denoClock timer does not keep the process alive", async () => {
  // A child that arms an hour-long timer and clears it must exit by itself.
  const source = `import { denoClock } from ${
    JSON.stringify(new URL("./deno_clock.ts", import.meta.url).href)
  };
    const timer = denoClock.setTimer(() => console.log("fired"), 3_600_000);
    denoClock.clearTimer(timer);
    console.log("cleared");`;
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-config", source],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(new TextDecoder().decode(result.stderr), "");
  assert.equal(new TextDecoder().decode(result.stdout), "cleared\n");
  assert.equal(result.code, 0);
});
