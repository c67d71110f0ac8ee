import { describe, expect, it } from 'vitest';
import type { Leg } from '../../src/protocol/index.js';
import { BalanceBook, reservationKey, type AssetAmounts } from '../../src/trading/risk/balance-book.js';
import { RiskEngine, type RiskContext } from '../../src/trading/risk/engine.js';
import { riskConfig } from '../../src/trading/risk/config.js';
import { validateRequest, type ValidRequest } from '../../src/trading/risk/order-checks.js';
import { FLAT, type PositionEntry } from '../../src/trading/market/positions.js';

const PX = 100;
const flat = (): number => 0;

function leg(venue: string, symbol: string, side: 'buy' | 'sell', qty: number, extra: Partial<Leg> = {}): Leg {
  return { venue, symbol, side, orderType: 'limit', timeInForce: 'IOC', qty, limitPx: PX, reduceOnly: false, ...extra };
}

function assets(free: Record<string, number>): Map<string, AssetAmounts> {
  return new Map(Object.entries(free).map(([asset, amount]) => [asset, { free: amount, used: 0, total: amount }]));
}

function bookWith(venue: string, free: Record<string, number>, fetchStartedMs = 0): BalanceBook {
  const book = new BalanceBook({ assumedLeverage: 5 });
  book.setSnapshot(venue, assets(free), fetchStartedMs);
  return book;
}

describe('balance check: what an account can pay for', () => {
  it('a spot sell needs the base asset: above the free balance is insufficient_balance, at it passes', () => {
    const book = bookWith('okx', { BTC: 0.5, USDT: 10_000 });
    const denial = book.check([leg('okx', 'BTC/USDT', 'sell', 0.6)], [PX], flat);
    expect(denial).toMatchObject({ approved: false, reason: 'insufficient_balance', limit: 'balances' });
    expect(denial?.detail).toBe('leg 0 sell 0.6 BTC/USDT@okx: needs 0.6 BTC on okx, 0.5 available (free less orders in flight)');
    expect(book.check([leg('okx', 'BTC/USDT', 'sell', 0.5)], [PX], flat)).toBeNull();
  });

  it('a spot buy needs quote at its limit price (or the reference for a market order)', () => {
    const book = bookWith('okx', { USDT: 1_000 });
    expect(book.check([leg('okx', 'BTC/USDT', 'buy', 10)], [PX], flat)).toBeNull();
    expect(book.check([leg('okx', 'BTC/USDT', 'buy', 10.01)], [PX], flat)?.detail).toMatch(/needs 1001 USDT on okx, 1000 available/);
    expect(book.check([leg('okx', 'BTC/USDT', 'buy', 5, { orderType: 'market', limitPx: null })], [250], flat)?.detail).toMatch(/needs 1250 USDT/);
  });

  it('a perp order needs notional / assumed leverage of the exposure it adds, in the settle currency; reducing needs none', () => {
    const book = bookWith('bybit', { USDT: 100 });
    const perp = 'BTC/USDT:USDT';
    expect(book.check([leg('bybit', perp, 'buy', 5)], [PX], flat)).toBeNull(); // 500 / 5 = 100
    const over = book.check([leg('bybit', perp, 'buy', 6)], [PX], flat);
    expect(over?.detail).toBe('leg 0 buy 6 BTC/USDT:USDT@bybit: needs 120 USDT (perp margin at assumed leverage 5) on bybit, 100 available (free less orders in flight)');
    expect(book.check([leg('bybit', perp, 'sell', 6, { reduceOnly: true })], [PX], flat)).toBeNull();
    const longTen = (venue: string, symbol: string): number => (venue === 'bybit' && symbol === perp ? 10 : 0);
    expect(book.check([leg('bybit', perp, 'sell', 10)], [PX], longTen)).toBeNull(); // closes the long: adds nothing
    expect(book.check([leg('bybit', perp, 'sell', 16)], [PX], longTen)).toBeNull(); // short 6 after: |−6| < |10|, nothing added
    expect(book.check([leg('bybit', perp, 'sell', 40)], [PX], longTen)?.detail).toMatch(/needs 400 USDT/); // short 30 after: adds 20 × 100 / 5
  });

  it('legs on one account add up (a unified account pays spot and perp margin from one USDT wallet)', () => {
    const book = bookWith('bybit', { USDT: 1_000 });
    const legs = [leg('bybit', 'BTC/USDT', 'buy', 8), leg('bybit', 'BTC/USDT:USDT', 'sell', 15)]; // 800 + 300
    expect(book.check(legs, [PX, PX], flat)?.detail).toMatch(/^leg 0 buy 8 BTC\/USDT@bybit, leg 1 sell 15 BTC\/USDT:USDT@bybit: needs 1100 USDT/);
    expect(book.check(legs.slice(0, 1), [PX], flat)).toBeNull();
  });

  it('refuses a venue that has not reported its balances yet', () => {
    const book = new BalanceBook({ assumedLeverage: 5 });
    expect(book.check([leg('okx', 'BTC/USDT', 'sell', 0.1)], [PX], flat)?.detail).toMatch(/no balances from okx yet/);
    expect(() => new BalanceBook({ assumedLeverage: 0 })).toThrow(/assumedLeverage must be > 0, got 0/);
  });
});

describe('balance reservations: orders in flight', () => {
  const key = reservationKey('spread', 1, 0);

  it('holds an approved order until a snapshot fetched after it was done, not one fetched before', () => {
    const book = bookWith('okx', { BTC: 1 });
    const sell = [leg('okx', 'BTC/USDT', 'sell', 0.8)];
    book.reserve(sell, [PX], flat, () => key, 10);
    expect(book.available('okx', 'BTC')).toBeCloseTo(0.2, 12);
    expect(book.check(sell, [PX], flat)?.reason).toBe('insufficient_balance');
    book.orderChanged(key, true, 20);
    book.setSnapshot('okx', assets({ BTC: 1 }), 15); // started before the fill: may not show it
    expect(book.available('okx', 'BTC')).toBeCloseTo(0.2, 12);
    book.setSnapshot('okx', assets({ BTC: 0.2 }), 25); // shows it
    expect(book.available('okx', 'BTC')).toBeCloseTo(0.2, 12);
    expect(book.reserved()).toEqual({});
  });

  it('an order still working keeps its reservation; one no order ever claimed expires', () => {
    const book = bookWith('okx', { BTC: 1 });
    book.reserve([leg('okx', 'BTC/USDT', 'sell', 0.5)], [PX], flat, () => key, 0);
    book.reserve([leg('okx', 'BTC/USDT', 'sell', 0.25)], [PX], flat, () => reservationKey('spread', 2, 0), 0);
    book.orderChanged(key, false, 5);
    book.setSnapshot('okx', assets({ BTC: 1 }), 120_000);
    expect(book.reserved()).toEqual({ okx: { BTC: 0.5 } });
  });
});

describe('the risk engine with balances', () => {
  const risk = new RiskEngine(riskConfig({ venues: ['binance', 'okx'], maxOrderNotionalUsd: 1e6, maxSymbolNetExposureUsd: 1e6, maxVenueGrossExposureUsd: 1e6, maxGrossExposureUsd: 1e6, defaultStrategyBudgetUsd: 1e6 }));
  const valid = (intentSeq: number, legs: Leg[]): ValidRequest => validateRequest({ strategyId: 'spread', intentSeq, legs, multiLeg: legs.length > 1 ? { toleranceUsd: 25, timeoutMs: 5_000 } : null }) as ValidRequest;
  const context = (balances: BalanceBook, positions: PositionEntry[] = []): RiskContext => ({ nowMs: 1_000, referencePx: () => PX, positions, openOrders: [], balances });

  it('two commands in a row cannot both spend the same balance', () => {
    const balances = bookWith('okx', { BTC: 0.5, USDT: 100_000 });
    balances.setSnapshot('binance', assets({ BTC: 0, USDT: 100_000 }), 0);
    const spread = (intentSeq: number) => valid(intentSeq, [leg('binance', 'BTC/USDT', 'buy', 0.4), leg('okx', 'BTC/USDT', 'sell', 0.4)]);
    expect(risk.check(spread(1), context(balances)).approved).toBe(true);
    const second = risk.check(spread(2), context(balances));
    expect(second).toMatchObject({ approved: false, reason: 'insufficient_balance' });
    expect(second.approved === false && second.detail).toMatch(/leg 1 sell 0.4 BTC\/USDT@okx: needs 0.4 BTC on okx, 0.1 available/);
  });

  it('nets a perp order against the account position of every strategy', () => {
    const balances = bookWith('okx', { USDT: 10 });
    const short = [{ strategyId: 'carry', venue: 'okx', symbol: 'BTC/USDT:USDT', position: { ...FLAT, qty: -2, avgEntryPx: PX } }];
    expect(risk.check(valid(3, [leg('okx', 'BTC/USDT:USDT', 'buy', 2)]), context(balances, short)).approved).toBe(true);
    expect(risk.check(valid(4, [leg('okx', 'BTC/USDT:USDT', 'buy', 2)]), context(balances)).approved).toBe(false);
  });
});
