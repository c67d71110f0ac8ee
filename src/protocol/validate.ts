/**
 * Validators compiled once from the schemas. `validateMessage` returns null for a valid
 * message, or a reason that names the offending field and value. Used wherever bytes or
 * objects cross a trust boundary (decoded records, ops requests, tests); cheap enough for the
 * data plane (no allocation on the success path).
 */
import type { FieldKind, Fields } from './fields.js';
import { MESSAGE_SCHEMAS, STRUCT_SCHEMAS, type MessageType } from './messages.js';

type Check = (value: unknown) => boolean;

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null || value === undefined || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? `array(${value.length})` : 'object';
}

const isFiniteNumber = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);

function scalarCheck(kind: string): Check {
  switch (kind) {
    case 'str':
      return (v) => typeof v === 'string';
    case 'num':
      return isFiniteNumber;
    case 'int':
      return (v) => Number.isSafeInteger(v);
    case 'bool':
      return (v) => typeof v === 'boolean';
    case 'str?':
      return (v) => v === null || typeof v === 'string';
    case 'num?':
      return (v) => v === null || isFiniteNumber(v);
    case 'num[]':
      return (v) => Array.isArray(v) && v.every(isFiniteNumber);
    default:
      throw new Error(`unknown field kind ${kind}`);
  }
}

type FieldValidator = (value: Record<string, unknown>) => string | null;

function compileFields(fields: Fields, where: string): FieldValidator {
  const entries = Object.entries(fields).map(([name, kind]) => [name, compileKind(kind, `${where}.${name}`)] as const);
  return (value) => {
    for (const [name, check] of entries) {
      const problem = check(value[name]);
      if (problem !== null) return problem;
    }
    return null;
  };
}

function compileKind(kind: FieldKind, path: string): (value: unknown) => string | null {
  if (typeof kind === 'string') {
    const check = scalarCheck(kind);
    return (v) => (check(v) ? null : `${path} must be ${kind}, got ${describe(v)}`);
  }
  if ('enum' in kind) {
    const allowed = new Set<string>(kind.enum);
    return (v) =>
      typeof v === 'string' && allowed.has(v) ? null : `${path} must be one of ${kind.enum.join('|')}, got ${describe(v)}`;
  }
  const struct = STRUCT_SCHEMAS[kind.list as keyof typeof STRUCT_SCHEMAS] as Fields | undefined;
  if (!struct) throw new Error(`${path}: unknown struct ${kind.list}`);
  const element = compileFields(struct, `${path}[]`);
  return (v) => {
    if (!Array.isArray(v)) return `${path} must be a list of ${kind.list}, got ${describe(v)}`;
    for (const item of v) {
      if (item === null || typeof item !== 'object') return `${path}[] must be ${kind.list}, got ${describe(item)}`;
      const problem = element(item as Record<string, unknown>);
      if (problem !== null) return problem;
    }
    return null;
  };
}

const VALIDATORS = Object.fromEntries(
  Object.entries(MESSAGE_SCHEMAS).map(([type, fields]) => [type, compileFields(fields, type)]),
) as Record<MessageType, FieldValidator>;

/** Null when `value` is a well-formed message; otherwise the reason, naming the field. */
export function validateMessage(value: unknown): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return `message must be an object, got ${describe(value)}`;
  }
  const record = value as Record<string, unknown>;
  const type = record.type;
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(VALIDATORS, type)) {
    return `unknown message type ${describe(type)}`;
  }
  if (!isFiniteNumber(record.ts)) return `${type}.ts must be num, got ${describe(record.ts)}`;
  return VALIDATORS[type as MessageType](record);
}
