import { describe, expect, it } from 'vitest';
import { isArbiterError } from '../../src/base/errors.js';
import { createRing, recordBytes, RingProbe, RingReader, RingWriter } from '../../src/runtime/transport/ring.js';

const bytes = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill);

function drain(reader: RingReader, max = 1 << 20): { fill: number; length: number; key: number }[] {
  const out: { fill: number; length: number; key: number }[] = [];
  reader.poll((data, start, end, key) => out.push({ fill: end > start ? data[start]! : -1, length: end - start, key }), max);
  return out;
}

describe('ring (single thread)', () => {
  it('rejects capacities that are not a power of two in range, naming the value', () => {
    expect(() => createRing(3000)).toThrow(/power of two.*got 3000/);
    expect(() => createRing(512)).toThrow(/got 512/);
  });

  it('refuses a buffer that is not a ring', () => {
    expect(() => new RingReader(new SharedArrayBuffer(4096))).toThrow(/not a ring/);
  });

  it('reports a full ring with false and changes nothing, then accepts after the reader frees space', () => {
    const ring = createRing(1024);
    const writer = new RingWriter(ring);
    const reader = new RingReader(ring);
    let written = 0;
    while (writer.tryWrite(bytes(100, written), written)) written++;
    expect(written).toBe(Math.floor(1024 / recordBytes(100)));
    expect(writer.fullEvents()).toBe(1);
    expect(new RingProbe(ring).recordsWritten()).toBe(written);
    const got = drain(reader, 2);
    expect(got.map((r) => r.fill)).toEqual([0, 1]);
    expect(writer.tryWrite(bytes(100, 99), 99)).toBe(true);
    const rest = drain(reader);
    expect(rest.map((r) => r.fill)).toEqual([...Array.from({ length: written - 2 }, (_, i) => i + 2), 99]);
  });

  it('throws RING_RECORD_TOO_LARGE for a record that could never fit', () => {
    const writer = new RingWriter(createRing(1024));
    try {
      writer.tryWrite(bytes(600, 1), 0);
      expect.unreachable();
    } catch (error) {
      expect(isArbiterError(error, 'RING_RECORD_TOO_LARGE')).toBe(true);
      expect(String(error)).toMatch(/600 bytes exceeds .* 504/);
    }
  });

  it('keeps records whole across many wrap-arounds with awkward sizes, including empty ones', () => {
    const ring = createRing(1024);
    const writer = new RingWriter(ring);
    const reader = new RingReader(ring);
    const sizes = [0, 1, 3, 5, 77, 250, 333, 4, 499];
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 5000; round++) {
      const size = sizes[round % sizes.length]!;
      if (!writer.tryWrite(bytes(size, next & 0xff), next)) {
        for (const record of drain(reader)) {
          expect(record.key).toBe(expected);
          expect(record.length).toBe(sizes[expected % sizes.length]);
          if (record.length > 0) expect(record.fill).toBe(expected & 0xff);
          expected++;
        }
        expect(writer.tryWrite(bytes(size, next & 0xff), next)).toBe(true);
      }
      next++;
    }
    for (const record of drain(reader)) expect(record.key).toBe(expected++);
    expect(expected).toBe(5000);
  });

  it('a new reader resumes at the committed cursor; a new writer continues after the last published record', () => {
    const ring = createRing(1024);
    const writer = new RingWriter(ring);
    for (let i = 0; i < 5; i++) writer.tryWrite(bytes(10, i), i);
    expect(drain(new RingReader(ring), 2).map((r) => r.key)).toEqual([0, 1]);
    const successor = new RingWriter(ring);
    successor.tryWrite(bytes(10, 5), 5);
    expect(drain(new RingReader(ring)).map((r) => r.key)).toEqual([2, 3, 4, 5]);
  });

  it('a visitor that throws leaves its record unconsumed', () => {
    const ring = createRing(1024);
    new RingWriter(ring).tryWrite(bytes(8, 7), 1);
    const reader = new RingReader(ring);
    expect(() =>
      reader.poll(() => {
        throw new Error('boom');
      }, 10),
    ).toThrow('boom');
    expect(drain(reader).map((r) => r.key)).toEqual([1]);
  });

  it('pollConflated delivers only the latest available record per key, in order, and never conflates key 0', () => {
    const ring = createRing(4096);
    const writer = new RingWriter(ring);
    const reader = new RingReader(ring);
    // (key, value): key 1 three times, key 2 twice, two unkeyed.
    const sequence: [number, number][] = [[1, 10], [2, 20], [0, 1], [1, 11], [0, 2], [2, 21], [1, 12]];
    for (const [key, value] of sequence) writer.tryWrite(bytes(4, value), key);
    const seen: [number, number][] = [];
    const delivered = reader.pollConflated((data, start, _end, key) => seen.push([key, data[start]!]), 100);
    expect(seen).toEqual([[0, 1], [0, 2], [2, 21], [1, 12]]);
    expect(delivered).toBe(4);
    expect(reader.conflated).toBe(3);
    expect(reader.usedBytes()).toBe(0);
    // Next window starts fresh: a key seen before is delivered again.
    writer.tryWrite(bytes(4, 13), 1);
    seen.length = 0;
    reader.pollConflated((data, start, _end, key) => seen.push([key, data[start]!]), 100);
    expect(seen).toEqual([[1, 13]]);
  });
});
