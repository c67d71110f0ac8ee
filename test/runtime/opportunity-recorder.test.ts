import { describe, expect, it } from 'vitest';
import { message } from '../../src/protocol/index.js';
import { ActorHarness } from '../helpers/actor-harness.js';
import recorder from '../../actors/service/opportunity-recorder.js';

const opportunity = (strategyId: string, symbol: string, expectedPnlUsd: number, decision: 'act' | 'skip') =>
  message('Opportunity', { ts: 0, strategyId, kind: 'carry', symbol, venues: 'a>b', edgeBps: expectedPnlUsd / 10, expectedPnlUsd, annualizedPct: 1, decision, reason: 'test' });

describe('opportunity recorder', () => {
  it('counts every evaluation and keeps the latest per opportunity, best first', async () => {
    const harness = await ActorHarness.start(recorder);
    harness.push('opportunities', opportunity('carry', 'BTC', 5, 'skip'));
    harness.push('opportunities', opportunity('carry', 'ETH', 9, 'act'));
    harness.push('opportunities', opportunity('carry', 'BTC', 12, 'act'));
    harness.push('opportunities', opportunity('spread', 'SOL', 1, 'skip'));
    await harness.settle();
    const status = harness.status().custom as { total: number; byDecision: Record<string, number>; byStrategy: Record<string, number>; best: { symbol: string; expectedPnlUsd: number }[] };
    expect(status.total).toBe(4);
    expect(status.byDecision).toEqual({ skip: 2, act: 2 });
    expect(status.byStrategy).toEqual({ carry: 3, spread: 1 });
    expect(status.best.map((o) => [o.symbol, o.expectedPnlUsd])).toEqual([['BTC', 12], ['ETH', 9], ['SOL', 1]]);
    await harness.stop();
  });
});
