import { describe, expect, it } from 'vitest';
import { commonLegQty } from '../../src/trading/market/lot-size.js';

const leg = (label: string, amountStep: number, minQty = 0, minNotional = 0, px = 100) => ({ label, rules: { amountStep, minQty, minNotional }, px });

describe('one quantity for every leg of a hedge, from the venues\' rules', () => {
  it('rounds down to the coarsest step of the legs, a quantity every leg\'s venue takes unchanged', () => {
    expect(commonLegQty(0.16667, [leg('fine', 0.001), leg('coarse', 0.01)])).toEqual({ qty: 0.16 });
    expect(commonLegQty(0.3, [leg('a', 0.1)])).toEqual({ qty: 0.3 }); // 0.3 / 0.1 must not lose a step
    // binanceusdm lists SOL perps in whole coins: 3.4 SOL cannot be hedged below 3.
    expect(commonLegQty(3.4, [leg('sol', 1, 1), leg('fine', 0.001)])).toEqual({ qty: 3 });
  });

  it('says why when no common quantity exists: rounds to 0, steps that do not nest, a minimum', () => {
    expect(commonLegQty(0.7, [leg('sol', 1, 1), leg('fine', 0.001)]).problem).toBe('size 0.7 rounds to 0 on the lot step 1 of sol');
    expect(commonLegQty(1, [leg('a', 0.3), leg('b', 0.2)]).problem).toBe("no common lot: 0.9 on a's step 0.3 is off b's step 0.2");
    expect(commonLegQty(0.005, [leg('a', 0.001, 0.01)]).problem).toBe("size 0.005 is below a's minimum quantity 0.01");
    expect(commonLegQty(0.04, [leg('a', 0.001, 0, 5, 100)]).problem).toBe("size 0.04 × 100 = 4 is below a's minimum notional 5");
    expect(commonLegQty(0.05, [leg('a', 0.001, 0, 5, 100)])).toEqual({ qty: 0.05 });
    expect(commonLegQty(-1, [leg('a', 0.001)]).problem).toBe('nothing to trade (size -1)');
  });
});
