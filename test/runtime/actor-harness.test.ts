import { describe, expect, it } from 'vitest';
import { message } from '../../src/protocol/index.js';
import { ActorHarness } from '../helpers/actor-harness.js';
import counter from '../fixtures/actors/probe-counter.js';
import producer from '../fixtures/actors/probe-producer.js';

const probe = (seq: number) => message('Probe', { ts: 0, seq, key: '', body: 'x'.repeat(seq % 65) });

describe('in-process actor harness', () => {
  it('runs a definition on real rings: pushed messages are handled in order', async () => {
    const harness = await ActorHarness.start(counter);
    for (let seq = 1; seq <= 1000; seq++) harness.push('in', probe(seq));
    await harness.settle();
    expect(harness.status().custom).toMatchObject({ count: 1000, lastSeq: 1000, gaps: 0, repeats: 0 });
    expect(await harness.command('reset')).toEqual({ previous: 1000 });
    await harness.stop();
  });

  it('fires timers on demand and captures outputs', async () => {
    const harness = await ActorHarness.start(producer, { params: { count: 25, burst: 10, intervalMs: 3_600_000 } });
    harness.fireTimer('emit');
    harness.fireTimer('emit');
    expect(harness.take('out').map((m) => (m as { seq: number }).seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    harness.fireTimer('emit');
    expect(harness.take('out')).toHaveLength(5);
    await harness.stop();
  });
});
