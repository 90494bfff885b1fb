/**
 * Checks that the install lines the READMEs give work as written: each `npm install ./….tgz …`
 * line runs in a fresh directory holding the tarballs, every `@kalshi-ws/*` package then comes
 * from a tarball (never from the registry), the package loads, the `npx …` commands given with
 * the line run there as written with no `deno` on the `PATH` (`npx kalshi-ws demo … | head`),
 * and the programs the root README shows after a line run there as written (the NATS one
 * against `NATS_URL`).
 *
 * @module
 */

import { pathWithoutDeno, run } from "../_npm.ts";
import { check, type CheckResult } from "./check.ts";
import { type FencedBlock, fencedBlocks, markdownSection } from "./readme.ts";

/** The root README's section the Node instructions live in. */
export const NODE_SECTION = "Install from npm (Node)";

/** A program of the root README's Node section, with the install line it follows. */
export interface ReadmeProgram {
  /** File name from its first comment (`// watch.mjs — …`). */
  readonly name: string;
  readonly code: string;
}

/** The `npm install ./x.tgz …` lines of the `sh` blocks among `blocks`. */
function installLines(blocks: readonly FencedBlock[]): string[] {
  return blocks
    .filter((b) => b.lang === "sh")
    .flatMap((b) => b.code.split("\n"))
    .map((line) => line.trim())
    .filter((line) => /^npm install \.\/\S+\.tgz/.test(line));
}

/** Runs an install line in a fresh directory with copies of every tarball; returns problems. */
async function installAsWritten(
  line: string,
  tarballs: readonly string[],
  dir: URL,
): Promise<string[]> {
  Deno.mkdirSync(dir, { recursive: true });
  for (const tarball of tarballs) {
    Deno.copyFileSync(tarball, new URL(tarball.split("/").pop()!, dir));
  }
  const result = await run("sh", ["-c", line], {
    cwd: dir,
    timeoutMs: 180_000,
    env: { npm_config_audit: "false", npm_config_fund: "false" },
  });
  if (result.code !== 0) {
    return [`\`${line}\` failed (exit ${result.code}):\n${result.stderr.trim().slice(-1500)}`];
  }
  const lock = JSON.parse(Deno.readTextFileSync(new URL("package-lock.json", dir))) as {
    packages?: Record<string, { resolved?: string }>;
  };
  return Object.entries(lock.packages ?? {})
    .filter(([path]) => path.startsWith("node_modules/@kalshi-ws/"))
    .filter(([, entry]) => !entry.resolved?.startsWith("file:"))
    .map(([path, entry]) => `${path.slice(13)} came from ${entry.resolved}, not a tarball`);
}

/** The `npx …` lines of the `sh` blocks among `blocks` (commands to run after installing). */
function npxLines(blocks: readonly FencedBlock[]): string[] {
  return blocks
    .filter((b) => b.lang === "sh")
    .flatMap((b) => b.code.split("\n"))
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter((line) => /^npx \S/.test(line));
}

/**
 * Runs an `npx …` line with `sh` in `dir`, with no `deno` on the `PATH` (as a Node user without
 * Deno has it); problems if it fails, prints nothing, or prints lines that start like JSON but
 * are not (NDJSON).
 */
async function runCommandLine(line: string, dir: URL): Promise<string[]> {
  const path = pathWithoutDeno();
  const deno = await run("sh", ["-c", "command -v deno"], { env: { PATH: path } });
  if (deno.code === 0) return [`deno is still on the PATH: ${deno.stdout.trim()}`];
  const result = await run("sh", ["-c", line], {
    cwd: dir,
    timeoutMs: 120_000,
    env: { PATH: path, npm_config_audit: "false", npm_config_fund: "false" },
  });
  const lines = result.stdout.trimEnd().split("\n");
  console.log(lines.slice(0, 4).map((l) => `    | ${l.slice(0, 110)}`).join("\n"));
  if (result.code !== 0) {
    return [`exit ${result.code}:\n${result.stdout.slice(0, 1500)}${result.stderr.slice(-1500)}`];
  }
  if (result.stdout.trim() === "") return ["it printed nothing on stdout"];
  const notJson = lines.filter((l) => l.startsWith("{")).filter((l) => {
    try {
      JSON.parse(l);
      return false;
    } catch {
      return true;
    }
  });
  return notJson.map((l) => `not an NDJSON line: ${l.slice(0, 200)}`);
}

/** Runs `program` in `dir`; problems if it fails or prints nothing. */
async function runProgram(
  program: ReadmeProgram,
  dir: URL,
  env: Record<string, string>,
): Promise<string[]> {
  Deno.writeTextFileSync(new URL(program.name, dir), program.code);
  const result = await run("node", [program.name], { cwd: dir, env, timeoutMs: 90_000 });
  console.log(result.stdout.trimEnd().split("\n").map((l) => `    | ${l}`).join("\n"));
  if (result.code !== 0) {
    return [`exit ${result.code}:\n${result.stdout}${result.stderr}`.slice(-3000)];
  }
  return result.stdout.trim() === "" ? ["it printed nothing"] : [];
}

/**
 * The root README's Node section, in order: each install line, then the programs after it
 * (run in that line's directory). `natsUrl` is given to the programs as `NATS_URL`.
 */
export async function rootReadmeChecks(
  readme: string,
  tarballs: readonly string[],
  scratch: URL,
  natsUrl: string | undefined,
): Promise<CheckResult[]> {
  const section = markdownSection(readme, NODE_SECTION);
  if (section === undefined) {
    return [await check(`README: a "## ${NODE_SECTION}" section`, () => ["missing"])];
  }
  const results: CheckResult[] = [];
  let dir: URL | undefined;
  let installed = false;
  let index = 0;
  for (const block of fencedBlocks(section)) {
    const line = installLines([block])[0];
    if (line !== undefined) {
      dir = new URL(`readme-install-${++index}/`, scratch);
      const target = dir;
      const result = await check(
        `README: \`${line.slice(0, 60)}…\` installs every @kalshi-ws/* package from the tarballs`,
        () => installAsWritten(line, tarballs, target),
      );
      installed = result.problems.length === 0;
      results.push(result);
      for (const command of npxLines([block])) {
        results.push(
          await check(
            `README: \`${command}\` runs as written on Node, no deno on the PATH`,
            () => installed ? runCommandLine(command, target) : ["its install line failed"],
          ),
        );
      }
    } else if (block.lang === "js") {
      const name = block.code.match(/^\/\/ (\S+\.mjs)/)?.[1] ?? `example-${index}.mjs`;
      const target = dir;
      const nats = /@kalshi-ws\/nats/.test(block.code);
      results.push(
        await check(`README: ${name} runs as written${nats ? " against nats-server" : ""}`, () => {
          if (target === undefined || !installed) return ["no successful install line before it"];
          if (nats && natsUrl === undefined) {
            return ["no NATS server: set NATS_URL or put nats-server on the PATH"];
          }
          return runProgram(
            { name, code: block.code },
            target,
            natsUrl ? { NATS_URL: natsUrl } : {},
          );
        }),
      );
    }
  }
  if (index === 0) {
    results.push(await check("README: an `npm install ./….tgz` line", () => ["none found"]));
  }
  return results;
}

/**
 * Each installed package's README: its install line, as written, in a fresh directory; then the
 * package loads there.
 */
export async function packageReadmeChecks(
  project: URL,
  names: readonly string[],
  tarballs: readonly string[],
  scratch: URL,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const name of names) {
    const readme = Deno.readTextFileSync(new URL(`node_modules/${name}/README.md`, project));
    const dir = new URL(`${name.replace(/^@/, "").replace("/", "-")}-install/`, scratch);
    results.push(
      await check(
        `${name} README: its install line installs it from the tarballs and it loads`,
        async () => {
          const lines = installLines(fencedBlocks(readme));
          if (lines.length !== 1) return [`expected one npm install line, found ${lines.length}`];
          const own = `./${name.replace(/^@/, "").replace("/", "-")}-`;
          if (!new RegExp(`^npm install ${own.replaceAll(".", "\\.")}\\d`).test(lines[0]!)) {
            return [`the install line does not name ${name}'s tarball: ${lines[0]}`];
          }
          const problems = await installAsWritten(lines[0]!, tarballs, dir);
          if (problems.length > 0) return problems;
          const loaded = await run(
            "node",
            ["--input-type=module", "-e", `await import("${name}")`],
            {
              cwd: dir,
            },
          );
          return loaded.code === 0 ? [] : [`import("${name}") failed: ${loaded.stderr}`];
        },
      ),
    );
  }
  return results;
}
