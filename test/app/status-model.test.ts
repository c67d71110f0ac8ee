/**
 * The ops status assembled from what actors report, typed by role (src/protocol/status.ts): a
 * feed's and execution's own status become the venue table, positions, PnL, orders, latency and
 * risk state; an actor that reports nothing (a worker down) or whose status hook threw gives the
 * "down"/"unknown" answers, never a crash or made-up numbers.
 */
import { describe, expect, it } from 'vitest';
import { LATENCY_BUCKETS_US, type ExecutionStatus, type FeedStatus, type MarketRulesStatus, type PositionStatus } from '../../src/protocol/index.js';
import { renderLiveView } from '../../src/app/live-view.js';
import { buildSystemStatus, type StatusSource } from '../../src/app/status-model.js';
import type { SupervisorActorStatus } from '../../src/runtime/supervision/supervisor.js';

type ActorReport = NonNullable<SupervisorActorStatus['actor']>;

const NO_RELOADS = { succeeded: 0, rolledBack: 0, refused: 0, lastPauseUs: null };

function actor(actorId: string, kind: 'feed' | 'execution', custom: Record<string, unknown> | undefined, state: SupervisorActorStatus['state'] = 'running'): SupervisorActorStatus {
  const report: ActorReport = {
    actorId,
    kind,
    version: '1',
    state: 'running',
    messagesIn: 10,
    messagesOut: 5,
    errors: 0,
    errorsByReason: {},
    unhandled: 0,
    lastMessageAgeMs: 3,
    firstMessageAtNs: 1,
    inputs: [],
    outputs: [],
    wait: { strategy: 'park', spinBudgetUs: 0, spinHits: 0, spinMisses: 0, parks: 0 },
    counters: {},
    gauges: {},
    ...(custom ? { custom } : {}),
  };
  return { actorId, kind, state, restarts: 0, reloads: NO_RELOADS, lastError: state === 'running' ? undefined : 'worker exited with code 1', actor: state === 'running' ? report : undefined };
}

const source = (statuses: SupervisorActorStatus[]): StatusSource => ({ status: async () => statuses, wiring: { rings: [] } });

const feed: FeedStatus = {
  venue: 'binance',
  state: 'up',
  reason: '',
  dataAgeMs: 12,
  messages: 900,
  staleEvents: 1,
  reconnects: 2,
  rejected: {},
  symbols: { 'BTC/USDT': { state: 'up', reason: '', lastBid: 100, lastAsk: 101, funding: null, dataAgeMs: 12 } },
  resubscribes: 0,
  resyncs: 0,
  rssMb: 100,
  heapMb: 20,
  streams: [],
};

const position: PositionStatus = { strategyId: 's', venue: 'binance', symbol: 'BTC/USDT', qty: 1, avgEntryPx: 100, markPx: 102, realizedPnl: 5, unrealizedPnl: 2, fees: 1, fundingPnl: 0.5 };

const rules: MarketRulesStatus = { venue: 'bybit', symbol: 'BTC/USDT:USDT', amountStep: 0.001, priceTick: 0.1, minQty: 0.001, minNotional: 5, contractSize: 1, makerRateBps: 2, takerRateBps: 5.5, feeSource: 'table', feeError: 'bybit fetchTradingFee: timed out' };

const execution: ExecutionStatus = {
  mode: 'sim',
  tradingState: { state: 'REDUCING', cause: 'operator', reason: 'operator: test' },
  reconciliation: {
    state: 'done',
    startedMs: 1,
    finishedMs: 2,
    venues: {},
    unknownOrders: 0,
    passes: 3,
    lastPassMs: 2,
    intervalMs: 30_000,
    mismatchEvents: { binanceusdm: 1 },
    mismatches: [{ venue: 'binanceusdm', symbol: 'BTC/USDT:USDT', journalQty: 0.01, venueQty: 0, differenceQty: -0.01, differenceUsd: 650, strategies: ['s'], sinceMs: 2 }],
    external: [{ venue: 'binanceusdm', symbol: 'BTC/USDT:USDT', qty: -0.01, notionalUsd: 650 }],
    strategyStates: { s: { state: 'REDUCING', reason: 'position mismatch' } },
  },
  openOrderCount: 0,
  openOrders: [],
  positions: [position],
  ordersByStatus: { filled: 3, canceled: 1, denied: 2, new: 1 },
  denialsByReason: { notional_cap: 2 },
  tickToOrderLatencyUs: { count: 4, p50Us: 40, p90Us: 80, p99Us: 90, p999Us: 95, maxUs: 95, sumUs: 210, cumulativeCounts: LATENCY_BUCKETS_US.map((bound) => (bound < 50 ? 3 : 4)) },
  stageLatencyUs: [{ stage: 'write', path: 'tick', count: 4, p50Us: 20, p90Us: 29, p99Us: 30, p999Us: 31, maxUs: 31, sumUs: 85, cumulativeCounts: LATENCY_BUCKETS_US.map((bound) => (bound < 25 ? 2 : 4)) }],
  commandsByPath: { tick: 3, timer: 1 },
  multiLeg: { active: 0, finished: 0, failed: 0 },
  balances: {
    okx: { account: 'OKX', simulated: false, fetchedMs: 1, ageMs: 500, balances: [{ asset: 'USDT', free: 90, used: 10, total: 100 }], reserved: { USDT: 5 }, fetches: 2, failures: 0, lastError: null },
  },
  marketRules: [rules],
  journal: '/tmp/journal.sqlite',
  journalDurability: 'normal',
  journalGroupCommits: 0,
};

describe('system status from typed actor reports', () => {
  it('builds venues, positions, PnL, orders, latency and risk from the feed and execution statuses', async () => {
    const status = await buildSystemStatus(source([actor('feed-binance', 'feed', feed), actor('execution', 'execution', execution)]), 'sim', Date.now());
    expect(status.venues).toEqual([
      { id: 'binance', state: 'up', reason: '', dataAgeMs: 12, messages: 900, staleEvents: 1, reconnects: 2, symbols: [{ symbol: 'BTC/USDT', state: 'up', bid: 100, ask: 101, funding: null, dataAgeMs: 12 }] },
    ]);
    expect(status.positions).toEqual([position]);
    expect(status.pnl).toEqual({ realized: 5, unrealized: 2, funding: 0.5, fees: 1, net: 6.5 });
    expect(status.orders).toEqual({
      sent: 4,
      fills: 3,
      byVenueStatus: [
        { venue: 'all', status: 'filled', count: 3 },
        { venue: 'all', status: 'canceled', count: 1 },
        { venue: 'all', status: 'denied', count: 2 },
        { venue: 'all', status: 'new', count: 1 },
      ],
    });
    expect(status.latency).toEqual({ boundsUs: [...LATENCY_BUCKETS_US], cumulativeCounts: LATENCY_BUCKETS_US.map((bound) => (bound < 50 ? 3 : 4)), count: 4, sumUs: 210, p50Us: 40, p90Us: 80, p99Us: 90, p999Us: 95, maxUs: 95 });
    expect(status.stages).toEqual([{ stage: 'write', path: 'tick', boundsUs: [...LATENCY_BUCKETS_US], cumulativeCounts: LATENCY_BUCKETS_US.map((bound) => (bound < 25 ? 2 : 4)), count: 4, sumUs: 85, p50Us: 20, p90Us: 29, p99Us: 30, p999Us: 31, maxUs: 31 }]);
    expect(status.commandsByPath).toEqual({ tick: 3, timer: 1 });
    expect(status.risk).toEqual({ state: 'REDUCING', reason: 'operator: test', denialsByReason: { notional_cap: 2 } });
    expect(status.opportunities).toEqual({ total: 0, best: [] });
    const view = renderLiveView(status, undefined);
    expect(view).toContain('reconciliation: 1 position mismatch(es), pass 3');
    expect(view).toMatch(/binanceusdm +BTC\/USDT:USDT +journal 0\.0100 +venue 0\.0000 +external \$650\.00/);
    expect(view).toMatch(/s +REDUCING +position mismatch/);
    expect(status.reconciliation).toMatchObject({ passes: 3, mismatchEvents: { binanceusdm: 1 }, mismatches: [{ journalQty: 0.01, venueQty: 0 }], external: [{ qty: -0.01 }], strategyStates: { s: { state: 'REDUCING' } } });
    expect(status.journal).toEqual({ path: '/tmp/journal.sqlite', durability: 'normal', groupCommits: 0, fillConflicts: 0 });
    // Each market's rules, with where its fee rates came from and why the table stood in.
    expect(status.marketRules).toEqual([rules]);
    expect(status.balances.okx).toMatchObject({ ageMs: 500, balances: [{ asset: 'USDT', free: 90, used: 10, total: 100 }], reserved: { USDT: 5 } });
  });

  it('reports the journal durability, its commits and the fill conflicts execution counted', async () => {
    const reporting = actor('execution', 'execution', { ...execution, journalDurability: 'full', journalGroupCommits: 42 });
    reporting.actor = { ...reporting.actor!, counters: { fill_conflict: 3 } };
    const status = await buildSystemStatus(source([reporting]), 'live', Date.now());
    expect(status.journal).toEqual({ path: '/tmp/journal.sqlite', durability: 'full', groupCommits: 42, fillConflicts: 3 });
  });

  it('a feed that is down and an execution whose status hook threw give down and UNKNOWN, with nothing made up', async () => {
    const statuses = [actor('feed-bybit', 'feed', undefined, 'restarting'), actor('execution', 'execution', { statusError: { message: 'boom' } })];
    const status = await buildSystemStatus(source(statuses), 'sim', Date.now());
    expect(status.venues).toEqual([{ id: 'bybit', state: 'down', reason: 'feed actor restarting: worker exited with code 1', dataAgeMs: null, messages: 0, staleEvents: 0, reconnects: 0, symbols: [] }]);
    expect(status.risk).toEqual({ state: 'UNKNOWN', reason: '', denialsByReason: {} });
    expect(status.positions).toEqual([]);
    expect(status.orders).toEqual({ sent: 0, fills: 0, byVenueStatus: [] });
    expect(status.latency).toBeNull();
    expect(status.journal).toBeNull();
  });

  it('an execution worker that is down reports risk DOWN', async () => {
    const status = await buildSystemStatus(source([actor('execution', 'execution', undefined, 'failed')]), 'sim', Date.now());
    expect(status.risk.state).toBe('DOWN');
    expect(status.actors[0]).toMatchObject({ id: 'execution', state: 'failed', messagesIn: 0 });
  });
});
