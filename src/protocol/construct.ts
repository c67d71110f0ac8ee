/**
 * Message construction with keys in schema order.
 *
 * msgpackr matches an object to a record structure by its key order; an object built with
 * keys in another order is still encoded correctly, but as a larger, slower map. These
 * helpers guarantee the record form. Hot paths allocate one message with `blankMessage` and
 * mutate it for every send (the codec copies the bytes out, so reuse is safe).
 */
import type { FieldKind } from './fields.js';
import { MESSAGE_SCHEMAS, type MessageOf, type MessageType } from './messages.js';

function zeroOf(kind: FieldKind): unknown {
  if (typeof kind !== 'string') return 'enum' in kind ? kind.enum[0] : [];
  switch (kind) {
    case 'str':
      return '';
    case 'num':
    case 'int':
      return 0;
    case 'bool':
      return false;
    case 'num[]':
      return [];
    default:
      return null;
  }
}

/** A message of `type` with every field at its zero value, keys in schema order. */
export function blankMessage<T extends MessageType>(type: T): MessageOf<T> {
  const message: Record<string, unknown> = { type, ts: 0 };
  for (const [name, kind] of Object.entries(MESSAGE_SCHEMAS[type])) message[name] = zeroOf(kind as FieldKind);
  return message as MessageOf<T>;
}

/** A message of `type` from `fields` (every field required), keys in schema order. */
export function message<T extends MessageType>(type: T, fields: Omit<MessageOf<T>, 'type'>): MessageOf<T> {
  return Object.assign(blankMessage(type), fields);
}
