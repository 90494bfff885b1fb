import { test } from "node:test";
import assert from "node:assert/strict";
import {
  completePackageJson,
  NODE_ENGINES,
  publicOrigin,
  repositoryFields,
} from "./package_json.ts";

test("publicOrigin() turns public git remotes into web addresses, without credentials", () => {
  const github = { web: "https://github.com/acme/kalshi-ws", host: "github.com" };
  assert.deepEqual(publicOrigin("git@github.com:acme/kalshi-ws.git"), github);
  assert.deepEqual(publicOrigin("https://github.com/acme/kalshi-ws.git\n"), github);
  assert.deepEqual(publicOrigin("ssh://git@github.com/acme/kalshi-ws.git"), github);
  assert.deepEqual(publicOrigin("https://bot:s3cret@github.com/acme/kalshi-ws"), github);
});

test("publicOrigin() refuses filesystem paths and file URLs (a CI clone of a local checkout)", () => {
  for (
    const remote of ["/srv/ci/kalshi-ws", "../kalshi-ws", "file:///srv/ci/kalshi-ws", "", undefined]
  ) {
    assert.equal(publicOrigin(remote), undefined, String(remote));
  }
});

test("repositoryFields() adds repository, homepage and, on known hosts, bugs", () => {
  assert.deepEqual(
    repositoryFields(publicOrigin("git@github.com:acme/kalshi-ws.git"), "packages/core"),
    {
      repository: {
        type: "git",
        url: "git+https://github.com/acme/kalshi-ws.git",
        directory: "packages/core",
      },
      homepage: "https://github.com/acme/kalshi-ws#readme",
      bugs: { url: "https://github.com/acme/kalshi-ws/issues" },
    },
  );
  const other = repositoryFields(
    publicOrigin("https://git.example.org/acme/kalshi-ws"),
    "packages/core",
  );
  assert.equal(other.bugs, undefined);
  assert.deepEqual(repositoryFields(undefined, "packages/core"), {});
});

test("completePackageJson() adds engines, sideEffects, the ./package.json export and sorted dependencies", () => {
  const pkg = completePackageJson(
    {
      name: "@kalshi-ws/node",
      version: "0.0.0",
      main: "./mod.js",
      types: "./mod.d.ts",
      exports: { ".": { types: "./mod.d.ts", import: "./mod.js", default: "./mod.js" } },
    },
    {
      version: "1.2.3",
      description: "The client for Node.",
      license: "MIT",
      directory: "packages/node",
      origin: undefined,
      sideEffects: false,
      dependencies: { ws: "^8.23.0", "@kalshi-ws/client": "1.2.3" },
    },
  );
  assert.equal(pkg.version, "1.2.3");
  assert.deepEqual(pkg.engines, { node: NODE_ENGINES });
  assert.equal(pkg.sideEffects, false);
  assert.equal(pkg.exports?.["./package.json"], "./package.json");
  assert.deepEqual(Object.keys(pkg.dependencies!), ["@kalshi-ws/client", "ws"]);
  assert.equal(pkg.repository, undefined);
});
