/**
 * Strict command-line parsing for `kalshi-ws`: one table of commands and the options each
 * accepts, parsed as `node:util`'s `parseArgs` does (`parse_options.ts`). Every mistake becomes
 * a {@linkcode UsageError} with a one-line message and a hint, raised before anything connects.
 *
 * @module
 */

import { MAX_ACTIVITY_RATE } from "@kalshi-ws/simulator/limits";
import { FaultSpecError, type FaultStep, parseFaultSpec } from "@kalshi-ws/simulator/fault-plan";
import { parseOptions } from "./parse_options.ts";

/** The subcommands, in the order `--help` lists them. */
export const COMMANDS = [
  "stream",
  "book",
  "record",
  "replay",
  "simulate",
  "demo",
  "subscriptions",
  "check",
  "publish",
  "consume",
] as const;

/** A `kalshi-ws` subcommand. */
export type CommandName = typeof COMMANDS[number];

/** A usage mistake: exit code 2, one line on stderr plus a hint. */
export class UsageError extends Error {
  /** What to try instead (printed after the message). */
  readonly hint: string;

  /** Creates a usage error with a hint (defaults to pointing at `--help`). */
  constructor(message: string, hint = "Run 'kalshi-ws --help' for usage") {
    super(message);
    this.name = "UsageError";
    this.hint = hint;
  }
}

/** Output format of data on stdout. */
export type OutputFormat = "text" | "ndjson";

/** Everything the commands need, parsed and validated. */
export interface CliArgs {
  readonly command: CommandName | undefined;
  /** `--cwd`: the folder relative paths are resolved against (see `paths.ts`). */
  readonly cwd: string | undefined;
  readonly help: boolean;
  readonly version: boolean;
  readonly url: string | undefined;
  readonly demo: boolean;
  readonly keyId: string | undefined;
  readonly privateKeyFile: string | undefined;
  readonly channels: readonly string[];
  readonly markets: readonly string[];
  /** Explicit `--format`; undefined means "text on a TTY, ndjson otherwise". */
  readonly format: OutputFormat | undefined;
  readonly durationSeconds: number | undefined;
  readonly maxMessages: number | undefined;
  readonly idleTimeoutSeconds: number | undefined;
  readonly quiet: boolean;
  readonly verbose: boolean;
  /** `book`: minimum milliseconds between two lines for one market. */
  readonly intervalMs: number;
  /** `book`/`demo`: levels shown per side on a TTY. */
  readonly depth: number;
  /** `book`: ask for NO levels in YES prices (`use_yes_price`). */
  readonly useYesPrice: boolean;
  /** `record`: output file. */
  readonly out: string | undefined;
  /** `replay`: recording file (positional). */
  readonly file: string | undefined;
  /** `replay --serve`, `simulate`: port to listen on (0 = any). */
  readonly port: number | undefined;
  readonly serve: boolean;
  /** `replay`: speed factor (0 = as fast as possible). */
  readonly speed: number;
  /** `simulate`/`demo`: activity seed. */
  readonly seed: number | undefined;
  /** `simulate`/`demo`: simulated activity steps per second (0 = a frozen market). */
  readonly rate: number | undefined;
  /** `simulate`: accept connections without signatures. */
  readonly open: boolean;
  /** `simulate`: drift mode (undocumented fields and an unknown message type). */
  readonly drift: boolean;
  /** `simulate`/`demo`: faults to inject (`--fault SPEC`, repeatable). */
  readonly faults: readonly FaultStep[];
  /** `simulate`: seconds between heartbeat pings. */
  readonly pingIntervalSeconds: number | undefined;
  /** `simulate`: directory for the test private key file. */
  readonly keyDir: string | undefined;
  /** `publish`/`consume`: NATS server URL(s), each value comma-separated (default `NATS_URL`). */
  readonly nats: readonly string[];
  /** `publish`: copies of the stream and lease bucket it creates (default: 3 on a cluster). */
  readonly replicas: number | undefined;
  /** `publish`: longest wait (ms) of a message for others to share a JetStream message. */
  readonly batchLatencyMs: number | undefined;
  /** `publish`: this collector's id (default: random). */
  readonly collectorId: string | undefined;
  /** `publish`: lease TTL in seconds. */
  readonly leaseTtlSeconds: number | undefined;
  /** `publish`: seconds between periodic book snapshots. */
  readonly snapshotIntervalSeconds: number | undefined;
  /** `--metrics-port`: serve /metrics, /healthz and the live page on this port (0 = any). */
  readonly metricsPort: number | undefined;
  /** `--metrics-host`: the address the metrics server listens on (default 127.0.0.1). */
  readonly metricsHost: string;
  /** `publish`/`consume`: JetStream stream name. */
  readonly stream: string | undefined;
  /** `publish`/`consume`: subject prefix. */
  readonly prefix: string | undefined;
}

type OptionSpec = { type: "string" | "boolean"; short?: string; multiple?: boolean };

/** Parsed option values, typed as `parseArgs` would type them for {@linkcode OPTIONS}. */
type OptionValues = {
  [K in keyof typeof OPTIONS]?: typeof OPTIONS[K] extends { type: "boolean" } ? boolean
    : typeof OPTIONS[K] extends { multiple: true } ? string[]
    : string;
};

/** Every option any command knows. */
export const OPTIONS = {
  help: { type: "boolean", short: "h" },
  cwd: { type: "string" },
  version: { type: "boolean" },
  url: { type: "string" },
  demo: { type: "boolean" },
  "key-id": { type: "string" },
  "private-key-file": { type: "string" },
  channel: { type: "string", short: "c", multiple: true },
  market: { type: "string", short: "m", multiple: true },
  format: { type: "string" },
  duration: { type: "string" },
  "max-messages": { type: "string" },
  "idle-timeout": { type: "string" },
  quiet: { type: "boolean", short: "q" },
  verbose: { type: "boolean", short: "v" },
  interval: { type: "string" },
  depth: { type: "string" },
  "use-yes-price": { type: "boolean" },
  out: { type: "string", short: "o" },
  serve: { type: "boolean" },
  port: { type: "string" },
  speed: { type: "string" },
  seed: { type: "string" },
  rate: { type: "string" },
  open: { type: "boolean" },
  drift: { type: "boolean" },
  "ping-interval": { type: "string" },
  "key-dir": { type: "string" },
  fault: { type: "string", multiple: true },
  nats: { type: "string", multiple: true },
  replicas: { type: "string" },
  "batch-latency": { type: "string" },
  "collector-id": { type: "string" },
  "lease-ttl": { type: "string" },
  "snapshot-interval": { type: "string" },
  stream: { type: "string" },
  prefix: { type: "string" },
  "metrics-port": { type: "string" },
  "metrics-host": { type: "string" },
} as const satisfies Record<string, OptionSpec>;

type OptionName = keyof typeof OPTIONS;

const COMMON: readonly OptionName[] = ["help", "version", "quiet", "verbose", "format", "cwd"];

/** Longest `--duration` (ten years, in seconds): beyond it a typo, not a plan. */
export const MAX_DURATION_SECONDS = 315_360_000;

/** Longest interval-like option in seconds (one day): idle timeout, pings, leases, snapshots. */
const DAY_SECONDS = 86_400;
const CONNECTION: readonly OptionName[] = [
  "url",
  "demo",
  "key-id",
  "private-key-file",
  "idle-timeout",
];
const STOPPING: readonly OptionName[] = ["duration", "max-messages"];
/** Long-running commands serve metrics, health and the live page on request. */
const METRICS: readonly OptionName[] = ["metrics-port", "metrics-host"];

/** Which options each command accepts (besides the common ones). */
const ACCEPTS: Record<CommandName, readonly OptionName[]> = {
  stream: [...CONNECTION, ...STOPPING, ...METRICS, "channel", "market"],
  book: [...CONNECTION, ...STOPPING, ...METRICS, "market", "interval", "depth", "use-yes-price"],
  record: [...CONNECTION, ...STOPPING, ...METRICS, "channel", "market", "out"],
  replay: [...STOPPING, "serve", "port", "speed", "interval", "depth"],
  simulate: [
    ...STOPPING,
    "port",
    "seed",
    "rate",
    "open",
    "drift",
    "ping-interval",
    "key-dir",
    "market",
    "fault",
  ],
  demo: [...STOPPING, ...METRICS, "seed", "rate", "interval", "depth", "market", "fault"],
  subscriptions: [...CONNECTION, "channel", "market"],
  check: [...CONNECTION],
  publish: [
    ...CONNECTION,
    ...METRICS,
    "duration",
    "channel",
    "market",
    "nats",
    "collector-id",
    "lease-ttl",
    "snapshot-interval",
    "stream",
    "prefix",
    "replicas",
    "batch-latency",
  ],
  consume: ["duration", ...METRICS, "market", "interval", "depth", "nats", "stream", "prefix"],
};

/** Parses `argv` (without the program name) or throws {@linkcode UsageError}. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed;
  try {
    parsed = parseOptions(joinNegativeValues(argv), OPTIONS);
  } catch (error) {
    throw new UsageError(cleanParseMessage(error));
  }
  const values = parsed.values as OptionValues;
  const positionals = parsed.positionals;
  const [first, ...rest] = positionals;
  let command: CommandName | undefined;
  if (first !== undefined) {
    if (!(COMMANDS as readonly string[]).includes(first)) {
      throw new UsageError(
        `Unknown command '${first}'`,
        `Commands: ${COMMANDS.join(", ")}. Run 'kalshi-ws --help'`,
      );
    }
    command = first as CommandName;
  }
  if (command !== undefined) {
    const allowed = new Set<string>([...COMMON, ...ACCEPTS[command]]);
    for (const [name, value] of Object.entries(values)) {
      if (value !== undefined && !allowed.has(name)) {
        throw new UsageError(
          `Option '--${name}' does not apply to '${command}'`,
          `Run 'kalshi-ws ${command} --help' for its options`,
        );
      }
    }
  }
  const file = command === "replay" ? rest.shift() : undefined;
  if (rest.length > 0) throw new UsageError(`Unexpected argument '${rest[0]}'`);
  if (values.url !== undefined && values.demo) {
    throw new UsageError("Options '--url' and '--demo' cannot be combined");
  }
  if (values.url !== undefined) checkUrl(values.url);
  if (values["key-id"] !== undefined && !/^[\x21-\x7e]+$/.test(values["key-id"])) {
    throw new UsageError(
      `Invalid --key-id '${values["key-id"]}': expected the API key id (a UUID)`,
      "Copy it from Kalshi's API keys page, or drop --key-id to use KALSHI_API_KEY_ID",
    );
  }
  for (const name of ["cwd", "out", "private-key-file", "key-dir"] as const) {
    if (values[name] === "") {
      throw new UsageError(`Invalid --${name} '': expected a path`);
    }
  }
  const format = values.format;
  if (format !== undefined && format !== "text" && format !== "ndjson") {
    throw new UsageError(`Invalid --format '${format}': expected 'text' or 'ndjson'`);
  }
  if (values.quiet && values.verbose) {
    throw new UsageError("Options '--quiet' and '--verbose' cannot be combined");
  }
  if (values["metrics-host"] !== undefined && values["metrics-port"] === undefined) {
    throw new UsageError(
      "Option '--metrics-host' needs '--metrics-port'",
      "Example: --metrics-port 9464 --metrics-host 0.0.0.0",
    );
  }
  for (const market of values.market ?? []) {
    if (market.trim() === "" || /\s/.test(market)) {
      throw new UsageError(`Invalid --market '${market}': expected a market ticker`);
    }
  }
  return {
    command,
    cwd: values.cwd,
    help: values.help ?? false,
    version: values.version ?? false,
    url: values.url,
    demo: values.demo ?? false,
    keyId: values["key-id"],
    privateKeyFile: values["private-key-file"],
    channels: values.channel ?? [],
    markets: values.market ?? [],
    format,
    durationSeconds: number(values.duration, "--duration", {
      min: 0,
      above: true,
      integer: false,
      max: MAX_DURATION_SECONDS,
    }),
    maxMessages: number(values["max-messages"], "--max-messages", { min: 1, integer: true }),
    idleTimeoutSeconds: number(values["idle-timeout"], "--idle-timeout", {
      min: 1,
      integer: false,
      max: DAY_SECONDS,
    }),
    quiet: values.quiet ?? false,
    verbose: values.verbose ?? false,
    intervalMs: number(values.interval, "--interval", {
      min: 0,
      integer: true,
      max: DAY_SECONDS * 1000,
    }) ?? 1000,
    depth: number(values.depth, "--depth", { min: 1, integer: true, max: 10_000 }) ?? 5,
    useYesPrice: values["use-yes-price"] ?? false,
    out: values.out,
    file,
    port: number(values.port, "--port", { min: 0, integer: true, max: 65535 }),
    serve: values.serve ?? false,
    speed: number(values.speed, "--speed", { min: 0, integer: false, max: 1_000_000 }) ?? 0,
    seed: number(values.seed, "--seed", { min: 0, integer: true }),
    rate: number(values.rate, "--rate", { min: 0, integer: false, max: MAX_ACTIVITY_RATE }),
    open: values.open ?? false,
    drift: values.drift ?? false,
    pingIntervalSeconds: number(values["ping-interval"], "--ping-interval", {
      min: 0,
      integer: false,
      max: DAY_SECONDS,
    }),
    keyDir: values["key-dir"],
    faults: faultsOf(values.fault ?? []),
    nats: values.nats ?? [],
    replicas: number(values.replicas, "--replicas", { min: 1, integer: true, max: 5 }),
    batchLatencyMs: number(values["batch-latency"], "--batch-latency", {
      min: 0,
      integer: false,
      max: 1000,
    }),
    collectorId: values["collector-id"],
    leaseTtlSeconds: number(values["lease-ttl"], "--lease-ttl", {
      min: 1,
      integer: false,
      max: DAY_SECONDS,
    }),
    snapshotIntervalSeconds: number(values["snapshot-interval"], "--snapshot-interval", {
      min: 0.1,
      integer: false,
      max: DAY_SECONDS,
    }),
    stream: values.stream,
    prefix: values.prefix,
    metricsPort: number(values["metrics-port"], "--metrics-port", {
      min: 0,
      integer: true,
      max: 65535,
    }),
    metricsHost: metricsHost(values["metrics-host"]),
  };
}

/** How a numeric option is checked: `min` (exclusive when `above`), `max`, integer or not. */
interface NumberRule {
  readonly min: number;
  readonly above?: boolean;
  readonly integer: boolean;
  readonly max?: number;
}

/** Parses a numeric option, or throws a usage error naming it and its range. */
function number(text: string | undefined, name: string, rule: NumberRule): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  const ok = text.trim() !== "" && Number.isFinite(value) &&
    (rule.above ? value > rule.min : value >= rule.min) &&
    (!rule.integer || Number.isSafeInteger(value)) && (rule.max === undefined || value <= rule.max);
  if (!ok) {
    const kind = rule.integer ? "an integer" : "a number";
    const low = rule.above ? `> ${rule.min}` : `>= ${rule.min}`;
    const range = rule.max === undefined
      ? low
      : rule.above
      ? `${low} and <= ${rule.max}`
      : `${rule.min}..${rule.max}`;
    throw new UsageError(`Invalid ${name} '${text}': expected ${kind} ${range}`);
  }
  return value;
}

/** Throws a usage error unless `url` is a ws:// or wss:// URL with a host. */
function checkUrl(url: string): void {
  const example = "Example: --url ws://127.0.0.1:8080/trade-api/ws/v2";
  if (!/^wss?:\/\//i.test(url)) {
    throw new UsageError(`Invalid --url '${url}': expected a ws:// or wss:// URL`, example);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`Invalid --url '${url}': not a valid URL`, example);
  }
  if (parsed.hostname === "") {
    throw new UsageError(`Invalid --url '${url}': no host`, example);
  }
}

/**
 * `--duration -1` as `--duration=-1`: node's parser takes a value that starts with a dash for
 * another option ("argument is ambiguous"); joined, the number check names the real problem.
 */
function joinNegativeValues(argv: readonly string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      joined.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    if (next !== undefined && /^-\.?\d/.test(next) && takesValue(arg)) {
      joined.push(arg.startsWith("--") ? `${arg}=${next}` : `${arg}${next}`);
      i++;
    } else joined.push(arg);
  }
  return joined;
}

/** Whether `arg` is a string option (`--duration`, `-m`) written without an `=value`. */
function takesValue(arg: string): boolean {
  if (arg.startsWith("--")) {
    const spec = (OPTIONS as Record<string, OptionSpec>)[arg.slice(2)];
    return spec?.type === "string";
  }
  if (arg.length !== 2 || arg[0] !== "-") return false;
  return Object.values(OPTIONS as Record<string, OptionSpec>).some((spec) =>
    spec.short === arg[1] && spec.type === "string"
  );
}

/** Turns node's parseArgs error text into one short line. */
function cleanParseMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split("\n")[0]!;
  return firstLine.split(". To specify a positional")[0]!.replace(/\.$/, "");
}

/**
 * The `--metrics-host` address: an IPv4 or IPv6 address (brackets optional) or a host name;
 * anything else (a URL, a port, spaces) is a usage error.
 */
function metricsHost(text: string | undefined): string {
  if (text === undefined) return "127.0.0.1";
  const host = /^\[.*\]$/.test(text) ? text.slice(1, -1) : text;
  const ipv6 = host.includes(":") && /^[0-9a-fA-F:.]+$/.test(host);
  const name = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/
    .test(host);
  if (!ipv6 && !name) {
    throw new UsageError(
      `Invalid --metrics-host '${text}': expected an IP address or a host name`,
      "Example: --metrics-host 0.0.0.0 (every interface) or --metrics-host ::1",
    );
  }
  return host;
}

/** `--fault` specs, parsed (a usage error names the spec and what is wrong). */
function faultsOf(specs: readonly string[]): FaultStep[] {
  return specs.map((spec) => {
    try {
      return parseFaultSpec(spec);
    } catch (error) {
      if (!(error instanceof FaultSpecError)) throw error;
      throw new UsageError(
        error.message,
        "Example: --fault disconnect@5 --fault hang-handshakes@5 (kinds: disconnect, " +
          "hang-handshakes, hang-handshakes-for, reject-handshakes, reject-handshakes-for, " +
          "drop-before-reply, error-storm)",
      );
    }
  });
}
