/**
 * Funding in sim mode: the venue (the simulator) pays or charges the account at a settlement;
 * execution polls the account's funding payments and books each one to the strategies holding
 * the perp, once, in proportion to their positions.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { simulatorSuite } from './helpers.js';

const PERP = { venue: 'binanceusdm', symbol: 'BTC/USDT:USDT' } as const;
const suite = simulatorSuite();

describe('funding payments in sim mode', () => {
  it('a settlement at the simulator reaches the strategy as FundingSettled and in its position', async () => {
    const exec = await suite.executions.start({ fundingPollMs: 100, risk: { rateBudget: { capacity: 500, refillPerSecond: 500 } } });
    await exec.reconciled();
    exec.submit({ intentSeq: 1, ...PERP, qty: 0.05 });
    await exec.waitFor('Filled', (e) => e.intentSeq === 1);
    const [settlement] = await suite.sim().control.settleFunding(PERP.venue, PERP.symbol);
    const payment = (await suite.sim().control.fundingPayments(PERP.venue)).find((p) => p.symbol === PERP.symbol && p.fundingTimeMs === settlement!.fundingTimeMs)!;
    const settled = await exec.waitFor('FundingSettled');
    expect(settled).toMatchObject({ strategyId: exec.strategyId, venue: PERP.venue, symbol: PERP.symbol, positionQty: 0.05 });
    expect(settled.amount).toBeCloseTo(payment.amount, 6);
    const position = await exec.waitFor('PositionChanged', (e) => e.fundingPnl !== 0);
    expect(position.fundingPnl).toBeCloseTo(payment.amount, 6);

    // After a restart the poller resumes after the last payment it booked: the next settlement is
    // booked, the first one is not booked again.
    const journal = exec.status().journal;
    await exec.stop();
    const again = await suite.executions.start({ dataDir: journal.replace(/\/execution\.sqlite$/, ''), fundingPollMs: 100, risk: { rateBudget: { capacity: 500, refillPerSecond: 500 } } });
    await again.reconciled();
    await suite.sim().control.settleFunding(PERP.venue, PERP.symbol);
    await again.waitFor('FundingSettled');
    const db = new Database(journal, { readonly: true });
    const rows = db.prepare('SELECT settlement_ms FROM funding').all();
    db.close();
    expect(rows).toHaveLength(2);
    expect(again.eventsOf('FundingSettled')).toHaveLength(1);
  });
});

// bybit lists funding as what the position paid (`execFee`), binance as what it received; both
// must reach the strategy received-positive. A short on bybit receives when the rate is positive.
const BYBIT_PERP = { venue: 'bybit', symbol: 'BTC/USDT:USDT' } as const;
const bybitSuite = simulatorSuite({ venues: ['bybit'], symbols: ['BTC/USDT'] });

describe('funding payments in sim mode on bybit', () => {
  it('books what the simulator paid, with the venue sign: a short receives a positive rate', async () => {
    const exec = await bybitSuite.executions.start({ venues: [{ id: 'bybit' }], fundingPollMs: 100, risk: { rateBudget: { capacity: 500, refillPerSecond: 500 } } }, { feedSymbols: ['BTC/USDT:USDT'] });
    await exec.reconciled();
    exec.submit({ intentSeq: 1, ...BYBIT_PERP, side: 'sell', qty: 0.01 });
    await exec.waitFor('Filled', (e) => e.intentSeq === 1);
    const [settlement] = await bybitSuite.sim().control.settleFunding(BYBIT_PERP.venue, BYBIT_PERP.symbol);
    const payment = (await bybitSuite.sim().control.fundingPayments(BYBIT_PERP.venue)).find((p) => p.fundingTimeMs === settlement!.fundingTimeMs)!;
    expect(payment.amount).not.toBe(0);
    const settled = await exec.waitFor('FundingSettled');
    expect(settled).toMatchObject({ venue: 'bybit', positionQty: -0.01 });
    expect(settled.amount).toBeCloseTo(payment.amount, 6);
    expect(Math.sign(settled.amount)).toBe(Math.sign(settlement!.rate));
  });
});
