/**
 * Pre-trade risk: `check(request, context)` approves or denies an order (one leg) or a multi-leg
 * order (checked as a whole), and owns the stateful parts: trading state, circuit breakers and
 * rate budgets. Denials are data; nothing here throws for a refused order.
 *
 * `check` takes a `ValidRequest`: the shape was checked once, by `validateRequest`, before (and
 * execution denies `reconciling` and puts the order on the venues' grid in between). Order of
 * checks (cheap and absolute first, then limits, and the rate budget last, so a denied order
 * never consumes budget):
 *   duplicate intent → venue known → trading state → breakers
 *   → reference price → collar → per-order notional → open orders → exposure caps → balances
 *   → rate budget
 *
 * The balance check (`insufficient_balance`) runs when the context carries a `BalanceBook`; an
 * approval then reserves what the legs will spend there (balance-book.ts).
 *
 * Approval carries `waitMs`: the rate budget throttles rather than denies, and only denies when
 * the wait would exceed `maxRateWaitMs`. Execution delays each leg by its venue's wait
 * (`waitMsByVenue`), or the whole multi-leg order by `waitMs` to keep the legs together.
 */
import { CircuitBreakers, strategyBreakerKey, venueBreakerKey } from './circuit-breaker.js';
import { riskConfig, type RiskConfig } from './config.js';
import { currentMarkets, measure, withLegsFilled, type OpenOrderView, type PriceOf } from './exposure.js';
import {
  collarDenial,
  deny,
  formatUsd,
  isRiskReducing,
  legLabel,
  notionalDenial,
  validateRequest,
  type Denial,
  type OrderRequest,
  type ValidRequest,
} from './order-checks.js';
import { reservationKey, type BalanceBook } from './balance-book.js';
import { RateBudgets } from './rate-budget.js';
import { StrategyStates } from './strategy-states.js';
import { TradingStateMachine } from './trading-state.js';
import type { PositionEntry } from '../market/positions.js';
import { underlyingOf } from '../market/symbols.js';

export interface Approval {
  readonly approved: true;
  /** The longest wait among the order's venues. */
  readonly waitMs: number;
  readonly waitMsByVenue: Readonly<Record<string, number>>;
}

export type RiskDecision = Approval | Denial;

/** What the engine needs to know about the world at the time of the check. */
export interface RiskContext {
  readonly nowMs: number;
  /** Fresh mark, else fresh mid; null when absent or stale (`QuoteBook.referencePx`). */
  readonly referencePx: PriceOf;
  readonly positions: readonly PositionEntry[];
  readonly openOrders: readonly OpenOrderView[];
  /** The journal already holds this (strategyId, intentSeq). */
  readonly duplicateIntent?: boolean;
  /** What each account can pay for; without it balances are not checked. */
  readonly balances?: BalanceBook;
}

/**
 * @example
 * const risk = new RiskEngine(riskConfig({ venues: ['binance', 'bybit'] }));
 * const valid = validateRequest(orderRequestOf(command));
 * const decision = 'approved' in valid ? valid : risk.check(valid, { nowMs, referencePx: (v, s) => book.referencePx(v, s), positions, openOrders });
 * if (!decision.approved) publish('OrderDenied', { reason: decision.reason, detail: decision.detail, … });
 */
export class RiskEngine {
  readonly config: RiskConfig;
  readonly tradingState: TradingStateMachine;
  /** Strategies restricted to REDUCING on their own (a position mismatch past the tolerance). */
  readonly strategyStates = new StrategyStates();
  readonly breakers: CircuitBreakers;
  readonly rateBudgets: RateBudgets;

  constructor(config: RiskConfig = riskConfig()) {
    this.config = config;
    this.tradingState = new TradingStateMachine(config);
    this.breakers = new CircuitBreakers({ failureThreshold: config.breakerFailureThreshold, coolDownMs: config.breakerCoolDownMs });
    this.rateBudgets = new RateBudgets(config.rateBudget, config.rateBudgetByVenue);
  }

  /** The pre-trade check of a strategy's order, after its shape (see the file comment). */
  check(request: ValidRequest, context: RiskContext): RiskDecision {
    const refs = this.#gate(request, context) ?? this.#referencePrices(request, context);
    if (!Array.isArray(refs)) return refs;
    const denial = this.#orderLimits(request, refs, context) ?? this.#exposure(request, context) ?? this.#balances(request, refs, context);
    if (denial) return denial;
    const decision = this.#reserveRate(request, context.nowMs, true);
    if (decision.approved && context.balances) {
      const { strategyId, intentSeq } = request;
      context.balances.reserve(request.legs, refs, netQtyOf(context.positions), (leg) => reservationKey(strategyId, intentSeq, leg), context.nowMs);
    }
    return decision;
  }

  /**
   * The check for a multi-leg coordinator's corrective order (hedge or unwind). It skips the
   * caps and breakers on purpose: refusing a correction leaves the account more exposed than
   * sending it. It still needs a reference price (the order is collared) and respects HALTED.
   */
  checkCorrection(request: OrderRequest, context: RiskContext): RiskDecision {
    const valid = validateRequest(request);
    if ('approved' in valid) return valid;
    const halted = this.tradingState.status.state === 'HALTED' ? this.tradingState.denial(false) : null;
    if (halted) return deny(halted.reason, 'tradingState', halted.detail);
    const refs = this.#referencePrices(valid, context);
    return Array.isArray(refs) ? this.#reserveRate(valid, context.nowMs, false) : refs;
  }

  /** Report a venue-side failure (rejection, timeout, request error) of an order. */
  recordFailure(venue: string, strategyId: string, nowMs: number): { venueOpened: boolean; strategyOpened: boolean } {
    return { venueOpened: this.breakers.failure(venueBreakerKey(venue), nowMs), strategyOpened: this.breakers.failure(strategyBreakerKey(strategyId), nowMs) };
  }

  /** Report that an order reached the venue and was accepted. */
  recordSuccess(venue: string, strategyId: string): void {
    this.breakers.success(venueBreakerKey(venue));
    this.breakers.success(strategyBreakerKey(strategyId));
  }

  #gate(request: ValidRequest, context: RiskContext): Denial | null {
    if (context.duplicateIntent) return deny('duplicate_intent', 'intentSeq', `intent ${request.strategyId}#${request.intentSeq} was already received`);
    const { venues } = this.config;
    const unknown = request.legs.find((leg) => venues.length > 0 && !venues.includes(leg.venue));
    if (unknown) return deny('unknown_venue', 'venues', `venue ${unknown.venue} is not configured (venues: ${venues.join(', ')})`);
    const reducing = isRiskReducing(request, context.positions);
    const stateDenial = this.tradingState.denial(reducing) ?? this.strategyStates.denial(request.strategyId, reducing);
    if (stateDenial) return deny(stateDenial.reason, 'tradingState', stateDenial.detail);
    for (const key of [...request.legs.map((leg) => venueBreakerKey(leg.venue)), strategyBreakerKey(request.strategyId)]) {
      const breaker = this.breakers.state(key);
      if (this.breakers.isOpen(key, context.nowMs)) {
        const detail = `breaker ${key} open until ${new Date(breaker.openUntilMs).toISOString()} after ${breaker.consecutiveFailures} consecutive failures (breakerFailureThreshold ${this.config.breakerFailureThreshold})`;
        return deny('circuit_open', 'breakerFailureThreshold', detail);
      }
    }
    return null;
  }

  #referencePrices(request: OrderRequest, context: RiskContext): number[] | Denial {
    const refs: number[] = [];
    for (const [i, leg] of request.legs.entries()) {
      const ref = context.referencePx(leg.venue, leg.symbol);
      if (ref === null || !(ref > 0)) return deny('no_reference_price', 'referencePx', `${legLabel(leg, i)}: no fresh mark or mid price (absent or stale)`);
      refs.push(ref);
    }
    return refs;
  }

  #orderLimits(request: OrderRequest, refs: readonly number[], context: RiskContext): Denial | null {
    const { priceCollarBps, maxOrderNotionalUsd, maxOpenOrders, maxOpenOrdersPerStrategy } = this.config;
    for (const [i, leg] of request.legs.entries()) {
      const ref = refs[i] as number;
      const denial = collarDenial(leg, i, ref, priceCollarBps) ?? notionalDenial(leg, i, ref, maxOrderNotionalUsd);
      if (denial) return denial;
    }
    const total = context.openOrders.length + request.legs.length;
    if (total > maxOpenOrders) return deny('open_orders_cap', 'maxOpenOrders', `open orders would be ${total} > maxOpenOrders ${maxOpenOrders}`);
    const own = context.openOrders.filter((o) => o.strategyId === request.strategyId).length + request.legs.length;
    if (own > maxOpenOrdersPerStrategy) {
      return deny('open_orders_cap', 'maxOpenOrdersPerStrategy', `open orders of ${request.strategyId} would be ${own} > maxOpenOrdersPerStrategy ${maxOpenOrdersPerStrategy}`);
    }
    return null;
  }

  #exposure(request: OrderRequest, context: RiskContext): Denial | null {
    const markets = currentMarkets(context.positions, context.openOrders, context.referencePx);
    const before = measure(markets);
    const after = measure(withLegsFilled(markets, request.strategyId, request.legs, context.referencePx));
    const c = this.config;
    for (const u of new Set(request.legs.map((leg) => underlyingOf(leg.symbol)))) {
      const denial = capDenial('symbol_exposure', 'maxSymbolNetExposureUsd', `net ${u}`, before.symbolNetUsd.get(u), after.symbolNetUsd.get(u), c.maxSymbolNetExposureUsd);
      if (denial) return denial;
    }
    for (const v of new Set(request.legs.map((leg) => leg.venue))) {
      const denial = capDenial('venue_exposure', 'maxVenueGrossExposureUsd', `gross on ${v}`, before.venueGrossUsd.get(v), after.venueGrossUsd.get(v), c.maxVenueGrossExposureUsd);
      if (denial) return denial;
    }
    const id = request.strategyId;
    const budget = c.strategyBudgetsUsd[id] ?? c.defaultStrategyBudgetUsd;
    return (
      capDenial('gross_exposure', 'maxGrossExposureUsd', 'total gross', before.grossUsd, after.grossUsd, c.maxGrossExposureUsd) ??
      capDenial('strategy_budget', 'strategyBudgetsUsd', `gross of ${id}`, before.strategyGrossUsd.get(id), after.strategyGrossUsd.get(id), budget)
    );
  }

  #balances(request: OrderRequest, refs: readonly number[], context: RiskContext): Denial | null {
    return context.balances ? context.balances.check(request.legs, refs, netQtyOf(context.positions)) : null;
  }

  #reserveRate(request: OrderRequest, nowMs: number, mayDeny: boolean): RiskDecision {
    const counts = new Map<string, number>();
    for (const leg of request.legs) counts.set(leg.venue, (counts.get(leg.venue) ?? 0) + 1);
    for (const [venue, count] of counts) {
      const waitMs = this.rateBudgets.peek(venue, nowMs, count);
      if (mayDeny && waitMs > this.config.maxRateWaitMs) {
        return deny('rate_budget', 'maxRateWaitMs', `${venue} request budget needs ${waitMs} ms for ${count} request(s) > maxRateWaitMs ${this.config.maxRateWaitMs}`);
      }
    }
    const waitMsByVenue: Record<string, number> = {};
    for (const [venue, count] of counts) waitMsByVenue[venue] = this.rateBudgets.reserve(venue, nowMs, count);
    return { approved: true, waitMs: Math.max(0, ...Object.values(waitMsByVenue)), waitMsByVenue };
  }
}

/** The account's net position on a market, every strategy's together. */
function netQtyOf(positions: readonly PositionEntry[]): (venue: string, symbol: string) => number {
  return (venue, symbol) => positions.reduce((sum, p) => (p.venue === venue && p.symbol === symbol ? sum + p.position.qty : sum), 0);
}

/** Refuses only an order that takes a measure over its cap *and* raises it: shrinking an over-cap exposure is always allowed. */
function capDenial(reason: Denial['reason'], limit: string, label: string, was = 0, would = 0, cap: number): Denial | null {
  if (!(would > cap && would > was + 1e-9)) return null;
  return deny(reason, limit, `${label} exposure would be ${formatUsd(would)} (now ${formatUsd(was)}) > ${limit} ${cap}`);
}
