/**
 * Shared plumbing of the benchmark scripts: command-line flags, interleaved rounds, forced GCs
 * when available, a machine description, and the JSON summary line every script ends with.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { median, round } from "./_pipeline_workload.ts";

/** Flags every benchmark script understands. */
export interface BenchFlags {
  /** Full-size run (the sizes of the issue); otherwise smaller defaults that finish quickly. */
  readonly full: boolean;
  /** Rounds of baseline + candidate, interleaved. */
  readonly rounds: number | undefined;
  /** Script-specific knobs as strings (`--frames 200000`, `--minutes 30`, …). */
  readonly values: Readonly<Record<string, string | undefined>>;
}

/** Parses `--full`, `--rounds N` and any `--name value` listed in `names`. */
export function benchFlags(names: readonly string[] = []): BenchFlags {
  const options: Record<string, { type: "string" | "boolean" }> = {
    full: { type: "boolean" },
    rounds: { type: "string" },
  };
  for (const name of names) options[name] = { type: "string" };
  const { values } = parseArgs({ args: Deno.args, options, strict: true });
  const strings: Record<string, string | undefined> = {};
  for (const name of names) strings[name] = values[name] as string | undefined;
  return {
    full: values.full === true,
    rounds: values.rounds === undefined ? undefined : Number(values.rounds),
    values: strings,
  };
}

/** Runs a full GC when the script was started with `--v8-flags=--expose-gc`. */
export function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) {
    gc();
    gc();
  }
}

/** Whether forced GCs are available. */
export function canCollect(): boolean {
  return typeof (globalThis as { gc?: () => void }).gc === "function";
}

/** CPU model, core count, runtime versions: what a result table row needs. */
export function machine(): Record<string, string | number> {
  let cpu = "unknown";
  try {
    const info = Deno.readTextFileSync("/proc/cpuinfo");
    cpu = /model name\s*:\s*(.+)/.exec(info)?.[1]?.trim() ?? cpu;
  } catch {
    // not Linux
  }
  return {
    cpu,
    cores: navigator.hardwareConcurrency,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    os: Deno.build.os,
  };
}

/** One measured variant: per-round times (ms) for a fixed amount of work. */
export class Series {
  readonly times: number[] = [];
  readonly name: string;
  /** Items processed per round (frames, deltas). */
  readonly work: number;

  constructor(name: string, work: number) {
    this.name = name;
    this.work = work;
  }

  /** Times `fn` once and records it. */
  run(fn: () => void): void {
    const start = performance.now();
    fn();
    this.times.push(performance.now() - start);
  }

  /** Median items per second over the rounds. */
  get rate(): number {
    return this.work / (median(this.times) / 1000);
  }
}

/**
 * Median over rounds of `baseline time / candidate time` (> 1: the candidate is faster), from
 * rounds measured back to back so both saw the same machine load.
 */
export function ratio(candidate: Series, baseline: Series): number {
  const ratios = candidate.times.map((t, i) => baseline.times[i]! / t);
  return round(median(ratios), 3);
}

/** Prints `summary` as the script's last line (machine-readable). */
export function printSummary(summary: Record<string, unknown>): void {
  console.log(JSON.stringify(summary));
}

/** Formats a rate for humans: `1.23 M/s`. */
export function formatRate(perSecond: number): string {
  return perSecond >= 1e6
    ? `${(perSecond / 1e6).toFixed(2)} M/s`
    : `${(perSecond / 1e3).toFixed(1)} k/s`;
}
