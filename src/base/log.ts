/**
 * Logging: one root pino logger per thread and a child per actor ({ actorId, kind }).
 *
 * JSON lines on stdout by default; human-readable when the main thread's stdout is a terminal
 * (the main thread decides and passes the choice to workers through the environment, since a
 * worker's own stdout is never a TTY). With ARBITER_LOG_FILE set, JSON lines are appended to
 * that file instead, from every thread and from child processes that inherit the environment
 * (the test suite gives each test file its own, see test/helpers/test-logs.ts). Secrets are redacted by key name wherever they appear
 * in a log object. Writes are synchronous: logs are not on the hot path, and a crash must not
 * swallow the line that explains it.
 */
import { isMainThread } from 'node:worker_threads';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

const SECRET_KEYS = [
  'apiKey',
  'secret',
  'password',
  'passphrase',
  'privateKey',
  'token',
  'authorization',
  'credentials',
  'uid',
];

/** Redaction paths: every secret key at the top level and up to two levels down. */
const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

const LOG_PRETTY_ENV = 'ARBITER_LOG_PRETTY';
export const LOG_LEVEL_ENV = 'ARBITER_LOG_LEVEL';
export const LOG_FILE_ENV = 'ARBITER_LOG_FILE';

let root: Logger | undefined;

function wantsPretty(): boolean {
  const configured = process.env[LOG_PRETTY_ENV];
  if (configured !== undefined) return configured === '1';
  const tty = isMainThread && process.stdout.isTTY === true;
  process.env[LOG_PRETTY_ENV] = tty ? '1' : '0';
  return tty;
}

/** The thread's root logger. Level from ARBITER_LOG_LEVEL (default `info`), destination from ARBITER_LOG_FILE (default stdout). */
export function rootLogger(): Logger {
  if (root) return root;
  const options = {
    level: process.env[LOG_LEVEL_ENV] ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
  };
  const file = process.env[LOG_FILE_ENV];
  if (file) root = pino(options, pino.destination({ dest: file, append: true, mkdir: true, sync: true }));
  else if (wantsPretty()) root = pino(options, pretty({ sync: true, destination: 1, colorize: true, ignore: 'pid,hostname' }));
  else root = pino(options, pino.destination({ fd: 1, sync: true }));
  return root;
}

/** A child logger for one actor. */
export function actorLogger(actorId: string, kind: string): Logger {
  return rootLogger().child({ actorId, kind });
}
