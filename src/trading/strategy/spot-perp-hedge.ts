/**
 * Spot-perp funding hedge on one exchange: when a perp's funding is extreme, hold the perp
 * against its spot market and collect the funding while price moves cancel out.
 *
 * - Funding positive (longs pay shorts): short the perp, buy spot with the quote balance.
 * - Funding negative (shorts pay longs): long the perp, sell spot the venue already holds. This
 *   strategy never borrows spot (no margin account), so without inventory of the base asset the
 *   reverse carry cannot be built: it is skipped with that reason. Spot balances are the spot
 *   venue's own (`BalanceChanged` from execution); until the venue has reported them, no spot
 *   is bought or sold there.
 *
 * It is the funding carry of carry-economics.ts with a spot leg that pays no funding, so the
 * same cost model applies (fees on spot are 2-10x the perp's, which is why it needs *extreme*
 * funding: `entryAprPct` gates on the rate itself, `entryEdgeBps` on the net after costs). It
 * exits when the funding in its direction falls below `exitAprPct`, at max holding time, or when
 * either market goes stale (carry-flow.ts). Like the carry, it decides on the tick too: a perp
 * funding update, or a book update of the perp or its spot market, re-decides that symbol at once.
 */
import { z } from 'zod';
import type { StrategyStatus } from '../../protocol/index.js';
import type { FundingQuote } from '../market/funding.js';
import { fundingRatePerHour, HOURS_PER_YEAR } from '../market/funding.js';
import { SpotInventory } from '../market/inventory.js';
import { roundToStep } from '../market/lot-size.js';
import { BPS, symbolParts } from '../market/symbols.js';
import { estimateCarryEntry, fmt, type CarryMarket } from './carry-economics.js';
import { carriesStatus, unattributedStatus, carryParamsShape, evaluateCarries, reactCarry, type CarryKeySpec, type CarryState, type CarryTickHooks } from './carry-flow.js';
import type { BookUpdate, FundingUpdate, StrategyLogic } from './logic.js';
import { intentBookStatus, positionQty } from './intent-book.js';
import { freshFunding } from './market-view.js';
import { opportunitiesStatus } from './outputs.js';
import { applyBalanceChanged, applySpotFill, balancesByVenue, rejectInventoryParam } from './spot-balances.js';
import { distinctList, parseStrategyParams, perpSymbolSchema } from './params.js';
import { createBaseState, migrateSnapshot, restoreBase, snapshotBase, type BaseSnapshot } from './state.js';

const SPOT_PERP_HEDGE_KIND = 'spot-perp-hedge';
const VERSION = '1';

const spotPerpHedgeSchema = z
  .object({
    ...carryParamsShape,
    notionalUsd: z.number().positive().default(5_000),
    spotVenue: z.string().min(1).default('binance'),
    perpVenue: z.string().min(1).default('binanceusdm'),
    /** Perp symbols; the spot leg is the same base and quote without the settle suffix. */
    symbols: distinctList(perpSymbolSchema, 1).default(['BTC/USDT:USDT', 'ETH/USDT:USDT', 'SOL/USDT:USDT']),
    /** Funding counts as extreme when its annualized size is at least this (%): ~3x a normal 0.01 %/8 h. */
    entryAprPct: z.number().positive().default(30),
    exitAprPct: z.number().default(10),
  })
  .strict()
  .refine((p) => p.exitAprPct < p.entryAprPct, { message: 'exitAprPct must be below entryAprPct', path: ['exitAprPct'] });

export type SpotPerpHedgeParams = ReturnType<typeof parseSpotPerpHedgeParams>;

export function parseSpotPerpHedgeParams(raw: unknown) {
  rejectInventoryParam(SPOT_PERP_HEDGE_KIND, raw);
  return parseStrategyParams(SPOT_PERP_HEDGE_KIND, spotPerpHedgeSchema, raw);
}

export interface SpotPerpHedgeState extends CarryState {
  inventory: SpotInventory;
}

interface SpotPerpHedgeSnapshot extends BaseSnapshot {
  readonly carries: CarryState['carries'];
  readonly inventory: [string, string, number][];
  /** Venues that had reported balances (absent in older snapshots: they report again within a refresh). */
  readonly inventoryVenues?: string[];
}

// Carries are stored as copies (snapshots), so markets compare by value.
const sameMarket = (a: CarryMarket, b: CarryMarket): boolean => a.venue === b.venue && a.symbol === b.symbol;

/** `BTC/USDT:USDT` → `BTC/USDT`. */
function spotSymbolOf(perpSymbol: string): string {
  const { base, quote } = symbolParts(perpSymbol);
  return `${base}/${quote}`;
}

function specFor(state: SpotPerpHedgeState, params: SpotPerpHedgeParams, symbol: string): CarryKeySpec {
  const perp: CarryMarket = { venue: params.perpVenue, symbol };
  const spot: CarryMarket = { venue: params.spotVenue, symbol: spotSymbolOf(symbol) };
  const perpFunding = (): FundingQuote | null => freshFunding(state.market, perp.venue, perp.symbol, params.maxFundingAgeMs);
  // Spot pays no funding; it takes the perp's interval so per-interval figures follow the perp.
  const fundingOf = (m: CarryMarket): FundingQuote | null => {
    const funding = perpFunding();
    return sameMarket(m, spot) && funding ? { rate: 0, intervalHours: funding.intervalHours } : funding;
  };
  return {
    key: symbol,
    markets: [perp, spot],
    fundingOf,
    findEntry: () => {
      const funding = perpFunding();
      return funding ? hedgeEntry(state, params, perp, spot, funding) : null;
    },
    closeQty: (m, qty) => (sameMarket(m, spot) ? spotCloseQty(state, params, spot, qty) : qty),
  };
}

/** Prices the hedge in the direction funding points, sized within what the spot venue holds. */
function hedgeEntry(state: SpotPerpHedgeState, params: SpotPerpHedgeParams, perp: CarryMarket, spot: CarryMarket, funding: FundingQuote) {
  const aprPct = fundingAprPct(funding);
  const maxQty = spotCapacity(state, params, spot, aprPct >= 0 ? 'buy' : 'sell');
  const perpLeg = { ...perp, funding, rules: state.rules.get(perp.venue, perp.symbol) };
  const spotLeg = { ...spot, funding: { rate: 0, intervalHours: funding.intervalHours }, rules: state.rules.get(spot.venue, spot.symbol) };
  const estimate = estimateCarryEntry(state.market.book, perpLeg, spotLeg, { notionalUsd: params.notionalUsd, holdingHours: params.holdingHours, maxQty });
  return { estimate, veto: hedgeVeto(params, spot, aprPct, maxQty, state.inventory.known(spot.venue)) };
}

const fundingAprPct = (funding: FundingQuote): number => fundingRatePerHour(funding) * HOURS_PER_YEAR * 100;

/** hedgeVeto's first test, read from the funding alone: the only entry gate a tick checks before the economics. */
function fundingIsExtreme(state: SpotPerpHedgeState, params: SpotPerpHedgeParams, symbol: string): boolean {
  const funding = freshFunding(state.market, params.perpVenue, symbol, params.maxFundingAgeMs);
  return funding !== null && Math.abs(fundingAprPct(funding)) >= params.entryAprPct;
}

function hedgeVeto(params: SpotPerpHedgeParams, spot: CarryMarket, aprPct: number, maxQty: number, known: boolean): string | null {
  if (Math.abs(aprPct) < params.entryAprPct) return `funding ${fmt(aprPct)} %/yr is not extreme (|apr| < entryAprPct ${params.entryAprPct})`;
  if (maxQty > 0) return null;
  const { base, quote } = symbolParts(spot.symbol);
  if (!known) return `no balances from ${spot.venue} yet (execution publishes them at start)`;
  return aprPct < 0
    ? `funding ${fmt(aprPct)} %/yr is negative but ${spot.venue} holds no ${base} to sell: the reverse carry needs spot inventory (this strategy never borrows)`
    : `no ${quote} on ${spot.venue} to buy ${base} with`;
}

/** How much spot the venue's balances allow on `side`: base held for a sell, quote (after the fee) for a buy. */
function spotCapacity(state: SpotPerpHedgeState, params: SpotPerpHedgeParams, spot: CarryMarket, side: 'buy' | 'sell'): number {
  const { base, quote } = symbolParts(spot.symbol);
  if (!state.inventory.known(spot.venue)) return 0;
  if (side === 'sell') return Math.max(0, state.inventory.balance(spot.venue, base));
  const askPx = state.market.book.top(spot.venue, spot.symbol)?.askPx;
  if (!askPx) return 0;
  const takerBps = state.rules.takerRateBps(spot.venue, spot.symbol);
  if (takerBps === undefined) return 0; // no rules yet: no entry (estimateCarryEntry says why)
  return Math.max(0, state.inventory.balance(spot.venue, quote)) / (askPx * (1 + takerBps * BPS));
}

/** A spot sell cannot exceed what the venue holds (a buy fee taken in the base asset shrank it). */
function spotCloseQty(state: SpotPerpHedgeState, params: SpotPerpHedgeParams, spot: CarryMarket, qty: number): number {
  const held = state.inventory.known(spot.venue) ? state.inventory.balance(spot.venue, symbolParts(spot.symbol).base) : 0;
  if (positionQty(state.ledger, spot.venue, spot.symbol) < 0) return qty; // buying back what was sold: no base needed
  const capped = Math.min(qty, held);
  const step = state.rules.get(spot.venue, spot.symbol)?.amountStep;
  // Without the venue's step the sell cannot be put on its grid: sell nothing until the rules arrive.
  return step === undefined ? 0 : roundToStep(capped, step, 'down');
}


const COLON = 58;

/**
 * The configured perp a market belongs to: the perp itself on the perp venue, or the perp whose
 * spot (`BTC/USDT` of `BTC/USDT:USDT`) it is on the spot venue; null for any other market.
 * Compares in place (no spotSymbolOf per tick).
 */
export function hedgeKeyOf(params: SpotPerpHedgeParams, venue: string, symbol: string): string | null {
  if (venue === params.perpVenue && params.symbols.includes(symbol)) return symbol;
  if (venue !== params.spotVenue) return null;
  for (const perp of params.symbols) if (perp.length > symbol.length && perp.charCodeAt(symbol.length) === COLON && perp.startsWith(symbol)) return perp;
  return null;
}

const tickHooks: CarryTickHooks<SpotPerpHedgeState, SpotPerpHedgeParams> = { kind: SPOT_PERP_HEDGE_KIND, mayEnter: fundingIsExtreme, specFor };

function reactHedge(state: SpotPerpHedgeState, message: BookUpdate | FundingUpdate, params: SpotPerpHedgeParams, nowMs: number, fundingChanged: boolean) {
  const key = params.actOnTick ? hedgeKeyOf(params, message.venue, message.symbol) : null;
  return key === null ? null : reactCarry(state, params, tickHooks, key, nowMs, message.ts, fundingChanged);
}

export const spotPerpHedgeEngine: StrategyLogic<SpotPerpHedgeState, SpotPerpHedgeParams> = {
  kind: SPOT_PERP_HEDGE_KIND,
  version: VERSION,
  parseParams: parseSpotPerpHedgeParams,
  init: (strategyId, params, clock) => ({ ...createBaseState(strategyId, params, clock), carries: {}, inventory: new SpotInventory() }),
  evaluate: (state, params, nowMs) => evaluateCarries(state, params, SPOT_PERP_HEDGE_KIND, params.symbols, (symbol) => specFor(state, params, symbol), nowMs),
  onBookUpdate: (state, message, params, nowMs) => reactHedge(state, message, params, nowMs, false),
  // A FundingRate only ever names a perp (spot pays none), so it maps through the first test of hedgeKeyOf.
  onFundingUpdate: (state, message, params, nowMs) => reactHedge(state, message, params, nowMs, true),
  onOrderEvent: (state, event, params) => applySpotFill(state.inventory, event, [params.spotVenue]),
  onBalanceChanged: (state, event, params) => applyBalanceChanged(state.inventory, event, [params.spotVenue]),
  snapshot: (state): SpotPerpHedgeSnapshot => ({ ...snapshotBase(state), carries: structuredClone(state.carries), inventory: state.inventory.snapshot(), inventoryVenues: state.inventory.knownVenues() }),
  restore(snapshot, fromVersion, strategyId, params, clock) {
    const current = migrateSnapshot(SPOT_PERP_HEDGE_KIND, snapshot, fromVersion, VERSION) as SpotPerpHedgeSnapshot;
    return { ...restoreBase(current, strategyId, params, clock), carries: structuredClone(current.carries), inventory: SpotInventory.restore(current.inventory, current.inventoryVenues) };
  },
  status: (state): StrategyStatus => ({
    ...intentBookStatus(state.ledger),
    carries: carriesStatus(state), unattributed: unattributedStatus(state),
    inventory: balancesByVenue(state.inventory),
    opportunities: opportunitiesStatus(state.recent),
  }),
};
