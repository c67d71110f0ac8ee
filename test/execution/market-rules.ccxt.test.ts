/**
 * Market rules and fees come from the venue (issue 15), end to end: the simulator serves every
 * venue's markets and fee endpoints, the real ccxt client in the execution actor reads them, the
 * journal is real SQLite, and the strategies' own engines take the published MarketRules.
 *
 * - the shipped configs carry no lots and no fee overrides;
 * - execution publishes each configured market's rules with the account's rates, from the venue
 *   (the account here has a fee tier the table does not know);
 * - every shipped strategy, given those rules, sends legs that pass every venue's rules, and
 *   execution accepts them;
 * - an order below the minimum notional is denied `min_notional`, never sent;
 * - the venue's tier, not the table, is what the carry strategy's edge is computed with.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { message, UNSTAMPED_DECISION, type CommandMessage, type Leg, type MarketDataMessage, type MessageOf } from '../../src/protocol/index.js';
import { DEFAULT_CREDENTIALS } from '../../src/sim/options.js';
import type { Simulator } from '../../src/sim/simulator.js';
import { roundToStep } from '../../src/trading/market/lot-size.js';
import { fundingCarryEngine } from '../../src/trading/strategy/funding-carry.js';
import type { StrategyLogic } from '../../src/trading/strategy/logic.js';
import { applyMarketData } from '../../src/trading/strategy/market-view.js';
import type { CommonParams } from '../../src/trading/strategy/params.js';
import { spotPerpHedgeEngine } from '../../src/trading/strategy/spot-perp-hedge.js';
import { spotSpreadEngine } from '../../src/trading/strategy/spot-spread.js';
import type { BaseState } from '../../src/trading/strategy/state.js';
import { marketRules } from '../strategy/helpers.js';
import { executionParams, ExecutionUnderTest, marketDataFrom, startTestSimulator, tempDir } from './helpers.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CONFIGS = ['config/default.json', 'config/paper.example.json', 'config/paper-sim.example.json', 'config/live.example.json'];
const BTC_PERP = 'BTC/USDT:USDT';

interface ShippedConfig {
  venues: Record<string, { symbols: string[] }>;
  strategies: { id: string; module: string; params: Record<string, unknown> }[];
}

const readConfig = (path: string): ShippedConfig => JSON.parse(readFileSync(resolve(ROOT, path), 'utf8')) as ShippedConfig;
const shipped = readConfig('config/default.json');

/** The account's tier: cheaper perps on bybit and okx than the VIP-0 table (5.5 and 5 bps taker). */
const TIERS = { bybit: { perp: { makerRate: 0.0001, takerRate: 0.0002 } }, okx: { perp: { makerRate: 0.00005, takerRate: 0.0003 } } };

let sim: Simulator;
let exec: ExecutionUnderTest;
let published: MessageOf<'MarketRules'>[];
const dir = tempDir('arbiter-rules-');

beforeAll(async () => {
  sim = await startTestSimulator({ venues: ['binance', 'binanceusdm', 'bybit', 'okx'], symbols: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'], credentials: [{ ...DEFAULT_CREDENTIALS, feeTiers: TIERS }] });
  const venues = Object.entries(shipped.venues).map(([id, v]) => ({ id, symbols: v.symbols }));
  exec = await ExecutionUnderTest.start(sim, executionParams(sim.url, dir.dir, { venues }));
  await exec.reconciled();
  const expected = venues.reduce((n, v) => n + v.symbols.length, 0);
  // Reconciliation starts only once every market's rules are out: all of them have arrived.
  published = exec.eventsOf('MarketRules');
  expect(published).toHaveLength(expected);
}, 60_000);

afterAll(async () => {
  await exec?.stop();
  await sim?.stop();
  dir.remove();
});

function rulesOf(venue: string, symbol: string): MessageOf<'MarketRules'> {
  const found = published.find((r) => r.venue === venue && r.symbol === symbol);
  if (!found) throw new Error(`no MarketRules for ${symbol}@${venue}`);
  return found;
}

/** A strategy engine on a fixed clock with the published rules, the account's published balances and the given market data. */
function engineWith<S extends BaseState, P extends CommonParams>(engine: StrategyLogic<S, P>, raw: unknown, rules: readonly MessageOf<'MarketRules'>[], md: readonly MarketDataMessage[]) {
  const params = engine.parseParams(raw);
  const state = engine.init('probe', params, { wallMs: () => Date.now(), bookMs: () => 1_000 });
  for (const r of rules) state.rules.apply(r);
  for (const b of exec.eventsOf('BalanceChanged')) engine.onBalanceChanged?.(state, b, params);
  for (const m of md) applyMarketData(state.market, m);
  return { commands: engine.evaluate(state, params, Date.now()).commands, opportunities: () => engine.evaluate(state, params, Date.now()).opportunities };
}

const fundingOf = (venue: string, symbol: string, rate: number): MarketDataMessage =>
  message('FundingRate', { ts: 1, venue, symbol, rate, intervalHours: 8, nextFundingTimeMs: Date.now() + 3_600_000, settled: false, exchangeTimeMs: Date.now() });

const legsOf = (command: CommandMessage): Leg[] => (command.type === 'SubmitMultiLeg' ? command.legs : command.type === 'SubmitOrder' ? [command] : []);

/** Every rule the venue states, checked on one leg at the price it would trade at. */
function breaks(leg: Leg, px: number): string[] {
  const r = rulesOf(leg.venue, leg.symbol);
  const problems: string[] = [];
  if (roundToStep(leg.qty, r.amountStep, 'down') !== leg.qty) problems.push(`qty ${leg.qty} off step ${r.amountStep}`);
  if (leg.qty < r.minQty) problems.push(`qty ${leg.qty} < minQty ${r.minQty}`);
  if (leg.qty * px < r.minNotional) problems.push(`notional ${leg.qty * px} < ${r.minNotional}`);
  return problems;
}

describe('market rules and fees from the venue', () => {
  it('ships no lots and no fee overrides in any config', () => {
    for (const path of CONFIGS) {
      for (const strategy of readConfig(path).strategies) {
        expect(Object.keys(strategy.params), `${path} ${strategy.id}`).not.toContain('lots');
        expect(Object.keys(strategy.params), `${path} ${strategy.id}`).not.toContain('fees');
      }
    }
  });

  it("publishes every configured market's rules with the account's rates, from the venue", () => {
    // bybit's perps: the tier (2 bps taker), not the table's 5.5; okx's: 3, not 5.
    expect(rulesOf('bybit', BTC_PERP)).toMatchObject({ amountStep: 0.001, minQty: 0.001, minNotional: 5, contractSize: 1, makerRateBps: 1, takerRateBps: 2, feeSource: 'venue' });
    expect(rulesOf('okx', BTC_PERP)).toMatchObject({ contractSize: 0.01, makerRateBps: 0.5, takerRateBps: 3, feeSource: 'venue' });
    expect(rulesOf('binanceusdm', BTC_PERP)).toMatchObject({ amountStep: 0.001, minNotional: 100, makerRateBps: 2, takerRateBps: 5, feeSource: 'venue' });
    expect(rulesOf('binance', 'BTC/USDT')).toMatchObject({ amountStep: 0.00001, minNotional: 5, makerRateBps: 10, takerRateBps: 10, feeSource: 'venue' });
    // okx sizes swaps in 0.01 BTC contracts: its steps are published in base units.
    expect(rulesOf('okx', BTC_PERP).amountStep).toBeLessThan(1);
    const status = exec.status().marketRules;
    expect(status).toHaveLength(published.length);
    expect(status.every((r) => r.feeSource === 'venue' && r.feeError === null)).toBe(true);
  });

  it("each shipped strategy's legs pass every venue's rules, and execution takes them", async () => {
    const md = await marketDataFrom(sim);
    const byId = Object.fromEntries(shipped.strategies.map((s) => [s.id, s.params]));
    const top = (venue: string, symbol: string) => md.find((m): m is MessageOf<'BookTop'> => m.type === 'BookTop' && m.venue === venue && m.symbol === symbol)!;
    // Carry: bybit pays far more than okx; hedge: binanceusdm's funding is extreme; spread: bybit bids above binance's ask.
    const carry = engineWith(fundingCarryEngine, byId.carry, published, [...md, fundingOf('binanceusdm', BTC_PERP, 0.0001), fundingOf('bybit', BTC_PERP, 0.003), fundingOf('okx', BTC_PERP, -0.001)]);
    const hedge = engineWith(spotPerpHedgeEngine, byId.hedge, published, [...md, fundingOf('binanceusdm', BTC_PERP, 0.003)]);
    const binanceAsk = top('binance', 'BTC/USDT').askPx;
    const dislocated = message('BookTop', { ...top('bybit', 'BTC/USDT'), bidPx: binanceAsk * 1.003, askPx: binanceAsk * 1.0031 });
    const spread = engineWith(spotSpreadEngine, byId.spread, published, [...md, dislocated]);
    const sent = { carry: carry.commands, hedge: hedge.commands, spread: spread.commands };
    for (const [id, commands] of Object.entries(sent)) {
      expect(commands.length, `${id} acts`).toBeGreaterThan(0);
      for (const leg of commands.flatMap(legsOf)) expect(breaks(leg, leg.limitPx ?? top(leg.venue, leg.symbol).askPx), `${id} ${leg.symbol}@${leg.venue}`).toEqual([]);
      const legs = commands.flatMap(legsOf);
      expect(new Set(legs.map((leg) => leg.qty)).size, `${id}: equal legs`).toBe(1);
    }
    // The carry and hedge priced at the simulator's own books: execution sends them (the spread's
    // bybit bid is made up, so its collar would rightly refuse it).
    let seq = 0;
    for (const command of [...sent.carry, ...sent.hedge]) {
      if (command.type !== 'SubmitMultiLeg') continue;
      const intentSeq = ++seq;
      exec.send({ ...command, strategyId: exec.strategyId, intentSeq });
      expect(await exec.verdict(intentSeq)).toBe('allowed');
    }
    expect(seq).toBeGreaterThan(1);
  });

  it('denies an order below the minimum notional with min_notional, and never sends it', async () => {
    const rejectedBefore = exec.eventsOf('OrderRejected').length;
    const sentBefore = (await sim.control.orders({ venue: 'binance' })).length;
    // 0.00005 BTC is on binance's 0.00001 step and above its minimum quantity, but worth ~3 USDT < 5.
    exec.send(message('SubmitOrder', { ...UNSTAMPED_DECISION, ts: 1, strategyId: exec.strategyId, intentSeq: 100, venue: 'binance', symbol: 'BTC/USDT', side: 'buy', orderType: 'market', timeInForce: 'IOC', qty: 0.00005, limitPx: null, reduceOnly: false }));
    const denied = await exec.outcome(100);
    expect(denied).toMatchObject({ type: 'OrderDenied', reason: 'min_notional' });
    expect((denied as MessageOf<'OrderDenied'>).detail).toMatch(/below binance's minimum notional 5 for BTC\/USDT/);
    exec.send(message('SubmitOrder', { ...UNSTAMPED_DECISION, ts: 1, strategyId: exec.strategyId, intentSeq: 101, venue: 'binance', symbol: 'BTC/USDT', side: 'buy', orderType: 'market', timeInForce: 'IOC', qty: 0.000004, limitPx: null, reduceOnly: false }));
    expect(await exec.verdict(101)).toBe('min_qty');
    // Neither reached the venue, so neither was rejected there (nor counted by the circuit breaker).
    expect(exec.eventsOf('OrderRejected').length).toBe(rejectedBefore);
    expect((await sim.control.orders({ venue: 'binance' })).length).toBe(sentBefore);
    expect(exec.status().denialsByReason).toMatchObject({ min_notional: 1, min_qty: 1 });
  });

  it("prices the carry with the venue's tier: its edge differs from the table's by the fee difference", async () => {
    const md = await marketDataFrom(sim);
    const funding = [fundingOf('bybit', BTC_PERP, 0.0006), fundingOf('okx', BTC_PERP, 0.0001)];
    const params = { venues: ['bybit', 'okx'], symbols: [BTC_PERP], entryEdgeBps: 10_000 };
    const venueRules = published.filter((r) => r.symbol === BTC_PERP);
    const tableRules = venueRules.map((r) => marketRules(r.venue, r.symbol, { amountStep: r.amountStep, minQty: r.minQty, minNotional: r.minNotional, contractSize: r.contractSize }));
    const edge = (rules: readonly MessageOf<'MarketRules'>[]) => engineWith(fundingCarryEngine, params, rules, [...md, ...funding]).opportunities().find((o) => o.symbol === BTC_PERP)!.edgeBps;
    // A round trip pays the taker fee twice on each leg: 2 × ((5.5 − 2) + (5 − 3)) = 11 bps.
    expect(edge(venueRules) - edge(tableRules)).toBeCloseTo(11, 6);
    expect(tableRules.every((r) => r.feeSource === 'table')).toBe(true);
  });
});
