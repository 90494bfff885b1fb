/**
 * Error types shared by every kalshi-ws package.
 *
 * Split as h11 does: {@linkcode CommandError} means "you misused the library" (thrown before
 * anything is sent), {@linkcode DecodeError} and {@linkcode ServerError} mean "the peer sent
 * something we must report". Inside the core, anything a connection can survive becomes an
 * event rather than an exception; these classes are what those events and rejections carry.
 *
 * @module
 */

/** Base class of every error raised by kalshi-ws (except {@linkcode DecodeError}). */
export class KalshiWsError extends Error {
  /** Creates an error; `options.cause` keeps the underlying error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "KalshiWsError";
  }
}

/** Longest frame excerpt quoted in a {@linkcode DecodeError} message (the full text is kept). */
const FRAME_EXCERPT = 200;

/**
 * A server frame that is not JSON or is structurally invalid (e.g. no string `type`).
 *
 * A `SyntaxError` (as `JSON.parse` throws) that carries the whole frame text, so a bad frame is
 * reported with its content and never silently lost.
 */
export class DecodeError extends SyntaxError {
  /** The complete frame text as received. */
  readonly frame: string;

  /** Creates a decode error for `frame`; `reason` says what was wrong. */
  constructor(reason: string, frame: string, options?: ErrorOptions) {
    const excerpt = frame.length > FRAME_EXCERPT ? `${frame.slice(0, FRAME_EXCERPT)}…` : frame;
    super(`Cannot decode frame: ${reason}: ${excerpt}`, options);
    this.name = "DecodeError";
    this.frame = frame;
  }
}

/** A command the caller built cannot be sent as is (bad or conflicting parameters). */
export class CommandError extends KalshiWsError {
  /** Creates a command error; the message names the offending parameter. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CommandError";
  }
}

/** A decimal string that is not an exact fixed-point value of the expected precision. */
export class FixedPointError extends KalshiWsError {
  /** The rejected input, as text. */
  readonly value: string;

  /** Creates a fixed-point error for `value`; `reason` says what was wrong. */
  constructor(reason: string, value: string) {
    super(`Cannot parse fixed-point value ${JSON.stringify(value)}: ${reason}`);
    this.name = "FixedPointError";
    this.value = value;
  }
}

/** Kalshi answered a command or a subscription with an `error` frame. */
export class ServerError extends KalshiWsError {
  /** Kalshi's numeric error code (see the protocol reference, §5). */
  readonly code: number;
  /** The command id the error answers, when it answers one. */
  readonly id: number | undefined;
  /** The subscription the error concerns, when it concerns one. */
  readonly sid: number | undefined;

  /** Creates a server error from the frame's `code`, text and scope. */
  constructor(
    code: number,
    text: string,
    scope: { readonly id?: number | undefined; readonly sid?: number | undefined } = {},
  ) {
    super(`Kalshi error ${code}: ${text}`);
    this.name = "ServerError";
    this.code = code;
    this.id = scope.id;
    this.sid = scope.sid;
  }
}

/** A sent command got no answer within the command timeout. */
export class CommandTimeoutError extends KalshiWsError {
  /** The command name (`subscribe`, `update_subscription`, …). */
  readonly command: string;
  /** The timeout that elapsed (ms). */
  readonly timeoutMs: number;

  /** Creates a timeout error for `command`. */
  constructor(command: string, timeoutMs: number) {
    super(`Command "${command}" got no answer within ${timeoutMs} ms`);
    this.name = "CommandTimeoutError";
    this.command = command;
    this.timeoutMs = timeoutMs;
  }
}
