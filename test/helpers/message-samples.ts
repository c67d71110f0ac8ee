/** Builds messages of any type from a chooser for scalar fields (enums and struct lists handled here). */
import { blankMessage, MESSAGE_SCHEMAS, STRUCT_SCHEMAS, type FieldKind, type Message, type MessageType } from '../../src/protocol/index.js';

/** `scalar(kind, n)` gives a value for a scalar field kind ('str', 'num', 'num[]', …); n counts fields. */
export type ScalarChooser = (kind: string, n: number) => unknown;

export function sampleMessageWith(type: MessageType, ts: number, scalar: ScalarChooser): Message {
  let n = 0;
  const value = (kind: FieldKind): unknown => {
    n++;
    if (typeof kind === 'string') return scalar(kind, n);
    if ('enum' in kind) return kind.enum[n % kind.enum.length];
    const fields = STRUCT_SCHEMAS[kind.list as keyof typeof STRUCT_SCHEMAS];
    return Array.from({ length: n % 4 }, () => Object.fromEntries(Object.entries(fields).map(([name, k]) => [name, value(k)])));
  };
  const message = blankMessage(type) as Record<string, unknown>;
  message.ts = ts;
  for (const [name, kind] of Object.entries(MESSAGE_SCHEMAS[type])) message[name] = value(kind as FieldKind);
  return message as Message;
}
