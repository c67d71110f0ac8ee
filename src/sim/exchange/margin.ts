/**
 * Cross-margin figures of one account's perp position, venue-neutral: what venues report in
 * their position and balance endpoints (notional at mark, unrealized PnL, initial margin of the
 * position and of its open orders, maintenance margin at a flat rate). The simulator never
 * liquidates, so these are reported, not enforced.
 */
import { isStable } from '../market/fair-price.js';
import type { VenueMarket } from '../market/venue-market.js';
import type { InstrumentSpec } from '../types.js';
import type { Account, Position } from './account.js';
import { remaining, type SimOrder } from './types.js';

export interface PerpFigures {
  readonly spec: InstrumentSpec;
  readonly position: Position | undefined;
  /** Signed base quantity. */
  readonly quantity: number;
  readonly entryPrice: number;
  readonly markPrice: number;
  /** |quantity| × mark. */
  readonly notional: number;
  readonly unrealizedPnl: number;
  readonly leverage: number;
  readonly initialMargin: number;
  readonly openOrderMargin: number;
  readonly maintenanceMargin: number;
}

/** Figures of `spec`'s position; `openOrders` are the account's open orders on that symbol. */
export function perpFigures(account: Account, spec: InstrumentSpec, market: VenueMarket, openOrders: readonly SimOrder[], maintenanceRate: number): PerpFigures {
  const position = account.positions.get(spec.symbol);
  const quantity = position?.quantity ?? 0;
  const entryPrice = position?.entryPrice ?? 0;
  const markPrice = market.markPrice(spec.symbol);
  const leverage = account.leverageOf(spec.symbol);
  const notional = Math.abs(quantity) * markPrice;
  return {
    spec,
    position,
    quantity,
    entryPrice,
    markPrice,
    notional,
    unrealizedPnl: quantity === 0 ? 0 : (markPrice - entryPrice) * quantity,
    leverage,
    initialMargin: notional / leverage,
    openOrderMargin: openOrders.reduce((sum, order) => sum + (remaining(order) * (order.price ?? markPrice)) / leverage, 0),
    maintenanceMargin: notional * maintenanceRate,
  };
}

/** USD value of one unit of `asset` on this venue: 1 for stables, else the index of its USD-quoted spot pair. */
export function usdPrice(market: VenueMarket, asset: string): number {
  if (isStable(asset)) return 1;
  const pair = [...market.instruments.values()].find((m) => m.spec.base === asset && isStable(m.spec.quote));
  return pair ? market.indexPrice(pair.spec.symbol) : 0;
}
