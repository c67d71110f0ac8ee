/**
 * The life of a carry, shared by `funding-carry` and `spot-perp-hedge`. Each evaluation, for each
 * opportunity key (a symbol), exactly one of:
 *
 *   intent in flight ──► hold ("waiting for intent N")
 *   carry open ───────► hold, or exit (edge below exitAprPct, max holding time, a stale leg,
 *                        or only one leg open) unless trading is HALTED or the key backs off
 *   no carry ─────────► act (open both legs in one SubmitMultiLeg) or skip, with the reason
 *
 * A carry is forgotten once nothing is in flight and both legs are flat (an entry that failed
 * outright, or an exit that completed). Positions the strategy holds without a carry record (after
 * a restart, execution's position sync brings them; or a fill that landed after its intent was
 * written off) are attributed: a short and a long leg of one key whose sizes agree within
 * `attributionTolerancePct` are that key's carry again (held, exited by the usual rules); anything
 * else (one leg only, sizes apart, more markets) is reported (status `unattributed`, a hold
 * Opportunity) and handed to `unattributedPositions`: `leave` never trades it (nor enters on top
 * of it), `adopt-and-close` closes every held leg of the key in one multi-leg command. Never one
 * leg while another stays open.
 *
 * The same per-key decision runs on two paths: the timer (every key, publishes every decision)
 * and the tick (`reactCarry`: the one key whose market data just changed, sends only an act or an
 * exit, stamped with that message's `ts`, so tick-to-order latency measures from it).
 */
import { z } from 'zod';
import type { CarryStatus, Leg, Side } from '../../protocol/index.js';
import type { FundingQuote } from '../market/funding.js';
import { MS_PER_HOUR } from '../market/funding.js';
import { marketKey, marketKindOf } from '../market/symbols.js';
import { carryExitReason, carryHoldEdge, fmt, label, type CarryEntry, type CarryEstimate, type CarryMarket } from './carry-economics.js';
import { attributeHeld } from './carry-attribution.js';
import { backoffOf, bookNewerThanFill, entryBlockedBy, exitBlockedBy, inFlight, positionQty, settleIntents, syncBlockedBy, type IntentBook } from './intent-book.js';
import { decisionTs, unusableForMs } from './market-view.js';
import { commonParamsShape, type CommonParams } from './params.js';
import { emptyOutput, iocLeg, protectiveLimitPx, publishOpportunity, submitCommand, type OpportunityFields, type StrategyOutput } from './outputs.js';
import type { BaseState } from './state.js';

export const carryParamsShape = {
  ...commonParamsShape,
  /** Notional of each leg in USD. */
  notionalUsd: z.number().positive().default(10_000),
  /**
   * The horizon expected funding is projected over, and the entry and exit costs amortised over.
   * Three days: a day barely pays a ~20 bps round trip at typical divergences, and funding
   * regimes rarely last a week.
   */
  holdingHours: z.number().positive().max(24 * 90).default(72),
  /** Enter when the net edge over the horizon, after round-trip costs, is at least this (bps of one leg). */
  entryEdgeBps: z.number().default(5),
  /** Exit when the annualized funding differential in the carry's direction falls below this (%). */
  exitAprPct: z.number().default(5),
  maxHoldingHours: z.number().positive().default(168),
  /** Exit when a leg's market stays stale or down this long (a reconnect blip should not cost a round trip). */
  staleExitAfterMs: z.int().nonnegative().default(10_000),
  /** A funding rate older than this is not acted on. */
  maxFundingAgeMs: z.int().positive().default(300_000),
  /** A leg worth less than this is flat: fees taken in the base asset leave crumbs no venue takes an order for. */
  dustUsd: z.number().nonnegative().default(10),
  /**
   * Act on the funding or book update that makes an entry (or a funding exit) due instead of at
   * the next evaluation, which added up to evaluationIntervalMs to every order. Holds and skips
   * are still the timer's to report, so the opportunity stream stays bounded.
   */
  actOnTick: z.boolean().default(true),
  /** Two legs held without a carry record are one carry when their sizes differ by at most this (% of the larger; the spot leg loses fees in the base asset). */
  attributionTolerancePct: z.number().nonnegative().max(50).default(2),
  /** What to do with a held position no carry accounts for: leave it to the operator (never trade it), or close all its legs at once. */
  unattributedPositions: z.enum(['leave', 'adopt-and-close']).default('leave'),
};

export type CarryParams = CommonParams & {
  readonly notionalUsd: number;
  readonly holdingHours: number;
  readonly entryEdgeBps: number;
  readonly exitAprPct: number;
  readonly maxHoldingHours: number;
  readonly staleExitAfterMs: number;
  readonly maxFundingAgeMs: number;
  readonly dustUsd: number;
  readonly actOnTick: boolean;
  readonly attributionTolerancePct: number;
  readonly unattributedPositions: 'leave' | 'adopt-and-close';
};

export interface OpenCarry {
  readonly key: string;
  readonly short: CarryMarket;
  readonly long: CarryMarket;
  readonly qty: number;
  readonly notionalUsd: number;
  readonly openedAtMs: number;
  readonly entryEdgeBps: number;
  readonly entryIntentSeq: number;
  exitReason: string | null;
  /** Set on an unattributed position adopted to be closed (`adopt-and-close`): why it could not be attributed. */
  readonly unattributed?: string;
}

export interface CarryState extends BaseState {
  carries: Record<string, OpenCarry>;
  /** Per key: why what it holds is no carry, and what the policy does (recomputed every evaluation; not snapshotted). */
  unattributed?: Record<string, string>;
}

/** What a strategy tells the shared flow about one opportunity key. */
export interface CarryKeySpec {
  readonly key: string;
  /** Every market a position of this key can be in (to adopt residues). */
  readonly markets: readonly CarryMarket[];
  /** The funding a market pays now (spot: 0), null when unknown or too old. */
  fundingOf(market: CarryMarket): FundingQuote | null;
  /** The best entry now, with a strategy-specific veto; null while there is nothing to evaluate. */
  findEntry(): { readonly estimate: CarryEstimate; readonly veto: string | null } | null;
  /** Caps a closing quantity (spot: what the venue holds after fees taken in the base asset). */
  closeQty?(market: CarryMarket, qty: number): number;
}

interface EvalContext {
  readonly kind: string;
  readonly nowMs: number;
  readonly params: CarryParams;
  /** Set on the tick path: the triggering message's `ts`; only acts and exits are published then. */
  readonly triggerTs: number | null;
}

/**
 * One evaluation: settles intents first, then decides per key. The keys are the configured
 * symbols plus any with an open carry, so a hot reload that drops a symbol from the config still
 * manages (and exits) what is held in it.
 */
export function evaluateCarries(
  state: CarryState,
  params: CarryParams,
  kind: string,
  keys: readonly string[],
  specFor: (key: string) => CarryKeySpec,
  nowMs: number,
): StrategyOutput {
  const out = emptyOutput();
  settleIntents(state.ledger, nowMs, params.backoffMs);
  const context: EvalContext = { kind, nowMs, params, triggerTs: null };
  for (const key of new Set([...keys, ...Object.keys(state.carries)])) evaluateKey(state, context, specFor(key), out);
  return out;
}

/** What a strategy gives the tick path; module-level functions, so a tick allocates no closure. */
export interface CarryTickHooks<S extends CarryState, P extends CarryParams> {
  readonly kind: string;
  /** A cheap necessary condition for an entry (funding and fees only, no book walk). */
  mayEnter(state: S, params: P, key: string): boolean;
  specFor(state: S, params: P, key: string): CarryKeySpec;
}

/**
 * The tick path: market data of `key` just changed (`fundingChanged` for a FundingRate). Decides
 * that key alone with the timer's own code and returns the command and its act/exit Opportunity,
 * both stamped with the triggering `ts`; null (the common case, nothing built) otherwise.
 *
 * The gates before any economics: an intent in flight or a back-off decides nothing (and the
 * ledger is what keeps an entry from going out twice); without a carry, the trading state and the
 * strategy's `mayEnter`; with one, only a funding change can flip the hold into an exit (max
 * holding time, staleness and residues are the timer's, they need the clock, not a tick).
 *
 * @example const out = reactCarry(state, params, hooks, 'BTC/USDT:USDT', nowMs, message.ts, true);
 */
export function reactCarry<S extends CarryState, P extends CarryParams>(state: S, params: P, hooks: CarryTickHooks<S, P>, key: string, nowMs: number, ts: number, fundingChanged: boolean): StrategyOutput | null {
  const { ledger } = state;
  if (inFlight(ledger, key) !== null || backoffOf(ledger, key, nowMs) !== null) return null;
  const carry = state.carries[key];
  if (carry === undefined) {
    if (entryBlockedBy(ledger) !== null || !hooks.mayEnter(state, params, key)) return null;
  } else if (!fundingChanged || exitBlockedBy(ledger) !== null) {
    return null;
  }
  const spec = hooks.specFor(state, params, key);
  if (carry !== undefined && !fundingExitDue(params, spec, carry)) return null;
  // A new entry after the last one's fills waits for books that show what they took; an exit
  // closes the known position and needs no such guard.
  if (carry === undefined) for (const m of spec.markets) if (!bookNewerThanFill(ledger, state.market.lastTs, m.venue, m.symbol)) return null;
  const out = emptyOutput();
  evaluateKey(state, { kind: hooks.kind, nowMs, params, triggerTs: ts }, spec, out);
  return out.commands.length > 0 ? out : null;
}

/** The hold's funding test of carryExitReason alone: the one exit a tick can make due. */
function fundingExitDue(params: CarryParams, spec: CarryKeySpec, carry: OpenCarry): boolean {
  const shortFunding = spec.fundingOf(carry.short);
  const longFunding = spec.fundingOf(carry.long);
  return shortFunding !== null && longFunding !== null && carryHoldEdge(shortFunding, longFunding, carry.notionalUsd, params.holdingHours).aprPct < params.exitAprPct;
}

function evaluateKey(state: CarryState, context: EvalContext, spec: CarryKeySpec, out: StrategyOutput): void {
  // Until execution's sync came, the positions are stale or empty: nothing is attributed or decided.
  const sync = syncBlockedBy(state.ledger, context.nowMs);
  if (sync !== null) {
    publish(state, context, out, spec.markets, { symbol: spec.key, venues: '', edgeBps: 0, expectedPnlUsd: 0, annualizedPct: 0, decision: 'hold', reason: sync });
    return;
  }
  forgetClosedCarry(state, context.params, spec.key);
  const pending = inFlight(state.ledger, spec.key);
  const carry = state.carries[spec.key] ?? adoptHeld(state, context.params, spec, context.nowMs);
  const unattributed = carry ? undefined : state.unattributed?.[spec.key];
  if (unattributed !== undefined && !pending) {
    const fields = { symbol: spec.key, venues: '', edgeBps: 0, expectedPnlUsd: 0, annualizedPct: 0 };
    publish(state, context, out, spec.markets, { ...fields, decision: 'hold', reason: `unattributed position: ${unattributed}` });
  } else if (pending) {
    const fields = { symbol: spec.key, venues: carry ? venuesOf(carry) : '', edgeBps: carry?.entryEdgeBps ?? 0, expectedPnlUsd: 0, annualizedPct: 0 };
    publish(state, context, out, carry ? [carry.short, carry.long] : spec.markets, { ...fields, decision: 'hold', reason: `waiting for intent ${pending.intentSeq} (${pending.purpose})` });
  } else if (carry) {
    evaluateHeld(state, context, spec, carry, out);
  } else {
    evaluateEntry(state, context, spec, out);
  }
}

function evaluateHeld(state: CarryState, context: EvalContext, spec: CarryKeySpec, carry: OpenCarry, out: StrategyOutput): void {
  const { ledger, market } = state;
  const { params, nowMs } = context;
  const shortFunding = spec.fundingOf(carry.short);
  const longFunding = spec.fundingOf(carry.long);
  const hold = shortFunding && longFunding ? carryHoldEdge(shortFunding, longFunding, carry.notionalUsd, params.holdingHours) : null;
  const heldMs = nowMs - carry.openedAtMs;
  const adopted = carry.unattributed === undefined ? null : `unattributed position (${carry.unattributed}): closing every leg`;
  const reason = adopted ?? carryExitReason({
    hold,
    exitAprPct: params.exitAprPct,
    heldMs,
    maxHoldingHours: params.maxHoldingHours,
    unusable: [carry.short, carry.long].map((m) => ({ label: label(m), forMs: unusableForMs(market, m.venue, m.symbol, nowMs) })),
    staleExitAfterMs: params.staleExitAfterMs,
    oneSided: (heldQty(state, params, carry.short) === 0) !== (heldQty(state, params, carry.long) === 0),
  });
  const fields = { symbol: spec.key, venues: venuesOf(carry), edgeBps: hold?.edgeBps ?? 0, expectedPnlUsd: hold?.pnlPerIntervalUsd ?? 0, annualizedPct: hold?.aprPct ?? 0 };
  const markets = [carry.short, carry.long];
  if (reason === null) {
    carry.exitReason = null;
    const edge = hold ? `funding edge ${fmt(hold.aprPct)} %/yr ≥ exitAprPct ${params.exitAprPct}` : 'funding unknown, edge not re-checked';
    publish(state, context, out, markets, { ...fields, decision: 'hold', reason: `holding ${fmt(heldMs / MS_PER_HOUR)} h: ${edge}` });
    return;
  }
  const blocked = exitBlockedBy(ledger) ?? backoffText(ledger, spec.key, nowMs);
  if (blocked) {
    publish(state, context, out, markets, { ...fields, decision: 'hold', reason: `exit due (${reason}) but ${blocked}` });
    return;
  }
  // An adopted position closes whatever the key holds, not only the two legs it was adopted by.
  const legs = closingLegs(state, params, spec, adopted ? spec.markets : markets);
  if (adopted && legs.length < spec.markets.filter((m) => heldQty(state, params, m) !== 0).length) {
    publish(state, context, out, markets, { ...fields, decision: 'hold', reason: `${adopted}, but not every leg can be closed (the spot venue holds less than the position shows): left to the operator` });
    return;
  }
  if (legs.length === 0) {
    publish(state, context, out, markets, { ...fields, decision: 'hold', reason: `exit due (${reason}) but no leg can be closed: the spot venue no longer holds what the position shows` });
    return;
  }
  out.commands.push(submitCommand(ledger, params, { key: spec.key, purpose: 'exit', ts: tsOf(state, context, markets), nowMs }, legs));
  carry.exitReason = reason;
  publish(state, context, out, markets, { ...fields, decision: 'exit', reason });
}

function evaluateEntry(state: CarryState, context: EvalContext, spec: CarryKeySpec, out: StrategyOutput): void {
  const found = spec.findEntry();
  if (!found) return;
  const { ledger } = state;
  const { params, nowMs } = context;
  const entry = found.estimate.entry;
  const acts = entry !== undefined && found.veto === null && entry.edge.netEdgeBps >= params.entryEdgeBps && entryBlockedBy(ledger) === null && backoffOf(ledger, spec.key, nowMs) === null;
  // The tick path reports nothing it does not act on: the reasons (strings) are the timer's.
  if (!acts && context.triggerTs !== null) return;
  if (!entry) {
    // A veto explains more than the sizing problem it usually causes (no inventory → size 0).
    const reason = found.veto ?? (found.estimate.problem as string);
    publish(state, context, out, spec.markets, { symbol: spec.key, venues: '', edgeBps: 0, expectedPnlUsd: 0, annualizedPct: 0, decision: 'skip', reason });
    return;
  }
  const { edge } = entry;
  const economics = entryEconomics(entry, params);
  const fields = { symbol: spec.key, venues: `short:${entry.short.venue} long:${entry.long.venue}`, edgeBps: edge.netEdgeBps, expectedPnlUsd: entry.pnlPerIntervalUsd, annualizedPct: edge.annualizedPct };
  const markets = [entry.short, entry.long];
  if (!acts) {
    const belowThreshold = edge.netEdgeBps < params.entryEdgeBps ? `${economics} < entryEdgeBps ${params.entryEdgeBps}` : null;
    const why = found.veto ?? belowThreshold ?? entryBlockedBy(ledger) ?? (backoffText(ledger, spec.key, nowMs) as string);
    publish(state, context, out, markets, { ...fields, decision: 'skip', reason: why === belowThreshold ? why : `${why}; ${economics}` });
    return;
  }
  const legs = [entryLeg(state, params, entry.short, 'sell', entry.qty), entryLeg(state, params, entry.long, 'buy', entry.qty)];
  const command = submitCommand(ledger, params, { key: spec.key, purpose: 'entry', ts: tsOf(state, context, markets), nowMs }, legs);
  out.commands.push(command);
  state.carries[spec.key] = {
    key: spec.key,
    short: entry.short,
    long: entry.long,
    qty: entry.qty,
    notionalUsd: entry.notionalUsd,
    openedAtMs: nowMs,
    entryEdgeBps: edge.netEdgeBps,
    entryIntentSeq: ledger.intentSeq,
    exitReason: null,
  };
  publish(state, context, out, markets, { ...fields, decision: 'act', reason: `${economics} ≥ entryEdgeBps ${params.entryEdgeBps}: short ${label(entry.short)}, long ${label(entry.long)}, ${entry.qty} each` });
}

const entryEconomics = (entry: CarryEntry, params: CarryParams): string =>
  `net ${fmt(entry.edge.netEdgeBps)} bps over ${params.holdingHours} h = funding ${fmt(entry.edge.grossUsd / entry.notionalUsd / 1e-4)} − costs ${fmt(entry.costBps)}`;

function entryLeg(state: CarryState, params: CarryParams, market: CarryMarket, side: Side, qty: number): Leg {
  return iocLeg(market.venue, market.symbol, side, qty, protectiveLimitPx(state.market.book, market.venue, market.symbol, side, params.limitSlippageBps), false);
}

/**
 * Legs that flatten what the strategy holds in these markets. Perp legs are reduce-only (they can
 * never open the other way if a fill raced the exit); spot has no such flag. A market without a
 * fresh top (the stale-venue exit) gets a market order: execution collars it.
 */
function closingLegs(state: CarryState, params: CarryParams, spec: CarryKeySpec, markets: readonly CarryMarket[]): Leg[] {
  const legs: Leg[] = [];
  for (const m of markets) {
    const qty = heldQty(state, params, m);
    if (qty === 0) continue;
    const side: Side = qty > 0 ? 'sell' : 'buy';
    const size = spec.closeQty ? spec.closeQty(m, Math.abs(qty)) : Math.abs(qty);
    if (!(size > 0)) continue;
    legs.push(iocLeg(m.venue, m.symbol, side, size, protectiveLimitPx(state.market.book, m.venue, m.symbol, side, params.limitSlippageBps), marketKindOf(m.symbol) === 'perp'));
  }
  return legs;
}

const heldQty = (state: CarryState, params: CarryParams, m: CarryMarket): number => positionQty(state.ledger, m.venue, m.symbol, params.dustUsd);

function forgetClosedCarry(state: CarryState, params: CarryParams, key: string): void {
  const carry = state.carries[key];
  if (!carry || inFlight(state.ledger, key)) return;
  const flat = heldQty(state, params, carry.short) === 0 && heldQty(state, params, carry.long) === 0;
  if (flat) delete state.carries[key];
}

/**
 * A key with no carry record: what it holds becomes its carry again (a matched pair), a carry
 * adopted to be closed (`adopt-and-close`), or an unattributed position left alone (`leave`).
 */
function adoptHeld(state: CarryState, params: CarryParams, spec: CarryKeySpec, nowMs: number): OpenCarry | null {
  const held = spec.markets.map((market) => ({ market, qty: heldQty(state, params, market), avgEntryPx: state.ledger.positions[marketKey(market.venue, market.symbol)]?.position.avgEntryPx ?? 0 }));
  const found = attributeHeld(held, params.attributionTolerancePct);
  const unattributed = (state.unattributed ??= {});
  delete unattributed[spec.key];
  if (found === null) return null;
  if ('pair' in found) {
    const { short, long, qty, notionalUsd } = found.pair;
    return (state.carries[spec.key] = { key: spec.key, short, long, qty, notionalUsd, openedAtMs: nowMs, entryEdgeBps: 0, entryIntentSeq: 0, exitReason: null });
  }
  if (params.unattributedPositions === 'leave') {
    unattributed[spec.key] = `${found.reason}; left to the operator (unattributedPositions: leave)`;
    return null;
  }
  const [first, second] = found.markets;
  const short = first!;
  const long = second ?? spec.markets.find((m) => m !== short) ?? short;
  return (state.carries[spec.key] = { key: spec.key, short, long, qty: 0, notionalUsd: 0, openedAtMs: nowMs, entryEdgeBps: 0, entryIntentSeq: 0, exitReason: null, unattributed: found.reason });
}

function backoffText(ledger: IntentBook, key: string, nowMs: number): string | null {
  const backoff = backoffOf(ledger, key, nowMs);
  return backoff ? `backing off ${fmt((backoff.untilMs - nowMs) / 1000)} s after: ${backoff.reason}` : null;
}

const venuesOf = (carry: OpenCarry): string => `short:${carry.short.venue} long:${carry.long.venue}`;

const marketPairs = (markets: readonly CarryMarket[]): [string, string][] => markets.map((m) => [m.venue, m.symbol]);

/**
 * The `ts` a decision carries: on the tick path the message that triggered it; on the timer the
 * newest message of the markets it used (the tick that completed the picture).
 */
const tsOf = (state: CarryState, context: EvalContext, markets: readonly CarryMarket[]): number => context.triggerTs ?? decisionTs(state.market, marketPairs(markets));

function publish(state: CarryState, context: EvalContext, out: StrategyOutput, markets: readonly CarryMarket[], fields: OpportunityFields): void {
  if (context.triggerTs !== null && fields.decision !== 'act' && fields.decision !== 'exit') return;
  publishOpportunity(out, state.ledger, state.recent, { kind: context.kind, ts: tsOf(state, context, markets), nowMs: context.nowMs, keepActed: context.params.recentOpportunities }, fields);
}

/** Held positions no carry accounts for, for status(). */
export function unattributedStatus(state: CarryState): { key: string; reason: string }[] {
  return Object.entries(state.unattributed ?? {}).map(([key, reason]) => ({ key, reason }));
}

/** The carries for status(): legs, size, age, the edge they were entered at and why they are exiting. */
export function carriesStatus(state: CarryState): CarryStatus[] {
  return Object.values(state.carries).map((c) => ({
    key: c.key,
    short: label(c.short),
    long: label(c.long),
    qty: c.qty,
    notionalUsd: c.notionalUsd,
    openedAtMs: c.openedAtMs,
    heldHours: (state.ledger.lastEvaluatedMs - c.openedAtMs) / MS_PER_HOUR,
    entryEdgeBps: c.entryEdgeBps,
    phase: inFlight(state.ledger, c.key)?.purpose ?? (c.exitReason ? 'exiting' : 'open'),
    exitReason: c.exitReason,
  }));
}
