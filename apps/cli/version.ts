/**
 * The CLI's version, printed by `--version` and written into recordings. Kept equal to the
 * `version` of `apps/cli/deno.json` (and so of every package) by `version_test.ts`; a module
 * rather than a JSON import so that the npm build carries it.
 *
 * @module
 */

/** The CLI's version. */
export const VERSION = "0.1.0";
