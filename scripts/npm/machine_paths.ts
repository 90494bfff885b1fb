/**
 * Finds paths of the build machine in package files: the checkout's absolute path, the home
 * directory, the temporary directory and any `file://` URL — in the text and inside base64
 * `data:` URLs (an inline source map names its source by absolute URL). A published file must
 * carry none of them: stack traces and debuggers would point there, and they reveal the machine.
 *
 * @module
 */

const DATA_URL = /data:[\w/+.-]+;base64,([A-Za-z0-9+/=]{16,})/g;

/** The absolute paths of this machine a package must not mention (longest first). */
export function machinePaths(root: URL): string[] {
  const paths = new Set<string>();
  const add = (path: string | undefined) => {
    const trimmed = path?.replace(/\/+$/, "");
    // "/" or a short system path such as "/tmp" would match ordinary text.
    if (trimmed !== undefined && trimmed.length > 4) paths.add(trimmed);
  };
  add(decodeURIComponent(root.pathname));
  add(Deno.env.get("HOME"));
  add(Deno.env.get("TMPDIR"));
  add(Deno.env.get("DENO_DIR"));
  return [...paths].sort((a, b) => b.length - a.length);
}

function decodeBase64(text: string): string {
  try {
    const binary = atob(text);
    return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return "";
  }
}

/**
 * The machine paths (or `file://` URLs) that `text` mentions, with where: `"/srv/ci/repo"` or
 * `"file:///… (in a data: URL)"`. Empty when the text is clean.
 */
export function findMachinePaths(text: string, forbidden: readonly string[]): string[] {
  const found = new Set<string>();
  const scan = (body: string, where: string) => {
    for (const path of forbidden) {
      if (body.includes(path)) found.add(`${path}${where}`);
    }
    const url = body.match(/file:\/\/\/?[^\s"'`)]*/);
    if (url) found.add(`${url[0]}${where}`);
  };
  scan(text, "");
  for (const match of text.matchAll(DATA_URL)) scan(decodeBase64(match[1]!), " (in a data: URL)");
  return [...found];
}
