import { test } from "node:test";
import assert from "node:assert/strict";
import { examplesProblems, installLine, npmReadme, tarballName } from "./readme.ts";

const INSTALL = {
  name: "@kalshi-ws/node",
  tarballs: ["kalshi-ws-node-1.0.0.tgz", "kalshi-ws-client-1.0.0.tgz"],
};

test("npmReadme() leaves out the Deno-only parts and adds the install section before the first ##", () => {
  const source = "# @kalshi-ws/node\n\nIntro. <!-- deno-only -->Deno: x.<!-- /deno-only -->\n\n" +
    "## Use\n\n<!-- deno-only -->\n\n## Deno\n\nDeno.env\n\n<!-- /deno-only -->\n\n## Limits\n";
  const out = npmReadme(source, INSTALL);
  assert.doesNotMatch(out, /Deno: x|## Deno|Deno\.env|deno-only/);
  assert.ok(out.indexOf("## Install") < out.indexOf("## Use"));
  assert.ok(out.includes(installLine(INSTALL)));
  assert.ok(out.includes("## Limits"));
});

test("installLine() names the tarballs to install together", () => {
  assert.equal(
    installLine(INSTALL),
    "npm install ./kalshi-ws-node-1.0.0.tgz ./kalshi-ws-client-1.0.0.tgz",
  );
  assert.equal(tarballName("@kalshi-ws/simulator", "0.1.0"), "kalshi-ws-simulator-0.1.0.tgz");
});

test("examplesProblems() flags await using, Deno APIs and @kalshi-ws/deno in code, not in prose or comments", () => {
  const readme = [
    "Prose may say `await using` and Deno.env.",
    "```ts",
    'import { transport } from "@kalshi-ws/node"; // on Deno: "@kalshi-ws/deno"',
    "await sim.close(); // or `await using sim = …` on Node 24+",
    "await using client = await connect();",
    'const key = Deno.readTextFileSync("k");',
    'import { connect } from "@kalshi-ws/deno";',
    "```",
  ].join("\n");
  const problems = examplesProblems("README.md", readme);
  assert.equal(problems.length, 3, problems.join("\n"));
  assert.match(problems[0]!, /^README\.md:5: .*await using/);
  assert.match(problems[1]!, /^README\.md:6: .*Deno API/);
  assert.match(problems[2]!, /^README\.md:7: .*@kalshi-ws\/deno/);
});

test("examplesProblems() reads examples inside JSDoc of declarations", () => {
  const dts = "/**\n * @example\n * ```ts\n * await using c = await connect();\n * ```\n */";
  assert.equal(examplesProblems("mod.d.ts", dts).length, 1);
});

test("npmReadme() tells how to run a package's commands with npx", () => {
  const out = npmReadme("# kalshi-ws\n\n## Use\n", {
    name: "kalshi-ws",
    tarballs: ["kalshi-ws-1.0.0.tgz", "kalshi-ws-node-1.0.0.tgz"],
    commands: ["kalshi-ws"],
  });
  assert.match(out, /npx kalshi-ws --help/);
  assert.match(out, /npx kalshi-ws demo/);
  assert.doesNotMatch(npmReadme("# x\n", INSTALL), /Then run/, "no commands, no such lines");
  assert.equal(tarballName("kalshi-ws", "1.0.0"), "kalshi-ws-1.0.0.tgz", "unscoped");
});
