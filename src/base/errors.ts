/**
 * The error catalog: every coded error Arbiter raises, each marked recoverable (the process
 * keeps running; the offending input is rejected and counted) or fatal (the component cannot
 * continue). Causes are attached with `cause`, never flattened into the message.
 */

export const ERROR_CATALOG = {
  CONFIG_INVALID: { recoverable: false, summary: 'configuration is invalid' },
  SECRETS_MISSING: { recoverable: false, summary: 'credentials are missing' },
  LIVE_NOT_CONFIRMED: { recoverable: false, summary: 'live trading was not confirmed' },
  RING_RECORD_TOO_LARGE: { recoverable: true, summary: 'record does not fit the ring' },
  RING_LAYOUT: { recoverable: false, summary: 'shared buffer does not hold a valid ring' },
  RING_CORRUPT: { recoverable: false, summary: 'ring contents are corrupt' },
  DECODE_FAILED: { recoverable: true, summary: 'record could not be decoded' },
  INVALID_MESSAGE: { recoverable: true, summary: 'message failed schema validation' },
  INVALID_ARGUMENT: { recoverable: true, summary: 'a function was called with an invalid argument' },
  ACTOR_MODULE: { recoverable: false, summary: 'actor module could not be loaded' },
  ACTOR_HOOK: { recoverable: true, summary: 'actor hook threw' },
  ACTOR_STATE: { recoverable: true, summary: 'invalid actor lifecycle transition' },
  ACTOR_CRASHED: { recoverable: true, summary: 'actor worker exited unexpectedly' },
  CONTROL_TIMEOUT: { recoverable: true, summary: 'control request timed out' },
  WIRING: { recoverable: false, summary: 'actor graph wiring is invalid' },
  VENUE_DATA: { recoverable: true, summary: 'venue sent malformed or implausible data' },
  JOURNAL: { recoverable: false, summary: 'order journal failure' },
  SESSION_MISMATCH: { recoverable: false, summary: 'the journal belongs to another simulator world' },
  OPS_REQUEST: { recoverable: true, summary: 'bad ops request' },
  PORT_IN_USE: { recoverable: false, summary: 'another process listens on the configured port' },
  DATA_DIR_LOCKED: { recoverable: false, summary: 'another Arbiter process runs on this data dir' },
} as const satisfies Record<string, { recoverable: boolean; summary: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export class ArbiterError extends Error {
  readonly code: ErrorCode;
  readonly recoverable: boolean;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(`${code}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ArbiterError';
    this.code = code;
    this.recoverable = ERROR_CATALOG[code].recoverable;
    this.details = options.details;
  }
}

/** Creates a coded error. `arbiterError('CONFIG_INVALID', 'actors[0].module: file not found')`. */
export function arbiterError(
  code: ErrorCode,
  message: string,
  options?: { cause?: unknown; details?: Record<string, unknown> },
): ArbiterError {
  return new ArbiterError(code, message, options);
}

export function isArbiterError(error: unknown, code?: ErrorCode): error is ArbiterError {
  return error instanceof ArbiterError && (code === undefined || error.code === code);
}

/** A one-line description of any thrown value, including the chain of causes. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    parts.push(current instanceof Error ? current.message : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(' ← caused by: ');
}
