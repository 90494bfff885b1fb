/**
 * One named check of `deno task test:node` and how it is reported: `ok - name`, or
 * `not ok - name` followed by the problems, indented.
 *
 * @module
 */

/** The outcome of one check: passed when there are no problems. */
export interface CheckResult {
  readonly name: string;
  readonly problems: readonly string[];
}

/** Runs `body` (which returns the problems it found); a thrown error is a problem too. */
export async function check(
  name: string,
  body: () => string[] | Promise<string[]>,
): Promise<CheckResult> {
  let problems: string[];
  try {
    problems = await body();
  } catch (error) {
    problems = [error instanceof Error ? error.message : String(error)];
  }
  const result = { name, problems };
  console.log(report(result));
  return result;
}

/** The report lines of one check. */
export function report(result: CheckResult): string {
  if (result.problems.length === 0) return `ok - ${result.name}`;
  const details = result.problems.flatMap((p) => p.split("\n")).map((line) => `    ${line}`);
  return [`not ok - ${result.name}`, ...details].join("\n");
}
