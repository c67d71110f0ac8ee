/**
 * Cross-venue funding carry: for each perp listed on two or more of the configured venues, short
 * it where funding (per hour, each venue's own interval) is highest and long it where it is
 * lowest, in one SubmitMultiLeg with matched quantities, when the funding expected over the
 * holding horizon beats the round-trip costs by `entryEdgeBps`. The position is price-neutral
 * (same asset, same size, opposite sides), so what it earns is the funding differential.
 *
 * Every venue pair with fresh funding and a fresh book is priced; the best net edge is the
 * symbol's opportunity. Holding and exiting follow carry-flow.ts, on the timer and on the tick
 * (a funding or book update of one of its perps re-decides that symbol at once).
 */
import { z } from 'zod';
import type { StrategyStatus } from '../../protocol/index.js';
import { fundingRatePerHour } from '../market/funding.js';
import { BPS } from '../market/symbols.js';
import { estimateCarryEntry, type CarryEstimate, type CarryLegInput, type CarryMarket } from './carry-economics.js';
import { carriesStatus, unattributedStatus, carryParamsShape, evaluateCarries, reactCarry, type CarryKeySpec, type CarryState, type CarryTickHooks } from './carry-flow.js';
import type { BookUpdate, FundingUpdate, StrategyLogic } from './logic.js';
import { intentBookStatus } from './intent-book.js';
import { freshFunding } from './market-view.js';
import { opportunitiesStatus } from './outputs.js';
import { distinctList, parseStrategyParams, perpSymbolSchema } from './params.js';
import { createBaseState, migrateSnapshot, restoreBase, snapshotBase, type BaseSnapshot } from './state.js';

const FUNDING_CARRY_KIND = 'funding-carry';
const VERSION = '1';

const fundingCarrySchema = z
  .object({
    ...carryParamsShape,
    /** Perp venues (ccxt ids). binance (spot) is not one: its perps are `binanceusdm`. */
    venues: distinctList(z.string().min(1), 2).default(['binanceusdm', 'bybit', 'okx']),
    symbols: distinctList(perpSymbolSchema, 1).default(['BTC/USDT:USDT', 'ETH/USDT:USDT', 'SOL/USDT:USDT']),
  })
  .strict();

export type FundingCarryParams = ReturnType<typeof parseFundingCarryParams>;

export function parseFundingCarryParams(raw: unknown) {
  return parseStrategyParams(FUNDING_CARRY_KIND, fundingCarrySchema, raw);
}

export type FundingCarryState = CarryState;

interface FundingCarrySnapshot extends BaseSnapshot {
  readonly carries: CarryState['carries'];
}

function specFor(state: FundingCarryState, params: FundingCarryParams, symbol: string): CarryKeySpec {
  const markets = params.venues.map((venue) => ({ venue, symbol }));
  const fundingOf = (m: CarryMarket) => freshFunding(state.market, m.venue, m.symbol, params.maxFundingAgeMs);
  return { key: symbol, markets, fundingOf, findEntry: () => bestPair(state, params, markets, fundingOf) };
}

/**
 * The pair with the best net edge among the venues whose funding is known. Null until two venues
 * have it (nothing to compare yet: no Opportunity is published for the symbol).
 */
function bestPair(
  state: FundingCarryState,
  params: FundingCarryParams,
  markets: readonly CarryMarket[],
  fundingOf: (m: CarryMarket) => CarryLegInput['funding'] | null,
): { estimate: CarryEstimate; veto: null } | null {
  const legs: CarryLegInput[] = [];
  for (const m of markets) {
    const funding = fundingOf(m);
    if (funding) legs.push({ ...m, funding, rules: state.rules.get(m.venue, m.symbol) });
  }
  if (legs.length < 2) return null;
  const sizing = { notionalUsd: params.notionalUsd, holdingHours: params.holdingHours, maxQty: Infinity };
  let best: CarryEstimate | null = null;
  for (let i = 0; i < legs.length; i++) {
    for (let j = i + 1; j < legs.length; j++) {
      const estimate = estimateCarryEntry(state.market.book, legs[i] as CarryLegInput, legs[j] as CarryLegInput, sizing);
      if (best === null || isBetter(estimate, best)) best = estimate;
    }
  }
  return { estimate: best as CarryEstimate, veto: null };
}

/** A priced pair beats an unpriceable one; between priced pairs the higher net edge wins. */
const isBetter = (candidate: CarryEstimate, best: CarryEstimate): boolean =>
  candidate.entry !== undefined && (best.entry === undefined || candidate.entry.edge.netEdgeBps > best.entry.edge.netEdgeBps);

/**
 * Whether any venue pair could clear entryEdgeBps: the widest funding spread over the horizon less
 * four of the cheapest published taker fees (each pair's round trip pays at least that; the spread and
 * slippage bestPair also charges are never negative). When this fails bestPair finds no entry
 * either, so a tick stops here without walking a book: one pass, three funding lookups.
 */
function fundingCanPay(state: FundingCarryState, params: FundingCarryParams, symbol: string): boolean {
  let highPerHour = -Infinity;
  let lowPerHour = Infinity;
  let cheapestFeeBps = Infinity;
  let priced = 0;
  for (const venue of params.venues) {
    const funding = freshFunding(state.market, venue, symbol, params.maxFundingAgeMs);
    const takerRateBps = state.rules.takerRateBps(venue, symbol);
    if (funding === null || takerRateBps === undefined) continue;
    const perHour = fundingRatePerHour(funding);
    highPerHour = Math.max(highPerHour, perHour);
    lowPerHour = Math.min(lowPerHour, perHour);
    cheapestFeeBps = Math.min(cheapestFeeBps, takerRateBps);
    priced++;
  }
  return priced >= 2 && ((highPerHour - lowPerHour) * params.holdingHours) / BPS - 4 * cheapestFeeBps >= params.entryEdgeBps;
}

const tickHooks: CarryTickHooks<FundingCarryState, FundingCarryParams> = { kind: FUNDING_CARRY_KIND, mayEnter: fundingCanPay, specFor };

/** The tick path: only a perp this strategy trades, on one of its venues, can change a decision. */
function reactFundingCarry(state: FundingCarryState, message: BookUpdate | FundingUpdate, params: FundingCarryParams, nowMs: number, fundingChanged: boolean) {
  const { symbol } = message;
  if (!params.actOnTick || !params.symbols.includes(symbol) || !params.venues.includes(message.venue)) return null;
  return reactCarry(state, params, tickHooks, symbol, nowMs, message.ts, fundingChanged);
}

export const fundingCarryEngine: StrategyLogic<FundingCarryState, FundingCarryParams> = {
  kind: FUNDING_CARRY_KIND,
  version: VERSION,
  parseParams: parseFundingCarryParams,
  init: (strategyId, params, clock) => ({ ...createBaseState(strategyId, params, clock), carries: {} }),
  evaluate: (state, params, nowMs) => evaluateCarries(state, params, FUNDING_CARRY_KIND, params.symbols, (symbol) => specFor(state, params, symbol), nowMs),
  onBookUpdate: (state, message, params, nowMs) => reactFundingCarry(state, message, params, nowMs, false),
  onFundingUpdate: (state, message, params, nowMs) => reactFundingCarry(state, message, params, nowMs, true),
  snapshot: (state): FundingCarrySnapshot => ({ ...snapshotBase(state), carries: structuredClone(state.carries) }),
  restore(snapshot, fromVersion, strategyId, params, clock) {
    const current = migrateSnapshot(FUNDING_CARRY_KIND, snapshot, fromVersion, VERSION) as FundingCarrySnapshot;
    return { ...restoreBase(current, strategyId, params, clock), carries: structuredClone(current.carries ?? {}) };
  },
  status: (state): StrategyStatus => ({ ...intentBookStatus(state.ledger), carries: carriesStatus(state), unattributed: unattributedStatus(state), opportunities: opportunitiesStatus(state.recent) }),
};
