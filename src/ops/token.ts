/**
 * The ops bearer token: from config, or generated at start and written to the data directory
 * readable by the user only, so a local operator (or script) can read it and nobody else can.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const TOKEN_FILE = 'ops-token';

export interface ResolvedToken {
  token: string;
  /** Where it was written, when generated. */
  file: string | null;
}

export function resolveOpsToken(configured: string | undefined, dataDir: string): ResolvedToken {
  if (configured !== undefined && configured !== '') return { token: configured, file: null };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const token = randomBytes(24).toString('base64url');
  const file = join(dataDir, TOKEN_FILE);
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // the mode option does not apply when the file already existed
  return { token, file };
}

/** Constant-time check of an `Authorization: Bearer <token>` header. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  if (header === undefined) return false;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) return false;
  const given = Buffer.from(match[1]!);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
