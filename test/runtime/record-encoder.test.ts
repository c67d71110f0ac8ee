import { describe, expect, it } from 'vitest';
import { blankMessage, MESSAGE_TYPES } from '../../src/protocol/index.js';
import { createCodec, createRecordPackr, RECORD_STRUCTURES } from '../../src/runtime/transport/codec.js';
import { RecordEncoder } from '../../src/runtime/transport/record-encoder.js';
import { sampleMessageWith } from '../helpers/message-samples.js';

/** msgpackr alone, configured as the codec configures it: the reference encoding. */
const reference = createRecordPackr();
const fast = new RecordEncoder(RECORD_STRUCTURES, MESSAGE_TYPES);
const codec = createCodec({ validation: 'type' });

/** Values at every boundary of the encodings (fixint/record-id clash at 0x40, int sizes, float64, str sizes, UTF-8). */
const NUMBERS = [0, -0, 1, 63, 64, 127, 128, 255, 256, 65535, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53, -1, -32, -33, -128, -(2 ** 31), -(2 ** 31) - 1, 0.5, -0.25, 1e-300, 1.7e308, 60_123.45, 1.7e15, NaN, Infinity];
const STRINGS = ['', 'a', 'BTC/USDT', 'x'.repeat(31), 'y'.repeat(32), 'z'.repeat(255), 'w'.repeat(256), 'v'.repeat(70_000), 'é', 'Ünïcødé ✓ 🚀', '日本'.repeat(20), '€'.repeat(100)];

/** Values per scalar kind, taken in turn so every boundary value meets every field. */
const POOLS: Record<string, readonly unknown[]> = {
  str: STRINGS,
  num: NUMBERS,
  int: NUMBERS,
  bool: [true, false],
  'str?': [null, ...STRINGS],
  'num?': [null, ...NUMBERS],
};

let round = 0;
const scalar = (kind: string, n: number): unknown => {
  const at = n + round * 7;
  if (kind === 'num[]') return Array.from({ length: at % 20 }, (_, i) => NUMBERS[(at + i) % NUMBERS.length]);
  const pool = POOLS[kind]!;
  return pool[at % pool.length];
};

const decode = (bytes: Uint8Array): unknown => codec.decode(bytes, 0, bytes.length);

describe('record encoder (the codec fast path)', () => {
  it.each(MESSAGE_TYPES)('%s: every boundary value decodes exactly as msgpackr’s own encoding does', (type) => {
    for (round = 0; round < 60; round++) {
      const message = sampleMessageWith(type, NUMBERS[round % NUMBERS.length]!, scalar);
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
