/**
 * The option parser of `args.ts`: what `node:util`'s `parseArgs` does with
 * `{ strict: true, allowPositionals: true }` and no defaults — the same tokens (short groups,
 * `-mVALUE`, `--name=value`, `--`, a value taken even when it starts with a dash), the same
 * values and positionals, the same errors with the same messages — written out so `kalshi-ws`
 * loads no `node:` module on Deno. Importing `node:util` there starts Deno's Node compatibility
 * layer (~15–20 ms per process), and its `parseArgs` took another ~15 ms over the 2 000
 * arguments of `book` with 1 000 markets. `parse_options_test.ts` checks it against `parseArgs`
 * itself on random argument vectors, on whichever runtime runs the tests.
 *
 * @module
 */

/** How an option is declared (the subset of `parseArgs`' options the CLI uses). */
export interface OptionDeclaration {
  readonly type: "string" | "boolean";
  readonly short?: string;
  readonly multiple?: boolean;
}

/** Parsed values (`parseArgs`' `values`, a null-prototype object) and positionals. */
export interface ParsedOptions {
  readonly values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  readonly positionals: string[];
}

/** A `parseArgs` error (`ERR_PARSE_ARGS_*`), with its message word for word. */
export class OptionParseError extends TypeError {
  /** `ERR_PARSE_ARGS_UNKNOWN_OPTION` or `ERR_PARSE_ARGS_INVALID_OPTION_VALUE`. */
  readonly code: string;

  /** An error with `parseArgs`' code and message. */
  constructor(code: string, message: string) {
    super(message);
    this.name = "TypeError";
    this.code = code;
  }
}

interface OptionToken {
  readonly name: string;
  readonly rawName: string;
  readonly value: string | undefined;
  readonly inlineValue: boolean | undefined;
}

/**
 * `parseArgs({ args, options, strict: true, allowPositionals: true })`: every option token is
 * checked in order (unknown option, missing or unexpected value, a value that looks like an
 * option) and the first problem is thrown as an {@linkcode OptionParseError}.
 */
export function parseOptions(
  args: readonly string[],
  options: Readonly<Record<string, OptionDeclaration>>,
): ParsedOptions {
  const longOf = new Map<string, string>();
  for (const name of Object.keys(options)) {
    const short = options[name]!.short;
    if (short !== undefined && !longOf.has(short)) longOf.set(short, name);
  }
  const declared = (name: string): OptionDeclaration | undefined =>
    Object.hasOwn(options, name) ? options[name] : undefined;
  const typeOf = (name: string) => declared(name)?.type;
  const longFor = (short: string) => longOf.get(short) ?? short;

  const values: ParsedOptions["values"] = Object.create(null);
  const positionals: string[] = [];
  const option = (token: OptionToken): void => {
    check(token, declared(token.name));
    if (token.name === "__proto__") return;
    const value = token.value ?? true;
    if (declared(token.name)?.multiple) {
      const list = values[token.name];
      if (list === undefined) values[token.name] = [value];
      else (list as (string | boolean)[]).push(value);
    } else values[token.name] = value;
  };

  const remaining = args.slice();
  for (let at = 0; at < remaining.length;) {
    const arg = remaining[at++]!;
    const next = remaining[at];
    if (arg === "--") {
      for (; at < remaining.length; at++) positionals.push(remaining[at]!);
      break;
    }
    if (arg.length === 2 && arg[0] === "-" && arg[1] !== "-") {
      // -f, or -f VALUE for a string option (any next argument, even one starting with a dash)
      const name = longFor(arg[1]!);
      const takes = typeOf(name) === "string" && next !== undefined;
      if (takes) at++;
      option({ name, rawName: arg, value: takes ? next : undefined, inlineValue: false });
      continue;
    }
    if (arg.length > 2 && arg[0] === "-" && arg[1] !== "-") {
      const name = longFor(arg[1]!);
      if (typeOf(name) !== "string") {
        // a group: -qv → -q -v; -qmVALUE → -q -mVALUE
        const expanded: string[] = [];
        for (let index = 1; index < arg.length; index++) {
          const short = arg[index]!;
          if (typeOf(longFor(short)) !== "string" || index === arg.length - 1) {
            expanded.push(`-${short}`);
          } else {
            expanded.push(`-${arg.slice(index)}`);
            break;
          }
        }
        remaining.splice(at, 0, ...expanded);
        continue;
      }
      // -mVALUE
      option({ name, rawName: `-${arg[1]}`, value: arg.slice(2), inlineValue: true });
      continue;
    }
    if (arg.length > 2 && arg.startsWith("--")) {
      const equals = arg.indexOf("=", 3);
      if (equals === -1) {
        // --name, or --name VALUE for a string option
        const name = arg.slice(2);
        const takes = typeOf(name) === "string" && next !== undefined;
        if (takes) at++;
        option({ name, rawName: arg, value: takes ? next : undefined, inlineValue: false });
      } else {
        const name = arg.slice(2, equals);
        option({ name, rawName: `--${name}`, value: arg.slice(equals + 1), inlineValue: true });
      }
      continue;
    }
    positionals.push(arg);
  }
  return { values, positionals };
}

/** `parseArgs`' strict checks of one option token, with its messages. */
function check(token: OptionToken, declaration: OptionDeclaration | undefined): void {
  if (declaration === undefined) {
    throw new OptionParseError(
      "ERR_PARSE_ARGS_UNKNOWN_OPTION",
      `Unknown option '${token.rawName}'. To specify a positional argument starting with a '-', ` +
        `place it at the end of the command after '--', as in '-- ${JSON.stringify(token.rawName)}`,
    );
  }
  const short = declaration.short;
  const shortAndLong = `${short ? `-${short}, ` : ""}--${token.name}`;
  if (declaration.type === "string" && typeof token.value !== "string") {
    throw new OptionParseError(
      "ERR_PARSE_ARGS_INVALID_OPTION_VALUE",
      `Option '${shortAndLong} <value>' argument missing`,
    );
  }
  if (declaration.type === "boolean" && token.value != null) {
    throw new OptionParseError(
      "ERR_PARSE_ARGS_INVALID_OPTION_VALUE",
      `Option '${shortAndLong}' does not take an argument`,
    );
  }
  const value = token.value;
  if (!token.inlineValue && value !== undefined && value.length > 1 && value[0] === "-") {
    const example = token.rawName.startsWith("--")
      ? `'${token.rawName}=-XYZ'`
      : `'--${token.name}=-XYZ' or '${token.rawName}-XYZ'`;
    throw new OptionParseError(
      "ERR_PARSE_ARGS_INVALID_OPTION_VALUE",
      `Option '${token.rawName}' argument is ambiguous.\n` +
        `Did you forget to specify the option argument for '${token.rawName}'?\n` +
        `To specify an option argument starting with a dash use ${example}.`,
    );
  }
}
