import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { blankMessage, MESSAGE_SCHEMAS, MESSAGE_TYPES, STRUCT_SCHEMAS, type FieldKind, type Message } from '../../src/protocol/index.js';
import { createCodec, RECORD_STRUCTURES } from '../../src/runtime/codec.js';
import { RecordEncoder } from '../../src/runtime/record-encoder.js';

/** msgpackr alone, configured as the codec configures it: the reference encoding. */
const reference = new Packr({
  structures: RECORD_STRUCTURES.map((keys) => [...keys]),
  maxSharedStructures: RECORD_STRUCTURES.length,
  shouldShareStructure: () => false,
  maxOwnStructures: 0,
  useRecords: true,
  moreTypes: false,
  mapsAsObjects: true,
});
const fast = new RecordEncoder(RECORD_STRUCTURES, MESSAGE_TYPES);
const codec = createCodec({ validation: 'type' });

/** Values at every boundary of the encodings (fixint/record-id clash at 0x40, int sizes, float64, str sizes, UTF-8). */
const NUMBERS = [0, -0, 1, 63, 64, 127, 128, 255, 256, 65535, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53, -1, -32, -33, -128, -(2 ** 31), -(2 ** 31) - 1, 0.5, -0.25, 1e-300, 1.7e308, 60_123.45, 1.7e15, NaN, Infinity];
const STRINGS = ['', 'a', 'BTC/USDT', 'x'.repeat(31), 'y'.repeat(32), 'z'.repeat(255), 'w'.repeat(256), 'v'.repeat(70_000), 'é', 'Ünïcødé ✓ 🚀', '日本'.repeat(20), '€'.repeat(100)];

let n = 0;
function sample(kind: FieldKind): unknown {
  n++;
  if (typeof kind !== 'string') {
    if ('enum' in kind) return kind.enum[n % kind.enum.length];
    const fields = STRUCT_SCHEMAS[kind.list as keyof typeof STRUCT_SCHEMAS];
    return Array.from({ length: n % 4 }, () => Object.fromEntries(Object.entries(fields).map(([name, k]) => [name, sample(k)])));
  }
  switch (kind) {
    case 'str':
      return STRINGS[n % STRINGS.length];
    case 'num':
    case 'int':
      return NUMBERS[n % NUMBERS.length];
    case 'bool':
      return n % 2 === 0;
    case 'str?':
      return n % 3 === 0 ? null : STRINGS[n % STRINGS.length];
    case 'num?':
      return n % 3 === 0 ? null : NUMBERS[n % NUMBERS.length];
    case 'num[]':
      return Array.from({ length: n % 20 }, (_, i) => NUMBERS[(n + i) % NUMBERS.length]);
  }
}

function sampleMessage(type: (typeof MESSAGE_TYPES)[number]): Message {
  const message = blankMessage(type) as Record<string, unknown>;
  message.ts = NUMBERS[n % NUMBERS.length];
  for (const [name, kind] of Object.entries(MESSAGE_SCHEMAS[type])) message[name] = sample(kind as FieldKind);
  return message as Message;
}

const decode = (bytes: Uint8Array): unknown => codec.decode(bytes, 0, bytes.length);

describe('record encoder (the codec fast path)', () => {
  it.each(MESSAGE_TYPES)('%s: every boundary value decodes exactly as msgpackr’s own encoding does', (type) => {
    for (let round = 0; round < 60; round++) {
      const message = sampleMessage(type);
      const bytes = fast.encode(message);
      expect(bytes, `${type} round ${round} took the fast path`).toBeDefined();
      expect(decode(bytes!.slice())).toEqual(decode(reference.pack(message)));
    }
  });

  it('declines what msgpackr must handle: unknown types, keys out of order or extra, undefined, class instances', () => {
    const tick = blankMessage('BookTop');
    expect(fast.encode({ type: 'Teleport' })).toBeUndefined();
    expect(fast.encode(Object.fromEntries(Object.entries(tick).reverse()) as { type: string })).toBeUndefined();
    const extra = { ...tick, extra: 1 };
    const missing = { ...tick, bidPx: undefined };
    expect(fast.encode(extra)).toBeUndefined();
    expect(fast.encode(missing)).toBeUndefined();
    class Tick {
      type = 'BookTop';
    }
    expect(fast.encode(new Tick())).toBeUndefined();
    const multi = blankMessage('SubmitMultiLeg') as unknown as { type: string; legs: unknown[] };
    multi.legs = [{ venue: 'a' }];
    expect(fast.encode(multi)).toBeUndefined();
  });
});
