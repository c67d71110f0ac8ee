/**
 * Cross-venue spot spread: when venue A's bid is above venue B's ask by more than both taker fees
 * plus `minSpreadBps`, buy on B and sell on A at once, as a SubmitMultiLeg of two IOC limit legs
 * priced at those touches.
 *
 * Economics, per unit of base: bidA − askB − fee(A) × bidA − fee(B) × askB. Both legs take
 * liquidity, so both pay taker fees; no half-spread is charged because the prices used already
 * are the touches we cross. The size is capped by the touch sizes (so there is no slippage to
 * estimate: an IOC at the touch fills there or not at all, and missing is the only risk), by
 * `maxNotionalUsd`, and by the venues' balances (`BalanceChanged` from execution): A must hold
 * the base it sells and B the quote it pays (this strategy never borrows), and a venue that has
 * not reported its balances yet is not traded. Trading moves base to B and quote to A, so each venue drifts
 * one way; when a venue's base share of its value strays from half by more than
 * `rebalanceThreshold`, status() and the Opportunity reason flag it (moving funds is an
 * operator's or a future rebalancer's job).
 */
import { z } from 'zod';
import type { Leg, RebalanceFlag, StrategyStatus } from '../../protocol/index.js';
import { fillFee } from '../market/fees.js';
import { SpotInventory } from '../market/inventory.js';
import { commonLegQty } from '../market/lot-size.js';
import type { MarketRulesEntry } from '../market/market-rules-view.js';
import { BPS, symbolParts } from '../market/symbols.js';
import { fmt } from './carry-economics.js';
import type { BookUpdate, StrategyLogic } from './logic.js';
import { backoffOf, bookNewerThanFill, entryBlockedBy, inFlight, intentBookStatus, settleIntents } from './intent-book.js';
import { decisionTs } from './market-view.js';
import { emptyOutput, iocLeg, opportunitiesStatus, publishOpportunity, submitCommand, type OpportunityFields, type StrategyOutput } from './outputs.js';
import { commonParamsShape, distinctList, parseStrategyParams, spotSymbolSchema } from './params.js';
import { applyBalanceChanged, applySpotFill, balancesByVenue, rejectInventoryParam } from './spot-balances.js';
import { createBaseState, migrateSnapshot, restoreBase, snapshotBase, type BaseSnapshot, type BaseState } from './state.js';

const SPOT_SPREAD_KIND = 'spot-spread';
const VERSION = '1';

const spotSpreadSchema = z
  .object({
    ...commonParamsShape,
    /** Dislocations last seconds, so this one looks twice a second. */
    evaluationIntervalMs: z.int().min(50).max(60_000).default(500),
    venues: distinctList(z.string().min(1), 2).default(['binance', 'bybit', 'okx']),
    symbols: distinctList(spotSymbolSchema, 1).default(['BTC/USDT', 'ETH/USDT', 'SOL/USDT']),
    /** What must be left of the spread after both taker fees, in bps of the buy price. */
    minSpreadBps: z.number().default(5),
    maxNotionalUsd: z.number().positive().default(5_000),
    /** Below this a trade is not worth two orders (and venues refuse tiny ones). */
    minNotionalUsd: z.number().nonnegative().default(20),
    /** Flag a venue when its base share of value strays from 0.5 by more than this. */
    rebalanceThreshold: z.number().positive().max(0.5).default(0.3),
    /**
     * Act on the book update that opens a cross instead of at the next evaluation: a dislocation
     * lasts seconds and the timer alone would add up to evaluationIntervalMs to every trade.
     * Skips and holds are still reported by the timer, so the opportunity stream stays bounded.
     */
    actOnTick: z.boolean().default(true),
  })
  .strict();

export type SpotSpreadParams = ReturnType<typeof parseSpotSpreadParams>;

export function parseSpotSpreadParams(raw: unknown) {
  rejectInventoryParam(SPOT_SPREAD_KIND, raw);
  return parseStrategyParams(SPOT_SPREAD_KIND, spotSpreadSchema, raw);
}

export interface SpotSpreadState extends BaseState {
  inventory: SpotInventory;
  /** Venues (per symbol) whose inventory needs rebalancing, as of the last evaluation. */
  rebalance: Record<string, RebalanceFlag>;
}

interface SpotSpreadSnapshot extends BaseSnapshot {
  readonly inventory: [string, string, number][];
  /** Venues that had reported balances (absent in older snapshots: they report again within a refresh). */
  readonly inventoryVenues?: string[];
  readonly rebalance: Record<string, RebalanceFlag>;
}

/** One priced cross: sell on `sellVenue` at its bid, buy on `buyVenue` at its ask. */
export interface SpreadCross {
  readonly sellVenue: string;
  readonly buyVenue: string;
  readonly bidPx: number;
  readonly askPx: number;
  readonly grossBps: number;
  readonly feeBps: number;
  readonly netBps: number;
  /** Tradable quantity after every cap, on both venues' lot steps and above their minimums (0: nothing tradable). */
  readonly qty: number;
  /** What capped the quantity, for the reason. */
  readonly limitedBy: string;
  readonly expectedPnlUsd: number;
}

/**
 * The best cross for a symbol among the venues with a fresh top (highest net bps), sized; null
 * when fewer than two venues quote it.
 *
 * @example bestCross(state, params, 'BTC/USDT')?.netBps
 */
function bestCross(state: SpotSpreadState, params: SpotSpreadParams, symbol: string): SpreadCross | null {
  let best: SpreadCross | null = null;
  for (const sellVenue of params.venues) {
    const sellTop = state.market.book.top(sellVenue, symbol);
    if (!sellTop) continue;
    for (const buyVenue of params.venues) {
      const buyTop = buyVenue === sellVenue ? null : state.market.book.top(buyVenue, symbol);
      if (!buyTop) continue;
      const sellRules = state.rules.get(sellVenue, symbol);
      const buyRules = state.rules.get(buyVenue, symbol);
      // Until execution has published both markets' rules and fees, the cross is not priced.
      if (!sellRules || !buyRules) continue;
      const grossBps = (sellTop.bidPx / buyTop.askPx - 1) / BPS;
      const feeBps = sellRules.takerRateBps + buyRules.takerRateBps;
      if (best !== null && grossBps - feeBps <= best.netBps) continue;
      best = sizeCross(state, params, symbol, { sellVenue, buyVenue, sellRules, buyRules, bidPx: sellTop.bidPx, bidSz: sellTop.bidSz, askPx: buyTop.askPx, askSz: buyTop.askSz, grossBps, feeBps });
    }
  }
  return best;
}

interface RawCross {
  sellVenue: string;
  buyVenue: string;
  sellRules: MarketRulesEntry;
  buyRules: MarketRulesEntry;
  bidPx: number;
  bidSz: number;
  askPx: number;
  askSz: number;
  grossBps: number;
  feeBps: number;
}

function sizeCross(state: SpotSpreadState, params: SpotSpreadParams, symbol: string, cross: RawCross): SpreadCross {
  const { base, quote } = symbolParts(symbol);
  const buyFeeBps = cross.buyRules.takerRateBps;
  const sellFeeBps = cross.sellRules.takerRateBps;
  const { inventory } = state;
  const unknown = [cross.sellVenue, cross.buyVenue].filter((venue) => !inventory.known(venue));
  const caps: [string, number][] = [
    ['the touch', Math.min(cross.bidSz, cross.askSz)],
    ['maxNotionalUsd', params.maxNotionalUsd / cross.askPx],
    [`${base} on ${cross.sellVenue}`, inventory.balance(cross.sellVenue, base)],
    [`${quote} on ${cross.buyVenue}`, inventory.balance(cross.buyVenue, quote) / (cross.askPx * (1 + buyFeeBps * BPS))],
  ];
  if (unknown.length > 0) caps.unshift([`no balances from ${unknown.join(' and ')} yet`, 0]);
  let [limitedBy, cap] = caps[0] as [string, number];
  for (const [name, value] of caps) if (value < cap) [limitedBy, cap] = [name, value];
  const sized = commonLegQty(Math.max(0, cap), [
    { label: `${symbol}@${cross.sellVenue}`, rules: cross.sellRules, px: cross.bidPx },
    { label: `${symbol}@${cross.buyVenue}`, rules: cross.buyRules, px: cross.askPx },
  ]);
  const qty = sized.qty ?? 0;
  if (sized.problem !== undefined && cap > 0) limitedBy = `${limitedBy}: ${sized.problem}`;
  const expectedPnlUsd = qty * (cross.bidPx - cross.askPx) - fillFee(qty, cross.bidPx, sellFeeBps) - fillFee(qty, cross.askPx, buyFeeBps);
  const { sellVenue, buyVenue, bidPx, askPx, grossBps, feeBps } = cross;
  return { sellVenue, buyVenue, bidPx, askPx, grossBps, feeBps, netBps: grossBps - feeBps, qty, limitedBy, expectedPnlUsd };
}

/** One evaluation: rebalance flags, then per symbol hold (in flight), act or skip. */
function evaluateSpotSpread(state: SpotSpreadState, params: SpotSpreadParams, nowMs: number): StrategyOutput {
  const out = emptyOutput();
  settleIntents(state.ledger, nowMs, params.backoffMs);
  for (const symbol of params.symbols) {
    updateRebalanceFlags(state, params, symbol);
    const cross = bestCross(state, params, symbol);
    if (cross) decide(state, params, symbol, cross, nowMs, out);
  }
  return out;
}

/**
 * On a book update of one of its symbols: acts at once when a cross clears every gate, otherwise
 * does nothing (null, no allocation) and leaves the reporting to the timer's evaluation. A
 * follow-up trade waits for the previous intent's final event, then for a book on both markets
 * newer than the fills it brought (an older one may still show the liquidity they took).
 */
function reactSpotSpread(state: SpotSpreadState, message: BookUpdate, params: SpotSpreadParams, nowMs: number): StrategyOutput | null {
  const { symbol } = message;
  if (!params.actOnTick || !params.symbols.includes(symbol)) return null;
  const cross = bestCross(state, params, symbol);
  if (cross === null || cross.netBps < params.minSpreadBps || cross.qty === 0 || cross.qty * cross.askPx < params.minNotionalUsd) return null;
  const { ledger } = state;
  if (inFlight(ledger, symbol) || backoffOf(ledger, symbol, nowMs) || entryBlockedBy(ledger) !== null) return null;
  const { lastTs } = state.market;
  if (!bookNewerThanFill(ledger, lastTs, cross.sellVenue, symbol) || !bookNewerThanFill(ledger, lastTs, cross.buyVenue, symbol)) return null;
  const out = emptyOutput();
  decide(state, params, symbol, cross, nowMs, out);
  return out;
}

/** The timer's half of the fill guard (the tick path checks it before deciding): a book older than the last fill may still show the liquidity it took. */
function staleAfterFill(state: SpotSpreadState, symbol: string, cross: SpreadCross): string | null {
  const { ledger } = state;
  const { lastTs } = state.market;
  const stale = [cross.sellVenue, cross.buyVenue].filter((venue) => !bookNewerThanFill(ledger, lastTs, venue, symbol));
  return stale.length === 0 ? null : `waiting for a ${symbol} book on ${stale.join(' and ')} newer than the last fill there`;
}

function decide(state: SpotSpreadState, params: SpotSpreadParams, symbol: string, cross: SpreadCross, nowMs: number, out: StrategyOutput): void {
  const { ledger } = state;
  const ts = decisionTs(state.market, [[cross.sellVenue, symbol], [cross.buyVenue, symbol]]);
  const economics = `bid ${cross.sellVenue} ${cross.bidPx} vs ask ${cross.buyVenue} ${cross.askPx}: ${fmt(cross.grossBps)} bps − fees ${fmt(cross.feeBps)} = ${fmt(cross.netBps)}`;
  const notionalUsd = cross.qty * cross.askPx;
  const pending = inFlight(ledger, symbol);
  const backoff = backoffOf(ledger, symbol, nowMs);
  const why =
    (pending ? `waiting for intent ${pending.intentSeq}` : null) ??
    (cross.netBps < params.minSpreadBps ? `${economics} < minSpreadBps ${params.minSpreadBps}` : null) ??
    (cross.qty === 0 ? `nothing to trade: size limited by ${cross.limitedBy}` : null) ??
    (notionalUsd < params.minNotionalUsd ? `${fmt(notionalUsd)} USD (limited by ${cross.limitedBy}) < minNotionalUsd ${params.minNotionalUsd}` : null) ??
    entryBlockedBy(ledger) ??
    (backoff ? `backing off ${fmt((backoff.untilMs - nowMs) / 1000)} s after: ${backoff.reason}` : null) ??
    staleAfterFill(state, symbol, cross);
  const fields: Omit<OpportunityFields, 'decision' | 'reason'> = {
    symbol,
    venues: `sell:${cross.sellVenue} buy:${cross.buyVenue}`,
    edgeBps: cross.netBps,
    expectedPnlUsd: cross.expectedPnlUsd,
    // A spread is captured at once: it has no holding period to annualize over.
    annualizedPct: 0,
  };
  const note = rebalanceNote(state, symbol, cross);
  const context = { kind: SPOT_SPREAD_KIND, ts, nowMs, keepActed: params.recentOpportunities };
  if (why !== null) {
    const decision = pending ? 'hold' : 'skip';
    const explained = pending || why.startsWith(economics) ? why : `${why}; ${economics}`;
    publishOpportunity(out, ledger, state.recent, context, { ...fields, decision, reason: `${explained}${note}` });
    return;
  }
  const legs: Leg[] = [iocLeg(cross.buyVenue, symbol, 'buy', cross.qty, cross.askPx, false), iocLeg(cross.sellVenue, symbol, 'sell', cross.qty, cross.bidPx, false)];
  out.commands.push(submitCommand(ledger, params, { key: symbol, purpose: 'trade', ts, nowMs }, legs));
  const reason = `${economics} ≥ minSpreadBps ${params.minSpreadBps}: ${cross.qty} ${symbolParts(symbol).base} (limited by ${cross.limitedBy})${note}`;
  publishOpportunity(out, ledger, state.recent, context, { ...fields, decision: 'act', reason });
}

function updateRebalanceFlags(state: SpotSpreadState, params: SpotSpreadParams, symbol: string): void {
  for (const venue of params.venues) {
    const key = `${venue} ${symbol}`;
    const mid = state.market.book.mid(venue, symbol);
    if (mid === null) continue; // keep the last verdict while the market is dark
    const imbalance = state.inventory.imbalance(venue, symbol, mid, params.rebalanceThreshold);
    if (imbalance.needsRebalance) state.rebalance[key] = { venue, symbol, baseShare: Number.isNaN(imbalance.baseShare) ? 0 : imbalance.baseShare, deviation: imbalance.deviation };
    else delete state.rebalance[key];
  }
}

function rebalanceNote(state: SpotSpreadState, symbol: string, cross: SpreadCross): string {
  const flags = [cross.sellVenue, cross.buyVenue].map((venue) => state.rebalance[`${venue} ${symbol}`]).filter((f): f is RebalanceFlag => f !== undefined);
  if (flags.length === 0) return '';
  const base = symbolParts(symbol).base;
  return `; rebalance needed: ${flags.map((f) => `${f.venue} holds ${fmt(f.baseShare * 100)} % of its value in ${base}`).join(', ')}`;
}


export const spotSpreadEngine: StrategyLogic<SpotSpreadState, SpotSpreadParams> = {
  kind: SPOT_SPREAD_KIND,
  version: VERSION,
  parseParams: parseSpotSpreadParams,
  init: (strategyId, params, clock) => ({ ...createBaseState(strategyId, params, clock), inventory: new SpotInventory(), rebalance: {} }),
  evaluate: evaluateSpotSpread,
  onBookUpdate: reactSpotSpread,
  onOrderEvent: (state, event, params) => applySpotFill(state.inventory, event, params.venues),
  onBalanceChanged: (state, event, params) => applyBalanceChanged(state.inventory, event, params.venues),
  snapshot: (state): SpotSpreadSnapshot => ({ ...snapshotBase(state), inventory: state.inventory.snapshot(), inventoryVenues: state.inventory.knownVenues(), rebalance: structuredClone(state.rebalance) }),
  restore(snapshot, fromVersion, strategyId, params, clock) {
    const current = migrateSnapshot(SPOT_SPREAD_KIND, snapshot, fromVersion, VERSION) as SpotSpreadSnapshot;
    return { ...restoreBase(current, strategyId, params, clock), inventory: SpotInventory.restore(current.inventory, current.inventoryVenues), rebalance: structuredClone(current.rebalance) };
  },
  status: (state): StrategyStatus => ({
    ...intentBookStatus(state.ledger),
    inventory: balancesByVenue(state.inventory),
    rebalanceNeeded: Object.values(state.rebalance),
    opportunities: opportunitiesStatus(state.recent),
  }),
};
