import { describe, expect, it } from 'vitest';
import { DEFAULT_RISK_CONFIG, riskConfig } from '../../src/trading/risk/config.js';
import { RateBudgets, reserve, waitFor } from '../../src/trading/risk/rate-budget.js';
import { CLOSED, isBreakerOpen, recordFailure } from '../../src/trading/risk/circuit-breaker.js';
import { currentMarkets, measure, withLegsFilled } from '../../src/trading/risk/exposure.js';
import { collarLimitPx } from '../../src/trading/risk/order-checks.js';
import { FLAT } from '../../src/trading/market/positions.js';
import { isArbiterError } from '../../src/base/errors.js';
import type { Leg } from '../../src/protocol/index.js';

describe('risk config', () => {
  it('uses the seed systems’ breaker defaults', () => {
    expect(DEFAULT_RISK_CONFIG.breakerFailureThreshold).toBe(5);
    expect(DEFAULT_RISK_CONFIG.breakerCoolDownMs).toBe(300_000);
  });

  it('merges overrides and refuses bad values naming the field and value', () => {
    expect(riskConfig({ maxOpenOrders: 7 }).maxOpenOrders).toBe(7);
    const cases: [Parameters<typeof riskConfig>[0], string][] = [
      [{ maxOrderNotionalUsd: 0 }, 'risk.maxOrderNotionalUsd must be a finite number > 0, got 0'],
      [{ priceCollarBps: -1 }, 'risk.priceCollarBps'],
      [{ drawdownState: 'ACTIVE' as never }, "risk.drawdownState must be 'REDUCING' or 'HALTED'"],
      [{ rateBudgetByVenue: { okx: { capacity: 1, refillPerSecond: 0 } } }, 'risk.rateBudgetByVenue.okx.refillPerSecond'],
      [{ strategyBudgetsUsd: { carry: Number.NaN } }, 'risk.strategyBudgetsUsd.carry'],
      [{ venues: 'binance' as never }, 'risk.venues'],
    ];
    for (const [input, message] of cases) {
      let caught: unknown;
      try {
        riskConfig(input);
      } catch (error) {
        caught = error;
      }
      expect(isArbiterError(caught, 'CONFIG_INVALID'), message).toBe(true);
      expect(String(caught)).toContain(message);
    }
  });
});

describe('token bucket', () => {
  const config = { capacity: 3, refillPerSecond: 2 };

  it('refills at the configured rate up to capacity', () => {
    expect(waitFor({ tokens: 0, updatedMs: 0 }, config, 0, 1)).toBe(500);
    expect(waitFor({ tokens: 0, updatedMs: 0 }, config, 250, 1)).toBe(250);
    expect(waitFor({ tokens: 0, updatedMs: 0 }, config, 10_000, 3)).toBe(0);
    expect(waitFor({ tokens: 0, updatedMs: 0 }, config, 10_000, 4)).toBe(500); // capped at 3
  });

  it('queues reservations by letting tokens go negative', () => {
    let state = { tokens: 1, updatedMs: 0 };
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = reserve(state, config, 0, 1);
      state = r.state;
      waits.push(r.waitMs);
    }
    expect(waits).toEqual([0, 500, 1_000]);
  });

  it('starts every venue with a full burst', () => {
    const budgets = new RateBudgets(config);
    expect([budgets.reserve('a', 0), budgets.reserve('a', 0), budgets.reserve('a', 0), budgets.reserve('a', 0)]).toEqual([0, 0, 0, 500]);
    expect(budgets.peek('b', 0, 3)).toBe(0);
  });
});

describe('circuit breaker state', () => {
  it('opens at the threshold and stays open for the cool-down', () => {
    const config = { failureThreshold: 2, coolDownMs: 100 };
    const once = recordFailure(CLOSED, config, 0);
    expect(isBreakerOpen(once, 1)).toBe(false);
    const twice = recordFailure(once, config, 10);
    expect(isBreakerOpen(twice, 109)).toBe(true);
    expect(isBreakerOpen(twice, 110)).toBe(false);
  });
});

describe('exposure measures', () => {
  const leg = (venue: string, symbol: string, side: 'buy' | 'sell', qty: number): Leg => ({ venue, symbol, side, orderType: 'market', timeInForce: 'IOC', qty, limitPx: null, reduceOnly: false });
  const px = (venue: string, symbol: string) => (symbol.startsWith('BTC') ? 50_000 : 3_000);

  it('nets a carry pair per underlying but counts it on each venue and twice in gross', () => {
    const markets = withLegsFilled(currentMarkets([], [], px), 'carry', [leg('bybit', 'BTC/USDT:USDT', 'sell', 0.2), leg('okx', 'BTC/USDT:USDT', 'buy', 0.2)], px);
    const m = measure(markets);
    expect(m.symbolNetUsd.get('BTC')).toBe(0);
    expect(m.venueGrossUsd.get('bybit')).toBe(10_000);
    expect(m.venueGrossUsd.get('okx')).toBe(10_000);
    expect(m.grossUsd).toBe(20_000);
    expect(m.strategyGrossUsd.get('carry')).toBe(20_000);
  });

  it('nets spot against perp of the same underlying', () => {
    const positions = [
      { strategyId: 'hedge', venue: 'binance', symbol: 'ETH/USDT', position: { ...FLAT, qty: 2, avgEntryPx: 3_000 } },
      { strategyId: 'hedge', venue: 'binanceusdm', symbol: 'ETH/USDT:USDT', position: { ...FLAT, qty: -2, avgEntryPx: 3_000 } },
    ];
    const m = measure(currentMarkets(positions, [], px));
    expect(m.symbolNetUsd.get('ETH')).toBe(0);
    expect(m.grossUsd).toBe(12_000);
  });

  it('values a market without a reference at the entry or limit price', () => {
    const positions = [{ strategyId: 's', venue: 'x', symbol: 'SOL/USDT', position: { ...FLAT, qty: 10, avgEntryPx: 150 } }];
    const orders = [{ strategyId: 's', venue: 'y', symbol: 'SOL/USDT', side: 'sell' as const, remainingQty: 4, limitPx: 160 }];
    const m = measure(currentMarkets(positions, orders, () => null));
    expect(m.venueGrossUsd.get('x')).toBe(1_500);
    expect(m.venueGrossUsd.get('y')).toBe(640);
    // Net SOL worst case: long 1 500, or 1 500 − 640 if the sell fills: 1 500.
    expect(m.symbolNetUsd.get('SOL')).toBe(1_500);
  });

  it('prices a collar bound on the aggressive side', () => {
    expect(collarLimitPx('buy', 200, 50)).toBeCloseTo(201, 12);
    expect(collarLimitPx('sell', 200, 50)).toBeCloseTo(199, 12);
  });
});
