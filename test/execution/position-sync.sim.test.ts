/**
 * Execution's side of the position sync (issue 14): a strategy's SyncPositions is answered once
 * reconciliation is done, with every journaled position of that strategy; after execution's own
 * restart on the same journal, a strategy holding a position gets it pushed unasked. Every
 * market's rules come with the answer.
 */
import { afterAll, expect, it } from 'vitest';
import { message } from '../../src/protocol/index.js';
import { monoNowNs } from '../../src/base/clock.js';
import { executionParams, ExecutionUnderTest, startTestSimulator, tempDir, uniqueStrategyId } from './helpers.js';

const sim = await startTestSimulator();
const { dir, remove } = tempDir();
afterAll(async () => {
  await sim.stop();
  remove();
});

it('answers SyncPositions after reconciliation with the journaled positions, and pushes them after its own restart', async () => {
  const strategyId = uniqueStrategyId();
  const params = executionParams(sim.url, dir, { venues: [{ id: 'binance', symbols: ['BTC/USDT'] }, { id: 'binanceusdm', symbols: ['BTC/USDT:USDT'] }] });
  const first = await ExecutionUnderTest.start(sim, params, { strategyId });
  // Asked at once, before reconciliation is done: the answer waits for it.
  first.send(message('SyncPositions', { ts: monoNowNs(), strategyId }));
  const empty = await first.waitFor('PositionsSynced');
  expect(first.status().reconciliation.state).toBe('done');
  expect(empty).toMatchObject({ strategyId, positions: [], intents: [] });

  await first.reconciled();
  first.submit({ intentSeq: 1, qty: 0.01 });
  const fill = await first.waitFor('Filled', (f) => f.intentSeq === 1);
  const rulesBefore = first.eventsOf('MarketRules').length;
  first.send(message('SyncPositions', { ts: monoNowNs(), strategyId }));
  const held = await first.waitFor('PositionsSynced', (s) => s.positions.length > 0);
  // Every market's rules come with the answer (a restarted strategy need not wait for the periodic republish).
  const markets = first.status().marketRules.length;
  expect(markets).toBeGreaterThan(0);
  expect(first.eventsOf('MarketRules').length - rulesBefore).toBe(markets);
  expect(held.positions).toEqual([{ venue: 'binanceusdm', symbol: 'BTC/USDT:USDT', qty: 0.01, avgEntryPx: expect.closeTo(fill.fillPx, 6), realizedPnl: 0, fees: expect.any(Number), fundingPnl: 0 }]);
  await first.stop();

  // A restarted execution tells the strategy what it holds without being asked (the strategy may not have restarted).
  const second = await ExecutionUnderTest.start(sim, params, { strategyId });
  const pushed = await second.waitFor('PositionsSynced');
  expect(pushed.positions).toEqual(held.positions);
  // Another strategy (holding nothing, asking nothing) is told nothing.
  expect(second.eventsOf('PositionsSynced').map((s) => s.strategyId)).toEqual([strategyId]);
  second.submit({ intentSeq: 2, qty: 0.01, side: 'sell', reduceOnly: true });
  await second.waitFor('Filled', (f) => f.intentSeq === 2);
  await second.stop();
}, 90_000);

