import { describe, expect, it } from 'vitest';
import { positionDifferences } from '../../src/trading/orders/reconcile.js';
import { StrategyStates } from '../../src/trading/risk/strategy-states.js';

describe('positionDifferences', () => {
  const journal = new Map([
    ['BTC/USDT:USDT', 0.01],
    ['ETH/USDT:USDT', -1],
  ]);

  it('compares every symbol either side holds: a journal position the venue omits is held at 0 there', () => {
    expect(positionDifferences(journal, [{ symbol: 'ETH/USDT:USDT', qty: -1 }], new Set())).toEqual([{ symbol: 'BTC/USDT:USDT', journalQty: 0.01, venueQty: 0 }]);
  });

  it('a venue position the journal lacks is held at 0 in the journal; equal sides and skipped symbols give nothing', () => {
    const venue = [
      { symbol: 'BTC/USDT:USDT', qty: 0.01 },
      { symbol: 'ETH/USDT:USDT', qty: -1 },
      { symbol: 'SOL/USDT:USDT', qty: 3 },
    ];
    expect(positionDifferences(journal, venue, new Set())).toEqual([{ symbol: 'SOL/USDT:USDT', journalQty: 0, venueQty: 3 }]);
    expect(positionDifferences(journal, venue, new Set(['SOL/USDT:USDT']))).toEqual([]);
    expect(positionDifferences(journal, [{ symbol: 'BTC/USDT:USDT', qty: 0.01 + 1e-15 }, { symbol: 'ETH/USDT:USDT', qty: -1 }], new Set())).toEqual([]);
  });
});

describe('StrategyStates', () => {
  it('restricts one strategy to reducing orders until cleared', () => {
    const states = new StrategyStates();
    expect(states.reduce('carry', 'mismatch')).toBe(true);
    expect(states.reduce('carry', 'again')).toBe(false);
    expect(states.denial('carry', false)).toMatchObject({ reason: 'reducing', detail: expect.stringContaining('mismatch') });
    expect(states.denial('carry', true)).toBeNull();
    expect(states.denial('spread', false)).toBeNull();
    states.clear();
    expect(states.denial('carry', false)).toBeNull();
    expect(states.status).toEqual({});
  });
});
