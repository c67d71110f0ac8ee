import { describe, expect, it } from 'vitest';
import { carryEdge, fundingPaymentUsd, fundingRatePerHour } from '../../src/trading/market/funding.js';

describe('funding normalization', () => {
  it('brings 1 h, 4 h and 8 h rates to the same hourly rate', () => {
    // The same economic rate quoted on three intervals: 0.01 %/8h = 0.005 %/4h = 0.00125 %/1h.
    const perHour = [
      fundingRatePerHour({ rate: 0.0001, intervalHours: 8 }),
      fundingRatePerHour({ rate: 0.00005, intervalHours: 4 }),
      fundingRatePerHour({ rate: 0.0000125, intervalHours: 1 }),
    ];
    for (const value of perHour) expect(value).toBeCloseTo(0.0000125, 15);
  });

  it('does not treat raw rates with different intervals as comparable', () => {
    // 0.0002 per 4 h beats 0.0003 per 8 h once normalized (0.00005 vs 0.0000375 per hour).
    expect(fundingRatePerHour({ rate: 0.0002, intervalHours: 4 })).toBeGreaterThan(fundingRatePerHour({ rate: 0.0003, intervalHours: 8 }));
  });

  it('refuses a zero or missing interval', () => {
    expect(() => fundingRatePerHour({ rate: 0.0001, intervalHours: 0 })).toThrow(/intervalHours/);
    expect(() => fundingRatePerHour({ rate: Number.NaN, intervalHours: 8 })).toThrow(/finite rate/);
  });
});

describe('funding cash flows', () => {
  it('has longs pay and shorts receive a positive rate', () => {
    expect(fundingPaymentUsd(2, 50_000, 0.0001)).toBeCloseTo(-10, 10);
    expect(fundingPaymentUsd(-2, 50_000, 0.0001)).toBeCloseTo(10, 10);
    expect(fundingPaymentUsd(-2, 50_000, -0.0001)).toBeCloseTo(-10, 10);
    expect(Object.is(fundingPaymentUsd(0, 50_000, 0.0001), 0)).toBe(true);
  });
});

describe('cross-venue carry edge', () => {
  it('shorts the venue with the higher hourly rate, not the higher raw rate', () => {
    // bybit 0.0004 per 4 h = 1e-4/h; okx 0.0006 per 8 h = 7.5e-5/h: short bybit even though okx's raw rate is higher.
    const edge = carryEdge({
      a: { venue: 'okx', rate: 0.0006, intervalHours: 8 },
      b: { venue: 'bybit', rate: 0.0004, intervalHours: 4 },
      notionalUsd: 10_000,
      horizonHours: 24,
      costBps: 20,
    });
    expect(edge.shortVenue).toBe('bybit');
    expect(edge.longVenue).toBe('okx');
    expect(edge.spreadPerHour).toBeCloseTo(2.5e-5, 15);
    expect(edge.grossPerHourUsd).toBeCloseTo(0.25, 12);
    expect(edge.grossUsd).toBeCloseTo(6, 10); // 0.25 × 24
    expect(edge.costUsd).toBeCloseTo(20, 10); // 20 bps of 10 000
    expect(edge.netUsd).toBeCloseTo(-14, 10);
    expect(edge.netEdgeBps).toBeCloseTo(-14, 8);
    expect(edge.annualizedPct).toBeCloseTo(2.5e-5 * 8760 * 100, 10); // 21.9 %
  });

  it('is profitable when the differential over the horizon beats the costs', () => {
    const edge = carryEdge({
      a: { venue: 'binanceusdm', rate: -0.0001, intervalHours: 1 },
      b: { venue: 'bybit', rate: 0.0002, intervalHours: 8 },
      notionalUsd: 5_000,
      horizonHours: 72,
      costBps: 25,
    });
    // Per hour: binance −1e-4, bybit 2.5e-5 → short bybit, long binance, spread 1.25e-4/h.
    expect(edge.shortVenue).toBe('bybit');
    expect(edge.longVenue).toBe('binanceusdm');
    expect(edge.grossUsd).toBeCloseTo(5_000 * 1.25e-4 * 72, 9); // 45
    expect(edge.netUsd).toBeCloseTo(45 - 12.5, 9);
  });
});
