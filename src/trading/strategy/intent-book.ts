/**
 * The bookkeeping every strategy shares, as plain data (structured-cloneable, so it is part of
 * the hot-reload snapshot) with pure functions over it:
 *
 * - `intentSeq`, which execution turns into client order ids and uses to detect duplicates. It
 *   starts from the wall clock in tenths of a second, so a strategy that restarts without its
 *   snapshot (kill -9) still counts above every sequence it used before, as long as it averaged
 *   fewer than ten intents a second (these strategies send a handful a minute).
 * - the intents in flight, keyed by intentSeq: one per opportunity key at a time. An intent is
 *   over on the event that gives its last leg a final answer (filled, canceled, rejected,
 *   denied), so the tick path may decide a follow-up on the next book update. When its legs
 *   ended differently (one filled, another did not), execution's leg-imbalance report follows
 *   the last leg's event, so such an intent waits for its verdict (resolved or failed); the
 *   evaluation timer is the fallback that closes an answered intent no report followed (the
 *   imbalance was within tolerance) and writes off one execution never answered.
 * - the monotonic time (ns) of the strategy's last fill per market: a book that arrived before
 *   it may still show the liquidity that fill took, so the tick path acts only on a newer one.
 * - back-off: a denial, a rejection, a leg imbalance or an unanswered intent parks the
 *   opportunity for `backoffMs`, so a refusing risk engine or a broken venue is not hammered.
 * - positions per market, moved by fills at once and overwritten by execution's
 *   `PositionChanged` (its book is the authority; the fill only bridges the gap until it comes).
 * - the trading state execution broadcasts: ACTIVE, REDUCING (exits only), HALTED (nothing).
 * - the position sync: a strategy actor that (re)starts or is reloaded trades nothing (entries or
 *   exits) until execution's `PositionsSynced` replaced its positions with the journaled ones;
 *   intents execution reports in flight that this ledger does not know (sent before a restart)
 *   hold trading too, until their open legs are answered or `RESTART_INTENT_WAIT_MS` passed.
 */
import type { IntentBookStatus, IntentPurpose, MessageOf, OrderEventMessage, StrategyCounters, SyncedIntent, TradingStateName } from '../../protocol/index.js';
import { applyFill, applyFunding, FLAT, type Position } from '../market/positions.js';
import { marketKey, symbolParts } from '../market/symbols.js';

export interface PendingIntent {
  readonly intentSeq: number;
  /** The opportunity it belongs to (what a failure backs off). */
  readonly key: string;
  readonly purpose: IntentPurpose;
  /** Per leg: a final answer was seen. */
  readonly legsEnded: boolean[];
  imbalanceOpen: boolean;
  /** Some leg filled (in part or whole) / some leg ended without filling completely. */
  filledAny: boolean;
  shortAny: boolean;
  /** Execution's imbalance report reached its verdict (resolved or failed). */
  imbalanceSettled: boolean;
  /** The first failure reported for it, if any. */
  failure: string | null;
  readonly sentAtMs: number;
  readonly deadlineMs: number;
  doneAtMs: number | null;
}

export interface MarketPosition {
  readonly venue: string;
  readonly symbol: string;
  position: Position;
  unrealizedPnl: number;
}

export interface IntentBook {
  strategyId: string;
  intentSeq: number;
  tradingState: TradingStateName;
  tradingStateReason: string;
  counters: StrategyCounters;
  backoff: Record<string, { untilMs: number; reason: string }>;
  intents: Record<string, PendingIntent>;
  positions: Record<string, MarketPosition>;
  fundingReceivedUsd: number;
  lastEvaluatedMs: number;
  /** Per `venue|symbol`: when (monotonic ns, the clock of market data `ts`) the last fill there was seen. */
  lastFillNs: Record<string, number>;
  /** False from a strategy actor's start until execution's PositionsSynced (absent in older snapshots: the actor sets it). */
  synced?: boolean;
  /** Intents in flight before a restart, by intentSeq: open legs left and until when they hold trading. */
  restartIntents?: Record<string, { openLegs: number; state: string; untilMs: number }>;
}

/** How long an intent from before a restart holds trading at most (its legs are IOC; this covers a lost answer). */
export const RESTART_INTENT_WAIT_MS = 60_000;
export const SYNC_WAITING = "waiting for execution's position sync";

/** Finished intents are kept this long so late events (a fill after the deadline) still find their opportunity. */
const RETAIN_DONE_MS = 10 * 60_000;
/** Below this a position is flat (float residue of matched fills). */
const FLAT_QTY = 1e-12;

export function createIntentBook(strategyId: string, nowMs: number): IntentBook {
  return {
    strategyId,
    intentSeq: Math.floor(nowMs / 100),
    tradingState: 'ACTIVE',
    tradingStateReason: '',
    counters: { considered: 0, acted: 0, skipped: 0, held: 0, exited: 0, denied: 0, rejected: 0, imbalances: 0, fills: 0, unanswered: 0 },
    backoff: {},
    intents: {},
    positions: {},
    fundingReceivedUsd: 0,
    lastEvaluatedMs: nowMs,
    lastFillNs: {},
  };
}

/** Takes the next intentSeq and tracks the intent until it is over. */
export function registerIntent(ledger: IntentBook, key: string, purpose: IntentPurpose, legCount: number, nowMs: number, deadlineAfterMs: number): number {
  const intentSeq = ++ledger.intentSeq;
  ledger.intents[intentSeq] = {
    intentSeq,
    key,
    purpose,
    legsEnded: new Array<boolean>(legCount).fill(false),
    imbalanceOpen: false,
    filledAny: false,
    shortAny: false,
    imbalanceSettled: false,
    failure: null,
    sentAtMs: nowMs,
    deadlineMs: nowMs + deadlineAfterMs,
    doneAtMs: null,
  };
  return intentSeq;
}

/** The intent in flight for an opportunity, if any. */
export function inFlight(ledger: IntentBook, key: string): PendingIntent | null {
  for (const seq in ledger.intents) {
    const intent = ledger.intents[seq] as PendingIntent;
    if (intent.key === key && intent.doneAtMs === null) return intent;
  }
  return null;
}

/** The back-off on an opportunity, if it is still running. */
export function backoffOf(ledger: IntentBook, key: string, nowMs: number): { untilMs: number; reason: string } | null {
  const entry = ledger.backoff[key];
  return entry && entry.untilMs > nowMs ? entry : null;
}

/** Why nothing may trade yet after a (re)start, or null once execution's sync came and its in-flight intents are over. */
export function syncBlockedBy(ledger: IntentBook, nowMs = ledger.lastEvaluatedMs): string | null {
  if (ledger.synced === false) return SYNC_WAITING;
  for (const seq in ledger.restartIntents) {
    const intent = ledger.restartIntents[seq]!;
    if (intent.untilMs <= nowMs) delete ledger.restartIntents[seq];
    else return `waiting for intent ${seq} sent before the restart (${intent.state}, ${intent.openLegs} leg(s) open)`;
  }
  return null;
}

/** Marks the ledger as waiting for execution's PositionsSynced (a strategy actor's start). */
export function awaitSync(ledger: IntentBook): void {
  ledger.synced = false;
}

/** Why new positions may not be opened now, or null when they may. */
export function entryBlockedBy(ledger: IntentBook): string | null {
  const sync = syncBlockedBy(ledger);
  if (sync !== null) return sync;
  return ledger.tradingState === 'ACTIVE' ? null : `trading ${ledger.tradingState}${ledger.tradingStateReason ? ` (${ledger.tradingStateReason})` : ''}: no new entries`;
}

/** Why positions may not be closed now (only HALTED stops exits), or null. */
export function exitBlockedBy(ledger: IntentBook): string | null {
  return syncBlockedBy(ledger) ?? ledger.tradingState === 'HALTED' ? `trading HALTED${ledger.tradingStateReason ? ` (${ledger.tradingStateReason})` : ''}: exits wait` : null;
}

/**
 * The signed quantity held in a market, 0 when flat or (with `dustUsd`) worth less than that at
 * its entry price: crumbs left by fees charged in the base asset are not a position to manage.
 */
export function positionQty(ledger: IntentBook, venue: string, symbol: string, dustUsd = 0): number {
  const position = ledger.positions[marketKey(venue, symbol)]?.position;
  if (!position || Math.abs(position.qty) <= FLAT_QTY) return 0;
  return position.avgEntryPx > 0 && Math.abs(position.qty * position.avgEntryPx) < dustUsd ? 0 : position.qty;
}

/**
 * True when the market's latest message (`lastTs`, ingress ns) is newer than the strategy's last
 * fill there, or it has none: a book the tick path decides on then already reflects what was taken.
 */
export function bookNewerThanFill(ledger: IntentBook, lastTs: ReadonlyMap<string, number>, venue: string, symbol: string): boolean {
  const key = marketKey(venue, symbol);
  const fillNs = ledger.lastFillNs[key];
  return fillNs === undefined || (lastTs.get(key) ?? 0) > fillNs;
}

/**
 * Folds one event from execution into the ledger, and closes the intent it completes. `nowNs` is
 * the monotonic time the event arrived (for the fill guard, see `bookNewerThanFill`).
 */
export function applyOrderEvent(ledger: IntentBook, event: OrderEventMessage, nowMs: number, backoffMs: number, nowNs: number): void {
  foldEvent(ledger, event, nowMs, backoffMs, nowNs);
  if ('intentSeq' in event) {
    settleIfAnswered(ledger, event.intentSeq, nowMs);
    answerRestartIntent(ledger, event);
  }
}

/**
 * Execution's journaled book replaces the positions (a market it does not list is flat), and the
 * intents in flight that this ledger does not know hold trading until they are answered.
 */
function applySync(ledger: IntentBook, event: MessageOf<'PositionsSynced'>, nowMs: number): void {
  for (const entry of Object.values(ledger.positions)) entry.position = { ...entry.position, qty: 0, avgEntryPx: 0 };
  for (const { venue, symbol, qty, avgEntryPx, realizedPnl, fees, fundingPnl } of event.positions) {
    marketPosition(ledger, venue, symbol).position = { qty, avgEntryPx, realizedPnl, fees, fundingPnl };
  }
  ledger.restartIntents = {};
  for (const intent of event.intents) if (!ledger.intents[intent.intentSeq]) ledger.restartIntents[intent.intentSeq] = restartIntent(intent, nowMs);
  ledger.synced = true;
}

const restartIntent = (intent: SyncedIntent, nowMs: number) => ({ openLegs: intent.openLegs, state: intent.state, untilMs: nowMs + RESTART_INTENT_WAIT_MS });

/** A final answer to a leg of an intent from before the restart. */
function answerRestartIntent(ledger: IntentBook, event: OrderEventMessage & { intentSeq: number }): void {
  const intent = ledger.restartIntents?.[event.intentSeq];
  if (!intent) return;
  if (event.type === 'Filled' || event.type === 'Canceled' || event.type === 'OrderRejected' || event.type === 'OrderDenied') intent.openLegs--;
  if (intent.openLegs <= 0) delete ledger.restartIntents![event.intentSeq];
}

function foldEvent(ledger: IntentBook, event: OrderEventMessage, nowMs: number, backoffMs: number, nowNs: number): void {
  switch (event.type) {
    case 'OrderAccepted':
      return;
    case 'OrderDenied':
      ledger.counters.denied++;
      markShort(ledger, event.intentSeq);
      fail(ledger, event.intentSeq, `denied ${event.reason}${event.detail ? `: ${event.detail}` : ''}`, nowMs, backoffMs);
      // Execution refuses a whole command before sending anything with one denial and no client
      // order id: every leg of it is over.
      return event.clientOrderId === '' ? endAllLegs(ledger, event.intentSeq) : endLeg(ledger, event.intentSeq, event.leg);
    case 'OrderRejected':
      ledger.counters.rejected++;
      markShort(ledger, event.intentSeq);
      fail(ledger, event.intentSeq, `rejected by ${event.venue}: ${event.code} ${event.error}`, nowMs, backoffMs);
      return endLeg(ledger, event.intentSeq, event.leg);
    case 'PartiallyFilled':
      return applyFillEvent(ledger, event, nowNs);
    case 'Filled':
      applyFillEvent(ledger, event, nowNs);
      return endLeg(ledger, event.intentSeq, event.leg);
    case 'Canceled':
      markShort(ledger, event.intentSeq);
      return endLeg(ledger, event.intentSeq, event.leg);
    case 'PositionChanged':
      return applyPositionUpdate(ledger, event);
    case 'PositionsSynced':
      return applySync(ledger, event, nowMs);
    case 'FundingSettled': {
      const entry = marketPosition(ledger, event.venue, event.symbol);
      entry.position = applyFunding(entry.position, event.amount);
      ledger.fundingReceivedUsd += event.amount;
      return;
    }
    case 'LegImbalanceUpdated':
      return applyLegImbalance(ledger, event, nowMs, backoffMs);
    case 'TradingStateChanged':
      ledger.tradingState = event.state;
      ledger.tradingStateReason = event.reason;
      return;
  }
}

const answered = (intent: PendingIntent): boolean => intent.legsEnded.every(Boolean) && !intent.imbalanceOpen;

/** Closes the intent at once when this event gave it its final answer and no imbalance report can follow. */
function settleIfAnswered(ledger: IntentBook, intentSeq: number, nowMs: number): void {
  const intent = ledger.intents[intentSeq];
  if (!intent || intent.doneAtMs !== null || !answered(intent)) return;
  const mixed = intent.legsEnded.length > 1 && intent.filledAny && intent.shortAny && !intent.imbalanceSettled;
  if (!mixed) intent.doneAtMs = nowMs;
}

function markShort(ledger: IntentBook, intentSeq: number): void {
  const intent = ledger.intents[intentSeq];
  if (intent) intent.shortAny = true;
}

/**
 * The evaluation timer's fallback: writes off the intents past their deadline without a final
 * answer (answered ones were closed by their last event), forgets old finished ones, and returns
 * what it closed. Called at the start of every evaluation.
 */
export function settleIntents(ledger: IntentBook, nowMs: number, backoffMs: number): PendingIntent[] {
  const finished: PendingIntent[] = [];
  for (const seq in ledger.intents) {
    const intent = ledger.intents[seq] as PendingIntent;
    if (intent.doneAtMs !== null) {
      if (nowMs - intent.doneAtMs > RETAIN_DONE_MS) delete ledger.intents[seq];
      continue;
    }
    const done = answered(intent);
    if (!done && nowMs < intent.deadlineMs) continue;
    if (!done) {
      ledger.counters.unanswered++;
      fail(ledger, intent.intentSeq, 'no final answer from execution by the intent deadline', nowMs, backoffMs);
    }
    intent.doneAtMs = nowMs;
    finished.push(intent);
  }
  ledger.lastEvaluatedMs = nowMs;
  return finished;
}

function fail(ledger: IntentBook, intentSeq: number, reason: string, nowMs: number, backoffMs: number): void {
  const intent = ledger.intents[intentSeq];
  if (!intent) return;
  // Later steps (an imbalance, its unwind) extend the back-off; the first failure is its cause.
  intent.failure ??= reason;
  ledger.backoff[intent.key] = { untilMs: nowMs + backoffMs, reason: intent.failure };
}

function endLeg(ledger: IntentBook, intentSeq: number, leg: number): void {
  const intent = ledger.intents[intentSeq];
  if (intent && leg >= 0 && leg < intent.legsEnded.length) intent.legsEnded[leg] = true;
}

function endAllLegs(ledger: IntentBook, intentSeq: number): void {
  ledger.intents[intentSeq]?.legsEnded.fill(true);
}

function marketPosition(ledger: IntentBook, venue: string, symbol: string): MarketPosition {
  const key = marketKey(venue, symbol);
  return (ledger.positions[key] ??= { venue, symbol, position: FLAT, unrealizedPnl: 0 });
}

function applyFillEvent(ledger: IntentBook, fill: MessageOf<'Filled'> | MessageOf<'PartiallyFilled'>, nowNs: number): void {
  ledger.counters.fills++;
  const intent = ledger.intents[fill.intentSeq];
  if (intent) intent.filledAny = true;
  const entry = marketPosition(ledger, fill.venue, fill.symbol);
  ledger.lastFillNs[marketKey(fill.venue, fill.symbol)] = nowNs;
  entry.position = applyFill(entry.position, { side: fill.side, qty: fill.fillQty, px: fill.fillPx, fee: feeInQuote(fill) });
}

/** The fee in quote currency when it can be told from the fill itself; execution's PositionChanged has the exact figure. */
function feeInQuote(fill: MessageOf<'Filled'> | MessageOf<'PartiallyFilled'>): number {
  const { base, quote } = symbolParts(fill.symbol);
  if (fill.feeCurrency === quote || fill.feeCurrency === '') return fill.fee;
  return fill.feeCurrency === base ? fill.fee * fill.fillPx : 0;
}

function applyPositionUpdate(ledger: IntentBook, update: MessageOf<'PositionChanged'>): void {
  const entry = marketPosition(ledger, update.venue, update.symbol);
  entry.position = { qty: update.qty, avgEntryPx: update.avgEntryPx, realizedPnl: update.realizedPnl, fees: update.fees, fundingPnl: update.fundingPnl };
  entry.unrealizedPnl = update.unrealizedPnl;
}

function applyLegImbalance(ledger: IntentBook, event: MessageOf<'LegImbalanceUpdated'>, nowMs: number, backoffMs: number): void {
  const intent = ledger.intents[event.intentSeq];
  if (event.action === 'detected') ledger.counters.imbalances++;
  if (intent) {
    intent.imbalanceOpen = event.action !== 'resolved' && event.action !== 'failed';
    intent.imbalanceSettled = !intent.imbalanceOpen;
  }
  if (event.action !== 'resolved') fail(ledger, event.intentSeq, `leg imbalance ${event.action}: ${event.detail}`, nowMs, backoffMs);
}

/** What ops shows about the bookkeeping: open positions, counters, funding, back-offs, intents in flight. */
export function intentBookStatus(ledger: IntentBook): IntentBookStatus {
  const openPositions = Object.values(ledger.positions)
    .filter((p) => Math.abs(p.position.qty) > FLAT_QTY)
    .map((p) => ({ venue: p.venue, symbol: p.symbol, ...p.position, unrealizedPnl: p.unrealizedPnl }));
  const backoff = Object.entries(ledger.backoff)
    .filter(([, b]) => b.untilMs > ledger.lastEvaluatedMs)
    .map(([key, b]) => ({ key, untilMs: b.untilMs, reason: b.reason }));
  const inFlightIntents = Object.values(ledger.intents)
    .filter((i) => i.doneAtMs === null)
    .map((i) => ({ intentSeq: i.intentSeq, key: i.key, purpose: i.purpose, sentAtMs: i.sentAtMs }));
  let realizedPnl = 0;
  let unrealizedPnl = 0;
  let fees = 0;
  for (const p of Object.values(ledger.positions)) {
    realizedPnl += p.position.realizedPnl;
    unrealizedPnl += p.unrealizedPnl;
    fees += p.position.fees;
  }
  return {
    tradingState: ledger.tradingState,
    intentSeq: ledger.intentSeq,
    counters: { ...ledger.counters },
    openPositions,
    pnl: { realizedPnl, unrealizedPnl, fees, fundingReceivedUsd: ledger.fundingReceivedUsd },
    backoff,
    inFlight: inFlightIntents,
    sync: syncBlockedBy(ledger) ?? 'synced',
  };
}
