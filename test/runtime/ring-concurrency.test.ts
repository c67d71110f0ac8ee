import { describe, expect, it } from 'vitest';
import { createRing, RingProbe } from '../../src/runtime/transport/ring.js';
import { PROGRESS } from '../fixtures/ring-progress.js';
import { firstMessage, startFixtureWorker, waitForCell } from '../helpers/workers.js';

const COUNT = 1_000_000;

function progress(): { buffer: SharedArrayBuffer; cells: Int32Array } {
  const buffer = new SharedArrayBuffer(64);
  return { buffer, cells: new Int32Array(buffer) };
}

describe('SPSC ring under real concurrency', () => {
  it('moves 10^6 variable-size records through a 4 KiB ring in order, without loss, repeat or corruption', async () => {
    const ring = createRing(4096);
    const { buffer, cells } = progress();
    const consumer = startFixtureWorker('ring-worker.ts', { role: 'consume', ring, progress: buffer, count: COUNT });
    const producer = startFixtureWorker('ring-worker.ts', { role: 'produce', ring, progress: buffer, count: COUNT });
    await Promise.all([firstMessage(producer), firstMessage(consumer)]);
    await Promise.all([producer.terminate(), consumer.terminate()]);

    expect(Atomics.load(cells, PROGRESS.lastSeq)).toBe(COUNT);
    expect(Atomics.load(cells, PROGRESS.applied)).toBe(COUNT);
    expect(Atomics.load(cells, PROGRESS.orderErrors)).toBe(0);
    expect(Atomics.load(cells, PROGRESS.contentErrors)).toBe(0);
    expect(Atomics.load(cells, PROGRESS.redelivered)).toBe(0);
    // A 4 KiB ring holding records of up to ~264 bytes wrapped tens of thousands of times.
    expect(new RingProbe(ring).fullEvents()).toBeGreaterThan(0);
    expect(new RingProbe(ring).usedBytes()).toBe(0);
  });

  it('loses and reorders nothing when the consumer is killed and restarted mid-stream', async () => {
    const ring = createRing(4096);
    const { buffer, cells } = progress();
    const kills = 8;
    const producer = startFixtureWorker('ring-worker.ts', { role: 'produce', ring, progress: buffer, count: COUNT });
    const producerDone = firstMessage(producer);
    let consumer = startFixtureWorker('ring-worker.ts', { role: 'consume', ring, progress: buffer, count: COUNT });
    for (let k = 1; k <= kills; k++) {
      // Kill at an arbitrary point after progress passes the k-th ninth of the stream.
      await waitForCell(cells, PROGRESS.lastSeq, Math.floor((COUNT * k) / (kills + 1)));
      await consumer.terminate();
      consumer = startFixtureWorker('ring-worker.ts', { role: 'consume', ring, progress: buffer, count: COUNT });
    }
    await firstMessage(consumer);
    await producerDone;
    await Promise.all([producer.terminate(), consumer.terminate()]);

    expect(Atomics.load(cells, PROGRESS.incarnations)).toBe(kills + 1);
    expect(Atomics.load(cells, PROGRESS.lastSeq)).toBe(COUNT);
    // Every record applied exactly once, in order, with intact content...
    expect(Atomics.load(cells, PROGRESS.applied)).toBe(COUNT);
    expect(Atomics.load(cells, PROGRESS.orderErrors)).toBe(0);
    expect(Atomics.load(cells, PROGRESS.contentErrors)).toBe(0);
    // ...and the ring re-offered at most the one record each killed consumer was handling.
    expect(Atomics.load(cells, PROGRESS.redelivered)).toBeLessThanOrEqual(kills);
  });
});
