/**
 * The batch boundary an actor can commit at: onBatchEnd runs once after the host drained a batch,
 * and with it the inputs' records are handed back only then, so a successor reader (a restarted
 * worker) gets the whole uncommitted batch again, not just the record in hand.
 */
import { describe, expect, it } from 'vitest';
import { message } from '../../src/protocol/index.js';
import { defineActor } from '../../src/runtime/actor/actor.js';
import { createRing, RingProbe, RingReader, RingWriter } from '../../src/runtime/transport/ring.js';
import { ActorHarness } from '../helpers/actor-harness.js';

const fills = (reader: RingReader): number[] => {
  const out: number[] = [];
  reader.poll((data, start) => out.push(data[start]!), 1 << 20);
  return out;
};

describe('ring reader holding releases', () => {
  it('hands consumed records back only at release(): a successor reader before it sees them again', () => {
    const ring = createRing(1024);
    const writer = new RingWriter(ring);
    for (const fill of [1, 2, 3]) writer.tryWrite(new Uint8Array(8).fill(fill), 0);
    const reader = new RingReader(ring);
    reader.holdReleases = true;
    expect(fills(reader)).toEqual([1, 2, 3]);
    expect(reader.hasData()).toBe(false);
    expect(new RingProbe(ring).usedBytes()).toBeGreaterThan(0);
    // A crash now: the next reader resumes where the last release left off.
    expect(fills(new RingReader(ring))).toEqual([1, 2, 3]);
    reader.release();
    expect(new RingProbe(ring).usedBytes()).toBe(0);
    expect(fills(new RingReader(ring))).toEqual([]);
  });
});

describe('onBatchEnd', () => {
  it('runs once after each drained batch, with every message of it handled, and then releases the batch', async () => {
    const batches: number[][] = [];
    let pending: number[] = [];
    const actor = defineActor({
      kind: 'batcher',
      version: '1',
      inputs: ['in'],
      init: () => ({}),
      onMessage: {
        Probe(_state, probe) {
          pending.push(probe.seq);
        },
      },
      onBatchEnd() {
        batches.push(pending);
        pending = [];
      },
    });
    const harness = await ActorHarness.start(actor, { inputs: ['in'] });
    try {
      // Written in one synchronous run: the host, on this thread, drains them as one batch.
      for (let seq = 1; seq <= 5; seq++) harness.push('in', message('Probe', { ts: 0, seq, key: '', body: '' }));
      await harness.settle();
      harness.push('in', message('Probe', { ts: 0, seq: 6, key: '', body: '' }));
      await harness.settle();
      expect(batches).toEqual([[1, 2, 3, 4, 5], [6]]);
    } finally {
      await harness.stop();
    }
  });
});
