import { describe, expect, it } from 'vitest';
import type { Leg } from '../../src/protocol/index.js';
import { message, UNSTAMPED_DECISION } from '../../src/protocol/index.js';
import { RiskEngine, type RiskContext, type RiskDecision } from '../../src/trading/risk/engine.js';
import { riskConfig, type RiskConfigInput } from '../../src/trading/risk/config.js';
import { orderRequestOf, validateRequest, type Denial, type OrderRequest, type ValidRequest } from '../../src/trading/risk/order-checks.js';
import type { OpenOrderView } from '../../src/trading/risk/exposure.js';
import { FLAT, type PositionEntry } from '../../src/trading/market/positions.js';
import { QuoteBook } from '../../src/trading/market/book.js';
import { bookTop, manualClock } from './helpers.js';

const BTC = 'BTC/USDT:USDT';
const PX = 100; // every reference price, so notional = qty × 100

const BASE_CONFIG: RiskConfigInput = {
  venues: ['binance', 'bybit', 'okx'],
  maxOrderNotionalUsd: 1_000,
  maxSymbolNetExposureUsd: 1_500,
  maxVenueGrossExposureUsd: 2_000,
  maxGrossExposureUsd: 3_000,
  defaultStrategyBudgetUsd: 2_500,
  strategyBudgetsUsd: { small: 500 },
  maxOpenOrders: 4,
  maxOpenOrdersPerStrategy: 3,
  priceCollarBps: 100,
  rateBudget: { capacity: 100, refillPerSecond: 100 },
  maxRateWaitMs: 1_000,
  breakerFailureThreshold: 3,
  breakerCoolDownMs: 10_000,
  maxDrawdownUsd: 500,
  drawdownState: 'REDUCING',
  maxDailyLossUsd: 300,
  dailyLossState: 'HALTED',
};

function leg(venue: string, side: 'buy' | 'sell', qty: number, extra: Partial<Leg> = {}): Leg {
  return { venue, symbol: BTC, side, orderType: 'market', timeInForce: 'IOC', qty, limitPx: null, reduceOnly: false, ...extra };
}

function rawSingle(l: Leg, strategyId = 'carry'): OrderRequest {
  return { strategyId, intentSeq: 1, legs: [l], multiLeg: null };
}

function rawPair(legs: Leg[], strategyId = 'carry'): OrderRequest {
  return { strategyId, intentSeq: 2, legs, multiLeg: { toleranceUsd: 50, timeoutMs: 5_000 } };
}

/** The engine checks validated requests only (execution validates each command once, first). */
function valid(request: OrderRequest): ValidRequest {
  const result = validateRequest(request);
  if ('approved' in result) throw new Error(`test request is invalid: ${result.detail}`);
  return result;
}

const single = (l: Leg, strategyId?: string): ValidRequest => valid(rawSingle(l, strategyId));
const pair = (legs: Leg[], strategyId?: string): ValidRequest => valid(rawPair(legs, strategyId));

function position(venue: string, qty: number, strategyId = 'carry', symbol = BTC): PositionEntry {
  return { strategyId, venue, symbol, position: { ...FLAT, qty, avgEntryPx: PX } };
}

function context(extra: Partial<RiskContext> = {}): RiskContext {
  return { nowMs: 1_000_000, referencePx: () => PX, positions: [], openOrders: [], ...extra };
}

function engine(overrides: RiskConfigInput = {}): RiskEngine {
  return new RiskEngine(riskConfig({ ...BASE_CONFIG, ...overrides }));
}

function expectDenied(decision: RiskDecision | ValidRequest | Denial, reason: string, ...detailParts: string[]): void {
  expect('approved' in decision ? decision.approved : 'passed validation', JSON.stringify(decision)).toBe(false);
  if (!('approved' in decision) || decision.approved) return;
  expect(decision.reason).toBe(reason);
  for (const part of detailParts) expect(decision.detail).toContain(part);
}

function expectApproved(decision: RiskDecision): void {
  expect(decision.approved, JSON.stringify(decision)).toBe(true);
}

describe('risk: order shape', () => {
  it('denies malformed orders and passes a well-formed one to the engine', () => {
    expectDenied(validateRequest(rawSingle(leg('bybit', 'buy', 0))), 'invalid_order', 'qty must be > 0');
    expectDenied(validateRequest(rawSingle(leg('bybit', 'buy', 1, { orderType: 'limit' }))), 'invalid_order', 'limitPx');
    expectDenied(validateRequest(rawSingle(leg('bybit', 'buy', 1, { timeInForce: 'PO' }))), 'invalid_order', 'post-only');
    expectDenied(validateRequest(rawSingle(leg('bybit', 'buy', 1, { symbol: 'BTCUSDT' }))), 'invalid_order', 'symbol');
    expectDenied(validateRequest(rawPair([leg('bybit', 'buy', 1)])), 'invalid_order', '≥ 2 legs');
    expectDenied(validateRequest({ ...rawPair([leg('bybit', 'buy', 1), leg('okx', 'sell', 1)]), multiLeg: { toleranceUsd: -1, timeoutMs: 1 } }), 'invalid_order', 'toleranceUsd');
    const request = rawSingle(leg('bybit', 'buy', 1));
    expect(validateRequest(request)).toBe(request);
    expectApproved(engine().check(single(leg('bybit', 'buy', 1)), context()));
  });

  it('a corrective order is shape-checked too', () => {
    expectDenied(engine().checkCorrection(rawSingle(leg('bybit', 'sell', Number.NaN)), context()), 'invalid_order', 'qty must be > 0');
  });

  it('builds a request from SubmitOrder and SubmitMultiLeg commands', () => {
    const submit = message('SubmitOrder', { ...UNSTAMPED_DECISION, ts: 0, strategyId: 's', intentSeq: 9, venue: 'okx', symbol: BTC, side: 'sell', orderType: 'limit', timeInForce: 'GTC', qty: 2, limitPx: 99, reduceOnly: true });
    expect(orderRequestOf(submit)).toEqual({ strategyId: 's', intentSeq: 9, multiLeg: null, legs: [{ venue: 'okx', symbol: BTC, side: 'sell', orderType: 'limit', timeInForce: 'GTC', qty: 2, limitPx: 99, reduceOnly: true }] });
    const legs = [leg('okx', 'buy', 1), leg('bybit', 'sell', 1)];
    const multi = message('SubmitMultiLeg', { ...UNSTAMPED_DECISION, ts: 0, strategyId: 's', intentSeq: 10, legs, onLegFailure: 'unwind', toleranceUsd: 25, timeoutMs: 3_000 });
    expect(orderRequestOf(multi)).toEqual({ strategyId: 's', intentSeq: 10, legs, multiLeg: { toleranceUsd: 25, timeoutMs: 3_000 } });
  });
});

describe('risk: execution state gates', () => {
  it('denies a duplicate intent (reconciling is denied by execution, before the engine: test/execution/risk-rules.test.ts)', () => {
    const risk = engine();
    expectDenied(risk.check(single(leg('bybit', 'buy', 1)), context({ duplicateIntent: true })), 'duplicate_intent', 'carry#1');
    expectApproved(risk.check(single(leg('bybit', 'buy', 1)), context({ duplicateIntent: false })));
  });

  it('denies an unconfigured venue; an empty venue list allows any', () => {
    expectDenied(engine().check(single(leg('kraken', 'buy', 1)), context()), 'unknown_venue', 'kraken');
    expectApproved(engine({ venues: [] }).check(single(leg('kraken', 'buy', 1)), context()));
  });
});

describe('risk: trading state', () => {
  const long = [position('bybit', 5)];
  const reduce = single(leg('bybit', 'sell', 2));
  const increase = single(leg('bybit', 'buy', 1));

  it('HALTED by the kill switch denies everything, even reducing orders, until resumed', () => {
    const risk = engine();
    expect(risk.tradingState.kill('operator pressed it')?.state).toBe('HALTED');
    expectDenied(risk.check(reduce, context({ positions: long })), 'halted', 'kill switch');
    expectDenied(risk.check(increase, context({ positions: long })), 'halted');
    risk.tradingState.set('ACTIVE', 'resumed');
    expectApproved(risk.check(increase, context({ positions: long })));
  });

  it('REDUCING passes only orders that shrink a position without flipping it', () => {
    const risk = engine();
    risk.tradingState.set('REDUCING', 'operator');
    expectApproved(risk.check(reduce, context({ positions: long })));
    expectDenied(risk.check(increase, context({ positions: long })), 'reducing', 'only risk-reducing');
    expectDenied(risk.check(single(leg('bybit', 'sell', 6)), context({ positions: long })), 'reducing'); // would flip short
    expectDenied(risk.check(single(leg('okx', 'sell', 1)), context({ positions: long })), 'reducing'); // no position there
  });

  it('escalates to REDUCING on drawdown from the equity peak', () => {
    const risk = engine();
    const day = Date.UTC(2024, 0, 1, 1);
    expect(risk.tradingState.observeEquity(0, day)).toBeNull();
    expect(risk.tradingState.observeEquity(800, day)).toBeNull(); // new peak
    expect(risk.tradingState.observeEquity(300, day)).toBeNull(); // drawdown 500: at the limit, not past it
    expect(risk.tradingState.observeEquity(299, day)).toMatchObject({ state: 'REDUCING', cause: 'drawdown' });
    expectDenied(risk.check(increase, context({ positions: long })), 'drawdown', 'drawdown 501.00 > maxDrawdownUsd 500');
    expectApproved(risk.check(reduce, context({ positions: long })));
  });

  it('escalates to HALTED on the daily loss, measured from the start of the UTC day', () => {
    const risk = engine({ maxDrawdownUsd: 10_000 });
    const d1 = Date.UTC(2024, 0, 1, 23);
    risk.tradingState.observeEquity(1_000, d1);
    expect(risk.tradingState.observeEquity(750, d1)).toBeNull(); // −250 today
    // A new UTC day rebases: −250 more is fine even though −500 since yesterday.
    const d2 = Date.UTC(2024, 0, 2, 0, 30);
    expect(risk.tradingState.observeEquity(750, d2)).toBeNull();
    expect(risk.tradingState.observeEquity(500, d2)).toBeNull();
    expect(risk.tradingState.observeEquity(449, d2)).toMatchObject({ state: 'HALTED', cause: 'daily_loss' });
    expectDenied(risk.check(reduce, context({ positions: long })), 'daily_loss', 'daily loss 301.00');
    // It does not lift by itself, not even on the next day.
    risk.tradingState.observeEquity(2_000, Date.UTC(2024, 0, 3, 1));
    expect(risk.tradingState.status.state).toBe('HALTED');
  });

  it('never de-escalates by itself, and a resume rebases the loss measures', () => {
    const risk = engine();
    const t = Date.UTC(2024, 0, 1, 1);
    risk.tradingState.observeEquity(1_000, t);
    risk.tradingState.observeEquity(400, t); // drawdown 600 → REDUCING; daily loss 600 → HALTED
    expect(risk.tradingState.status.state).toBe('HALTED');
    risk.tradingState.set('ACTIVE', 'operator checked');
    expect(risk.tradingState.observeEquity(400, t)).toBeNull(); // new baseline
    expect(risk.tradingState.status.state).toBe('ACTIVE');
  });
});

describe('risk: circuit breakers', () => {
  it('opens a venue breaker after N consecutive failures for the cool-down, half-open after', () => {
    const risk = engine();
    const t0 = 1_000_000;
    expect(risk.recordFailure('bybit', 'carry', t0)).toEqual({ venueOpened: false, strategyOpened: false });
    risk.recordFailure('bybit', 'other', t0);
    expectApproved(risk.check(single(leg('bybit', 'buy', 1)), context({ nowMs: t0 })));
    expect(risk.recordFailure('bybit', 'third', t0).venueOpened).toBe(true);
    expectDenied(risk.check(single(leg('bybit', 'buy', 1)), context({ nowMs: t0 + 9_999 })), 'circuit_open', 'venue:bybit', '3 consecutive failures');
    expectApproved(risk.check(single(leg('okx', 'buy', 1)), context({ nowMs: t0 + 1 }))); // other venues unaffected
    expectApproved(risk.check(single(leg('bybit', 'buy', 1)), context({ nowMs: t0 + 10_000 })));
    // Half-open: one more failure reopens at once.
    expect(risk.recordFailure('bybit', 'x', t0 + 10_001).venueOpened).toBe(true);
    expectDenied(risk.check(single(leg('bybit', 'buy', 1)), context({ nowMs: t0 + 10_002 })), 'circuit_open');
    risk.recordSuccess('bybit', 'x');
    expectApproved(risk.check(single(leg('bybit', 'buy', 1)), context({ nowMs: t0 + 10_003 })));
  });

  it('opens a strategy breaker across venues', () => {
    const risk = engine();
    for (const venue of ['binance', 'bybit', 'okx']) risk.recordFailure(venue, 'flaky', 0);
    expectDenied(risk.check(single(leg('binance', 'buy', 1), 'flaky'), context({ nowMs: 1 })), 'circuit_open', 'strategy:flaky');
    expectApproved(risk.check(single(leg('binance', 'buy', 1), 'steady'), context({ nowMs: 1 })));
  });

  it('resets the count on success', () => {
    const risk = engine();
    risk.recordFailure('okx', 'a', 0);
    risk.recordFailure('okx', 'b', 0);
    risk.recordSuccess('okx', 'b');
    risk.recordFailure('okx', 'c', 0);
    expectApproved(risk.check(single(leg('okx', 'buy', 1), 'd'), context({ nowMs: 1 })));
  });
});

describe('risk: prices', () => {
  it('denies without a fresh reference price', () => {
    const clock = manualClock(0);
    const book = new QuoteBook({ now: clock.now, maxAgeMs: 1_000 });
    const ctx = () => context({ referencePx: (v, s) => book.referencePx(v, s) });
    expectDenied(engine().check(single(leg('okx', 'buy', 1)), ctx()), 'no_reference_price', 'okx');
    book.apply(bookTop('okx', BTC, 99.5, 1, 100.5, 1));
    expectApproved(engine().check(single(leg('okx', 'buy', 1)), ctx()));
    clock.advance(1_001);
    expectDenied(engine().check(single(leg('okx', 'buy', 1)), ctx()), 'no_reference_price');
  });

  it('collars limits that are too far through the reference, not those away from it', () => {
    const risk = engine(); // collar 100 bps around 100: buys ≤ 101, sells ≥ 99
    const limit = (side: 'buy' | 'sell', limitPx: number) => single(leg('okx', side, 1, { orderType: 'limit', timeInForce: 'GTC', limitPx }));
    expectDenied(risk.check(limit('buy', 101.5), context()), 'price_collar', 'limitPx 101.5', '150.0 bps', 'priceCollarBps 100');
    expectApproved(risk.check(limit('buy', 101), context()));
    expectApproved(risk.check(limit('buy', 50), context())); // far below the market: harmless
    expectDenied(risk.check(limit('sell', 98.9), context()), 'price_collar');
    expectApproved(risk.check(limit('sell', 99), context()));
  });
});

describe('risk: size limits', () => {
  it('caps the notional of each order', () => {
    const risk = engine();
    expectDenied(risk.check(single(leg('okx', 'buy', 10.01)), context()), 'notional_cap', 'notional 1001.00 > maxOrderNotionalUsd 1000');
    expectApproved(risk.check(single(leg('okx', 'buy', 10)), context()));
    // A limit order is valued at its limit price: 10 × 100.9 = 1 009.
    expectDenied(risk.check(single(leg('okx', 'buy', 10, { orderType: 'limit', timeInForce: 'GTC', limitPx: 100.9 })), context()), 'notional_cap');
  });

  it('caps open orders in total and per strategy', () => {
    const open = (strategyId: string): OpenOrderView => ({ strategyId, venue: 'okx', symbol: BTC, side: 'buy', remainingQty: 0.1, limitPx: 90 });
    const risk = engine();
    expectDenied(risk.check(single(leg('okx', 'buy', 1)), context({ openOrders: [open('a'), open('b'), open('c'), open('d')] })), 'open_orders_cap', 'maxOpenOrders 4');
    expectApproved(risk.check(single(leg('okx', 'buy', 1)), context({ openOrders: [open('a'), open('b'), open('c')] })));
    expectDenied(risk.check(single(leg('okx', 'buy', 1)), context({ openOrders: [open('carry'), open('carry'), open('carry')] })), 'open_orders_cap', 'maxOpenOrdersPerStrategy 3');
  });
});

describe('risk: exposure caps', () => {
  it('caps net exposure per underlying, across venues and spot/perp', () => {
    const risk = engine();
    const positions = [position('bybit', 6), position('okx', 6, 'other', 'BTC/USDT')]; // 1 200 net long BTC
    expectDenied(risk.check(single(leg('binance', 'buy', 4)), context({ positions })), 'symbol_exposure', 'net BTC exposure would be 1600.00 (now 1200.00) > maxSymbolNetExposureUsd 1500');
    expectApproved(risk.check(single(leg('binance', 'buy', 3)), context({ positions })));
    // Other underlyings do not count.
    expectApproved(risk.check(single(leg('binance', 'buy', 4, { symbol: 'ETH/USDT:USDT' })), context({ positions })));
  });

  it('nets the legs of a hedged pair per underlying but not per venue', () => {
    const risk = engine();
    // A 900-per-leg carry pair nets to 0 BTC and uses 900 on each venue.
    expectApproved(risk.check(pair([leg('bybit', 'sell', 9), leg('okx', 'buy', 9)]), context()));
    // With another hedged 1 200 already on bybit, the short leg takes bybit's gross to 2 100 > 2 000.
    expectDenied(
      risk.check(pair([leg('bybit', 'sell', 9), leg('okx', 'buy', 9)]), context({ positions: [position('bybit', 12, 'x'), position('okx', -12, 'x')] })),
      'venue_exposure',
      'gross on bybit exposure would be 2100.00 (now 1200.00)',
    );
  });

  it('counts open orders at their worst case', () => {
    const risk = engine();
    const openOrders: OpenOrderView[] = [{ strategyId: 'x', venue: 'okx', symbol: BTC, side: 'buy', remainingQty: 12, limitPx: 100 }];
    // Resting buy of 12 (1 200) + new buy of 4 (400) = 1 600 > 1 500 net.
    expectDenied(risk.check(single(leg('binance', 'buy', 4)), context({ openOrders })), 'symbol_exposure');
    // A sell does not add to the worst case of the buys.
    expectApproved(risk.check(single(leg('binance', 'sell', 4)), context({ openOrders })));
  });

  it('allows an order that shrinks an exposure already over its cap', () => {
    const risk = engine();
    const positions = [position('bybit', 20)]; // 2 000 net, over 1 500
    expectApproved(risk.check(single(leg('bybit', 'sell', 5)), context({ positions })));
    expectDenied(risk.check(single(leg('bybit', 'buy', 0.1)), context({ positions })), 'symbol_exposure');
  });

  it('caps total gross exposure', () => {
    const risk = engine({ maxSymbolNetExposureUsd: 100_000, maxVenueGrossExposureUsd: 100_000, defaultStrategyBudgetUsd: 100_000 });
    const positions = [position('bybit', 15, 'a'), position('okx', -15, 'b')]; // gross 3 000, net 0
    expectDenied(risk.check(single(leg('binance', 'buy', 0.5)), context({ positions })), 'gross_exposure', 'total gross exposure would be 3050.00');
    expectApproved(risk.check(single(leg('bybit', 'sell', 5), 'a'), context({ positions }))); // reduces gross
  });

  it('caps each strategy at its budget', () => {
    const risk = engine();
    expectDenied(risk.check(single(leg('okx', 'buy', 6), 'small'), context()), 'strategy_budget', 'gross of small exposure would be 600.00', 'strategyBudgetsUsd 500');
    expectApproved(risk.check(single(leg('okx', 'buy', 5), 'small'), context()));
    // The default budget applies to others: 2 500.
    const positions = [position('bybit', 10, 'big'), position('okx', -10, 'big')];
    expectDenied(risk.check(single(leg('binance', 'buy', 6), 'big'), context({ positions })), 'strategy_budget', '2600.00');
  });
});

describe('risk: rate budget', () => {
  it('throttles within the budget and denies only past the maximum wait', () => {
    const risk = engine({ rateBudget: { capacity: 2, refillPerSecond: 1 }, maxRateWaitMs: 1_500 });
    const t = 1_000_000;
    const order = single(leg('okx', 'buy', 1));
    expect(risk.check(order, context({ nowMs: t }))).toEqual({ approved: true, waitMs: 0, waitMsByVenue: { okx: 0 } });
    expect(risk.check(order, context({ nowMs: t }))).toMatchObject({ approved: true, waitMs: 0 });
    expect(risk.check(order, context({ nowMs: t }))).toMatchObject({ approved: true, waitMs: 1_000 }); // queued behind the burst
    expectDenied(risk.check(order, context({ nowMs: t })), 'rate_budget', 'okx request budget needs 2000 ms', 'maxRateWaitMs 1500');
    // The denial reserved nothing: half a second later the next one waits 1 500 ms, which is allowed.
    expect(risk.check(order, context({ nowMs: t + 500 }))).toMatchObject({ approved: true, waitMs: 1_500 });
    // Other venues have their own bucket.
    expect(risk.check(single(leg('bybit', 'buy', 1)), context({ nowMs: t }))).toMatchObject({ approved: true, waitMs: 0 });
  });

  it('charges each venue of a multi-leg order and reports the waits per venue', () => {
    const risk = engine({ rateBudget: { capacity: 1, refillPerSecond: 2 }, rateBudgetByVenue: { bybit: { capacity: 5, refillPerSecond: 5 } } });
    const order = pair([leg('bybit', 'sell', 1), leg('okx', 'buy', 1)]);
    expect(risk.check(order, context({ nowMs: 0 }))).toEqual({ approved: true, waitMs: 0, waitMsByVenue: { bybit: 0, okx: 0 } });
    expect(risk.check(order, context({ nowMs: 0 }))).toEqual({ approved: true, waitMs: 500, waitMsByVenue: { bybit: 0, okx: 500 } });
  });

  it('does not spend budget on an order another rule denied', () => {
    const risk = engine({ rateBudget: { capacity: 1, refillPerSecond: 1 } });
    expectDenied(risk.check(single(leg('okx', 'buy', 100)), context({ nowMs: 0 })), 'notional_cap');
    expect(risk.check(single(leg('okx', 'buy', 1)), context({ nowMs: 0 }))).toMatchObject({ approved: true, waitMs: 0 });
  });
});

describe('risk: corrective orders', () => {
  it('skip caps and breakers, but not HALTED or a missing reference', () => {
    const risk = engine();
    const unwind = single(leg('bybit', 'sell', 50)); // 5 000 notional: far past every cap
    for (let i = 0; i < 3; i++) risk.recordFailure('bybit', 'carry', 0);
    expectDenied(risk.check(unwind, context({ nowMs: 1 })), 'circuit_open');
    expectApproved(risk.checkCorrection(unwind, context({ nowMs: 1 })));
    expectDenied(risk.checkCorrection(unwind, context({ nowMs: 1, referencePx: () => null })), 'no_reference_price');
    risk.tradingState.kill('test');
    expectDenied(risk.checkCorrection(unwind, context({ nowMs: 1 })), 'halted');
  });
});
