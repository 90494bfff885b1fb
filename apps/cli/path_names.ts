/**
 * `isAbsolute` and two-argument `resolve` of `node:path` (its `posix` or `win32` flavour, as the
 * runtime says: `CliRuntime.windowsPaths`), for `paths.ts`: an absolute folder and a path the user
 * gave become one absolute, normalized path.
 * Written out so `kalshi-ws` loads no `node:` module on Deno, where importing `node:path` starts
 * Deno's Node compatibility layer (~15–20 ms per process). `path_names_test.ts` checks both
 * flavours against `node:path` itself.
 *
 * @module
 */

/** Whether `path` is absolute (`node:path`'s `isAbsolute`, in the flavour asked for). */
export function isAbsolutePath(path: string, windows: boolean): boolean {
  if (!windows) return path.startsWith("/");
  return isSlash(path.charCodeAt(0)) ||
    (driveLetter(path) && path.length > 2 && isSlash(path.charCodeAt(2)));
}

/**
 * `resolve(dir, path)` for an absolute `dir`: `path` itself when absolute, else joined to `dir`;
 * normalized (`.` and `..` applied, repeated separators and the trailing one dropped).
 */
export function resolvePath(dir: string, path: string, windows: boolean): string {
  return windows ? resolveWin32(dir, path) : resolvePosix(dir, path);
}

function resolvePosix(dir: string, path: string): string {
  const joined = path.startsWith("/") ? path : `${dir}/${path}`;
  return `/${normalizeParts(joined.split("/")).join("/")}`;
}

function isSlash(code: number): boolean {
  return code === 47 /* / */ || code === 92 /* \ */;
}

/** Whether `path` starts with a drive letter and a colon (`C:`). */
function driveLetter(path: string): boolean {
  const code = path.charCodeAt(0) | 0x20;
  return path.length >= 2 && code >= 97 && code <= 122 && path[1] === ":";
}

/** The root of a Windows path: `C:\`, `\\server\share\`, `\` or `` (relative), and the rest. */
function splitRoot(path: string): { device: string; absolute: boolean; rest: string } {
  const length = path.length;
  if (isSlash(path.charCodeAt(0))) {
    if (isSlash(path.charCodeAt(1))) {
      // \\server\share (separators between them may repeat), as node:path matches it
      let j = 2;
      let last = j;
      while (j < length && !isSlash(path.charCodeAt(j))) j++;
      if (j < length && j !== last) {
        const server = path.slice(last, j);
        last = j;
        while (j < length && isSlash(path.charCodeAt(j))) j++;
        if (j < length && j !== last) {
          last = j;
          while (j < length && !isSlash(path.charCodeAt(j))) j++;
          if (server === "." || server === "?") {
            // a device root (\\.\PHYSICALDRIVE0, \\?\C:\)
            return { device: `\\\\${server}`, absolute: true, rest: path.slice(4) };
          }
          return {
            device: `\\\\${server}\\${path.slice(last, j)}`,
            absolute: true,
            rest: path.slice(j),
          };
        }
      }
    }
    return { device: "", absolute: true, rest: path.slice(1) };
  }
  if (driveLetter(path)) {
    return {
      device: path.slice(0, 2),
      absolute: length > 2 && isSlash(path.charCodeAt(2)),
      rest: path.slice(2),
    };
  }
  return { device: "", absolute: false, rest: path };
}

function resolveWin32(dir: string, path: string): string {
  const base = splitRoot(dir);
  const own = splitRoot(path);
  let device = own.device;
  let rest: string;
  if (own.absolute) {
    // C:\x, \\server\share\x, or \x (on the folder's drive)
    if (device === "") device = base.device;
    rest = own.rest;
  } else if (device === "" || device.toLowerCase() === base.device.toLowerCase()) {
    // x, or C:x on the folder's drive
    if (device === "") device = base.device;
    rest = `${base.rest}\\${own.rest}`;
  } else {
    rest = own.rest; // D:x from a C: folder: that drive's root (no per-drive folder here)
  }
  const normalized = normalizeParts(rest.split(/[\\/]/)).join("\\");
  return `${device}\\${normalized}`;
}

/** The non-empty parts of a rooted path with `.` dropped and `..` applied (never above root). */
function normalizeParts(parts: readonly string[]): string[] {
  const out: string[] = [];
  for (const part of parts) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      out.pop();
      continue;
    }
    out.push(part);
  }
  return out;
}
