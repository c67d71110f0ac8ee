/**
 * The same execution actor against bybit (spot + linear) and okx (spot + swap) at the simulator:
 * the ccxt adapter's per-venue quirks (bybit's `orderLinkId` and acknowledged lookups, okx's
 * contract sizes) with orders, fills, cancels and positions.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { message } from '../../src/protocol/index.js';
import { monoNowNs } from '../../src/base/clock.js';
import { DEFAULT_PASSPHRASE } from '../../src/sim/index.js';
import { midOf, SIM_KEY, SIM_SECRET, simulatorSuite, type ExecutionUnderTest } from './helpers.js';

const suite = simulatorSuite({ venues: ['bybit', 'okx'], symbols: ['BTC/USDT'] });
const SYMBOLS = ['BTC/USDT', 'BTC/USDT:USDT'];

async function started(venue: string): Promise<ExecutionUnderTest> {
  const names = venue.toUpperCase();
  Object.assign(process.env, { [`ARBITER_${names}_API_KEY`]: SIM_KEY, [`ARBITER_${names}_SECRET`]: SIM_SECRET, [`ARBITER_${names}_PASSWORD`]: DEFAULT_PASSPHRASE });
  const exec = await suite.executions.start({ venues: [{ id: venue }], risk: { rateBudget: { capacity: 500, refillPerSecond: 500 } } });
  await exec.reconciled();
  return exec;
}

async function restAndCancel(exec: ExecutionUnderTest, venue: string, symbol: string, intentSeq: number): Promise<void> {
  const limitPx = Math.round((await midOf(suite.sim(), venue, symbol)) * 0.99 * 10) / 10;
  exec.submit({ intentSeq, venue, symbol, qty: 0.01, orderType: 'limit', timeInForce: 'PO', limitPx });
  const accepted = await exec.waitFor('OrderAccepted', (e) => e.intentSeq === intentSeq);
  exec.send(message('CancelOrder', { ts: monoNowNs(), strategyId: exec.strategyId, clientOrderId: accepted.clientOrderId }));
  expect((await exec.waitFor('Canceled', (e) => e.intentSeq === intentSeq)).cumQty).toBe(0);
}

describe('other venues through the same adapter', () => {
  it('bybit: market orders fill on spot and linear, resting orders cancel, journal equals the venue', async () => {
    const exec = await started('bybit');
    let seq = 0;
    for (const symbol of SYMBOLS) {
      exec.submit({ intentSeq: ++seq, venue: 'bybit', symbol, qty: 0.01 });
      const filled = await exec.waitFor('Filled', (e) => e.intentSeq === seq);
      const [simFill] = await suite.sim().control.fills({ venue: 'bybit', clientOrderId: filled.clientOrderId });
      expect(filled).toMatchObject({ fillQty: 0.01, tradeId: String(simFill!.tradeId) });
      await restAndCancel(exec, 'bybit', symbol, ++seq);
    }
    const db = new Database(exec.status().journal, { readonly: true });
    expect((db.prepare('SELECT count(*) AS n FROM fills').get() as { n: number }).n).toBe(2);
    db.close();
    expect(exec.harness.status().counters.cancel_not_found ?? 0).toBe(0);
  });

  it('okx: orders sized in base units reach the venue in contracts; resting orders cancel', async () => {
    const exec = await started('okx');
    let seq = 0;
    for (const symbol of SYMBOLS) await restAndCancel(exec, 'okx', symbol, ++seq);
    const swap = (await suite.sim().control.orders({ venue: 'okx' })).find((o) => o.symbol === 'BTC/USDT:USDT' && o.clientOrderId.startsWith('a'))!;
    // Sent as sz=1 (contracts of 0.01 BTC); the simulator's engine records base units: 0.01 BTC, as
    // asked. Without the conversion it would have been 0.01 contracts, 0.0001 BTC.
    expect(swap.quantity).toBeCloseTo(0.01, 9);
  });

  it('okx: market orders fill on spot and swap; each fill is journaled trade by trade, in base units, with the venue’s fee', async () => {
    const exec = await started('okx');
    const journaled: { tradeId: string; fee: number; feeAsset: string; feeQuote: number }[] = [];
    let seq = 100;
    for (const symbol of SYMBOLS) {
      exec.submit({ intentSeq: ++seq, venue: 'okx', symbol, qty: 0.01 });
      const filled = await exec.waitFor('Filled', (e) => e.intentSeq === seq);
      // ccxt reads the order's trades from /api/v5/trade/fills-history (sizes in contracts there).
      const simFills = await suite.sim().control.fills({ venue: 'okx', clientOrderId: filled.clientOrderId });
      expect(simFills).toHaveLength(1);
      const [simFill] = simFills;
      expect(filled).toMatchObject({ fillQty: 0.01, tradeId: String(simFill!.tradeId), feeCurrency: 'USDT' });
      // Events carry the fee in quote; spot buys are charged in base (BTC).
      const feeQuote = simFill!.feeAsset === 'USDT' ? simFill!.fee : simFill!.fee * filled.fillPx;
      expect(filled.fee).toBeCloseTo(feeQuote, 6);
      journaled.push({ tradeId: String(simFill!.tradeId), fee: simFill!.fee, feeAsset: simFill!.feeAsset, feeQuote });
    }
    const db = new Database(exec.status().journal, { readonly: true });
    const rows = db.prepare('SELECT trade_id, qty, fee, fee_currency, fee_quote FROM fills ORDER BY at_ms, symbol').all() as { trade_id: string; qty: number; fee: number; fee_currency: string; fee_quote: number }[];
    db.close();
    expect(rows.map((row) => row.trade_id)).toEqual(journaled.map((fill) => fill.tradeId));
    rows.forEach((row, i) => {
      expect(row.qty).toBeCloseTo(0.01, 9);
      expect([row.fee_currency, row.fee, row.fee_quote]).toEqual([journaled[i]!.feeAsset, expect.closeTo(journaled[i]!.fee, 8), expect.closeTo(journaled[i]!.feeQuote, 6)]);
    });
  });
});
