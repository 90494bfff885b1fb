/**
 * `deno task bench`: runs every benchmark one after another, each in its own process (so one's
 * heap and JIT state cannot colour the next), passing `--full` through. Each script prints its
 * own report and ends with a JSON line; this runner ends with one JSON line collecting them.
 *
 *   deno task bench            # small defaults: a few minutes in all
 *   deno task bench --full     # the sizes (1 M frames; the memory stream runs 30 min)
 *
 * @module
 */

const full = Deno.args.includes("--full");
const here = (file: string) => new URL(`./${file}`, import.meta.url).pathname;
const gcFlag = "--v8-flags=--expose-gc";

const runs: { name: string; args: string[] }[] = [
  { name: "pipeline", args: ["run", "-A", gcFlag, here("pipeline.ts")] },
  { name: "latency", args: ["run", "-A", gcFlag, here("latency.ts")] },
  { name: "loopback", args: ["run", "-A", gcFlag, here("loopback.ts")] },
  {
    name: "memory",
    args: ["run", "-A", gcFlag, here("memory.ts"), ...(full ? [] : ["--minutes", "2"])],
  },
  { name: "book_memory", args: ["run", gcFlag, here("book_memory.ts")] },
  { name: "order_book_bench", args: ["bench", "-A", here("order_book_bench.ts")] },
];

const results: Record<string, unknown> = {};
for (const run of runs) {
  const args = run.name === "order_book_bench" || run.name === "book_memory"
    ? run.args
    : [...run.args, ...(full ? ["--full"] : [])];
  console.error(`\n=== ${run.name}: deno ${args.join(" ")}`);
  const started = performance.now();
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const text = new TextDecoder().decode(output.stdout);
  await Deno.stdout.write(output.stdout);
  const last = text.trimEnd().split("\n").at(-1) ?? "";
  let summary: unknown = undefined;
  try {
    summary = last.startsWith("{") ? JSON.parse(last) : undefined;
  } catch {
    // not JSON (deno bench prints a table)
  }
  results[run.name] = {
    ok: output.success,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    ...(summary === undefined ? {} : { summary }),
  };
  if (!output.success) console.error(`${run.name} failed with exit code ${output.code}`);
}
console.log(JSON.stringify({ bench: "all", full, results }));
