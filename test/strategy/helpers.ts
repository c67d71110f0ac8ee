/**
 * Shared by the strategy tests: market-data and execution-event builders (with the `ts` the
 * strategy must copy into its commands), and a harness runner on a ManualClock whose evaluation
 * timer only fires by hand.
 */
import { afterEach, expect } from 'vitest';
import { message, type CommandMessage, type Leg, type MarketDataMessage, type Message, type MessageOf, type StrategyStatus, type SyncedIntent, type SyncedPosition } from '../../src/protocol/index.js';
import type { AnyActorDefinition } from '../../src/runtime/actor/actor.js';
import { DEFAULT_FEE_SCHEDULE, feeRates } from '../../src/trading/market/fees.js';
import type { MarketRulesEntry } from '../../src/trading/market/market-rules-view.js';
import type { StrategyLogic } from '../../src/trading/strategy/logic.js';
import { applyMarketData } from '../../src/trading/strategy/market-view.js';
import type { StrategyOutput } from '../../src/trading/strategy/outputs.js';
import type { CommonParams } from '../../src/trading/strategy/params.js';
import type { BaseState } from '../../src/trading/strategy/state.js';
import { ActorHarness, ManualClock } from '../helpers/actor-harness.js';

export type Opportunity = MessageOf<'Opportunity'>;
export type MultiLeg = MessageOf<'SubmitMultiLeg'>;

/** Five levels a side starting at the touch, one spread apart, `size` at each. */
export function levels(venue: string, symbol: string, bidPx: number, askPx: number, size = 10, ts = 1_000): MessageOf<'BookLevels'> {
  const bids: number[] = [];
  const asks: number[] = [];
  for (let i = 0; i < 5; i++) {
    bids.push(bidPx - i * (askPx - bidPx), size);
    asks.push(askPx + i * (askPx - bidPx), size);
  }
  return message('BookLevels', { ts, venue, symbol, bids, asks, venueSeq: 1, exchangeTimeMs: 0 });
}

export function top(venue: string, symbol: string, bidPx: number, bidSz: number, askPx: number, askSz: number, ts = 1_000): MessageOf<'BookTop'> {
  return message('BookTop', { ts, venue, symbol, bidPx, bidSz, askPx, askSz, venueSeq: 1, exchangeTimeMs: 0 });
}

export function funding(venue: string, symbol: string, rate: number, intervalHours: number, ts = 1_000): MessageOf<'FundingRate'> {
  return message('FundingRate', { ts, venue, symbol, rate, intervalHours, nextFundingTimeMs: 0, settled: false, exchangeTimeMs: 0 });
}

/** What execution publishes after fetching an account's balances (every asset all free). */
export function balanceChanged(venue: string, assets: Readonly<Record<string, number>>): MessageOf<'BalanceChanged'> {
  const balances = Object.entries(assets).map(([asset, amount]) => ({ asset, free: amount, used: 0, total: amount }));
  return message('BalanceChanged', { ts: 1_000, venue, account: venue.toUpperCase(), balances, fetchedMs: 0, simulated: false });
}

export function venueStatus(venue: string, state: MessageOf<'VenueStatus'>['state']): MessageOf<'VenueStatus'> {
  return message('VenueStatus', { ts: 1_000, venue, symbol: '', state, reason: 'test' });
}

/**
 * What the strategy actor does with a market-data message, on the engine alone: updates the
 * market view, then calls the tick hook for its type. The hook's output, or null.
 */
export function engineTick<S extends BaseState, P extends CommonParams>(engine: StrategyLogic<S, P>, state: S, params: P, nowMs: number, m: MarketDataMessage): StrategyOutput | null {
  applyMarketData(state.market, m);
  switch (m.type) {
    case 'FundingRate':
      return engine.onFundingUpdate?.(state, m, params, nowMs) ?? null;
    case 'BookTop':
    case 'BookLevels':
      return engine.onBookUpdate?.(state, m, params, nowMs) ?? null;
    default:
      return null;
  }
}

const ref = (command: { strategyId: string; intentSeq: number }, leg: number) => ({
  strategyId: command.strategyId,
  clientOrderId: `c${command.intentSeq}x${leg}`,
  intentSeq: command.intentSeq,
  leg,
});

/** The legs of a command, whether single or multi-leg. */
export function legsOf(command: CommandMessage): Leg[] {
  if (command.type === 'SubmitMultiLeg') return command.legs;
  if (command.type === 'SubmitOrder') return [command];
  return [];
}

/** A complete fill of one leg at `px` (fee in quote unless told otherwise). */
export function filled(
  command: CommandMessage & { intentSeq: number },
  leg: number,
  px: number,
  options: { qty?: number; fee?: number; feeCurrency?: string; side?: Leg['side'] } = {},
): MessageOf<'Filled'> {
  const spec = legsOf(command)[leg] as Leg;
  const qty = options.qty ?? spec.qty;
  return message('Filled', {
    ts: 2_000,
    ...ref(command, leg),
    venue: spec.venue,
    symbol: spec.symbol,
    side: options.side ?? spec.side,
    fillQty: qty,
    fillPx: px,
    cumQty: qty,
    remainingQty: 0,
    fee: options.fee ?? 0,
    feeCurrency: options.feeCurrency ?? 'USDT',
    tradeId: `t${command.intentSeq}x${leg}`,
  });
}

/** Execution refusing a whole command before sending anything: one denial, no client order id. */
export function commandDenied(command: CommandMessage & { intentSeq: number }, reason: MessageOf<'OrderDenied'>['reason']): MessageOf<'OrderDenied'> {
  return message('OrderDenied', { ts: 2_000, ...ref(command, 0), clientOrderId: '', reason, detail: 'test' });
}

export function rejected(command: CommandMessage & { intentSeq: number }, leg: number): MessageOf<'OrderRejected'> {
  const spec = legsOf(command)[leg] as Leg;
  return message('OrderRejected', { ts: 2_000, ...ref(command, leg), venue: spec.venue, code: '-2010', error: 'insufficient balance' });
}

export function canceled(command: CommandMessage & { intentSeq: number }, leg: number): MessageOf<'Canceled'> {
  const spec = legsOf(command)[leg] as Leg;
  return message('Canceled', { ts: 2_000, ...ref(command, leg), venue: spec.venue, symbol: spec.symbol, cumQty: 0, reason: 'IOC' });
}

export function legImbalance(command: { strategyId: string; intentSeq: number }, action: MessageOf<'LegImbalanceUpdated'>['action']): MessageOf<'LegImbalanceUpdated'> {
  return message('LegImbalanceUpdated', { ts: 2_000, strategyId: command.strategyId, intentSeq: command.intentSeq, netNotionalUsd: 500, action, detail: 'test' });
}

export function tradingState(state: MessageOf<'TradingStateChanged'>['state']): MessageOf<'TradingStateChanged'> {
  return message('TradingStateChanged', { ts: 2_000, state, reason: 'test' });
}

/** What execution answers to a strategy's SyncPositions. */
export interface SyncAnswer {
  readonly positions?: readonly SyncedPosition[];
  readonly intents?: readonly SyncedIntent[];
}


function snapshotPositions(snapshot: unknown): SyncedPosition[] {
  const positions = (snapshot as { ledger: { positions: Record<string, { venue: string; symbol: string; position: Omit<SyncedPosition, 'venue' | 'symbol'> }> } }).ledger.positions;
  return Object.values(positions)
    .filter((p) => p.position.qty !== 0)
    .map((p) => ({ venue: p.venue, symbol: p.symbol, qty: p.position.qty, avgEntryPx: p.position.avgEntryPx, realizedPnl: p.position.realizedPnl, fees: p.position.fees, fundingPnl: p.position.fundingPnl }));
}

/** A journaled position as execution syncs it (no PnL yet). */
export function syncedPosition(venue: string, symbol: string, qty: number, avgEntryPx: number): SyncedPosition {
  return { venue, symbol, qty, avgEntryPx, realizedPnl: 0, fees: 0, fundingPnl: 0 };
}

/** A strategy in the harness on a ManualClock; its timer interval is long enough never to fire by itself. */
export class StrategyRun {
  private constructor(
    readonly harness: ActorHarness,
    readonly clock: ManualClock,
  ) {}

  /** `rules`: the MarketRules execution publishes at start (default: every simulator market, `allMarketRules()`). */
  static async start(
    definition: AnyActorDefinition,
    params: Record<string, unknown>,
    options: { clock?: ManualClock; restore?: { version: string; snapshot: unknown }; rules?: readonly MessageOf<'MarketRules'>[]; sync?: SyncAnswer | 'none' } = {},
  ): Promise<StrategyRun> {
    const clock = options.clock ?? new ManualClock();
    const start = options.restore ? { restore: { snapshot: structuredClone(options.restore.snapshot), fromVersion: options.restore.version } } : {};
    const harness = await ActorHarness.start(definition, { clock, params: { evaluationIntervalMs: 60_000, ...params }, start });
    const run = new StrategyRun(harness, clock);
    run.push(...(options.rules ?? allMarketRules()));
    // Rules come on the events ring, market data on md: let them land before any market data.
    await harness.settle();
    // The actor asks execution for its book at start; answer as execution does (empty by default).
    const asked = harness.take('intents');
    expect(asked.map((m) => m.type)).toEqual(['SyncPositions']);
    // A restored actor's journaled book is what its snapshot holds (execution saw the same fills).
    const answer = options.sync ?? (options.restore ? { positions: snapshotPositions(options.restore.snapshot) } : {});
    run.strategyId = (asked[0] as MessageOf<'SyncPositions'>).strategyId;
    if (answer !== 'none') run.sync(answer);
    await harness.settle();
    return run;
  }

  /** The id the actor runs under (what its SyncPositions named). */
  strategyId = '';

  /** Pushes execution's answer to the actor's SyncPositions. */
  sync(answer: SyncAnswer): void {
    this.push(message('PositionsSynced', { ts: 1_000, strategyId: this.strategyId, positions: [...(answer.positions ?? [])], intents: [...(answer.intents ?? [])] }));
  }

  push(...messages: Message[]): void {
    for (const m of messages) this.harness.push(m.type === 'TradingStateChanged' || m.type === 'BalanceChanged' || m.type === 'MarketRules' || 'intentSeq' in m || m.type === 'PositionChanged' || m.type === 'PositionsSynced' || m.type === 'FundingSettled' ? 'events' : 'md', m);
  }

  /** Lets the actor take everything pushed, without firing the timer; returns what it sent. */
  async received(): Promise<{ intents: CommandMessage[]; opportunities: Opportunity[] }> {
    await this.harness.settle();
    return { intents: this.harness.take('intents') as CommandMessage[], opportunities: this.harness.take('opportunities') as Opportunity[] };
  }

  /** Lets the actor take everything pushed, fires the evaluation timer, returns what it sent. */
  async evaluate(): Promise<{ intents: CommandMessage[]; opportunities: Opportunity[] }> {
    await this.harness.settle();
    this.harness.fireTimer('evaluate');
    return { intents: this.harness.take('intents') as CommandMessage[], opportunities: this.harness.take('opportunities') as Opportunity[] };
  }

  status(): StrategyStatus {
    const custom = this.harness.status().custom;
    if (!custom) throw new Error('the strategy actor reports no status (not started, or stopped)');
    return custom as StrategyStatus;
  }

  /** Stops the actor after checking that no hook threw (the runtime would only have counted it). */
  async stop(): Promise<void> {
    const { errors, errorsByReason } = this.harness.status();
    await this.harness.stop();
    expect(errorsByReason).toEqual({});
    expect(errors).toBe(0);
  }
}

/** The single opportunity published for `symbol` in one evaluation. */
export function opportunityFor(opportunities: readonly Opportunity[], symbol: string): Opportunity {
  const found = opportunities.filter((o) => o.symbol === symbol);
  expect(found).toHaveLength(1);
  return found[0] as Opportunity;
}

/**
 * A `start(params, options)` for one strategy with default params (and market rules, default
 * `allMarketRules()`); every run it starts is stopped (and checked for hook errors) after each test.
 * `balances` (venue → asset → amount) is no param: a fresh run (not a restored one) receives it as
 * execution's `BalanceChanged`.
 */
export function runnerFor(definition: AnyActorDefinition, defaults: Record<string, unknown>, defaultRules?: readonly MessageOf<'MarketRules'>[]) {
  const runs: StrategyRun[] = [];
  afterEach(async () => {
    for (const run of runs.splice(0)) await run.stop();
  });
  return async (params: Record<string, unknown> = {}, options: Parameters<typeof StrategyRun.start>[2] = {}): Promise<StrategyRun> => {
    const { balances, ...merged } = { ...defaults, ...params } as { balances?: Record<string, Record<string, number>> };
    const run = await StrategyRun.start(definition, merged, { rules: defaultRules, ...options });
    runs.push(run);
    if (balances && !options.restore) {
      run.push(...Object.entries(balances).map(([venue, assets]) => balanceChanged(venue, assets)));
      await run.harness.settle(); // before any market data, which arrives on another port
    }
    return run;
  };
}

/**
 * Feeds the same market to an actor and to its restored copy, evaluates both and checks that
 * they decided exactly the same; returns the decisions.
 */
export async function sameDecisions(original: StrategyRun, restored: StrategyRun, feed: (run: StrategyRun) => void): Promise<{ intents: CommandMessage[]; opportunities: Opportunity[] }> {
  for (const run of [original, restored]) feed(run);
  const a = await original.evaluate();
  const b = await restored.evaluate();
  expect(b).toEqual(a);
  expect(b.opportunities.length).toBeGreaterThan(0);
  return b;
}

/**
 * The `MarketRules` execution would publish for a market: fine steps (0.00001 spot, 0.0001 perp),
 * no minimums and the fee table's rates unless told otherwise.
 */
export function marketRules(venue: string, symbol: string, fields: Partial<Omit<MessageOf<'MarketRules'>, 'type' | 'ts' | 'venue' | 'symbol'>> = {}): MessageOf<'MarketRules'> {
  const rates = feeRates(DEFAULT_FEE_SCHEDULE, venue, symbol);
  return message('MarketRules', { ts: 1_000, venue, symbol, amountStep: symbol.includes(':') ? 0.0001 : 0.00001, priceTick: 0.01, minQty: 0, minNotional: 0, contractSize: 1, ...rates, feeSource: 'table', ...fields });
}

/** The same, as the entry a strategy's rules view holds. */
export function rulesEntry(venue: string, symbol: string, fields: Parameters<typeof marketRules>[2] = {}): MarketRulesEntry {
  const { type: _type, ts: _ts, ...entry } = marketRules(venue, symbol, fields);
  return entry;
}

/** Rules for every market of the simulator's venues, as execution publishes them at start. */
export function allMarketRules(fields: Parameters<typeof marketRules>[2] = {}): MessageOf<'MarketRules'>[] {
  const out: MessageOf<'MarketRules'>[] = [];
  for (const venue of ['binance', 'binanceusdm', 'bybit', 'okx']) {
    for (const base of ['BTC', 'ETH', 'SOL']) {
      if (venue !== 'binanceusdm') out.push(marketRules(venue, `${base}/USDT`, fields));
      if (venue !== 'binance') out.push(marketRules(venue, `${base}/USDT:USDT`, fields));
    }
  }
  return out;
}
