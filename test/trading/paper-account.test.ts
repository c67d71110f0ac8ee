import { describe, expect, it } from 'vitest';
import { PaperAccount } from '../../src/trading/orders/paper-account.js';

describe('paper account: simulated balances moved by the fill model', () => {
  it('spot fills move base and quote and charge the fee in its currency', () => {
    const account = new PaperAccount({ USDT: 10_000, BTC: 0.1 }, 5);
    account.applyFill('BTC/USDT', 'sell', 0.05, 50_000, 2.5, 'USDT');
    account.applyFill('BTC/USDT', 'buy', 0.01, 50_000, 0.00001, 'BTC');
    const balances = account.balances();
    expect(balances.get('USDT')).toEqual({ free: 10_000 + 2_500 - 2.5 - 500, used: 0, total: 10_000 + 2_500 - 2.5 - 500 });
    expect(balances.get('BTC')?.total).toBeCloseTo(0.1 - 0.05 + 0.01 - 0.00001, 12);
  });

  it('perp fills realize PnL on reducing, funding settles in the settle asset, open positions hold margin', () => {
    const account = new PaperAccount({ USDT: 1_000 }, 5);
    account.applyFill('BTC/USDT:USDT', 'buy', 0.1, 50_000, 2, 'USDT'); // long 0.1 @ 50 000
    expect(account.balances().get('USDT')).toEqual({ free: 998 - 1_000, used: 1_000, total: 998 }); // 5 000 / 5 margin
    account.applyFunding('BTC/USDT:USDT', 0.0001, 50_000); // the long pays 0.5
    account.applyFill('BTC/USDT:USDT', 'sell', 0.05, 51_000, 1, 'USDT'); // realizes 50
    const usdt = account.balances().get('USDT')!;
    expect(usdt.total).toBeCloseTo(998 - 0.5 + 50 - 1, 9);
    expect(usdt.used).toBeCloseTo(500, 9);
    account.applyFill('BTC/USDT:USDT', 'sell', 0.05, 49_000, 1, 'USDT'); // closes: −50
    expect(account.balances().get('USDT')).toMatchObject({ used: 0, total: 998 - 0.5 + 50 - 1 - 50 - 1 });
  });
});
