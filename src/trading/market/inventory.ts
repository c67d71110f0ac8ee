/**
 * Spot inventory per (venue, asset) for the cross-venue spot-spread strategy.
 *
 * That strategy buys on the cheap venue and sells on the rich one, so base piles up where it
 * buys and quote where it sells. It can keep trading only while each venue still holds both, so
 * the measure of imbalance is per venue: the share of the venue's value held in base. When that
 * share drifts from the target by more than the threshold, a rebalance (a transfer, or trading
 * the other way) is needed; flagging it is ours, doing it is the strategy's.
 */
import type { Side } from '../../protocol/index.js';
import { BPS, symbolParts } from './symbols.js';

export interface InventoryImbalance {
  readonly baseQty: number;
  readonly quoteQty: number;
  /** Base value / (base value + quote), in [0, 1]; NaN when the venue holds nothing. */
  readonly baseShare: number;
  /** |baseShare − target|. */
  readonly deviation: number;
  readonly needsRebalance: boolean;
}

const keyOf = (venue: string, asset: string): string => `${venue}\u0000${asset}`;

/**
 * @example
 * const inv = new SpotInventory();
 * inv.set('binance', 'USDT', 10_000);
 * inv.applyFill('binance', 'BTC/USDT', { side: 'buy', qty: 0.1, px: 50_000, fee: 5, feeCurrency: 'USDT' });
 * inv.balance('binance', 'USDT'); // 4995
 */
export class SpotInventory {
  readonly #balances = new Map<string, number>();
  /** Venues whose balances came from the venue (`replaceVenue`): only there does the strategy sell. */
  readonly #known = new Set<string>();

  balance(venue: string, asset: string): number {
    return this.#balances.get(keyOf(venue, asset)) ?? 0;
  }

  set(venue: string, asset: string, amount: number): void {
    this.#balances.set(keyOf(venue, asset), amount);
  }

  /** The venue's balances as it reported them: every asset of `venue` not listed is 0. */
  replaceVenue(venue: string, balances: Iterable<readonly [asset: string, amount: number]>): void {
    for (const key of this.#balances.keys()) if (key.startsWith(`${venue}\u0000`)) this.#balances.set(key, 0);
    for (const [asset, amount] of balances) this.set(venue, asset, amount);
    this.#known.add(venue);
  }

  /** Whether `venue` has reported its balances yet. */
  known(venue: string): boolean {
    return this.#known.has(venue);
  }

  /** Moves balances for a spot fill; the fee is taken from whatever asset the venue charged it in. */
  applyFill(venue: string, symbol: string, fill: { side: Side; qty: number; px: number; fee: number; feeCurrency: string }): void {
    const { base, quote } = symbolParts(symbol);
    const sign = fill.side === 'buy' ? 1 : -1;
    this.#add(venue, base, sign * fill.qty);
    this.#add(venue, quote, -sign * fill.qty * fill.px);
    this.#add(venue, fill.feeCurrency, -fill.fee);
  }

  /**
   * Whether the venue holds enough to fill an order: base for a sell, quote (with the fee) for a buy.
   *
   * @example inv.canFill('okx', 'BTC/USDT', 'sell', 0.5, 60_000, 10)
   */
  canFill(venue: string, symbol: string, side: Side, qty: number, px: number, feeRateBps = 0): boolean {
    const { base, quote } = symbolParts(symbol);
    if (side === 'sell') return this.balance(venue, base) >= qty;
    return this.balance(venue, quote) >= qty * px * (1 + feeRateBps * BPS);
  }

  /**
   * The venue's base share against a target (default half), flagged when it deviates by more
   * than `threshold` (a fraction: 0.3 flags below 20 % or above 80 % base at the default target).
   *
   * @example inv.imbalance('binance', 'BTC/USDT', 50_000, 0.3).needsRebalance
   */
  imbalance(venue: string, symbol: string, px: number, threshold: number, targetBaseShare = 0.5): InventoryImbalance {
    const { base, quote } = symbolParts(symbol);
    const baseQty = this.balance(venue, base);
    const quoteQty = this.balance(venue, quote);
    const total = baseQty * px + quoteQty;
    const baseShare = total > 0 ? (baseQty * px) / total : NaN;
    const deviation = Number.isNaN(baseShare) ? 1 : Math.abs(baseShare - targetBaseShare);
    return { baseQty, quoteQty, baseShare, deviation, needsRebalance: deviation > threshold };
  }

  /** Plain data for a snapshot: [venue, asset, amount] triples. */
  snapshot(): [string, string, number][] {
    return [...this.#balances.entries()].map(([key, amount]) => {
      const [venue, asset] = key.split('\u0000') as [string, string];
      return [venue, asset, amount];
    });
  }

  /** The venues `known` is true for, for a snapshot. */
  knownVenues(): string[] {
    return [...this.#known];
  }

  static restore(rows: readonly (readonly [string, string, number])[], knownVenues: readonly string[] = []): SpotInventory {
    const inv = new SpotInventory();
    for (const [venue, asset, amount] of rows) inv.set(venue, asset, amount);
    for (const venue of knownVenues) inv.#known.add(venue);
    return inv;
  }

  #add(venue: string, asset: string, amount: number): void {
    this.#balances.set(keyOf(venue, asset), this.balance(venue, asset) + amount);
  }
}
