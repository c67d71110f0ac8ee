/**
 * Turns a zod validation failure into one readable message that names each bad field by its
 * path and shows the value that was given: `channels[1].policy: expected one of lossless|conflate, got "fast"`.
 */
import type { z } from 'zod';
import { arbiterError, type ArbiterError } from './errors.js';

function pathString(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out === '' ? '(root)' : out;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/** One line per issue: `<path>: <problem>, got <value>`. */
function formatZodIssues(error: z.ZodError, input: unknown): string[] {
  return error.issues.map((issue) => `${pathString(issue.path)}: ${issue.message}, got ${show(valueAt(input, issue.path))}`);
}

/** A CONFIG_INVALID error listing every issue, prefixed with where the config came from. */
export function configError(source: string, error: z.ZodError, input: unknown): ArbiterError {
  const lines = formatZodIssues(error, input);
  return arbiterError('CONFIG_INVALID', `${source}:\n  ${lines.join('\n  ')}`, { details: { issues: lines } });
}
