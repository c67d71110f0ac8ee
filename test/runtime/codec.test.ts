import { describe, expect, it } from 'vitest';
import { blankMessage, MESSAGE_SCHEMAS, MESSAGE_TYPES, STRUCT_SCHEMAS, type FieldKind, type Message } from '../../src/protocol/index.js';
import { createCodec, RECORD_STRUCTURES } from '../../src/runtime/transport/codec.js';
import { isArbiterError } from '../../src/base/errors.js';

let counter = 0;
function sample(kind: FieldKind): unknown {
  counter++;
  if (typeof kind !== 'string') {
    if ('enum' in kind) return kind.enum[counter % kind.enum.length];
    const fields = STRUCT_SCHEMAS[kind.list as keyof typeof STRUCT_SCHEMAS];
    return [0, 1].map(() => Object.fromEntries(Object.entries(fields).map(([name, k]) => [name, sample(k)])));
  }
  switch (kind) {
    case 'str':
      return `s${counter}/é`;
    case 'num':
      return counter * 1.25 - 7;
    case 'int':
      return counter * 1000;
    case 'bool':
      return counter % 2 === 0;
    case 'str?':
      return counter % 2 === 0 ? null : `o${counter}`;
    case 'num?':
      return counter % 2 === 0 ? null : counter / 8;
    case 'num[]':
      return [counter, counter + 0.5, -counter];
  }
}

function sampleMessage(type: (typeof MESSAGE_TYPES)[number]): Message {
  const message = blankMessage(type) as Record<string, unknown>;
  message.ts = 123_456_789.5 + counter;
  for (const [name, kind] of Object.entries(MESSAGE_SCHEMAS[type])) message[name] = sample(kind as FieldKind);
  return message as Message;
}

describe('codec', () => {
  const codec = createCodec();

  it.each(MESSAGE_TYPES)('round-trips %s through a shared-memory buffer', (type) => {
    const message = sampleMessage(type);
    const encoded = codec.encode(message);
    const shared = new Uint8Array(new SharedArrayBuffer(encoded.length + 32));
    shared.set(encoded, 16);
    expect(codec.decode(shared, 16, 16 + encoded.length)).toEqual(message);
  });

  it('writes schema-ordered messages as records (smaller than the same object as a map)', () => {
    const message = sampleMessage('BookTop');
    const reordered = Object.fromEntries(Object.entries(message).reverse()) as Message;
    expect(codec.encode(message).length).toBeLessThan(codec.encode(reordered).length);
    // The map form still decodes to the same message.
    const encoded = codec.encode(reordered);
    expect(codec.decode(encoded, 0, encoded.length)).toEqual(message);
  });

  it('every thread derives the same frozen structures, and encoding never extends them', () => {
    const before = JSON.stringify(RECORD_STRUCTURES);
    const other = createCodec();
    for (let i = 0; i < 50; i++) other.encode({ type: 'Probe', ts: i, [`extra${i}`]: i } as unknown as Message);
    const message = sampleMessage('Filled');
    const encoded = other.encode(message);
    expect(createCodec().decode(encoded, 0, encoded.length)).toEqual(message);
    expect(JSON.stringify(RECORD_STRUCTURES)).toBe(before);
    expect(Object.isFrozen(RECORD_STRUCTURES)).toBe(true);
  });

  it('rejects garbage bytes with DECODE_FAILED', () => {
    try {
      codec.decode(new Uint8Array([0xc1, 0xff, 0x00]), 0, 3);
      expect.unreachable();
    } catch (error) {
      expect(isArbiterError(error, 'DECODE_FAILED')).toBe(true);
    }
  });

  it('rejects a well-formed record that breaks its schema, naming the field and value', () => {
    const bad = { ...sampleMessage('SubmitOrder'), qty: 'lots' } as unknown as Message;
    const encoded = codec.encode(bad);
    expect(() => codec.decode(encoded, 0, encoded.length)).toThrow(/INVALID_MESSAGE: SubmitOrder\.qty must be num, got "lots"/);
    const unknownType = codec.encode({ type: 'Teleport', ts: 1 } as unknown as Message);
    expect(() => codec.decode(unknownType, 0, unknownType.length)).toThrow(/unknown message type "Teleport"/);
  });

  it('type-only validation accepts known types without checking fields', () => {
    const light = createCodec({ validation: 'type' });
    const encoded = light.encode({ ...sampleMessage('BookTop'), bidPx: 'x' } as unknown as Message);
    expect((light.decode(encoded, 0, encoded.length) as { bidPx: unknown }).bidPx).toBe('x');
  });
});
