import { describe, expect, it } from 'vitest';
import { DEFAULT_FEE_SCHEDULE, FALLBACK_FEES, feeRates, feeSchedule, fillFee } from '../../src/trading/market/fees.js';
import { isArbiterError } from '../../src/base/errors.js';

describe('fees', () => {
  it('distinguishes spot and perp on the same venue', () => {
    expect(feeRates(DEFAULT_FEE_SCHEDULE, 'binance', 'BTC/USDT')).toEqual({ makerRateBps: 10, takerRateBps: 10 });
    expect(feeRates(DEFAULT_FEE_SCHEDULE, 'binanceusdm', 'BTC/USDT:USDT')).toEqual({ makerRateBps: 2, takerRateBps: 5 });
    expect(feeRates(DEFAULT_FEE_SCHEDULE, 'bybit', 'ETH/USDT:USDT').takerRateBps).toBe(5.5);
    expect(feeRates(DEFAULT_FEE_SCHEDULE, 'mexc', 'ETH/USDT').makerRateBps).toBe(0);
  });

  it('lists every venue the brief names', () => {
    for (const venue of ['binance', 'binanceusdm', 'bybit', 'okx', 'bitget', 'gate', 'mexc', 'backpack']) {
      expect(DEFAULT_FEE_SCHEDULE[venue], venue).toBeDefined();
    }
  });

  it('computes the fee of a fill from size, price and rate', () => {
    // 0.5 BTC at 60 000 = 30 000 notional; 5 bps of that is 15.
    expect(fillFee(0.5, 60_000, 5)).toBeCloseTo(15, 10);
    expect(fillFee(-0.5, 60_000, 5)).toBeCloseTo(15, 10);
    // A maker rebate is a negative fee.
    expect(fillFee(2, 100, -1)).toBeCloseTo(-0.02, 12);
    // binanceusdm taker is 5 bps: 1 × 50 000 × 0.0005 = 25.
    expect(fillFee(1, 50_000, feeRates(DEFAULT_FEE_SCHEDULE, 'binanceusdm', 'BTC/USDT:USDT').takerRateBps)).toBeCloseTo(25, 10);
  });

  it('merges config overrides and keeps the rest', () => {
    const schedule = feeSchedule({ okx: { perp: { takerRateBps: 3 } }, newvenue: { spot: { makerRateBps: 1 } } });
    expect(schedule.okx?.perp).toEqual({ makerRateBps: 2, takerRateBps: 3 });
    expect(schedule.okx?.spot).toEqual({ makerRateBps: 8, takerRateBps: 10 });
    expect(schedule.newvenue?.spot).toEqual({ makerRateBps: 1, takerRateBps: FALLBACK_FEES.spot.takerRateBps });
    // The default stays untouched.
    expect(DEFAULT_FEE_SCHEDULE.okx?.perp.takerRateBps).toBe(5);
  });

  it('falls back to an expensive schedule for an unknown venue', () => {
    expect(feeRates(DEFAULT_FEE_SCHEDULE, 'kraken', 'BTC/USD')).toEqual(FALLBACK_FEES.spot);
  });

  it('refuses an absurd override with a message naming the field', () => {
    try {
      feeSchedule({ bybit: { spot: { takerRateBps: 1000 } } });
      expect.unreachable();
    } catch (error) {
      expect(isArbiterError(error, 'CONFIG_INVALID')).toBe(true);
      expect(String(error)).toContain('fees.bybit.spot.takerRateBps');
    }
  });
});
