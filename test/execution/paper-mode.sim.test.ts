/**
 * paper and replay modes: the same execution actor, with the local fill model instead of a venue.
 * Orders fill against the latest book after the latency setting, with the venue's fees; resting
 * orders fill when a later quote crosses them; perp funding settles from the funding feed; a
 * restart finds in-flight paper orders gone (the "venue" died with the process) and rejects them.
 * Paper reads the market rules from ccxt's markets loaded against the public venue: here the
 * simulator stands in for it (`simUrl`), so orders obey its steps and minimums.
 * Replay runs under the lockstep driver and takes its time from the driver's virtual clock (the
 * one clock the actor context gives it), so the same input gives the same fills.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { message, topicOf, type ExecutionStatus, type MarketDataMessage, type Message, UNSTAMPED_DECISION } from '../../src/protocol/index.js';
import { parseGraphConfig } from '../../src/runtime/graph/graph-config.js';
import { LockstepGraph } from '../../src/runtime/graph/lockstep.js';
import { ActorHarness } from '../helpers/actor-harness.js';
import { eventually } from '../helpers/workers.js';
import execution from '../../actors/execution/execution.js';
import type { Simulator } from '../../src/sim/simulator.js';
import { EventCollector, startTestSimulator, tempDir } from './helpers.js';

const VENUE = 'binanceusdm';
const SYMBOL = 'BTC/USDT:USDT';
const T0 = Date.UTC(2026, 0, 1);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dirs: { remove(): void }[] = [];
const harnesses: ActorHarness[] = [];

let sim: Simulator;

beforeAll(async () => {
  sim = await startTestSimulator({ venues: [VENUE], symbols: ['BTC/USDT'] });
});

afterAll(async () => {
  await sim.stop();
});

afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.stop();
  for (const dir of dirs.splice(0)) dir.remove();
});

function paperParams(mode: 'paper' | 'replay', dataDir: string): Record<string, unknown> {
  // Paper asks the simulator (standing in for the public venue) for the markets' rules; replay has no venue.
  const venue = mode === 'paper' ? { id: VENUE, symbols: [SYMBOL], simUrl: sim.url } : { id: VENUE };
  return { mode, venues: [venue], dataDir, durability: 'normal', paper: { latencyMs: 50 }, quoteMaxAgeMs: mode === 'replay' ? 3_600_000 : 60_000 };
}

async function start(mode: 'paper' | 'replay', dataDir?: string, origins?: Record<string, string>): Promise<{ harness: ActorHarness; dataDir: string }> {
  let dir = dataDir;
  if (!dir) {
    const tmp = tempDir('arbiter-paper-');
    dirs.push(tmp);
    dir = tmp.dir;
  }
  const harness = await ActorHarness.start(execution, {
    params: paperParams(mode, dir),
    inputs: ['commands', 'md'],
    outputs: ['events'],
    ...(origins ? { origins } : {}),
  });
  harnesses.push(harness);
  return { harness, dataDir: dir };
}

function top(bid: number, ask: number, exchangeTimeMs = Date.now()): MarketDataMessage {
  return message('BookTop', { ts: 1, venue: VENUE, symbol: SYMBOL, bidPx: bid, bidSz: 5, askPx: ask, askSz: 5, venueSeq: 1, exchangeTimeMs });
}

function mark(markPx: number, exchangeTimeMs = Date.now()): MarketDataMessage {
  return message('MarkPrice', { ts: 1, venue: VENUE, symbol: SYMBOL, markPx, indexPx: markPx, exchangeTimeMs });
}

function order(intentSeq: number, fields: Partial<Message & { type: 'SubmitOrder' }> = {}): Message {
  return message('SubmitOrder', { ...UNSTAMPED_DECISION, ts: 1, strategyId: 'paper', intentSeq, venue: VENUE, symbol: SYMBOL, side: 'buy', orderType: 'market', timeInForce: 'IOC', qty: 0.1, limitPx: null, reduceOnly: false, ...fields });
}

const executionStatus = (harness: ActorHarness): ExecutionStatus | undefined => harness.status().custom as ExecutionStatus | undefined;

async function reconciled(harness: ActorHarness): Promise<void> {
  await eventually(() => (executionStatus(harness)?.reconciliation.state === 'done' ? true : undefined), 'reconciliation');
}

describe('paper mode', () => {
  it('fills against the book with fees, fills resting orders on a crossing quote, settles funding from the feed', async () => {
    const { harness } = await start('paper');
    const out = new EventCollector(harness);
    await reconciled(harness);
    harness.push('md', top(60_000, 60_010));
    harness.push('md', mark(60_005));
    await harness.settle();
    harness.push('commands', order(1));
    const filled = await out.waitFor('Filled', (e) => e.intentSeq === 1);
    expect(filled).toMatchObject({ fillQty: 0.1, fillPx: 60_010, cumQty: 0.1 });
    expect(filled.fee).toBeCloseTo(0.1 * 60_010 * 5e-4, 9); // binanceusdm perp taker: 5 bps

    harness.push('commands', order(2, { side: 'sell', orderType: 'limit', timeInForce: 'GTC', limitPx: 60_050 }));
    await out.waitFor('OrderAccepted', (e) => e.intentSeq === 2);
    harness.push('md', top(60_060, 60_070));
    const maker = await out.waitFor('Filled', (e) => e.intentSeq === 2);
    expect(maker).toMatchObject({ fillPx: 60_050 });
    expect(maker.fee).toBeCloseTo(0.1 * 60_050 * 2e-4, 9); // maker: 2 bps

    harness.push('commands', order(3, { qty: 0.2 }));
    await out.waitFor('Filled', (e) => e.intentSeq === 3);
    harness.push('md', message('FundingRate', { ts: 1, venue: VENUE, symbol: SYMBOL, rate: 0.0001, intervalHours: 8, nextFundingTimeMs: Date.now() + 8 * 3_600_000, settled: true, exchangeTimeMs: Date.now() }));
    const funding = await out.waitFor('FundingSettled');
    expect(funding.positionQty).toBeCloseTo(0.2, 9);
    expect(funding.amount).toBeCloseTo(-0.2 * 60_005 * 0.0001, 9); // a long pays positive funding
    const position = await out.waitFor('PositionChanged', (e) => e.fundingPnl !== 0);
    expect(position.fundingPnl).toBeCloseTo(funding.amount, 9);
  });

  it("obeys the venue's rules: publishes them, rounds to the lot step, denies min_qty and min_notional", async () => {
    const { harness } = await start('paper');
    const out = new EventCollector(harness);
    await reconciled(harness);
    // The simulator's binanceusdm BTC perp: 0.001 step, 0.1 tick, 100 USDT minimum notional; paper pays the fee table.
    const rules = await out.waitFor('MarketRules', (e) => e.symbol === SYMBOL);
    expect(rules).toMatchObject({ venue: VENUE, amountStep: 0.001, priceTick: 0.1, minQty: 0.001, minNotional: 100, contractSize: 1, takerRateBps: 5, feeSource: 'table' });
    expect(executionStatus(harness)?.marketRules).toEqual([expect.objectContaining({ venue: VENUE, symbol: SYMBOL, feeSource: 'table' })]);
    harness.push('md', top(60_000, 60_010));
    await harness.settle();
    harness.push('commands', order(1, { qty: 0.0129 }));
    expect(await out.waitFor('Filled', (e) => e.intentSeq === 1)).toMatchObject({ fillQty: 0.012 });
    harness.push('commands', order(2, { qty: 0.0004 }));
    expect(await out.waitFor('OrderDenied', (e) => e.intentSeq === 2)).toMatchObject({ reason: 'min_qty' });
    harness.push('commands', order(3, { qty: 0.001 })); // 60 USDT at the reference (mid) price
    const denied = await out.waitFor('OrderDenied', (e) => e.intentSeq === 3);
    expect(denied).toMatchObject({ reason: 'min_notional' });
    expect(denied.detail).toMatch(/0\.001 × 60005 = 60\.005 is below binanceusdm's minimum notional 100/);
    expect(executionStatus(harness)?.denialsByReason).toEqual({ min_qty: 1, min_notional: 1 });
  });

  it('after a restart, paper orders that were working are gone: rejected; positions come back from the journal', async () => {
    const first = await start('paper');
    let out: EventCollector = new EventCollector(first.harness);
    await reconciled(first.harness);
    first.harness.push('md', top(60_000, 60_010));
    await first.harness.settle();
    first.harness.push('commands', order(1));
    await out.waitFor('Filled');
    first.harness.push('commands', order(2, { orderType: 'limit', timeInForce: 'GTC', limitPx: 59_000 }));
    await out.waitFor('OrderAccepted', (e) => e.intentSeq === 2);
    await first.harness.stop();
    harnesses.splice(harnesses.indexOf(first.harness), 1);

    const second = await start('paper', first.dataDir);
    out = new EventCollector(second.harness);
    const rejected = await out.waitFor('OrderRejected', (e) => e.intentSeq === 2);
    expect(rejected.code).toBe('not_found');
    await reconciled(second.harness);
    expect(executionStatus(second.harness)?.positions.map((p) => p.qty)).toEqual([0.1]);
  });
});

describe('replay mode', () => {
  /** The replay graph in miniature: recorded md and a strategy's commands in, execution, its fills out. */
  async function replay(): Promise<unknown> {
    const tmp = tempDir('arbiter-replay-');
    dirs.push(tmp);
    const graph = parseGraphConfig(
      {
        actors: [
          { id: 'feed', module: 'actors/feed/demo-ticker.ts' },
          { id: 'paper', module: 'test/fixtures/actors/intent-sender.ts' },
          { id: 'execution', module: 'actors/execution/execution.ts', params: paperParams('replay', tmp.dir) },
          { id: 'fills', module: 'test/fixtures/actors/fill-log.ts' },
        ],
        channels: [
          { from: 'feed.md', to: ['execution.md'] },
          { from: 'paper.intents', to: ['execution.commands'] },
          { from: 'execution.events', to: ['fills.events'] },
        ],
      },
      'replay-mode test graph',
    );
    const lockstep = await LockstepGraph.start(graph, { baseDir: ROOT, sources: ['feed', 'paper'], startMs: T0 });
    try {
      const md = async (atMs: number, m: MarketDataMessage): Promise<void> => {
        await lockstep.advanceTo(atMs);
        lockstep.publish('feed', 'md', m, topicOf(m));
        await lockstep.settle();
      };
      await md(T0, top(60_000, 60_010, T0));
      lockstep.publish('paper', 'intents', order(1), 'intents');
      lockstep.publish('paper', 'intents', order(2, { side: 'sell', orderType: 'limit', timeInForce: 'GTC', limitPx: 60_030 }), 'intents');
      await lockstep.settle();
      for (let i = 1; i <= 5; i++) await md(T0 + i * 40, top(60_000 + i * 10, 60_010 + i * 10, T0 + i * 40));
      await lockstep.advanceTo(T0 + 400);
      return (await lockstep.status()).find((s) => s.actorId === 'fills')?.actor?.custom;
    } finally {
      await lockstep.stop();
    }
  }

  it('takes time from the virtual clock: the same input gives the same fills', async () => {
    const a = await replay();
    const b = await replay();
    // Sent at T0, the market order reached the paper venue 50 ms later on the virtual clock (the
    // execution tick at T0+50), where the quote of T0+40 (ask 60 020) was the latest. The resting
    // sell at 60 030 filled when the quote of T0+120 crossed it.
    expect(a).toEqual({
      fills: [
        [1, 60_020, 0.1],
        [2, 60_030, 0.1],
      ],
    });
    expect(b).toEqual(a);
  });
});

describe('command authority', () => {
  it('refuses a command whose strategyId is not the actor that sent it, and tells the sender', async () => {
    const { harness } = await start('paper', undefined, { commands: 'mallory' });
    await reconciled(harness);
    harness.push('md', top(60_000, 60_010));
    harness.push('md', mark(60_005));
    harness.push('commands', order(1));
    harness.push('commands', message('CancelAll', { ts: 1, strategyId: 'paper', venue: null }));
    await harness.settle();
    const events = harness.take('events');
    const denials = events.filter((e) => e.type === 'OrderDenied');
    expect(denials).toEqual([
      expect.objectContaining({ strategyId: 'mallory', intentSeq: 1, reason: 'invalid_order', detail: 'sent by mallory but names strategy "paper"' }),
      expect.objectContaining({ strategyId: 'mallory', intentSeq: 0, reason: 'invalid_order' }),
    ]);
    expect(events.some((e) => e.type === 'OrderAccepted' || e.type === 'Filled')).toBe(false);
    expect(executionStatus(harness)?.denialsByReason).toEqual({ invalid_order: 2 });
  });
});
