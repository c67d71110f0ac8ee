/**
 * What an evaluation produces: commands for execution and an `Opportunity` for every opportunity
 * looked at, plus the bounded memory of them that status() shows.
 *
 * Commands: one leg goes out as a `SubmitOrder`, two or more as a `SubmitMultiLeg` (execution
 * sends them concurrently and applies `onLegFailure` if one ends short). Every leg is IOC: a
 * resting order would leave a hedge half-built for as long as it rests.
 */
import { message, UNSTAMPED_DECISION, type CommandMessage, type DecisionPath, type IntentPurpose, type Leg, type MessageOf, type OpportunityView, type Side, type StrategyStatus } from '../../protocol/index.js';
import type { QuoteBook } from '../market/book.js';
import { BPS } from '../market/symbols.js';
import { registerIntent, type IntentBook } from './intent-book.js';
import type { CommonParams } from './params.js';

export type Opportunity = MessageOf<'Opportunity'>;
export type OpportunityFields = Omit<OpportunityView, 'atMs'>;

export interface StrategyOutput {
  readonly commands: CommandMessage[];
  readonly opportunities: Opportunity[];
}

/** The latest evaluation per symbol, and the last few that were acted on. */
export interface RecentOpportunities {
  latest: Record<string, OpportunityView>;
  acted: OpportunityView[];
}

export const emptyOutput = (): StrategyOutput => ({ commands: [], opportunities: [] });
export const emptyRecent = (): RecentOpportunities => ({ latest: {}, acted: [] });

/** Numbers on the wire must be finite (the codec's validator refuses NaN); a missing figure is 0. */
const finite = (value: number): number => (Number.isFinite(value) ? value : 0);

/** Rounds for display: 4 decimals is below any tradable difference in bps, USD or percent. */
const round4 = (value: number): number => Math.round(finite(value) * 1e4) / 1e4;

/** Adds an `Opportunity` to the output, counts its decision and remembers it for status(). */
export function publishOpportunity(
  out: StrategyOutput,
  ledger: IntentBook,
  recent: RecentOpportunities,
  context: { kind: string; ts: number; nowMs: number; keepActed: number },
  fields: OpportunityFields,
): void {
  const counters = ledger.counters;
  counters.considered++;
  if (fields.decision === 'act') counters.acted++;
  else if (fields.decision === 'skip') counters.skipped++;
  else if (fields.decision === 'hold') counters.held++;
  else counters.exited++;
  const view: OpportunityView = {
    ...fields,
    edgeBps: round4(fields.edgeBps),
    expectedPnlUsd: round4(fields.expectedPnlUsd),
    annualizedPct: round4(fields.annualizedPct),
    atMs: context.nowMs,
  };
  out.opportunities.push(message('Opportunity', { ts: context.ts, strategyId: ledger.strategyId, kind: context.kind, ...fields, edgeBps: view.edgeBps, expectedPnlUsd: view.expectedPnlUsd, annualizedPct: view.annualizedPct }));
  recent.latest[fields.symbol] = view;
  if (fields.decision === 'act' || fields.decision === 'exit') {
    recent.acted.unshift(view);
    if (recent.acted.length > context.keepActed) recent.acted.length = context.keepActed;
  }
}

/** Status view: the current evaluation of every symbol, best expected PnL first, and the recent actions. */
export function opportunitiesStatus(recent: RecentOpportunities): StrategyStatus['opportunities'] {
  const best = Object.values(recent.latest).sort((a, b) => b.expectedPnlUsd - a.expectedPnlUsd || b.edgeBps - a.edgeBps);
  return { best, recentActions: recent.acted };
}

/** An IOC leg: limit when a price bound is known, market otherwise (execution collars market orders). */
export function iocLeg(venue: string, symbol: string, side: Side, qty: number, limitPx: number | null, reduceOnly: boolean): Leg {
  return { venue, symbol, side, orderType: limitPx === null ? 'market' : 'limit', timeInForce: 'IOC', qty, limitPx, reduceOnly };
}

/**
 * The worst price an IOC leg accepts: the touch moved `limitSlippageBps` against us. Null when
 * the market has no fresh top (the caller then sends a market order or nothing).
 */
export function protectiveLimitPx(book: QuoteBook, venue: string, symbol: string, side: Side, limitSlippageBps: number): number | null {
  const top = book.top(venue, symbol);
  if (!top) return null;
  return side === 'buy' ? top.askPx * (1 + limitSlippageBps * BPS) : top.bidPx * (1 - limitSlippageBps * BPS);
}

/**
 * Registers the intent and builds its command (`SubmitOrder` for one leg, `SubmitMultiLeg`
 * otherwise). Its decision fields say "timer, times unknown": the actor that sends it stamps the
 * path and the times it knows (see `stampDecision`).
 */
export function submitCommand(
  ledger: IntentBook,
  params: CommonParams,
  intent: { key: string; purpose: IntentPurpose; ts: number; nowMs: number },
  legs: Leg[],
): CommandMessage {
  const intentSeq = registerIntent(ledger, intent.key, intent.purpose, legs.length, intent.nowMs, params.intentDeadlineMs);
  const strategyId = ledger.strategyId;
  if (legs.length === 1) return message('SubmitOrder', { ts: intent.ts, strategyId, intentSeq, ...(legs[0] as Leg), ...UNSTAMPED_DECISION });
  return message('SubmitMultiLeg', {
    ts: intent.ts,
    strategyId,
    intentSeq,
    legs,
    onLegFailure: params.onLegFailure,
    toleranceUsd: params.toleranceUsd,
    timeoutMs: params.legTimeoutMs,
    ...UNSTAMPED_DECISION,
  });
}

/** Marks the output's orders with the path that decided them and when (monotonic ns) it began and finished. */
export function stampDecision(out: StrategyOutput, path: DecisionPath, strategyInNs: number, decidedNs: number): void {
  for (const command of out.commands) {
    if (command.type !== 'SubmitOrder' && command.type !== 'SubmitMultiLeg') continue;
    command.path = path;
    command.strategyInNs = strategyInNs;
    command.decidedNs = decidedNs;
  }
}
