/**
 * Command-line parsing shared by the commands: node's parseArgs with errors that name the
 * option and the value, plus number parsing with bounds.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { arbiterError } from '../base/errors.js';

export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(command: string, argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (error) {
    throw arbiterError('CONFIG_INVALID', `arbiter ${command}: ${(error as Error).message}`);
  }
}

/** Parses `--name <value>` as a number in [min, max]; undefined when the option is absent. */
export function numberOption(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
    throw arbiterError('CONFIG_INVALID', `--${name} must be a number in [${min}, ${max}], got ${JSON.stringify(value)}`);
  }
  return parsed;
}
