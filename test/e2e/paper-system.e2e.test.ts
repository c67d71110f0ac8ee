/**
 * Paper mode as a whole system, offline: `paper.venues: "simulator"` makes the embedded simulator
 * stand in for the real public venues. Feeds read its streams, execution reads its markets'
 * rules, and the paper fill model fills every order locally against the books it sees. The
 * simulator must never receive an order; the accounts are the simulated starting balances moved
 * by the fills and fees; every fill obeys the venue's rules; the journal holds what was reported.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SystemStatus } from '../../src/ops/system-status.js';
import { SimControl, VENUE_MODULES } from '../../src/sim/index.js';
import { opsRequest, positionsOf, startSystem, statusUntil } from './helpers.js';

const VENUES = ['binance', 'bybit'] as const;
const SYMBOL = 'BTC/USDT';
const STARTING = { binance: { USDT: 50_000, BTC: 0.5 }, bybit: { USDT: 40_000, BTC: 0.4 } } as const;

interface JournalFill {
  venue: string;
  symbol: string;
  side: string;
  qty: number;
  px: number;
  fee: number;
  fee_currency: string;
  fee_quote: number;
}

function journalFills(dataDir: string): JournalFill[] {
  const db = new Database(join(dataDir, 'execution.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT venue, symbol, side, qty, px, fee, fee_currency, fee_quote FROM fills ORDER BY rowid').all() as JournalFill[];
  } finally {
    db.close();
  }
}

/** The starting balances moved by every fill (base and quote) and its fee (in its currency). */
function expectedBalances(fills: readonly JournalFill[]): Record<string, Record<string, number>> {
  const wallets: Record<string, Record<string, number>> = Object.fromEntries(VENUES.map((venue) => [venue, { ...STARTING[venue] }]));
  for (const fill of fills) {
    const [base, quote] = fill.symbol.split('/') as [string, string];
    const wallet = wallets[fill.venue]!;
    const sign = fill.side === 'buy' ? 1 : -1;
    wallet[base] = (wallet[base] ?? 0) + sign * fill.qty;
    wallet[quote] = (wallet[quote] ?? 0) - sign * fill.qty * fill.px;
    wallet[fill.fee_currency] = (wallet[fill.fee_currency] ?? 0) - fill.fee;
  }
  return wallets;
}

const totalsOf = (status: SystemStatus, venue: string): Record<string, number> => Object.fromEntries((status.balances[venue]?.balances ?? []).map((b) => [b.asset, b.total]));

function balancesMatch(actual: Record<string, number>, expected: Record<string, number>): boolean {
  const assets = new Set([...Object.keys(actual), ...Object.keys(expected)]);
  return [...assets].every((asset) => Math.abs((actual[asset] ?? 0) - (expected[asset] ?? 0)) < 1e-6);
}

function expectBalances(actual: Record<string, number>, expected: Record<string, number>): void {
  for (const asset of new Set([...Object.keys(actual), ...Object.keys(expected)])) expect(actual[asset] ?? 0, asset).toBeCloseTo(expected[asset] ?? 0, 6);
}

describe('paper mode against the simulator as its public venues (paper.venues "simulator")', () => {
  let run: Awaited<ReturnType<typeof startSystem>>;

  beforeAll(async () => {
    run = await startSystem({
      mode: 'paper',
      paper: { venues: 'simulator' },
      // bybit's prices are pushed away from binance's: the spread strategy has something to trade.
      simulator: { scenario: 'price-dislocation', seed: 5, options: { scenarioOptions: { target: 'bybit' } } },
      venues: { binance: { symbols: [SYMBOL] }, bybit: { symbols: [SYMBOL] } },
      execution: { params: { paper: { latencyMs: 20, startingBalances: STARTING } } },
      strategies: [{ id: 'spread', module: 'actors/strategy/spot-spread.ts', params: { venues: [...VENUES], symbols: [SYMBOL], minSpreadBps: 5, maxNotionalUsd: 3000 } }],
    });
  }, 60_000);
  afterAll(async () => run?.cleanup());

  it("trades the dislocation on the venue's rules, fills locally, and accounts for every fill", async () => {
    const { system, dataDir } = run;
    expect(system.sim).toBeDefined();
    await statusUntil(system, 'spread fills on both venues', (s) => (new Set(positionsOf(s, 'spread').map((p) => p.venue)).size === 2 ? true : undefined), 25_000);
    expect((await opsRequest(system, 'POST', '/halt', { reason: 'compare books' })).status).toBe(200);
    await statusUntil(system, 'HALTED', (s) => (s.risk.state === 'HALTED' ? true : undefined));

    const fills = journalFills(dataDir);
    expect(fills.length).toBeGreaterThanOrEqual(2);
    // Settled: the balances execution reports reflect every journaled fill (the halt stops new ones).
    // Should they never get there, the assertions below run on the latest status and show the difference.
    const status = await statusUntil(system, 'balances moved by every journaled fill', (s) => {
      const expected = expectedBalances(fills);
      return s.orders.fills === fills.length && VENUES.every((venue) => balancesMatch(totalsOf(s, venue), expected[venue]!)) ? s : undefined;
    }, 15_000).catch(() => system.status());
    expect(status.mode).toBe('paper');

    // The rules execution published are the simulator's markets (its steps and minimums), and every fill obeys them.
    for (const venue of VENUES) {
      const rules = status.marketRules.find((r) => r.venue === venue && r.symbol === SYMBOL);
      const instrument = VENUE_MODULES.find((m) => m.spec.id === venue)!.spec.instruments.find((i) => i.symbol === SYMBOL)!;
      expect(rules, `${venue} rules`).toMatchObject({ amountStep: instrument.stepSize, priceTick: instrument.tickSize, minQty: instrument.minQty, minNotional: instrument.minNotional });
    }
    for (const fill of fills) {
      const rules = status.marketRules.find((r) => r.venue === fill.venue && r.symbol === fill.symbol)!;
      const steps = fill.qty / rules.amountStep;
      expect(Math.abs(steps - Math.round(steps)), `${fill.venue} fill of ${fill.qty} on step ${rules.amountStep}`).toBeLessThan(1e-6);
      expect(fill.qty).toBeGreaterThanOrEqual(rules.minQty);
      expect(fill.qty * fill.px).toBeGreaterThanOrEqual(rules.minNotional);
    }

    // Balances: the simulated starting balances moved by the fills and fees, as /status and as published (BalanceChanged) to the strategy.
    const expected = expectedBalances(fills);
    const spread = (await system.supervisor.actorStatus('spread')).actor?.custom as { inventory: Record<string, Record<string, number>> };
    for (const venue of VENUES) {
      expect(status.balances[venue]!.simulated).toBe(true);
      expectBalances(totalsOf(status, venue), expected[venue]!);
      // Spot IOC fills leave nothing reserved: what the strategy may spend is the whole balance.
      expectBalances(spread.inventory[venue]!, expected[venue]!);
    }

    // The journal's fills are the fills reported: their count, the positions' quantities and fees.
    expect(status.orders.fills).toBe(fills.length);
    for (const venue of VENUES) {
      const position = positionsOf(status, 'spread').find((p) => p.venue === venue && p.symbol === SYMBOL)!;
      const ofVenue = fills.filter((f) => f.venue === venue);
      expect(position.qty).toBeCloseTo(ofVenue.reduce((q, f) => q + (f.side === 'buy' ? f.qty : -f.qty), 0), 9);
      expect(position.fees).toBeCloseTo(ofVenue.reduce((sum, f) => sum + f.fee_quote, 0), 9);
    }

    // The simulator stood in for the public venues only: it never saw an order or a fill of ours.
    const sim = new SimControl(system.sim!.url);
    expect(await sim.orders()).toEqual([]);
    expect(await sim.fills()).toEqual([]);
    for (const account of await sim.accounts()) expect(account.openOrders).toBe(0);
  }, 60_000);
});
