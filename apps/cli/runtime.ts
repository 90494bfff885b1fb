/**
 * The few places the CLI's own modules touch the runtime for files, folders and the environment,
 * so a later runtime seam (Deno or Node) replaces one file instead of calls scattered through
 * the commands.
 *
 * @module
 */

/** An environment variable, or undefined when unset or not permitted to read. */
export function envVar(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // not in the task's --allow-env list: treat as unset
  }
}

/** The process's working directory; undefined when not permitted to know it (`demo`). */
export function processCwd(): string | undefined {
  try {
    return Deno.cwd();
  } catch {
    return undefined;
  }
}

/** Whether `path` is an existing directory. */
export function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/**
 * Reads a small text file (a key, `.env`), refusing anything larger than `maxBytes`: a careless
 * `--private-key-file /dev/zero` must end with an error, not fill the memory.
 */
export function readSmallTextFile(path: string, maxBytes = 1024 * 1024): string {
  using file = Deno.openSync(path, { read: true });
  const buffer = new Uint8Array(maxBytes + 1);
  let length = 0;
  while (length < buffer.length) {
    const read = file.readSync(buffer.subarray(length));
    if (read === null) break;
    length += read;
  }
  if (length > maxBytes) {
    throw new RangeError(`larger than ${maxBytes} bytes`);
  }
  return new TextDecoder().decode(buffer.subarray(0, length));
}

/** The signals that end a long-running command besides Ctrl-C (where the OS has them). */
export const TERMINATION_SIGNALS: readonly Deno.Signal[] = ["SIGTERM", "SIGHUP"];

/** Calls `fn` on SIGTERM or SIGHUP; returns the function that stops listening. */
export function onTermination(fn: () => void): () => void {
  const added: Deno.Signal[] = [];
  for (const signal of TERMINATION_SIGNALS) {
    try {
      Deno.addSignalListener(signal, fn);
      added.push(signal);
    } catch {
      // not on this OS (Windows has no SIGHUP)
    }
  }
  return () => {
    for (const signal of added) Deno.removeSignalListener(signal, fn);
  };
}
