import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpsServer, type OpsBackend } from '../../src/ops/ops-server.js';
import type { SystemStatus } from '../../src/ops/system-status.js';
import { bearerMatches, resolveOpsToken } from '../../src/ops/token.js';
import { rootLogger } from '../../src/base/log.js';
import { parsePrometheusText } from '../helpers/prometheus.js';

function status(): SystemStatus {
  return {
    mode: 'sim',
    startedAt: new Date(0).toISOString(),
    uptimeS: 12,
    actors: [
      { id: 'exec', kind: 'execution', state: 'running', version: '1', restarts: 1, reloads: { succeeded: 0, rolledBack: 0, refused: 0, lastPauseUs: null }, messagesIn: 40, messagesOut: 30, errors: 0, lastMessageAgeMs: 5 },
      { id: 'carry', kind: 'strategy', state: 'running', version: '2', restarts: 0, reloads: { succeeded: 3, rolledBack: 1, refused: 0, lastPauseUs: 800 }, messagesIn: 1000, messagesOut: 12, errors: 2, lastMessageAgeMs: 1 },
    ],
    channels: [{ from: 'feed.md', to: 'carry.md', policy: 'conflate', capacityBytes: 1024, usedBytes: 256, messages: 5000, fullEvents: 3 }],
    venues: [{ id: 'binance', state: 'up', reason: '', dataAgeMs: 20, messages: 5000, staleEvents: 2, reconnects: 1 }],
    positions: [],
    pnl: { realized: 1.5, unrealized: -0.5, funding: 2, fees: 0.25, net: 2.75 },
    risk: { state: 'ACTIVE', reason: '', denialsByReason: { notional_cap: 4, price_collar: 1 } },
    orders: { sent: 9, fills: 7, byVenueStatus: [{ venue: 'binance', status: 'filled', count: 7 }] },
    latency: { boundsUs: [10, 100, 1000], cumulativeCounts: [3, 8, 9], count: 9, sumUs: 1234, p50Us: 40, p90Us: 800, p99Us: 900, p999Us: 900, maxUs: 900 },
    stages: [
      { stage: 'risk', path: 'tick', boundsUs: [10, 100], cumulativeCounts: [5, 6], count: 6, sumUs: 70, p50Us: 9, p90Us: 50, p99Us: 60, p999Us: 60, maxUs: 60 },
      { stage: 'tick_to_wire', path: 'timer', boundsUs: [10, 100], cumulativeCounts: [0, 1], count: 2, sumUs: 900, p50Us: 90, p90Us: 810, p99Us: 810, p999Us: 810, maxUs: 810 },
    ],
    commandsByPath: { tick: 6, timer: 2 },
    balances: {},
    opportunities: { total: 77, best: [] },
    reconciliation: {
      state: 'done',
      passes: 5,
      lastPassMs: 1,
      intervalMs: 30_000,
      mismatchEvents: { binanceusdm: 2, okx: 0 },
      mismatches: [{ venue: 'binanceusdm', symbol: 'BTC/USDT:USDT', journalQty: 0, venueQty: 0.05, differenceQty: 0.05, differenceUsd: 3250, strategies: [], sinceMs: 1 }],
      external: [{ venue: 'binanceusdm', symbol: 'BTC/USDT:USDT', qty: 0.05, notionalUsd: 3250 }],
      strategyStates: { carry: { state: 'REDUCING', reason: 'position mismatch' } },
    },
    journal: { path: '/tmp/execution.sqlite', durability: 'full', groupCommits: 321, fillConflicts: 2 },
    marketRules: [],
  };
}

const calls: string[] = [];
const backend: OpsBackend = {
  status: async () => status(),
  halt: async (reason) => (calls.push(`halt:${reason}`), { state: 'HALTED' }),
  resume: async (reason) => (calls.push(`resume:${reason}`), { state: 'ACTIVE' }),
  reload: async (actorId, modulePath) =>
    actorId === 'exec'
      ? { ok: false, actorId, stage: 'refused', error: 'actor exec is a execution actor and is not reloadable (only strategies are)' }
      : (calls.push(`reload:${actorId}:${modulePath ?? ''}`), { ok: true, actorId, fromVersion: '1', toVersion: '2', startupMs: 200, pauseUs: 900 }),
  hasActor: (id) => id === 'exec' || id === 'carry',
};

let ops: OpsServer;
const TOKEN = 'test-token-123';
const url = (path: string): string => `${ops.url}${path}`;
const post = (path: string, body?: string, token: string | null = TOKEN) =>
  fetch(url(path), {
    method: 'POST',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body }),
  });

beforeAll(async () => {
  ops = await OpsServer.start(backend, { port: 0, token: TOKEN, log: rootLogger().child({ component: 'ops-test' }) });
});
afterAll(async () => ops.close());

describe('ops server', () => {
  it('listens on 127.0.0.1 and answers /health and /status', async () => {
    expect(ops.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(url('/health'));
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ healthy: true, problems: [] });
    const body = (await (await fetch(url('/status'))).json()) as SystemStatus;
    expect(body.actors.map((a) => a.id)).toEqual(['exec', 'carry']);
  });

  it('serves /metrics as valid Prometheus text with arbiter_-prefixed families', async () => {
    const response = await fetch(url('/metrics'));
    expect(response.headers.get('content-type')).toMatch(/text\/plain/);
    const { types, samples } = parsePrometheusText(await response.text());
    expect([...types.keys()].every((name) => name.startsWith('arbiter_'))).toBe(true);
    const value = (name: string, labels: Record<string, string> = {}) =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    expect(value('arbiter_channel_messages_total', { from: 'feed.md', to: 'carry.md' })).toBe(5000);
    expect(value('arbiter_ring_fill_ratio', { from: 'feed.md' })).toBe(0.25);
    expect(value('arbiter_risk_denials_total', { reason: 'notional_cap' })).toBe(4);
    expect(value('arbiter_actor_restarts_total', { actor: 'exec' })).toBe(1);
    expect(value('arbiter_actor_reloads_total', { actor: 'carry', outcome: 'rolled_back' })).toBe(1);
    expect(value('arbiter_stale_events_total', { venue: 'binance' })).toBe(2);
    expect(value('arbiter_funding_pnl_usd')).toBe(2);
    expect(value('arbiter_position_mismatches', { venue: 'binanceusdm' })).toBe(1);
    expect(value('arbiter_position_mismatches', { venue: 'okx' })).toBe(0);
    expect(value('arbiter_position_mismatch_events_total', { venue: 'binanceusdm' })).toBe(2);
    expect(value('arbiter_external_position_usd', { venue: 'binanceusdm', symbol: 'BTC/USDT:USDT' })).toBe(3250);
    expect(value('arbiter_strategy_reducing', { strategy: 'carry' })).toBe(1);
    expect(value('arbiter_journal_durability', { durability: 'full' })).toBe(1);
    expect(value('arbiter_journal_commits_total')).toBe(321);
    expect(value('arbiter_fill_conflicts_total')).toBe(2);
    expect(types.get('arbiter_tick_to_order_latency_us')).toBe('histogram');
    expect(value('arbiter_tick_to_order_latency_us_bucket', { le: '100' })).toBe(8);
    expect(value('arbiter_tick_to_order_latency_us_bucket', { le: '+Inf' })).toBe(9);
    expect(value('arbiter_tick_to_order_latency_us_count')).toBe(9);
    // Per stage and deciding path, with real buckets; and commands counted per path.
    expect(types.get('arbiter_order_stage_latency_us')).toBe('histogram');
    expect(value('arbiter_order_stage_latency_us_bucket', { stage: 'risk', path: 'tick', le: '10' })).toBe(5);
    expect(value('arbiter_order_stage_latency_us_bucket', { stage: 'tick_to_wire', path: 'timer', le: '+Inf' })).toBe(2);
    expect(value('arbiter_order_stage_latency_us_sum', { stage: 'tick_to_wire', path: 'timer' })).toBe(900);
    expect(value('arbiter_order_commands_total', { path: 'tick' })).toBe(6);
    expect(value('arbiter_order_commands_total', { path: 'timer' })).toBe(2);
  });

  it('refuses mutating routes without the bearer token (401) or with a wrong one', async () => {
    expect((await post('/halt', undefined, null)).status).toBe(401);
    const wrong = await post('/halt', undefined, 'nope');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer');
    expect(calls).toEqual([]);
  });

  it('halts and resumes with the token, passing the reason', async () => {
    const halted = await post('/halt', JSON.stringify({ reason: 'drill' }));
    expect(halted.status).toBe(200);
    expect(await halted.json()).toEqual({ ok: true, result: { state: 'HALTED' } });
    expect((await post('/resume')).status).toBe(200);
    expect(calls.splice(0)).toEqual(['halt:drill', 'resume:resumed by operator']);
  });

  it('answers bad bodies with 400 and the reason', async () => {
    const bad = await post('/halt', '{not json');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/body is not valid JSON/);
    const wrongType = await post('/halt', JSON.stringify({ reason: 42 }));
    expect(wrongType.status).toBe(400);
    expect(((await wrongType.json()) as { error: string }).error).toBe('reason must be a non-empty string of at most 500 characters, got 42');
    expect((await post('/halt', '[1,2]')).status).toBe(400);
    expect(calls).toEqual([]);
  });

  it('reloads a strategy, refuses execution with 409, and 404s unknown actors and routes', async () => {
    const ok = await post('/actors/carry/reload', JSON.stringify({ modulePath: 'actors/strategy/x.ts' }));
    expect(ok.status).toBe(200);
    expect(calls.splice(0)).toEqual(['reload:carry:actors/strategy/x.ts']);
    const refused = await post('/actors/exec/reload');
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: string }).error).toMatch(/not reloadable/);
    expect((await post('/actors/ghost/reload')).status).toBe(404);
    expect((await post('/actors/carry/explode')).status).toBe(404);
    expect((await fetch(url('/nope'))).status).toBe(404);
  });

  it('counts requests by route and status', async () => {
    const { samples } = parsePrometheusText(await (await fetch(url('/metrics'))).text());
    const unauthorized = samples.find((s) => s.name === 'arbiter_ops_requests_total' && s.labels.route === '/halt' && s.labels.status === '401');
    expect(unauthorized?.value).toBe(2);
  });
});

describe('ops token', () => {
  it('generates a token into the data directory readable by the user only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'arbiter-ops-'));
    try {
      const { token, file } = resolveOpsToken(undefined, join(dir, 'data'));
      expect(token.length).toBeGreaterThanOrEqual(32);
      expect(readFileSync(file!, 'utf8').trim()).toBe(token);
      expect(statSync(file!).mode & 0o777).toBe(0o600);
      expect(resolveOpsToken('configured', dir)).toEqual({ token: 'configured', file: null });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('matches bearer headers exactly', () => {
    expect(bearerMatches('Bearer abc', 'abc')).toBe(true);
    expect(bearerMatches('bearer abc', 'abc')).toBe(true);
    expect(bearerMatches('Bearer abcd', 'abc')).toBe(false);
    expect(bearerMatches('Basic abc', 'abc')).toBe(false);
    expect(bearerMatches(undefined, 'abc')).toBe(false);
  });
});
