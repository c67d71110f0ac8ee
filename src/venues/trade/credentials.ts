/**
 * Exchange credentials, read only inside the execution worker, from one of two sources:
 *
 * - environment variables `ARBITER_<ACCOUNT>_API_KEY`, `ARBITER_<ACCOUNT>_SECRET` and (venues that
 *   need one, such as okx) `ARBITER_<ACCOUNT>_PASSWORD`, where ACCOUNT is the venue's account name
 *   in upper case (`BINANCE` for both binance and binanceusdm unless configured). The supervisor
 *   hands the full environment only to the actor configured with `credentials: true`; every
 *   other worker gets the environment without secret-looking names (runtime/worker-env.ts);
 * - a JSON secrets file whose path is in params: `{ "<account>": { "apiKey", "secret", "password"? } }`.
 *
 * In sim mode the simulator's own keys arrive the same way, so the authority path is the same in
 * every mode. Errors name the variables or the file, never a value.
 */
import { readFileSync } from 'node:fs';
import { arbiterError } from '../../base/errors.js';

export interface VenueCredentials {
  readonly apiKey: string;
  readonly secret: string;
  readonly password?: string;
}

export type CredentialSource = { readonly source: 'env' } | { readonly source: 'file'; readonly path: string };

/** The variable names of one account. @example credentialEnvNames('binance').apiKey // 'ARBITER_BINANCE_API_KEY' */
export function credentialEnvNames(account: string): { apiKey: string; secret: string; password: string } {
  const prefix = `ARBITER_${account.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
  return { apiKey: `${prefix}_API_KEY`, secret: `${prefix}_SECRET`, password: `${prefix}_PASSWORD` };
}

function fromEnv(account: string, env: NodeJS.ProcessEnv): VenueCredentials {
  const names = credentialEnvNames(account);
  const apiKey = env[names.apiKey];
  const secret = env[names.secret];
  if (!apiKey || !secret) {
    throw arbiterError('SECRETS_MISSING', `credentials for account ${account}: set ${names.apiKey} and ${names.secret} in the execution actor's environment (missing: ${[!apiKey && names.apiKey, !secret && names.secret].filter(Boolean).join(', ')})`);
  }
  const password = env[names.password];
  return password ? { apiKey, secret, password } : { apiKey, secret };
}

function fromFile(account: string, path: string): VenueCredentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    // The file's content never goes into the message: a parse error could quote a secret.
    throw arbiterError('SECRETS_MISSING', `secrets file ${path} cannot be read as JSON (${(error as NodeJS.ErrnoException).code ?? 'invalid JSON'})`);
  }
  const entry = (parsed as Record<string, unknown> | null)?.[account.toLowerCase()] ?? (parsed as Record<string, unknown> | null)?.[account];
  const { apiKey, secret, password } = (entry ?? {}) as Record<string, unknown>;
  if (typeof apiKey !== 'string' || apiKey === '' || typeof secret !== 'string' || secret === '') {
    throw arbiterError('SECRETS_MISSING', `secrets file ${path}: entry ${JSON.stringify(account.toLowerCase())} needs non-empty "apiKey" and "secret" strings`);
  }
  return typeof password === 'string' && password !== '' ? { apiKey, secret, password } : { apiKey, secret };
}

/** The credentials of `account` from the configured source. Throws SECRETS_MISSING naming what is absent. */
export function loadCredentials(account: string, source: CredentialSource, env: NodeJS.ProcessEnv = process.env): VenueCredentials {
  return source.source === 'env' ? fromEnv(account, env) : fromFile(account, source.path);
}
