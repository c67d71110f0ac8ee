/**
 * The per-order rules of pre-trade risk, each a pure function that returns a denial or null
 * (`validateRequest`: the request as a `ValidRequest`, or a denial). The engine (engine.ts) runs
 * them in order and owns the stateful parts.
 */
import type { DenialReason, Leg, MessageOf, Side } from '../../protocol/index.js';
import type { PositionEntry } from '../market/positions.js';
import { BPS, marketKey, sideSign, symbolParts } from '../market/symbols.js';

/** What the risk engine checks: one order is a request with one leg. */
export interface OrderRequest {
  readonly strategyId: string;
  readonly intentSeq: number;
  readonly legs: readonly Leg[];
  /** The multi-leg command's own parameters; null for a single order. */
  readonly multiLeg: { readonly toleranceUsd: number; readonly timeoutMs: number } | null;
}

declare const validated: unique symbol;

/**
 * A request whose shape `validateRequest` accepted. Only `validateRequest` makes one, so every
 * check after it (the venues' grid, the risk engine) takes its shape as given: validated once.
 */
export type ValidRequest = OrderRequest & { readonly [validated]: true };

export interface Denial {
  readonly approved: false;
  readonly reason: DenialReason;
  /** The config field (or state) that refused the order. */
  readonly limit: string;
  /** The limit and the values that broke it, for the `OrderDenied` event. */
  readonly detail: string;
}

export const deny = (reason: DenialReason, limit: string, detail: string): Denial => ({ approved: false, reason, limit, detail });

/** Money in a denial detail. */
export const formatUsd = (value: number): string => value.toFixed(2);
export const legLabel = (leg: Leg, index: number): string => `leg ${index} ${leg.side} ${leg.qty} ${leg.symbol}@${leg.venue}`;

/**
 * The request a command asks for. @example orderRequestOf(submitOrder).legs.length // 1
 */
export function orderRequestOf(command: MessageOf<'SubmitOrder'> | MessageOf<'SubmitMultiLeg'>): OrderRequest {
  if (command.type === 'SubmitMultiLeg') {
    return { strategyId: command.strategyId, intentSeq: command.intentSeq, legs: command.legs, multiLeg: { toleranceUsd: command.toleranceUsd, timeoutMs: command.timeoutMs } };
  }
  const { venue, symbol, side, orderType, timeInForce, qty, limitPx, reduceOnly } = command;
  return { strategyId: command.strategyId, intentSeq: command.intentSeq, legs: [{ venue, symbol, side, orderType, timeInForce, qty, limitPx, reduceOnly }], multiLeg: null };
}

function legProblem(leg: Leg): string | null {
  if (!(leg.qty > 0) || !Number.isFinite(leg.qty)) return `qty must be > 0, got ${leg.qty}`;
  try {
    symbolParts(leg.symbol);
  } catch {
    return `symbol ${JSON.stringify(leg.symbol)} is not BASE/QUOTE[:SETTLE]`;
  }
  if (leg.orderType === 'limit' && !(leg.limitPx !== null && leg.limitPx > 0 && Number.isFinite(leg.limitPx))) return `a limit order needs limitPx > 0, got ${leg.limitPx}`;
  if (leg.orderType === 'market' && leg.timeInForce === 'PO') return 'a market order cannot be post-only';
  return null;
}

/**
 * Shape checks that do not depend on any state: the request as a `ValidRequest`, or why not.
 *
 * @example
 * const valid = validateRequest(orderRequestOf(command));
 * if ('approved' in valid) return valid; // the Denial: invalid_order with the field and the value
 */
export function validateRequest(request: OrderRequest): ValidRequest | Denial {
  if (request.legs.length === 0) return deny('invalid_order', 'legs', 'an order needs at least one leg');
  const multi = request.multiLeg;
  if (multi) {
    if (request.legs.length < 2) return deny('invalid_order', 'legs', `a multi-leg order needs ≥ 2 legs, got ${request.legs.length}`);
    if (!(multi.toleranceUsd >= 0)) return deny('invalid_order', 'toleranceUsd', `toleranceUsd must be ≥ 0, got ${multi.toleranceUsd}`);
    if (!(multi.timeoutMs > 0)) return deny('invalid_order', 'timeoutMs', `timeoutMs must be > 0, got ${multi.timeoutMs}`);
  }
  for (const [i, leg] of request.legs.entries()) {
    const problem = legProblem(leg);
    if (problem) return deny('invalid_order', 'leg', `leg ${i} (${leg.venue} ${leg.symbol}): ${problem}`);
  }
  return request as ValidRequest;
}

/**
 * True when every leg shrinks its (strategy, venue, symbol) position without flipping it, legs on
 * the same market taken together. The venue's reduceOnly flag is not trusted for this: a spot
 * venue ignores it and the paper model cannot enforce it.
 */
export function isRiskReducing(request: OrderRequest, positions: readonly PositionEntry[]): boolean {
  const qtyByMarket = new Map<string, number>();
  for (const p of positions) if (p.strategyId === request.strategyId) qtyByMarket.set(marketKey(p.venue, p.symbol), p.position.qty);
  const deltas = new Map<string, number>();
  for (const leg of request.legs) {
    const key = marketKey(leg.venue, leg.symbol);
    deltas.set(key, (deltas.get(key) ?? 0) + sideSign(leg.side) * leg.qty);
  }
  for (const [key, delta] of deltas) {
    const qty = qtyByMarket.get(key) ?? 0;
    if (qty === 0 || Math.sign(delta) === Math.sign(qty) || Math.abs(delta) > Math.abs(qty) * (1 + 1e-9)) return false;
  }
  return true;
}

/**
 * The most aggressive price a collar allows: execution sends market orders as limits at this price
 * so a thin book cannot fill them arbitrarily far away.
 *
 * @example collarLimitPx('buy', 100, 50) // 100.5
 */
export function collarLimitPx(side: Side, referencePx: number, collarBps: number): number {
  return referencePx * (1 + sideSign(side) * collarBps * BPS);
}

/** A limit priced further through the reference than the collar allows (a buy too high, a sell too low). */
export function collarDenial(leg: Leg, index: number, referencePx: number, collarBps: number): Denial | null {
  if (leg.limitPx === null) return null;
  const bound = collarLimitPx(leg.side, referencePx, collarBps);
  const through = leg.side === 'buy' ? leg.limitPx > bound : leg.limitPx < bound;
  if (!through) return null;
  const offBps = (Math.abs(leg.limitPx - referencePx) / referencePx) / BPS;
  return deny('price_collar', 'priceCollarBps', `${legLabel(leg, index)}: limitPx ${leg.limitPx} is ${offBps.toFixed(1)} bps through reference ${referencePx} (priceCollarBps ${collarBps})`);
}

/** Notional of one leg: at its limit price, else at the reference. */
function legNotionalUsd(leg: Leg, referencePx: number): number {
  return leg.qty * (leg.limitPx ?? referencePx);
}

export function notionalDenial(leg: Leg, index: number, referencePx: number, maxOrderNotionalUsd: number): Denial | null {
  const notionalUsd = legNotionalUsd(leg, referencePx);
  if (notionalUsd <= maxOrderNotionalUsd) return null;
  return deny('notional_cap', 'maxOrderNotionalUsd', `${legLabel(leg, index)}: notional ${formatUsd(notionalUsd)} > maxOrderNotionalUsd ${maxOrderNotionalUsd}`);
}

