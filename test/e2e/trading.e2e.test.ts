/**
 * The whole system end to end: the simulator in its own process, feeds, strategies and
 * execution on real workers through the real ccxt client, the SQLite journal, the ops API.
 * Outcomes are checked against the simulator's truth and the journal, never against timing.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TradingSystem } from '../../src/app/system.js';
import { SimControl } from '../../src/sim/index.js';
import { parsePrometheusText } from '../helpers/prometheus.js';
import { eventually } from '../helpers/workers.js';
import { journalBook, marksOf, opsRequest, positionsOf, reportedNetPnl, startSystem, statusUntil } from './helpers.js';

const PERPS = ['BTC/USDT:USDT', 'ETH/USDT:USDT'];

/** The books must agree: the journal's fills, fees and funding give what execution reports. */
function expectAccountingHolds(status: Awaited<ReturnType<TradingSystem['status']>>, dataDir: string, strategyId: string): { fills: number } {
  const positions = positionsOf(status, strategyId);
  const book = journalBook(dataDir, strategyId, marksOf(positions));
  for (const p of positions) expect(book.qty.get(`${p.venue} ${p.symbol}`) ?? 0).toBeCloseTo(p.qty, 9);
  expect(book.netPnl).toBeCloseTo(reportedNetPnl(positions), 6);
  return { fills: book.fills };
}

describe('funding carry in funding-divergence, then the kill switch', () => {
  let run: Awaited<ReturnType<typeof startSystem>>;

  beforeAll(async () => {
    run = await startSystem({
      mode: 'sim',
      // bybit's funding is pushed far above binanceusdm's; funding settles every few seconds.
      simulator: { scenario: 'funding-divergence', seed: 3, timeScale: 2880, options: { scenarioOptions: { target: 'bybit' } } },
      venues: { binanceusdm: { symbols: PERPS }, bybit: { symbols: PERPS } },
      // Funding settles every ~10 s here; poll the venues' payments at a matching pace.
      execution: { params: { fundingPollMs: 2_000 } },
      strategies: [
        {
          id: 'carry',
          module: 'actors/strategy/funding-carry.ts',
          params: { venues: ['binanceusdm', 'bybit'], symbols: PERPS, notionalUsd: 5000, evaluationIntervalMs: 250, toleranceUsd: 25 },
        },
        { id: 'rester', module: 'test/fixtures/actors/resting-orders.ts', subscribe: { venues: ['binanceusdm'] }, params: { venue: 'binanceusdm', symbol: 'BTC/USDT:USDT', qty: 0.002, belowBps: 200, intervalMs: 500 } },
      ],
    });
  }, 120_000);
  afterAll(async () => run?.cleanup());

  it('opens a hedged carry on the right sides, within tolerance, and collects funding', async () => {
    const { system } = run;
    const legs = await statusUntil(system, 'a carry position on both venues', (s) => {
      const open = positionsOf(s, 'carry').filter((p) => Math.abs(p.qty) > 0);
      const symbol = PERPS.find((sym) => open.filter((p) => p.symbol === sym).length === 2);
      return symbol ? open.filter((p) => p.symbol === symbol) : undefined;
    });
    const short = legs.find((p) => p.venue === 'bybit')!;
    const long = legs.find((p) => p.venue === 'binanceusdm')!;
    // Short where funding is high (bybit, paid to shorts), long where it is low.
    expect(short.qty).toBeLessThan(0);
    expect(long.qty).toBeGreaterThan(0);
    const netUsd = short.qty * (short.markPx ?? short.avgEntryPx) + long.qty * (long.markPx ?? long.avgEntryPx);
    const grossUsd = Math.abs(short.qty * short.avgEntryPx);
    // Both legs trade one quantity, so the net is only the price difference between venues.
    expect(Math.abs(netUsd)).toBeLessThan(Math.max(25, grossUsd * 0.01));
    const funded = await statusUntil(system, 'funding settlements to pay the carry', (s) => (s.pnl.funding > 0 ? s : undefined));
    expect(funded.pnl.funding).toBeGreaterThan(0);
  }, 180_000);

  it('POST /halt stops new orders and cancels the open ones', async () => {
    const { system } = run;
    const sim = new SimControl(system.sim!.url);
    const openAtVenue = async (): Promise<number> => (await sim.accounts('binanceusdm')).reduce((n, a) => n + a.openOrders, 0);
    await eventually(async () => ((await openAtVenue()) >= 2 ? true : undefined), 'resting orders at the venue');
    expect((await opsRequest(system, 'POST', '/halt', undefined, null)).status).toBe(401);
    const halted = await opsRequest(system, 'POST', '/halt', { reason: 'e2e drill' });
    expect(halted.status).toBe(200);
    const after = await statusUntil(system, 'HALTED', (s) => (s.risk.state === 'HALTED' ? s : undefined));
    expect(after.risk.reason).toMatch(/e2e drill/);
    // The venue's own view: every resting order was canceled.
    await eventually(async () => ((await openAtVenue()) === 0 ? true : undefined), 'no open order at the venue');
    // The fixture keeps trying: its new intents are denied `halted` and never reach the venue.
    const countAtVenue = (await sim.orders({ venue: 'binanceusdm' })).length;
    const denied = await eventually(async () => {
      const rester = (await system.supervisor.actorStatus('rester')).actor?.custom as { denials: Record<string, number> } | undefined;
      return (rester?.denials.halted ?? 0) >= 3 ? rester! : undefined;
    }, 'denials while halted');
    expect(denied.denials.halted).toBeGreaterThanOrEqual(3);
    expect((await sim.orders({ venue: 'binanceusdm' })).length).toBe(countAtVenue);
    expect(await openAtVenue()).toBe(0);
  }, 120_000);

  it('keeps its books: realized + unrealized PnL equals the fills, fees and funding in the journal', async () => {
    const status = await run.system.status();
    expect(status.risk.state).toBe('HALTED'); // nothing trades while we compare
    const { fills } = expectAccountingHolds(status, run.dataDir, 'carry');
    expect(fills).toBeGreaterThanOrEqual(2);
  });

  it('exposes Prometheus metrics that parse, with orders, funding PnL and latency', async () => {
    const response = await opsRequest(run.system, 'GET', '/metrics', undefined, null);
    expect(response.status).toBe(200);
    const { types, samples } = parsePrometheusText(await response.text());
    expect(types.get('arbiter_tick_to_order_latency_us')).toBe('histogram');
    expect(samples.find((s) => s.name === 'arbiter_funding_pnl_usd')!.value).toBeGreaterThan(0);
    expect(samples.some((s) => s.name === 'arbiter_orders_total' && s.value > 0)).toBe(true);
    expect(samples.some((s) => s.name === 'arbiter_channel_messages_total' && s.labels.from === 'feed-bybit.md' && s.value > 0)).toBe(true);
    expect(samples.find((s) => s.name === 'arbiter_risk_state' && s.labels.state === 'HALTED')?.value).toBe(1);
  });

  it('POST /actors/<id>/reload refuses a module outside actors/strategy and runtime.reloadDirs without running it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arbiter-evil-'));
    const marker = join(dir, 'marker');
    const evil = join(dir, 'evil.ts');
    writeFileSync(evil, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport default {};\n`);
    try {
      const refused = await opsRequest(run.system, 'POST', '/actors/carry/reload', { modulePath: evil });
      expect(refused.status).toBe(409);
      expect(((await refused.json()) as { error: string }).error).toMatch(/is outside the reload directories/);
      const escaped = await opsRequest(run.system, 'POST', '/actors/carry/reload', { modulePath: `actors/strategy/${relative(resolve('actors/strategy'), evil)}` });
      expect(escaped.status).toBe(409);
      expect(((await escaped.json()) as { error: string }).error).toMatch(/is outside the reload directories/);
      expect(existsSync(marker)).toBe(false);
      expect((await run.system.supervisor.actorStatus('carry')).state).toBe('running');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('spot spread in price-dislocation', () => {
  let run: Awaited<ReturnType<typeof startSystem>>;

  beforeAll(async () => {
    run = await startSystem({
      mode: 'sim',
      simulator: { scenario: 'price-dislocation', seed: 5, startingBalances: { binance: { USDT: 50_000, BTC: 0.5 }, bybit: { USDT: 50_000, BTC: 0.5 } }, options: { scenarioOptions: { target: 'bybit' } } },
      venues: { binance: { symbols: ['BTC/USDT'] }, bybit: { symbols: ['BTC/USDT'] } },
      strategies: [
        {
          id: 'spread',
          module: 'actors/strategy/spot-spread.ts',
          params: {
            venues: ['binance', 'bybit'],
            symbols: ['BTC/USDT'],
            minSpreadBps: 5,
            maxNotionalUsd: 3000,
          },
        },
      ],
    });
  }, 120_000);
  afterAll(async () => run?.cleanup());

  it('trades the dislocation and its PnL accounting holds', async () => {
    const { system } = run;
    await statusUntil(system, 'spread fills on both venues', (s) => (new Set(positionsOf(s, 'spread').map((p) => p.venue)).size === 2 ? true : undefined));
    expect((await opsRequest(system, 'POST', '/halt', { reason: 'compare books' })).status).toBe(200);
    const status = await statusUntil(system, 'HALTED', (s) => (s.risk.state === 'HALTED' ? s : undefined));
    const { fills } = expectAccountingHolds(status, run.dataDir, 'spread');
    expect(fills).toBeGreaterThanOrEqual(2);
    const opportunities = status.opportunities.total;
    expect(opportunities).toBeGreaterThan(0);
  }, 120_000);
});
