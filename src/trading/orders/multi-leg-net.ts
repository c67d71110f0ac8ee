/**
 * Net exposure of a multi-leg order's fills, and the unwind orders that flatten it.
 *
 * Exposure nets per underlying (a long BTC perp on one venue against a short BTC perp on
 * another), valued at reference prices, with each order's own average fill price as the fallback
 * when a market has no fresh reference. Unwinding reduces the legs that carry the excess,
 * largest first, so the matched part of a partially filled pair is kept as a valid position.
 */
import type { Leg, Side } from '../../protocol/index.js';
import type { PriceOf } from '../risk/exposure.js';
import { sideSign, underlyingOf } from '../market/symbols.js';

/** What the net computation needs to know about an order of the intent. */
export interface TrackedFill {
  readonly leg: number;
  readonly venue: string;
  readonly symbol: string;
  readonly side: Side;
  filledQty: number;
  /** Σ qty × px of the fills. */
  fillCostUsd: number;
}

export interface UnwindOrder {
  readonly leg: number;
  readonly venue: string;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: number;
}

const priceFor = (fill: TrackedFill, priceOf: PriceOf): number => priceOf(fill.venue, fill.symbol) ?? fill.fillCostUsd / fill.filledQty;

/** Signed net notional per underlying (> 0 is net long). */
export function netByUnderlying(fills: readonly TrackedFill[], priceOf: PriceOf): Map<string, number> {
  const net = new Map<string, number>();
  for (const f of fills) {
    if (!(f.filledQty > 0)) continue;
    const u = underlyingOf(f.symbol);
    net.set(u, (net.get(u) ?? 0) + sideSign(f.side) * f.filledQty * priceFor(f, priceOf));
  }
  return net;
}

/** The signed net with the largest magnitude (0 when flat). @example worstNet(new Map([['BTC', -30], ['ETH', 10]])) // -30 */
export function worstNet(net: ReadonlyMap<string, number>): number {
  let worst = 0;
  for (const value of net.values()) if (Math.abs(value) > Math.abs(worst)) worst = value;
  return worst;
}

/**
 * Market orders that bring every underlying's net to zero by reducing the legs on the heavy
 * side (each by at most what it holds).
 *
 * @example // leg 0 bought 1.0 BTC, leg 1 sold 0.6: sell 0.4 on leg 0's venue
 */
export function unwindOrders(fills: readonly TrackedFill[], legs: readonly Leg[], priceOf: PriceOf): UnwindOrder[] {
  const legQty = legs.map(() => 0);
  const legCost = legs.map(() => ({ qty: 0, cost: 0 }));
  for (const f of fills) {
    legQty[f.leg] = (legQty[f.leg] as number) + sideSign(f.side) * f.filledQty;
    const c = legCost[f.leg] as { qty: number; cost: number };
    c.qty += f.filledQty;
    c.cost += f.fillCostUsd;
  }
  const orders: UnwindOrder[] = [];
  for (const [underlying, net] of netByUnderlying(fills, priceOf)) {
    const candidates = legs
      .map((leg, i) => {
        const c = legCost[i] as { qty: number; cost: number };
        return { i, leg, qty: legQty[i] as number, px: priceOf(leg.venue, leg.symbol) ?? (c.qty > 0 ? c.cost / c.qty : 0) };
      })
      .filter((c) => underlyingOf(c.leg.symbol) === underlying && Math.sign(c.qty) === Math.sign(net) && c.px > 0)
      .sort((a, b) => Math.abs(b.qty * b.px) - Math.abs(a.qty * a.px));
    let remainingUsd = Math.abs(net);
    for (const c of candidates) {
      if (remainingUsd <= 0) break;
      const qty = Math.min(Math.abs(c.qty), remainingUsd / c.px);
      orders.push({ leg: c.i, venue: c.leg.venue, symbol: c.leg.symbol, side: c.qty > 0 ? 'sell' : 'buy', qty });
      remainingUsd -= qty * c.px;
    }
  }
  return orders;
}
