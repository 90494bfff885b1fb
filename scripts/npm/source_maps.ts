/**
 * Moves the inline source maps `deno pack` writes (a base64 `data:` URL at the end of every
 * `.js`, two thirds of the bytes, naming the original as a `file://` URL of the build machine)
 * into `.js.map` files next to them, with the TypeScript source named relative to the map
 * (`order_book.ts`) and its text kept in `sourcesContent`. Importing a module no longer parses
 * its map; debuggers and `node --enable-source-maps` still show the TypeScript.
 *
 * @module
 */

const INLINE_MAP = /\n\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/;

/** A source map (version 3), the fields this file touches. */
interface SourceMap {
  version: number;
  file?: string;
  sourceRoot?: string;
  sources: string[];
  sourcesContent?: (string | null)[];
  [field: string]: unknown;
}

/** The result of {@linkcode externalizeSourceMap}. */
export interface ExternalMap {
  /** The module text, ending with `//# sourceMappingURL=<name>.js.map`. */
  readonly js: string;
  /** The map file's name (`<name>.js.map`, next to the module). */
  readonly mapName: string;
  /** The map file's JSON text. */
  readonly map: string;
}

function decodeBase64(text: string): string {
  const binary = atob(text);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/**
 * Replaces the inline map of `js` (the module `path`, relative to the package root, e.g.
 * `model/exchange.js`) with an external one whose source is `sourceName` relative to the map
 * (`exchange.ts`). Returns `undefined` when the module has no inline map.
 */
export function externalizeSourceMap(
  path: string,
  js: string,
  sourceName: string,
): ExternalMap | undefined {
  const match = js.match(INLINE_MAP);
  if (!match) return undefined;
  const map = JSON.parse(decodeBase64(match[1]!)) as SourceMap;
  if (map.version !== 3 || map.sources.length !== 1) {
    throw new Error(`${path}: expected a version 3 source map of one source`);
  }
  const file = path.split("/").pop()!;
  const external: SourceMap = { ...map, file, sources: [sourceName] };
  delete external.sourceRoot;
  const mapName = `${file}.map`;
  return {
    js: `${js.slice(0, match.index)}\n//# sourceMappingURL=${mapName}\n`,
    mapName,
    map: JSON.stringify(external),
  };
}
