import { describe, expect, it } from 'vitest';
import {
  carryEdge,
  expectedFundingUsd,
  fundingPaymentUsd,
  fundingRatePerHour,
  nextSettlementMs,
  normalizeFunding,
  settlementsWithin,
} from '../../src/trading/market/funding.js';

const HOUR = 3_600_000;

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
    const fourHour = normalizeFunding({ rate: 0.0002, intervalHours: 4 });
    const eightHour = normalizeFunding({ rate: 0.0003, intervalHours: 8 });
    expect(fourHour.perHour).toBeGreaterThan(eightHour.perHour);
  });

  it('gives per-day and simple annualized figures', () => {
    const n = normalizeFunding({ rate: 0.0001, intervalHours: 8 });
    expect(n.perDay).toBeCloseTo(0.0003, 15); // three settlements a day
    expect(n.annualized).toBeCloseTo(0.0003 * 365, 12); // 10.95 %
    const hourly = normalizeFunding({ rate: 0.0001, intervalHours: 1 });
    expect(hourly.perDay).toBeCloseTo(0.0024, 15);
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

  it('accrues expected funding over a horizon from the interval of the quote', () => {
    // Short 1 BTC at 60 000, 0.02 % per 4 h, for 24 h: 6 settlements × 12 = 72.
    expect(expectedFundingUsd({ positionQty: -1, markPx: 60_000, funding: { rate: 0.0002, intervalHours: 4 }, horizonHours: 24 })).toBeCloseTo(72, 9);
    // The same rate on an 8 h interval pays half as often: 36.
    expect(expectedFundingUsd({ positionQty: -1, markPx: 60_000, funding: { rate: 0.0002, intervalHours: 8 }, horizonHours: 24 })).toBeCloseTo(36, 9);
  });
});

describe('settlement times', () => {
  it('finds the next UTC multiple of the interval', () => {
    const nine = Date.UTC(2024, 0, 1, 9, 30);
    expect(nextSettlementMs(nine, 8)).toBe(Date.UTC(2024, 0, 1, 16));
    expect(nextSettlementMs(nine, 4)).toBe(Date.UTC(2024, 0, 1, 12));
    expect(nextSettlementMs(nine, 1)).toBe(Date.UTC(2024, 0, 1, 10));
    // Exactly on a boundary: the next one, not this one.
    expect(nextSettlementMs(Date.UTC(2024, 0, 1, 16), 8)).toBe(Date.UTC(2024, 0, 2, 0));
  });

  it('counts settlements inside a horizon', () => {
    expect(settlementsWithin(0, 1 * HOUR, 4, 9 * HOUR)).toBe(3); // 1 h, 5 h, 9 h
    expect(settlementsWithin(0, 1 * HOUR, 4, 8 * HOUR)).toBe(2); // 1 h, 5 h
    expect(settlementsWithin(0, 10 * HOUR, 8, 9 * HOUR)).toBe(0);
    expect(settlementsWithin(0, 1 * HOUR, 1, 24 * HOUR)).toBe(24);
    // A nextFundingTimeMs already past projects forward on its grid: next at 10 h, then 18 h.
    expect(settlementsWithin(3 * HOUR, 2 * HOUR, 8, 16 * HOUR)).toBe(2);
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
