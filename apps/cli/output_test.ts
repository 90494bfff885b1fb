import { test } from "node:test";
import assert from "node:assert/strict";
import { Output } from "./output.ts";
import { MemoryStreams } from "./_test_streams.ts";

test("Output writes data lines to stdout and status to stderr", () => {
  const streams = new MemoryStreams();
  const out = new Output(streams, "normal");
  assert.equal(out.json({ a: 1 }), true);
  out.status("connected");
  out.debug("hidden");
  assert.equal(streams.stdout, '{"a":1}\n');
  assert.equal(streams.stderr, "connected\n");
});

test("Output turns a broken pipe into closed and stops writing", () => {
  const streams = new MemoryStreams();
  const out = new Output(streams, "normal");
  streams.broken = true;
  assert.equal(out.line("x"), false);
  assert.equal(out.closed, true);
  streams.broken = false;
  assert.equal(out.line("y"), false, "stays closed");
  assert.equal(streams.stdout, "");
});

test("Output colours stderr only on a terminal without NO_COLOR; quiet keeps errors", () => {
  const tty = new MemoryStreams({ terminal: true });
  new Output(tty, "normal").warn("w");
  assert.equal(tty.stderr, "\x1b[33mw\x1b[0m\n");
  const noColor = new MemoryStreams({ terminal: true, noColor: true });
  const quiet = new Output(noColor, "quiet");
  quiet.status("s");
  quiet.error("e");
  assert.equal(noColor.stderr, "e\n");
  assert.equal(new Output(noColor, "normal").color, false);
  assert.equal(new Output(tty, "normal").color, true);
});

test("Output.divertStatus() hands status to a live view and keeps a shared terminal clean", () => {
  const tty = new MemoryStreams({ terminal: true, noColor: true });
  const out = new Output(tty, "normal");
  const seen: [string, boolean][] = [];
  const undo = out.divertStatus((message, warning) => seen.push([message, warning]));
  out.status("reconnected");
  out.warn("gap");
  out.error("fatal");
  assert.deepEqual(seen, [["reconnected", false], ["gap", true]]);
  assert.equal(tty.stderr, "fatal\n", "errors still reach stderr");
  undo();
  out.status("after");
  assert.equal(tty.stderr, "fatal\nafter\n");
  const piped = new MemoryStreams();
  const out2 = new Output(piped, "normal");
  out2.divertStatus(() => {});
  out2.status("kept");
  assert.equal(piped.stderr, "kept\n", "redirected stderr keeps every line");
});

/** Streams whose async stdout writes take at most `chunk` bytes and settle when released. */
class SlowStreams extends MemoryStreams {
  readonly pending: (() => void)[] = [];
  readonly chunk: number;
  constructor(chunk: number) {
    super();
    this.chunk = chunk;
  }
  writeOutAsync(bytes: Uint8Array): Promise<number> {
    return new Promise((resolve, reject) => {
      this.pending.push(() => {
        if (this.broken) reject(new Deno.errors.BrokenPipe("Broken pipe (os error 32)"));
        else resolve(this.writeOut(bytes.subarray(0, this.chunk)));
      });
    });
  }
  /** Settles the writes under way until none is left. */
  async drain(): Promise<void> {
    for (let i = 0; i < 1000; i++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      const next = this.pending.shift();
      if (next === undefined) return;
      next();
    }
  }
}

test("Output.bytesInBackground() writes everything in order, later writes queued behind it", async () => {
  const streams = new SlowStreams(3);
  const out = new Output(streams, "normal");
  const written = out.bytesInBackground(new TextEncoder().encode("first line\n"));
  assert.equal(out.line("second"), true);
  assert.equal(out.json({ third: 3 }), true);
  assert.equal(streams.stdout, "", "nothing written synchronously");
  await streams.drain();
  assert.equal(await written, true);
  await Promise.resolve();
  assert.equal(streams.stdout, 'first line\nsecond\n{"third":3}\n');
  assert.equal(out.line("after"), true);
  assert.equal(String(streams.stdout).endsWith("after\n"), true, "written at once again");
});

test("Output.bytesInBackground() turns a broken pipe into closed; without an async writer it writes at once", async () => {
  const streams = new SlowStreams(4);
  const out = new Output(streams, "normal");
  const written = out.bytesInBackground(new TextEncoder().encode("0123456789"));
  streams.broken = true;
  await streams.drain();
  assert.equal(await written, false);
  assert.equal(out.closed, true);
  const plain = new MemoryStreams();
  assert.equal(
    await new Output(plain, "normal").bytesInBackground(new TextEncoder().encode("x\n")),
    true,
  );
  assert.equal(plain.stdout, "x\n");
});
