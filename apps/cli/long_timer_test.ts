import { test } from "node:test";
import assert from "node:assert/strict";
import { MAX_TIMER_MS, setLongTimeout, type TimerHost } from "./long_timer.ts";

/** A manual clock: timers fire when `advance()` passes them. */
class ManualTimers implements TimerHost {
  time = 0;
  readonly timers = new Map<number, { at: number; fn: () => void }>();
  readonly delays: number[] = [];
  #next = 1;
  now(): number {
    return this.time;
  }
  set(fn: () => void, ms: number): unknown {
    assert.ok(ms >= 0 && ms <= MAX_TIMER_MS, `delay ${ms} within setTimeout's range`);
    this.delays.push(ms);
    const id = this.#next++;
    this.timers.set(id, { at: this.time + ms, fn });
    return id;
  }
  clear(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at);
      if (due.length === 0) break;
      const [id, timer] = due[0]!;
      this.timers.delete(id);
      this.time = timer.at;
      timer.fn();
    }
    this.time = end;
  }
}

const DAY = 86_400_000;

test("setLongTimeout() waits 30 days in chunks setTimeout accepts, and fires once at the end", () => {
  const host = new ManualTimers();
  let fired = 0;
  setLongTimeout(() => fired++, 30 * DAY, host);
  host.advance(24 * DAY);
  assert.equal(fired, 0, "not after 24 days (a plain setTimeout would have fired at once)");
  host.advance(6 * DAY - 1);
  assert.equal(fired, 0, "not a millisecond early");
  host.advance(1);
  assert.equal(fired, 1);
  host.advance(100 * DAY);
  assert.equal(fired, 1, "once");
  assert.ok(host.delays.length >= 2, "chunked");
});

test("setLongTimeout() short delays are a single timer; cancelling stops it", () => {
  const host = new ManualTimers();
  let fired = 0;
  setLongTimeout(() => fired++, 1500, host);
  host.advance(1500);
  assert.equal(fired, 1);
  assert.deepEqual(host.delays, [1500]);
  const cancel = setLongTimeout(() => fired++, 40 * DAY, host);
  host.advance(30 * DAY);
  cancel();
  host.advance(30 * DAY);
  assert.equal(fired, 1, "cancelled mid-way");
});
