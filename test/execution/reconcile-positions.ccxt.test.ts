/**
 * Continuous reconciliation against the simulator with the real ccxt client: a position opened
 * at the venue behind Arbiter's back is found within a pass or two, reported with both sides'
 * figures, adopted as external and counted in exposure; a journaled position closed behind its
 * back (the venue then omits it) is a mismatch too, and past the tolerance moves the strategy
 * that holds it to REDUCING until an operator resumes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/simulator.js';
import { eventually } from '../helpers/workers.js';
import { ccxtClient } from '../sim/helpers.js';
import { executionFactory, startTestSimulator, type ExecutionUnderTest } from './helpers.js';

const PERP = 'BTC/USDT:USDT';
let sim: Simulator | undefined;
let executions: ReturnType<typeof executionFactory> | undefined;

afterEach(async () => {
  await executions?.cleanup();
  await sim?.stop();
});

async function start(intervalMs = 200): Promise<ExecutionUnderTest> {
  sim = await startTestSimulator();
  const current = sim;
  executions = executionFactory(() => current);
  const exec = await executions.start({
    // As the app compiles it: every configured symbol is reconciled, journaled or not.
    venues: [{ id: 'binance' }, { id: 'binanceusdm', symbols: [PERP] }],
    reconcileIntervalMs: intervalMs,
    mismatchToleranceUsd: 50,
    risk: { rateBudget: { capacity: 200, refillPerSecond: 200 }, maxSymbolNetExposureUsd: 3_000 },
  });
  await exec.reconciled();
  return exec;
}

/** Trades at the simulator as someone else would: same account, ids not Arbiter's. */
async function byHand(side: 'buy' | 'sell', qty: number, params: Record<string, unknown> = {}): Promise<void> {
  const client = await ccxtClient('binanceusdm', sim!);
  await client.loadMarkets();
  await client.createOrder(PERP, 'market', side, qty, undefined, params);
}

/** The BTC perp mismatch with `venueQty`, once a pass reports it, and the pass count then. */
async function mismatchOf(exec: ExecutionUnderTest, venueQty: number) {
  return eventually(() => {
    const r = exec.status().reconciliation;
    const found = r.mismatches.find((m) => m.venue === 'binanceusdm' && m.symbol === PERP && Math.abs(m.venueQty - venueQty) < 1e-9);
    if (found) return { found, passes: r.passes };
    return undefined;
  }, `a position mismatch with venueQty ${venueQty}`);
}

describe('continuous reconciliation of positions', () => {
  it('finds a position opened behind its back, reports it, adopts it as external and counts it in exposure', async () => {
    const exec = await start();
    expect(exec.status().reconciliation.mismatches).toEqual([]);
    const passesBefore = exec.status().reconciliation.passes;
    await byHand('buy', 0.05);
    const { found, passes } = await mismatchOf(exec, 0.05);
    // Found by the first pass that started after the order (at most one more was already running).
    expect(passes).toBeLessThanOrEqual(passesBefore + 2);
    expect(found).toMatchObject({ journalQty: 0, venueQty: 0.05, differenceQty: 0.05, strategies: [] });
    expect(found.differenceUsd).toBeGreaterThan(3_000);
    const status = exec.status().reconciliation;
    expect(status.external).toEqual([expect.objectContaining({ venue: 'binanceusdm', symbol: PERP, qty: 0.05 })]);
    expect(status.mismatchEvents['binanceusdm']).toBe(1);
    expect(status.venues['binanceusdm']!.positionMismatches).toEqual([{ symbol: PERP, journalQty: 0, venueQty: 0.05 }]);
    // Held by no strategy, so nobody is moved to REDUCING …
    expect(status.strategyStates).toEqual({});
    // … but it counts: 0.01 more BTC (~650 USD alone) takes the net BTC exposure past 3,000.
    exec.submit({ intentSeq: 1, side: 'buy', qty: 0.01 });
    expect(await exec.verdict(1)).toBe('symbol_exposure');
    // Selling against it lowers the net exposure and passes.
    exec.submit({ intentSeq: 2, side: 'sell', qty: 0.01 });
    expect(await exec.verdict(2)).toBe('allowed');
  });

  it('a journaled position the venue no longer shows is a mismatch; past the tolerance its strategy goes REDUCING until resumed', async () => {
    const exec = await start();
    exec.submit({ intentSeq: 1, side: 'buy', qty: 0.01 });
    await exec.waitFor('Filled', (e) => e.intentSeq === 1);
    await byHand('sell', 0.01, { reduceOnly: true });
    const { found } = await mismatchOf(exec, 0);
    expect(found).toMatchObject({ journalQty: 0.01, venueQty: 0, differenceQty: -0.01, strategies: [exec.strategyId] });
    const changed = await exec.waitFor('TradingStateChanged', (e) => e.state === 'REDUCING');
    expect(changed.reason).toMatch(/position mismatch on binanceusdm BTC\/USDT:USDT: journal 0.01, venue 0/);
    expect(exec.status().reconciliation.strategyStates[exec.strategyId]).toMatchObject({ state: 'REDUCING' });
    expect(exec.status().tradingState.state).toBe('ACTIVE');
    exec.submit({ intentSeq: 2, side: 'buy', qty: 0.01 });
    expect(await exec.verdict(2)).toBe('reducing');

    await exec.harness.command('resume', { reason: 'checked the venue' });
    expect(exec.status().reconciliation.strategyStates).toEqual({});
    exec.submit({ intentSeq: 3, side: 'buy', qty: 0.01 });
    expect(await exec.verdict(3)).toBe('allowed');
    // The mismatch stays listed until both sides agree: now journal 0.02, venue 0.01.
    await exec.waitFor('Filled', (e) => e.intentSeq === 3);
    await mismatchOf(exec, 0.01);
  });

  it('an ambiguous request (a 5xx after the venue executed) triggers a pass of that venue without waiting for the period', async () => {
    const exec = await start(3_600_000);
    const before = exec.status().reconciliation.passes;
    await sim!.control.inject({ kind: 'http-error', venue: 'binanceusdm', status: 503, count: 1, pathPrefix: '/fapi/v1/order', afterExecution: true });
    exec.submit({ intentSeq: 1, side: 'buy', qty: 0.01 });
    await exec.waitFor('Filled', (e) => e.intentSeq === 1);
    await eventually(() => (exec.status().reconciliation.passes > before ? true : undefined), 'a reconciliation pass after the ambiguous request');
    // Nothing was sent twice and the positions agree: the pass found no mismatch to report.
    expect((await sim!.control.orders({ venue: 'binanceusdm' })).filter((o) => o.outcome === 'accepted')).toHaveLength(1);
    expect(exec.status().reconciliation.mismatches).toEqual([]);
  });
});
