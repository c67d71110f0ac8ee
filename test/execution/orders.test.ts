/**
 * The order state machine through ccxt against the simulator: market, limit, IOC, FOK and
 * post-only; partial fills (several trades, a resting remainder, an expired IOC remainder); every
 * transition and every fill journaled, and equal to what the simulator did.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { message } from '../../src/protocol/index.js';
import { monoNowNs } from '../../src/base/clock.js';
import type { Simulator } from '../../src/sim/simulator.js';
import { ExecutionUnderTest, executionParams, startTestSimulator, tempDir } from './helpers.js';

const PERP = { venue: 'binanceusdm', symbol: 'ETH/USDT:USDT' } as const;
const SPOT = { venue: 'binance', symbol: 'BTC/USDT' } as const;

let sim: Simulator;
let exec: ExecutionUnderTest;
const tmp = tempDir();

beforeAll(async () => {
  sim = await startTestSimulator();
  const risk = { maxOrderNotionalUsd: 1e6, maxSymbolNetExposureUsd: 1e7, maxVenueGrossExposureUsd: 1e7, maxGrossExposureUsd: 1e7, defaultStrategyBudgetUsd: 1e7, priceCollarBps: 500, rateBudget: { capacity: 500, refillPerSecond: 500 } };
  // The FOK test sends 150 BTC to see the venue's own refusal: the margin check must let it through.
  exec = await ExecutionUnderTest.start(sim, executionParams(sim.url, tmp.dir, { risk, balances: { assumedLeverage: 125 } }));
  await exec.reconciled();
});

afterAll(async () => {
  await exec.stop();
  await sim.stop();
  tmp.remove();
});

function journal<T>(query: (db: Database.Database) => T): T {
  const db = new Database(exec.status().journal, { readonly: true });
  try {
    return query(db);
  } finally {
    db.close();
  }
}

async function book(venue: string, symbol: string) {
  return sim.control.book(venue, symbol, 5);
}

/** The journal's fills of an order equal the simulator's, trade by trade. */
async function expectFillsMatch(clientOrderId: string, venue: string): Promise<number> {
  // Prices cross the wire as decimals: compare at the venue's precision, not to the last float bit.
  const round = (n: number): number => Math.round(n * 1e8) / 1e8;
  const simFills = (await sim.control.fills({ venue, clientOrderId })).map((f) => [String(f.tradeId), round(f.quantity), round(f.price)]).sort();
  const ours = journal((db) => db.prepare('SELECT trade_id, qty, px FROM fills WHERE client_order_id = ?').all(clientOrderId) as { trade_id: string; qty: number; px: number }[]);
  expect(ours.map((f) => [f.trade_id, round(f.qty), round(f.px)]).sort()).toEqual(simFills);
  return simFills.length;
}

const historyOf = (clientOrderId: string): string[] =>
  journal((db) => (db.prepare('SELECT status FROM order_events WHERE client_order_id = ? ORDER BY id').all(clientOrderId) as { status: string }[]).map((r) => r.status));

describe('orders through ccxt', () => {
  it('a limit order that sweeps two levels fills partially (two trades), rests, and is canceled with its fills kept', async () => {
    // A frozen market keeps the resting remainder resting until the cancel reaches it.
    await sim.control.setMarketPaused(true);
    const { asks } = await book(PERP.venue, PERP.symbol);
    const [l0, l1] = asks as [readonly [number, number], readonly [number, number]];
    const qty = Math.round((l0[1] + l1[1] + 5) * 1000) / 1000;
    exec.submit({ intentSeq: 1, ...PERP, orderType: 'limit', timeInForce: 'GTC', limitPx: l1[0], qty });
    const first = await exec.waitFor('PartiallyFilled', (e) => e.intentSeq === 1);
    await exec.waitFor('PartiallyFilled', (e) => e.intentSeq === 1 && e.tradeId !== first.tradeId);
    const { clientOrderId } = first;
    exec.send(message('CancelOrder', { ts: monoNowNs(), strategyId: exec.strategyId, clientOrderId }));
    const canceled = await exec.waitFor('Canceled', (e) => e.intentSeq === 1);
    await sim.control.setMarketPaused(false);
    expect(canceled.cumQty).toBeGreaterThan(0);
    expect(canceled.cumQty).toBeLessThan(qty);
    const trades = await expectFillsMatch(clientOrderId, PERP.venue);
    expect(trades).toBeGreaterThanOrEqual(2);
    const history = historyOf(clientOrderId);
    expect(history.slice(0, 5)).toEqual(['new', 'sent', 'accepted', 'partially_filled', 'partially_filled']);
    expect(history.at(-1)).toBe('canceled');
    expect(exec.eventsOf('OrderAccepted', (e) => e.clientOrderId === clientOrderId)).toHaveLength(1);
    const position = exec.eventsOf('PositionChanged', (e) => e.symbol === PERP.symbol).at(-1)!;
    expect(position.qty).toBeCloseTo(canceled.cumQty, 9);
  });

  it('IOC: takes what is there and the venue expires the rest', async () => {
    const { asks } = await book(PERP.venue, PERP.symbol);
    const l0 = asks[0]!;
    exec.submit({ intentSeq: 2, ...PERP, orderType: 'limit', timeInForce: 'IOC', limitPx: l0[0], qty: Math.round(l0[1] * 3 * 1000) / 1000 });
    const canceled = await exec.waitFor('Canceled', (e) => e.intentSeq === 2);
    expect(canceled.reason).toBe('expired');
    expect(canceled.cumQty).toBeGreaterThan(0);
    await expectFillsMatch(canceled.clientOrderId, PERP.venue);
    expect(historyOf(canceled.clientOrderId).at(-1)).toBe('canceled');
  });

  it('FOK: fills completely or not at all (futures reject, spot expires)', async () => {
    const perpBook = await book(PERP.venue, PERP.symbol);
    exec.submit({ intentSeq: 3, ...PERP, orderType: 'limit', timeInForce: 'FOK', limitPx: perpBook.asks[0]![0], qty: 150 });
    expect(await exec.verdict(3)).toMatch(/^rejected:/);
    const spotBook = await book(SPOT.venue, SPOT.symbol);
    exec.submit({ intentSeq: 4, ...SPOT, orderType: 'limit', timeInForce: 'FOK', limitPx: spotBook.asks[0]![0], qty: 0.9 });
    const expired = await exec.waitFor('Canceled', (e) => e.intentSeq === 4);
    expect(expired).toMatchObject({ cumQty: 0, reason: 'expired' });
    exec.submit({ intentSeq: 5, ...SPOT, orderType: 'limit', timeInForce: 'FOK', limitPx: spotBook.asks[1]![0], qty: 0.001 });
    const filled = await exec.waitFor('Filled', (e) => e.intentSeq === 5);
    expect(filled.cumQty).toBe(0.001);
  });

  it('post-only: rests when passive, is refused when it would take', async () => {
    const { bids, asks } = await book(PERP.venue, PERP.symbol);
    exec.submit({ intentSeq: 6, ...PERP, orderType: 'limit', timeInForce: 'PO', limitPx: bids[2]![0], qty: 0.1 });
    const accepted = await exec.waitFor('OrderAccepted', (e) => e.intentSeq === 6);
    exec.submit({ intentSeq: 7, ...PERP, orderType: 'limit', timeInForce: 'PO', limitPx: asks[1]![0], qty: 0.1 });
    expect(await exec.verdict(7)).toMatch(/^rejected:/);
    const spot = await book(SPOT.venue, SPOT.symbol);
    exec.submit({ intentSeq: 8, ...SPOT, orderType: 'limit', timeInForce: 'PO', limitPx: spot.asks[1]![0], qty: 0.001 });
    expect(await exec.verdict(8)).toMatch(/^rejected:/);
    exec.send(message('CancelAll', { ts: monoNowNs(), strategyId: exec.strategyId, venue: null }));
    await exec.waitFor('Canceled', (e) => e.clientOrderId === accepted.clientOrderId);
  });

  it('an answer lost after the venue executed (5xx): unknown, resolved by lookup, never sent again', async () => {
    await sim.control.inject({ kind: 'http-error', venue: PERP.venue, status: 503, count: 1, pathPrefix: '/fapi/v1/order', afterExecution: true });
    exec.submit({ intentSeq: 10, ...PERP, qty: 0.05 });
    const filled = await exec.waitFor('Filled', (e) => e.intentSeq === 10);
    expect(historyOf(filled.clientOrderId)).toEqual(['new', 'sent', 'unknown', 'accepted', 'filled']);
    expect(await sim.control.orders({ venue: PERP.venue, clientOrderId: filled.clientOrderId })).toHaveLength(1);
    await expectFillsMatch(filled.clientOrderId, PERP.venue);
  });

  it('a request that never executed (5xx before the venue saw it): unknown, then rejected once the grace period is over', async () => {
    await sim.control.inject({ kind: 'http-error', venue: PERP.venue, status: 503, count: 1, pathPrefix: '/fapi/v1/order' });
    exec.submit({ intentSeq: 11, ...PERP, qty: 0.05 });
    const rejected = await exec.waitFor('OrderRejected', (e) => e.intentSeq === 11);
    expect(rejected.code).toBe('not_found');
    expect(historyOf(rejected.clientOrderId)).toEqual(['new', 'sent', 'unknown', 'rejected']);
    expect(await sim.control.orders({ venue: PERP.venue, clientOrderId: rejected.clientOrderId })).toHaveLength(0);
  });

  it('market orders fill at once; a spot fee charged in the base asset is booked in quote', async () => {
    exec.submit({ intentSeq: 9, ...SPOT, qty: 0.002 });
    const filled = await exec.waitFor('Filled', (e) => e.intentSeq === 9);
    const [simFill] = await sim.control.fills({ venue: SPOT.venue, clientOrderId: filled.clientOrderId });
    expect(simFill!.feeAsset).toBe('BTC');
    expect(filled.fee).toBeCloseTo(simFill!.fee * simFill!.price, 9);
    expect(filled.feeCurrency).toBe('USDT');
    await expectFillsMatch(filled.clientOrderId, SPOT.venue);
    const stats = exec.status();
    expect(stats.ordersByStatus).toEqual({ filled: 3, canceled: 4, rejected: 4 });
    expect(stats.tickToOrderLatencyUs.count).toBe(11);
    // Every request that reached ccxt was stamped at its socket write (the rejected ones too:
    // they left), after it was built and signed; this fixture's commands are unstamped timer ones.
    const stage = (name: string) => stats.stageLatencyUs.find((s) => s.stage === name && s.path === 'timer');
    expect(stage('write')?.count).toBe(stage('build_sign')?.count);
    expect(stage('write')?.count).toBeGreaterThanOrEqual(7);
    expect(stats.commandsByPath).toEqual({ tick: 0, timer: 11 });
  });
});
