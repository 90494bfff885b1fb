/**
 * `--help` texts: the overview and one page per command, each with examples.
 *
 * @module
 */

import type { CommandName } from "./args.ts";

const CONNECTION = `Connection:
  --url URL                 a ws:// or wss:// endpoint (e.g. a local simulator)
  --demo                    Kalshi's demo environment (default: production)
  --key-id ID               API key id (else KALSHI_API_KEY_ID)
  --private-key-file PATH   RSA private key PEM (else KALSHI_PRIVATE_KEY_PATH or
                            KALSHI_PRIVATE_KEY; the environment or a .env file)
  --idle-timeout SECONDS    silence before a liveness probe (default 25)`;

const STOPPING = `Stopping (exit 0):
  --duration SECONDS        stop cleanly after this long (> 0, up to ten years)
  --max-messages N          stop cleanly after N data messages`;

const METRICS = `Monitoring (off unless --metrics-port is given):
  --metrics-port PORT       serve GET /metrics (Prometheus), /healthz (200 when connected with
                            every subscription live and every book valid, else 503 with a
                            JSON reason) and a live page at / (0: any free port)
  --metrics-host ADDRESS    address to listen on (default 127.0.0.1; 0.0.0.0: every interface)`;

const COMMON = `Common:
  --format text|ndjson      default: text on a terminal, NDJSON otherwise
  -q, --quiet               no status lines on stderr (errors still show)
  -v, --verbose             more status lines on stderr
  --cwd DIR                 resolve relative paths (-o, key files, recordings, .env) here
                            (default: INIT_CWD, which deno task and npm set, else the current folder)
  -h, --help                this help`;

/** The overview shown by `kalshi-ws --help`. */
export const OVERVIEW = `kalshi-ws: Kalshi's real-time WebSocket API from a shell

Usage: kalshi-ws <command> [options]      (npx kalshi-ws ...; from the repo: deno task cli ...)

Commands:
  stream          subscribe and print every message (NDJSON) plus lifecycle lines
  book            live local order books: a ladder on a terminal, NDJSON book lines otherwise
  record          write raw frames with receive timestamps to a file (or stdout)
  replay FILE     feed a recording through the decoder and books (--serve: as a server)
  simulate        run the local Kalshi-compatible simulator
  demo            the simulator in-process plus 'book' for a few markets; no credentials
  subscriptions   list the server's subscriptions for this connection
  check           connect, authenticate, report latency and clock skew
  publish         collector: publish the feed to NATS JetStream, sharing markets by lease
  consume         rebuild exact books from the NATS JetStream feed, on any machine

Examples:
  kalshi-ws demo
  kalshi-ws stream -c ticker -c trade --max-messages 20 | jq .msg
  kalshi-ws book -m KXFED-26DEC-T4.25 --format ndjson --interval 500
  kalshi-ws record -c orderbook_delta -m KXFED-26DEC-T4.25 --duration 60 -o session.jsonl
  kalshi-ws replay session.jsonl --format ndjson
  kalshi-ws check --demo
  kalshi-ws demo --metrics-port 9464       (then open http://127.0.0.1:9464/)

Exit codes: 0 done, 1 runtime failure, 2 usage error, 130 interrupted (Ctrl-C), 143 terminated
(SIGTERM); both stop cleanly (unsubscribe, close, final lines) within 2 s.
Status goes to stderr; stdout carries data only. Run 'kalshi-ws <command> --help' for options.
`;

const FAULT = `  --fault SPEC              inject a fault (repeatable), KIND[:ARG...][@SECONDS]:
                            disconnect, hang-handshakes[:N], hang-handshakes-for:S,
                            reject-handshakes:N[:STATUS], reject-handshakes-for:S[:STATUS],
                            drop-before-reply[:CMD], error-storm:CHANNEL[:CODE[:S]]
                            (S may be 'forever'), e.g. error-storm:orderbook_delta:25:30@10`;

const PAGES: Record<CommandName, string> = {
  stream: `Usage: kalshi-ws stream -c CHANNEL [-c ...] [-m TICKER ...] [options]

Subscribes and prints every message as one JSON object per line, flushed as it arrives, plus
lifecycle lines with their own "type": connected, disconnected, reconnecting, subscribed,
resubscribed, gap, seq_anomaly, book_invalid, resynced, lagged, server_error, probe.

  -c, --channel NAME        channel to subscribe (repeatable): orderbook_delta, ticker, trade,
                            fill, market_positions, user_orders, market_lifecycle_v2, ...
  -m, --market TICKER       market filter (repeatable; required for orderbook_delta)

${STOPPING}

${CONNECTION}

${METRICS}

${COMMON}

Examples:
  kalshi-ws stream -c ticker | jq -c 'select(.type == "ticker") | .msg'
  kalshi-ws stream -c orderbook_delta -m KXFED-26DEC-T4.25 --max-messages 100
`,
  book: `Usage: kalshi-ws book -m TICKER [-m ...] [options]

Keeps exact local order books and shows them: on a terminal, a live ladder per market (best
prices, spread, top levels, age of the last update, connection state); with --format ndjson, a
line {"type":"book","market_ticker":...,"yes_dollars_fp":[[price,size],...],"no_dollars_fp":[...]}
(levels ascending, Kalshi's strings) each time a book changes, at most once per market per
--interval, and a final line ("final":true) per market on exit. Only valid books are printed.

  -m, --market TICKER       market to watch (repeatable, at least one)
  --interval MS             NDJSON: minimum ms between lines of one market (default 1000)
  --depth N                 levels per side on the ladder (default 5)
  --use-yes-price           ask Kalshi for NO levels at YES prices

${STOPPING}

${CONNECTION}

${METRICS}

${COMMON}

Examples:
  kalshi-ws book -m KXFED-26DEC-T4.25 -m KXCPI-26DEC-T0.3
  kalshi-ws book -m KXFED-26DEC-T4.25 --format ndjson --duration 10 | jq -c .best_yes_bid
`,
  record: `Usage: kalshi-ws record -c CHANNEL [-c ...] [-m TICKER ...] [-o FILE] [options]

Writes every raw frame with its receive time, plus the commands sent and the sids assigned, as
NDJSON: a header {"type":"recording","version":1,...}, then lines {"t":<epoch ms>,"frame":"<raw>"},
{"t":...,"sent":"<raw command>"}, {"t":...,"event":"connected"|"disconnected",...} and
{"t":...,"event":"subscribed","sids":[...]}. Replay it with 'kalshi-ws replay FILE'.

  -c, --channel NAME        channel to record (repeatable)
  -m, --market TICKER       market filter (repeatable)
  -o, --out FILE            output file (default: stdout); needs write permission

${STOPPING}

${CONNECTION}

${METRICS}

${COMMON}

Example:
  kalshi-ws record -c orderbook_delta -c trade -m KXFED-26DEC-T4.25 --duration 300 -o fed.jsonl
`,
  replay: `Usage: kalshi-ws replay FILE [options]

Feeds a recording through the same decoder and order books as a live run and shows the books
like 'book' (ladder on a terminal, NDJSON book lines otherwise, final lines at the end). With
--serve, serves it over the Kalshi protocol on 127.0.0.1 instead: a client subscribing as the
recorded client did receives the recorded frames (ids and sids as recorded), one recorded
connection per accepted connection.

  --speed X                 1 = recorded pace, 2 = twice as fast, 0 = as fast as possible
                            (default 0)
  --interval MS, --depth N  as for 'book'
  --serve                   serve the recording instead of showing it
  --port N                  --serve: port on 127.0.0.1 (default: any free port)

${STOPPING}

${COMMON}

Examples:
  kalshi-ws replay fed.jsonl --format ndjson | tail -n 3
  kalshi-ws replay fed.jsonl --serve --port 8765 --speed 1
`,
  simulate: `Usage: kalshi-ws simulate [options]

Runs the local Kalshi-compatible simulator on 127.0.0.1 and prints (stdout) its URL, the test
key id and the path of its private key file (PKCS#1 PEM, mode 0600), as three 'name: value'
lines or one JSON object with --format ndjson. Ctrl-C, SIGTERM or SIGHUP stop it and delete the
key file.

  --port N                  port (default: any free port)
  --seed N                  seed of the deterministic market activity (default 1)
  --rate N                  activity steps per second (default 20; 0 = a frozen market;
                            at most 10000)
  --open                    also accept connections without auth headers
  --drift                   drift mode: also send fields no spec documents and an unknown
                            message type, to see what a client reports (try 'check')
  --ping-interval SECONDS   heartbeat pings (default 10; 0 = none)
  --key-dir DIR             where to write the key file (default: a new directory in /tmp)
  -m, --market TICKER       only these of the simulator's markets (repeatable)
${FAULT}

${STOPPING}

${COMMON}

Example:
  kalshi-ws simulate --port 8765
  kalshi-ws stream --url ws://127.0.0.1:8765 --key-id <key_id> --private-key-file <path> -c ticker
  kalshi-ws simulate --port 8765 --drift     # then 'check' against it lists the drift
`,
  demo: `Usage: kalshi-ws demo [options]

Starts the simulator in-process and shows 'book' for a few of its markets. No credentials, no
network beyond 127.0.0.1. Runs until Ctrl-C (or --duration); a ladder on a terminal, NDJSON
book lines otherwise.

  -m, --market TICKER       which simulated markets (default: the first three)
  --seed N                  seed of the simulated activity (default 1)
  --rate N                  activity steps per second (default 20)
  --interval MS, --depth N  as for 'book'
${FAULT}

${STOPPING}

${METRICS}

${COMMON}

Examples:
  kalshi-ws demo                  (npx kalshi-ws demo; from the repo: deno task demo)
  kalshi-ws demo --fault disconnect@5 --fault hang-handshakes@5   # watch it heal
`,
  subscriptions: `Usage: kalshi-ws subscriptions [-c CHANNEL -m TICKER ...] [options]

Connects and prints the server's subscriptions for this connection (list_subscriptions), one
JSON object per line ({"channel":...,"sid":...}). Subscriptions live per connection, so a fresh
connection has none; pass -c (and -m) to subscribe first and see the sids Kalshi assigns.

  -c, --channel NAME        subscribe to this channel first (repeatable)
  -m, --market TICKER       market filter for those channels (repeatable)

${CONNECTION}

${COMMON}
`,
  check: `Usage: kalshi-ws check [options]

Connects, authenticates and reports: handshake time, command round trip (list_subscriptions,
several samples: min and median) and clock skew, then exits. Skew is estimated from the ts_ms
(exchange time) of received ticker/trade messages minus the local receive time, corrected by half
the round trip; positive means the exchange clock is ahead. It also checks the local clock
against the HTTP Date header of a request to the same host, when one is answered.

Protocol drift: every frame of the run (replies, and a few seconds of ticker, trade and
market_lifecycle_v2) is checked against the fields Kalshi's AsyncAPI documents; unknown message
types, channels and fields and retired fields are listed with counts ("drift" in the report;
a warning on stderr). 'stream' and 'record' print a one-line drift summary on stderr at exit.

${CONNECTION}

${COMMON}
`,
  publish: `Usage: kalshi-ws publish --nats URL -m TICKER [-m ...] [options]

A collector: publishes every data message, lifecycle event and periodic book snapshot to NATS
JetStream (subjects <prefix>.<channel>.<market>, <prefix>.snapshot.<market>, ...; stream and
lease bucket created if missing). Run one per machine with the same -m set: they register in a
key-value bucket and split the markets by lease; when one stops or dies, the others take its
markets over within the lease time and publish fresh snapshots. Ctrl-C hands markets over at
once. Events go to stderr (and stdout as NDJSON lines with --format ndjson).

  -m, --market TICKER       a market of the shared set (repeatable; all collectors get the same)
  -c, --channel NAME        channels (default orderbook_delta, ticker, trade)
  --nats URL                NATS server(s): repeat it or separate with commas, e.g. a cluster's
                            three (else NATS_URL, else nats://127.0.0.1:4222)
  --replicas N              copies of the stream and lease bucket if this creates them
                            (default 3 on a cluster of three or more servers, else 1)
  --batch-latency MS        longest wait of a message for others of its subject to share one
                            JetStream message (default 5; 0 = one per message, lowest latency)
  --collector-id ID         this collector's id, unique per collector (default: random)
  --lease-ttl SECONDS       lease time to live (default 10): the take-over time after a crash
  --snapshot-interval SECONDS  periodic snapshots for consumers starting mid-stream (default 30)
  --stream NAME             JetStream stream (default KALSHI)
  --prefix PREFIX           subject prefix (default kalshi)
  --duration SECONDS        stop cleanly after this long (> 0, up to ten years)

${CONNECTION}

${METRICS}

${COMMON}

Example:
  kalshi-ws publish --nats nats://10.0.0.5:4222 --collector-id host-a -m KXFED-26DEC-T4.25
  kalshi-ws publish --nats nats://10.0.0.5:4222,nats://10.0.0.6:4222,nats://10.0.0.7:4222 \
    --collector-id host-a -m KXFED-26DEC-T4.25
`,
  consume: `Usage: kalshi-ws consume --nats URL -m TICKER [-m ...] [options]

Rebuilds exact order books of the markets from the JetStream feed the collectors publish (newest
snapshot, then deltas) and shows them like 'book': a ladder on a terminal, NDJSON book lines
otherwise. A gap in the feed (a lost message, a collector take-over, a collector's own repair) is
reported on stderr (and as {"type":"gap",...} NDJSON lines); the book shows again once a
snapshot makes it exact.

  -m, --market TICKER       market to follow (repeatable)
  --nats URL                NATS server(s): repeat it or separate with commas (else NATS_URL,
                            else nats://127.0.0.1:4222)
  --stream NAME             JetStream stream (default KALSHI)
  --prefix PREFIX           subject prefix (default kalshi)
  --interval MS             NDJSON: minimum ms between two lines of one market (default 1000)
  --depth N                 ladder levels per side (default 5)
  --duration SECONDS        stop cleanly after this long (> 0, up to ten years)

${METRICS}

${COMMON}

Example:
  kalshi-ws consume --nats nats://10.0.0.5:4222 -m KXFED-26DEC-T4.25 --format ndjson
`,
};

/** The help page of `command`, or the overview. */
export function helpText(command: CommandName | undefined): string {
  return command === undefined ? OVERVIEW : PAGES[command];
}
