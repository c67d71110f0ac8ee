/**
 * Multi-leg orders against the simulator: the simulator's fault injection rejects one leg, the
 * command's policy corrects it, every step is a `LegImbalanceUpdated` event, and the net exposure per
 * underlying ends within tolerance (checked on the journal's positions and at the simulator).
 */
import { describe, expect, it } from 'vitest';
import { message, type Leg, type LegFailurePolicy, UNSTAMPED_DECISION } from '../../src/protocol/index.js';
import { monoNowNs } from '../../src/base/clock.js';
import { makeClientOrderId } from '../../src/trading/orders/client-order-id.js';
import { simulatorSuite, type ExecutionUnderTest } from './helpers.js';

const LONG_PERP: Leg = { venue: 'binanceusdm', symbol: 'BTC/USDT:USDT', side: 'buy', orderType: 'market', timeInForce: 'IOC', qty: 0.01, limitPx: null, reduceOnly: false };
const SHORT_SPOT: Leg = { venue: 'binance', symbol: 'BTC/USDT', side: 'sell', orderType: 'market', timeInForce: 'IOC', qty: 0.01, limitPx: null, reduceOnly: false };
const TOLERANCE_USD = 20;

const suite = simulatorSuite();
const executions = suite.executions;

async function runWithRejectedLeg(policy: LegFailurePolicy): Promise<{ exec: ExecutionUnderTest; actions: string[] }> {
  const exec = await executions.start({ risk: { maxSymbolNetExposureUsd: 5_000, rateBudget: { capacity: 500, refillPerSecond: 500 } } });
  await exec.reconciled();
  const intentSeq = 1;
  // Only the first attempt of leg 1 is refused: a retry or hedge carries a new attempt number.
  const rejected = makeClientOrderId({ strategyId: exec.strategyId, intentSeq, leg: 1, attempt: 0 }, SHORT_SPOT.venue);
  await suite.sim().control.inject({ kind: 'reject-orders', venue: SHORT_SPOT.venue, clientOrderIdPrefix: rejected });
  exec.send(message('SubmitMultiLeg', { ...UNSTAMPED_DECISION, ts: monoNowNs(), strategyId: exec.strategyId, intentSeq, legs: [LONG_PERP, SHORT_SPOT], onLegFailure: policy, toleranceUsd: TOLERANCE_USD, timeoutMs: 5_000 }));
  await exec.waitFor('LegImbalanceUpdated', (e) => e.action === 'resolved' || e.action === 'failed');
  await suite.sim().control.clearFaults();
  const actions = exec.eventsOf('LegImbalanceUpdated').map((e) => e.action);
  expect(exec.eventsOf('OrderRejected', (e) => e.clientOrderId === rejected)).toHaveLength(1);
  return { exec, actions };
}

/** Net notional per underlying of the strategy's journaled positions, at their marks. */
function netBtcUsd(exec: ExecutionUnderTest): number {
  return exec.status().positions.filter((p) => p.strategyId === exec.strategyId && p.symbol.startsWith('BTC/')).reduce((sum, p) => sum + p.qty * (p.markPx ?? p.avgEntryPx), 0);
}

describe('multi-leg orders that fill', () => {
  it('sends both legs through ccxt with every stage measured, and how far apart they were written', async () => {
    const exec = await executions.start({ risk: { maxSymbolNetExposureUsd: 5_000, rateBudget: { capacity: 500, refillPerSecond: 500 } } });
    await exec.reconciled();
    exec.send(message('SubmitMultiLeg', { ...UNSTAMPED_DECISION, ts: monoNowNs(), strategyId: exec.strategyId, intentSeq: 1, legs: [LONG_PERP, SHORT_SPOT], onLegFailure: 'unwind', toleranceUsd: TOLERANCE_USD, timeoutMs: 5_000 }));
    await exec.waitFor('Filled', (e) => e.leg === 0);
    await exec.waitFor('Filled', (e) => e.leg === 1);
    const stages = Object.fromEntries(exec.status().stageLatencyUs.map((s) => [s.stage, s.count]));
    expect(stages).toMatchObject({ risk: 1, journal: 1, build_sign: 2, write: 2, tick_to_wire: 2, leg_spread: 1 });
  });
});

describe('multi-leg orders with a rejected leg', () => {
  it('unwind: the filled leg is flattened, every step reported, exposure back within tolerance', async () => {
    const { exec, actions } = await runWithRejectedLeg('unwind');
    expect(actions).toEqual(['detected', 'unwind', 'resolved']);
    const unwind = exec.eventsOf('LegImbalanceUpdated', (e) => e.action === 'unwind')[0]!;
    expect(unwind.detail).toMatch(/unwinding sell 0\.01 BTC\/USDT:USDT@binanceusdm/);
    expect(Math.abs(netBtcUsd(exec))).toBeLessThanOrEqual(TOLERANCE_USD);
    // At the venue: the perp position the leg opened was closed by a reduce-only order, collared as a limit IOC.
    const perpOrders = (await suite.sim().control.orders({ venue: LONG_PERP.venue })).filter((o) => o.clientOrderId.startsWith(exec.eventsOf('OrderAccepted')[0]!.clientOrderId.slice(0, 15)));
    expect(perpOrders.map((o) => [o.side, o.type, o.timeInForce, o.outcome])).toEqual([
      ['buy', 'market', 'IOC', 'accepted'],
      ['sell', 'limit', 'IOC', 'accepted'],
    ]);
    expect(exec.status().multiLeg).toEqual({ active: 0, finished: 1, failed: 0 });
  });

  it('hedge: the missing leg is completed with a market order; the pair stands, net within tolerance', async () => {
    const { exec, actions } = await runWithRejectedLeg('hedge');
    expect(actions).toEqual(['detected', 'hedge', 'resolved']);
    const filled = exec.eventsOf('Filled').map((e) => [e.venue, e.side, e.leg]);
    expect(filled).toEqual(expect.arrayContaining([['binanceusdm', 'buy', 0], ['binance', 'sell', 1]]));
    expect(Math.abs(netBtcUsd(exec))).toBeLessThanOrEqual(TOLERANCE_USD);
  });

  it('retry: the leg is sent again as specified under a new attempt id', async () => {
    const { exec, actions } = await runWithRejectedLeg('retry');
    expect(actions).toEqual(['detected', 'retry', 'resolved']);
    const retried = exec.eventsOf('Filled', (e) => e.leg === 1)[0]!;
    expect(retried.clientOrderId).toBe(makeClientOrderId({ strategyId: exec.strategyId, intentSeq: 1, leg: 1, attempt: 1 }, 'binance'));
    expect(Math.abs(netBtcUsd(exec))).toBeLessThanOrEqual(TOLERANCE_USD);
  });
});
