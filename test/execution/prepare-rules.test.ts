/**
 * Execution enforces every rule the venue states before anything is sent (prepare.ts): quantities
 * round down to the lot step, limit prices to the tick, and an order under the minimum quantity or
 * the minimum notional is denied with its own reason (`min_qty`, `min_notional`).
 */
import { describe, expect, it } from 'vitest';
import type { Leg } from '../../src/protocol/index.js';
import type { MarketRules } from '../../src/trading/market/lot-size.js';
import { validateRequest, type Denial, type ValidRequest } from '../../src/trading/risk/order-checks.js';
import { minimumsDenial, prepareRequest } from '../../src/execution/prepare.js';
import type { TradeVenue } from '../../src/execution/venue-port.js';

const RULES: MarketRules = { amountStep: 0.001, priceTick: 0.1, minQty: 0.002, minNotional: 100, contractSize: 1 };
/** prepareRequest reads only a venue's id and rules. */
const venues = new Map([['binanceusdm', { id: 'binanceusdm', rules: (symbol: string) => (symbol === 'BTC/USDT:USDT' ? RULES : null) } as unknown as TradeVenue]]);
const leg = (fields: Partial<Leg>): Leg => ({ venue: 'binanceusdm', symbol: 'BTC/USDT:USDT', side: 'buy', orderType: 'limit', timeInForce: 'IOC', qty: 0.01, limitPx: 60_000.07, reduceOnly: false, ...fields });

function prepared(legs: Leg[], referencePx: number | null = 60_000): ValidRequest | Denial {
  const valid = validateRequest({ strategyId: 's1', intentSeq: 1, legs, multiLeg: legs.length > 1 ? { toleranceUsd: 25, timeoutMs: 5_000 } : null });
  if ('approved' in valid) throw new Error(valid.detail);
  return prepareRequest(valid, venues, () => referencePx);
}

describe("execution enforces the venue's rules before sending", () => {
  it('puts quantities on the lot step (down) and limits on the tick (passive side)', () => {
    const result = prepared([leg({ qty: 0.0129 }), leg({ side: 'sell', qty: 0.0129, limitPx: 60_000.01 })]);
    expect('legs' in result && result.legs.map((l) => [l.qty, l.limitPx])).toEqual([
      [0.012, 60_000],
      [0.012, 60_000.1],
    ]);
  });

  it('denies an order under the minimum quantity with min_qty, after rounding', () => {
    expect(prepared([leg({ qty: 0.0029 / 2 })])).toMatchObject({ approved: false, reason: 'min_qty' });
    // 0.0024 rounds to 0.002: exactly the minimum, allowed (0.002 × 60 000 = 120 ≥ 100).
    expect('legs' in prepared([leg({ qty: 0.0024 })])).toBe(true);
  });

  it('denies an order under the minimum notional with min_notional, a limit order at its limit and a market order at the reference price', () => {
    expect(prepared([leg({ qty: 0.0015, limitPx: null, orderType: 'market' })], 60_000)).toMatchObject({ reason: 'min_qty' }); // the quantity rule first
    const cheap = prepared([leg({ qty: 0.002, limitPx: 40_000 })]);
    expect(cheap).toMatchObject({ approved: false, reason: 'min_notional', detail: "leg 0: 0.002 × 40000 = 80 is below binanceusdm's minimum notional 100 for BTC/USDT:USDT" });
    expect(prepared([leg({ qty: 0.002, orderType: 'market', limitPx: null })], 45_000)).toMatchObject({ reason: 'min_notional' });
    expect('legs' in prepared([leg({ qty: 0.002, orderType: 'market', limitPx: null })], 60_000)).toBe(true);
    // No reference price: the notional cannot be checked here (the risk engine denies the unpriced market order).
    expect('legs' in prepared([leg({ qty: 0.002, orderType: 'market', limitPx: null })], null)).toBe(true);
  });

  it('denies a whole multi-leg order when one leg breaks a minimum, naming the leg', () => {
    expect(prepared([leg({ qty: 0.01 }), leg({ side: 'sell', qty: 0.01, limitPx: 9_000 })])).toMatchObject({ reason: 'min_notional', detail: expect.stringMatching(/^leg 1: /) });
  });

  it('refuses a hedge whose equal legs rounding would make unequal, and keeps deliberately unequal legs', () => {
    const coarse: MarketRules = { ...RULES, amountStep: 0.01, minQty: 0.01 };
    const twoVenues = new Map([...venues, ['bybit', { id: 'bybit', rules: () => coarse } as unknown as TradeVenue]]);
    const valid = (legs: Leg[]) => validateRequest({ strategyId: 's1', intentSeq: 1, legs, multiLeg: { toleranceUsd: 25, timeoutMs: 5_000 } }) as ValidRequest;
    const hedge = [leg({ qty: 0.015 }), leg({ venue: 'bybit', side: 'sell', qty: 0.015 })];
    expect(prepareRequest(valid(hedge), twoVenues, () => 60_000)).toMatchObject({
      reason: 'invalid_order',
      detail: "legs of 0.015 would be unequal on the venues' lot steps (0.015 on binanceusdm, 0.01 on bybit): send a quantity on every leg's step",
    });
    expect('legs' in prepareRequest(valid([leg({ qty: 0.02 }), leg({ venue: 'bybit', side: 'sell', qty: 0.02 })]), twoVenues, () => 60_000)).toBe(true);
    expect('legs' in prepareRequest(valid([leg({ qty: 0.015 }), leg({ venue: 'bybit', side: 'sell', qty: 0.03 })]), twoVenues, () => 60_000)).toBe(true);
  });

  it('names the market and the rule in minimumsDenial, for corrective orders too', () => {
    expect(minimumsDenial({ venue: 'okx', symbol: 'SOL/USDT:USDT', qty: 0.05 }, 150, { ...RULES, minQty: 0.1 }, 'unwind of 0.05 SOL/USDT:USDT')).toMatchObject({
      reason: 'min_qty',
      detail: "unwind of 0.05 SOL/USDT:USDT: qty 0.05 is below okx's minimum quantity 0.1 for SOL/USDT:USDT (lot step 0.001)",
    });
    expect(minimumsDenial({ venue: 'okx', symbol: 'SOL/USDT:USDT', qty: 1 }, 150, RULES, 'x')).toBeNull();
  });
});
