/**
 * A group commit that fails (disk full, an I/O error) leaves execution's memory ahead of its
 * journal: the group's events and requests are dropped, and trading halts at once, told to the
 * strategies, so nothing decided on state the journal lost can reach a venue.
 *
 * The journal is the real SQLite one; only its commit is made to fail, as a full disk would.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { message, UNSTAMPED_DECISION, type Message } from '../../src/protocol/index.js';
import { ExecutionCore } from '../../src/execution/core.js';
import type { ExecutionJournal } from '../../src/execution/journal-port.js';
import { parseExecutionParams } from '../../src/execution/params.js';
import { openJournal } from '../../src/store/index.js';
import { createTradeVenues } from '../../src/venues/trade/venue-factory.js';
import { eventually } from '../helpers/workers.js';
import { tempDir } from './helpers.js';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const step of cleanup.splice(0).reverse()) step();
});

async function coreWithFailingCommit() {
  const tmp = tempDir('arbiter-journal-failure-');
  const real = openJournal({ dataDir: tmp.dir, durability: 'normal' });
  cleanup.push(() => tmp.remove(), () => real.close());
  let failCommit = false;
  // Every call goes to the real journal; an armed commit fails the way SQLite reports a full disk.
  const journal = new Proxy(real, {
    get(target, name, receiver) {
      if (name === 'commitGroup' && failCommit) return () => { failCommit = false; throw new Error('SQLITE_FULL: database or disk is full'); };
      const value = Reflect.get(target, name, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  }) as ExecutionJournal;
  const delivered: Message[] = [];
  const sink = { toStrategy: (_id: string, m: Message) => void delivered.push(m), broadcast: (m: Message) => void delivered.push(m), toVenue: (_v: string, m: Message) => void delivered.push(m) };
  const work: Promise<unknown>[] = [];
  // Replay's paper venue: local fills, no network.
  const params = parseExecutionParams({ mode: 'replay', dataDir: tmp.dir, venues: [{ id: 'binance', symbols: ['BTC/USDT'] }] });
  const core = await ExecutionCore.create({
    params,
    journal,
    createVenues: (book, nowMs) => createTradeVenues(params, book, nowMs),
    sink,
    log: pino({ enabled: false }),
    counters: { count: () => undefined, reportError: () => undefined },
    track: (promise) => void work.push(promise),
    nowMs: () => Date.now(),
    delay: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  });
  core.start();
  await eventually(() => (core.status().reconciliation.state === 'done' ? true : undefined), 'reconciled');
  return { core, delivered, arm: () => (failCommit = true) };
}

const order = (intentSeq: number): Message =>
  message('SubmitOrder', { ...UNSTAMPED_DECISION, ts: 1, strategyId: 's', intentSeq, venue: 'binance', symbol: 'BTC/USDT', side: 'buy', orderType: 'market', timeInForce: 'IOC', qty: 0.01, limitPx: null, reduceOnly: false });

describe('a failed group commit', () => {
  it("drops the batch's events, halts trading and tells the strategies", async () => {
    const { core, delivered, arm } = await coreWithFailingCommit();
    expect(core.status().tradingState.state).toBe('ACTIVE');

    // A healthy batch: its answer is delivered after the commit.
    core.onCommand(order(1) as never, new Uint8Array([1]), 's');
    core.endBatch();
    expect(delivered.some((m) => 'intentSeq' in m && m.intentSeq === 1)).toBe(true);

    arm();
    core.onCommand(order(2) as never, new Uint8Array([2]), 's');
    expect(() => core.endBatch()).toThrow(/disk is full/);
    expect(delivered.some((m) => 'intentSeq' in m && m.intentSeq === 2)).toBe(false);
    expect(core.status().tradingState).toMatchObject({ state: 'HALTED', reason: expect.stringMatching(/journal commit failed: SQLITE_FULL/) });
    expect(delivered.at(-1)).toMatchObject({ type: 'TradingStateChanged', state: 'HALTED' });

    // Halted: the next command is denied, not sent.
    core.onCommand(order(3) as never, new Uint8Array([3]), 's');
    core.endBatch();
    expect(delivered.find((m) => m.type === 'OrderDenied' && m.intentSeq === 3)).toMatchObject({ reason: 'halted' });
  });
});
