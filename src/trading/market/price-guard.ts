/**
 * The last line before a price reaches risk and PnL: every top (its mid) and mark a book takes is
 * checked against the same market's recent accepted prices (`PriceBand`) and against the other
 * venues' prices for the same instrument (the same unified symbol, say BTC/USDT:USDT on binanceusdm,
 * bybit and okx). Rejections are the exception path; an accepted price costs one band check.
 *
 *   own band admits                                          → accepted (the hot path: one band check)
 *   own band refuses, the peers' fresh median within bandPct → accepted, re-anchored
 *                                                              (a genuine fast move: every venue moved)
 *   otherwise                                                → rejected, reported
 *
 * @example
 * const guard = new PriceGuard({ bandPct: 5, widenPctPerSec: 1, maxPct: 50 }, 5_000);
 * guard.admit('bybit', 'BTC/USDT:USDT', 'mark', 50_000, nowMs); // true
 * guard.admit('bybit', 'BTC/USDT:USDT', 'mark', 1e308, nowMs);  // false
 */
import { PriceBand, type PriceBandOptions } from './price-band.js';

export type GuardedPrice = 'top' | 'mark';

interface Market {
  readonly venue: string;
  readonly symbol: string;
  readonly kind: GuardedPrice;
  readonly band: PriceBand;
  acceptedMs: number;
}

export class PriceGuard {
  /** kind → venue → symbol (nested, so a lookup builds no key string). */
  private readonly markets: Record<GuardedPrice, Map<string, Map<string, Market>>> = { top: new Map(), mark: new Map() };
  private readonly near: number;
  /** Prices rejected since start. */
  rejected = 0;

  constructor(
    private readonly options: PriceBandOptions,
    /** A peer's price older than this does not vouch for or against anything. */
    private readonly peerMaxAgeMs: number,
    private readonly onRejected: (venue: string, symbol: string, kind: GuardedPrice, px: number) => void = () => undefined,
  ) {
    this.near = Math.log1p(options.bandPct / 100);
  }

  /** Whether `px` may be used; an accepted price becomes the market's reference. */
  admit(venue: string, symbol: string, kind: GuardedPrice, px: number, nowMs: number): boolean {
    const market = this.market(venue, symbol, kind);
    if (market.band.plausible(px, nowMs)) return this.accept(market, px, nowMs);
    if (px > 0 && px < Number.POSITIVE_INFINITY) {
      const peer = this.peerMedian(market, nowMs);
      if (!Number.isNaN(peer) && Math.abs(Math.log(px / peer)) <= this.near) return this.accept(market, px, nowMs);
    }
    this.rejected++;
    this.onRejected(venue, symbol, kind, px);
    return false;
  }

  private accept(market: Market, px: number, nowMs: number): true {
    market.band.anchor(px, nowMs);
    market.acceptedMs = nowMs;
    return true;
  }

  /** The median of the other venues' fresh accepted prices of the same kind for the symbol (NaN: none). */
  private peerMedian(market: Market, nowMs: number): number {
    const prices: number[] = [];
    for (const [venue, symbols] of this.markets[market.kind]) {
      const other = venue === market.venue ? undefined : symbols.get(market.symbol);
      if (other !== undefined && nowMs - other.acceptedMs <= this.peerMaxAgeMs) prices.push(other.band.reference);
    }
    if (prices.length === 0) return Number.NaN;
    prices.sort((a, b) => a - b);
    const mid = prices.length >> 1;
    return prices.length % 2 === 1 ? prices[mid]! : (prices[mid - 1]! + prices[mid]!) / 2;
  }

  private market(venue: string, symbol: string, kind: GuardedPrice): Market {
    const byVenue = this.markets[kind];
    let symbols = byVenue.get(venue);
    if (!symbols) byVenue.set(venue, (symbols = new Map()));
    let market = symbols.get(symbol);
    if (!market) symbols.set(symbol, (market = { venue, symbol, kind, band: new PriceBand(this.options), acceptedMs: Number.NEGATIVE_INFINITY }));
    return market;
  }
}
