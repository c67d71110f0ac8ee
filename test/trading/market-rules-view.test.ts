import { describe, expect, it } from 'vitest';
import { message } from '../../src/protocol/index.js';
import { MarketRulesView } from '../../src/trading/market/market-rules-view.js';

const rules = (venue: string, takerRateBps: number) =>
  message('MarketRules', { ts: 1, venue, symbol: 'BTC/USDT:USDT', amountStep: 0.001, priceTick: 0.1, minQty: 0.001, minNotional: 5, contractSize: 1, makerRateBps: 1, takerRateBps, feeSource: 'venue' });

describe("a strategy's view of the published market rules", () => {
  it('knows nothing before execution publishes, then the latest rules per market', () => {
    const view = new MarketRulesView();
    expect(view.get('bybit', 'BTC/USDT:USDT')).toBeUndefined();
    expect(view.takerRateBps('bybit', 'BTC/USDT:USDT')).toBeUndefined();
    view.apply(rules('bybit', 5.5));
    view.apply(rules('okx', 5));
    expect(view.get('bybit', 'BTC/USDT:USDT')).toEqual({ venue: 'bybit', symbol: 'BTC/USDT:USDT', amountStep: 0.001, priceTick: 0.1, minQty: 0.001, minNotional: 5, contractSize: 1, makerRateBps: 1, takerRateBps: 5.5, feeSource: 'venue' });
    // A change (the hourly fee refresh found a new tier) replaces the market's entry.
    view.apply(rules('bybit', 2));
    expect(view.takerRateBps('bybit', 'BTC/USDT:USDT')).toBe(2);
    expect(view.takerRateBps('okx', 'BTC/USDT:USDT')).toBe(5);
    expect(view.get('bybit', 'BTC/USDT')).toBeUndefined();
  });

  it('survives a snapshot as plain data, independent of the original', () => {
    const view = new MarketRulesView();
    view.apply(rules('bybit', 5.5));
    const snapshot = structuredClone(view.snapshot());
    const restored = new MarketRulesView(snapshot);
    view.apply(rules('bybit', 2));
    expect(restored.takerRateBps('bybit', 'BTC/USDT:USDT')).toBe(5.5);
    expect(restored.snapshot()).toEqual(snapshot);
  });
});
