/**
 * Exposure measures for the pre-trade caps.
 *
 * Each market (strategy, venue, symbol) has a position and open orders. Open orders are counted
 * at their worst case: all buys fill, or all sells fill, whichever leaves the larger position.
 * The order being checked is assumed to fill (so a reducing order shows as reducing), and a cap
 * only denies an order that raises the measure: an order that shrinks an over-cap exposure passes.
 *
 * What nets and what does not, and why (think of a funding carry: long perp on A, short on B):
 * - per underlying (`symbol_exposure`): net across venues and across spot/perp, because that is
 *   the market risk. The carry pair is ~0 here; a naked leg shows in full.
 * - per venue (`venue_exposure`): gross, never netted against other venues, because the risk it
 *   bounds is the venue itself (an outage or insolvency strands that leg). The pair uses one
 *   notional on A and one on B.
 * - total gross and per-strategy budget: gross, so a hedged book still has a size limit (the
 *   pair counts twice its notional); leverage, margin and liquidation risk scale with gross.
 */
import type { Leg, Side } from '../../protocol/index.js';
import type { PositionEntry } from '../market/positions.js';
import { sideSign, underlyingOf } from '../market/symbols.js';

export interface OpenOrderView {
  readonly strategyId: string;
  readonly venue: string;
  readonly symbol: string;
  readonly side: Side;
  readonly remainingQty: number;
  readonly limitPx: number | null;
}

export type PriceOf = (venue: string, symbol: string) => number | null;

interface MarketExposure {
  readonly strategyId: string;
  readonly venue: string;
  readonly underlying: string;
  px: number;
  qty: number;
  buyQty: number;
  sellQty: number;
}

export interface ExposureMeasures {
  /** Worst-case |net| notional per underlying. */
  readonly symbolNetUsd: ReadonlyMap<string, number>;
  readonly venueGrossUsd: ReadonlyMap<string, number>;
  readonly strategyGrossUsd: ReadonlyMap<string, number>;
  readonly grossUsd: number;
}

type Markets = Map<string, MarketExposure>;

const keyOf = (strategyId: string, venue: string, symbol: string): string => `${strategyId}\u0000${venue}\u0000${symbol}`;

function market(markets: Markets, strategyId: string, venue: string, symbol: string, fallbackPx: number, priceOf: PriceOf): MarketExposure {
  const key = keyOf(strategyId, venue, symbol);
  let m = markets.get(key);
  if (!m) {
    m = { strategyId, venue, underlying: underlyingOf(symbol), px: priceOf(venue, symbol) ?? 0, qty: 0, buyQty: 0, sellQty: 0 };
    markets.set(key, m);
  }
  // Without a reference price, value the market at what we know (entry or limit price).
  if (m.px === 0 && fallbackPx > 0) m.px = fallbackPx;
  return m;
}

/** Positions and open orders, grouped per market and valued at the reference price. */
export function currentMarkets(positions: readonly PositionEntry[], openOrders: readonly OpenOrderView[], priceOf: PriceOf): Markets {
  const markets: Markets = new Map();
  for (const p of positions) {
    if (p.position.qty !== 0) market(markets, p.strategyId, p.venue, p.symbol, p.position.avgEntryPx, priceOf).qty += p.position.qty;
  }
  for (const o of openOrders) {
    const m = market(markets, o.strategyId, o.venue, o.symbol, o.limitPx ?? 0, priceOf);
    if (o.side === 'buy') m.buyQty += o.remainingQty;
    else m.sellQty += o.remainingQty;
  }
  return markets;
}

/** A copy of `markets` with the legs filled. */
export function withLegsFilled(markets: Markets, strategyId: string, legs: readonly Leg[], priceOf: PriceOf): Markets {
  const next: Markets = new Map();
  for (const [key, m] of markets) next.set(key, { ...m });
  for (const leg of legs) market(next, strategyId, leg.venue, leg.symbol, leg.limitPx ?? 0, priceOf).qty += sideSign(leg.side) * leg.qty;
  return next;
}

const add = (map: Map<string, number>, key: string, value: number): void => {
  map.set(key, (map.get(key) ?? 0) + value);
};

/** Every cap's measure over a set of markets. */
export function measure(markets: Markets): ExposureMeasures {
  const net = new Map<string, { q: number; b: number; s: number }>();
  const venueGrossUsd = new Map<string, number>();
  const strategyGrossUsd = new Map<string, number>();
  let grossUsd = 0;
  for (const m of markets.values()) {
    const worst = Math.max(Math.abs(m.qty + m.buyQty), Math.abs(m.qty - m.sellQty)) * m.px;
    grossUsd += worst;
    add(venueGrossUsd, m.venue, worst);
    add(strategyGrossUsd, m.strategyId, worst);
    const n = net.get(m.underlying) ?? { q: 0, b: 0, s: 0 };
    n.q += m.qty * m.px;
    n.b += m.buyQty * m.px;
    n.s += m.sellQty * m.px;
    net.set(m.underlying, n);
  }
  const symbolNetUsd = new Map<string, number>();
  for (const [underlying, n] of net) symbolNetUsd.set(underlying, Math.max(Math.abs(n.q + n.b), Math.abs(n.q - n.s)));
  return { symbolNetUsd, venueGrossUsd, strategyGrossUsd, grossUsd };
}
