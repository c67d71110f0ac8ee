import { describe, expect, it } from 'vitest';
import { SpotInventory } from '../../src/trading/market/inventory.js';

describe('SpotInventory', () => {
  it('moves base and quote on fills and takes the fee in its currency', () => {
    const inv = new SpotInventory();
    inv.set('binance', 'USDT', 10_000);
    inv.applyFill('binance', 'BTC/USDT', { side: 'buy', qty: 0.1, px: 50_000, fee: 5, feeCurrency: 'USDT' });
    expect(inv.balance('binance', 'BTC')).toBeCloseTo(0.1, 12);
    expect(inv.balance('binance', 'USDT')).toBeCloseTo(10_000 - 5_000 - 5, 9);
    inv.applyFill('binance', 'BTC/USDT', { side: 'sell', qty: 0.04, px: 51_000, fee: 0.00001, feeCurrency: 'BTC' });
    expect(inv.balance('binance', 'BTC')).toBeCloseTo(0.06 - 0.00001, 12);
    expect(inv.balance('binance', 'USDT')).toBeCloseTo(4_995 + 2_040, 9);
  });

  it('checks there is inventory to fill an order', () => {
    const inv = new SpotInventory();
    inv.set('okx', 'BTC', 0.5);
    inv.set('okx', 'USDT', 1_000);
    expect(inv.canFill('okx', 'BTC/USDT', 'sell', 0.5, 60_000)).toBe(true);
    expect(inv.canFill('okx', 'BTC/USDT', 'sell', 0.51, 60_000)).toBe(false);
    expect(inv.canFill('okx', 'BTC/USDT', 'buy', 0.01, 100_000)).toBe(true); // 1 000 exactly
    expect(inv.canFill('okx', 'BTC/USDT', 'buy', 0.01, 100_000, 10)).toBe(false); // + 10 bps fee
  });

  it('flags a venue whose base share drifts past the threshold', () => {
    const inv = new SpotInventory();
    inv.set('a', 'BTC', 1);
    inv.set('a', 'USDT', 100);
    // Base 100 of 200 → share 0.5: balanced.
    expect(inv.imbalance('a', 'BTC/USDT', 100, 0.3)).toMatchObject({ baseShare: 0.5, deviation: 0, needsRebalance: false });
    inv.set('a', 'BTC', 9);
    // Base 900 of 1 000 → share 0.9, deviation 0.4 > 0.3.
    const imbalance = inv.imbalance('a', 'BTC/USDT', 100, 0.3);
    expect(imbalance.baseShare).toBeCloseTo(0.9, 12);
    expect(imbalance.needsRebalance).toBe(true);
    expect(inv.imbalance('a', 'BTC/USDT', 100, 0.45).needsRebalance).toBe(false);
    expect(inv.imbalance('empty', 'BTC/USDT', 100, 0.3).needsRebalance).toBe(true);
  });

  it('round-trips a snapshot', () => {
    const inv = new SpotInventory();
    inv.set('a', 'BTC', 1.5);
    inv.set('b', 'USDT', 20);
    const restored = SpotInventory.restore(inv.snapshot());
    expect(restored.balance('a', 'BTC')).toBe(1.5);
    expect(restored.balance('b', 'USDT')).toBe(20);
  });
});
