/**
 * `isAbsolutePath()` and `resolvePath()` against `node:path`'s `posix` and `win32` flavours, on
 * hand-picked and random paths.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { posix, win32 } from "node:path";
import { seededRandom as random } from "@kalshi-ws/core";
import { isAbsolutePath, resolvePath } from "./path_names.ts";

const POSIX_DIRS = ["/", "/srv/u", "/srv/u/", "/a//b/./c", "/a/b/..", "//x"];
const WIN_DIRS = [
  "C:\\",
  "C:\\Users\\u",
  "c:/Users/u/",
  "C:\\a\\.\\b\\..",
  "\\\\srv\\share",
  "\\\\srv\\share\\d\\",
  "\\\\.\\pipe",
  "\\\\?\\C:\\x",
];
const PIECES = [
  "a",
  "b",
  ".",
  "..",
  "",
  "/",
  "\\",
  "x y",
  ".env",
  "é",
  "C:",
  "c:",
  "D:",
  "\\\\srv\\share",
  ":",
  "-",
  "\\\\.\\",
  "\\\\?\\",
  "?",
  "\\\\",
];

function check(dir: string, path: string): void {
  const context = JSON.stringify([dir, path]);
  assert.equal(isAbsolutePath(path, false), posix.isAbsolute(path), `posix isAbsolute ${context}`);
  assert.equal(isAbsolutePath(path, true), win32.isAbsolute(path), `win32 isAbsolute ${context}`);
  if (posix.isAbsolute(dir)) {
    assert.equal(resolvePath(dir, path, false), posix.resolve(dir, path), `posix ${context}`);
  }
  // A path on another drive, relative to it, resolves against that drive's own folder, which
  // node reads from the environment: not compared.
  const drive = /^[A-Za-z]:/.exec(path)?.[0];
  const otherDrive = drive !== undefined && !win32.isAbsolute(path) &&
    drive.toLowerCase() !== dir.slice(0, 2).toLowerCase();
  if (win32.isAbsolute(dir) && /^([A-Za-z]:|\\\\)/.test(dir) && !otherDrive) {
    assert.equal(resolvePath(dir, path, true), win32.resolve(dir, path), `win32 ${context}`);
  }
}

test("resolvePath() and isAbsolutePath() match node:path: hand-picked paths", () => {
  for (const dir of [...POSIX_DIRS, ...WIN_DIRS]) {
    for (
      const path of [
        "",
        ".",
        "..",
        "../..",
        "a/b",
        "a\\b",
        "/abs",
        "\\abs",
        "C:\\x",
        "c:x",
        "C:x\\..\\y",
        "D:\\y",
        "\\\\srv\\share\\f",
        "\\\\srv",
        "//srv/share/f",
        "./.env",
        "-",
        "a/../../..",
        "/a/b/",
      ]
    ) {
      check(dir, path);
    }
  }
});

test("resolvePath() and isAbsolutePath() match node:path: random paths", () => {
  const rnd = random(0x9a7);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  for (let run = 0; run < 20_000; run++) {
    let path = "";
    for (let n = Math.floor(rnd() * 6); n > 0; n--) {
      path += pick(PIECES) + (rnd() < 0.5 ? pick(["/", "\\"]) : "");
    }
    check(pick([...POSIX_DIRS, ...WIN_DIRS]), path);
  }
});
