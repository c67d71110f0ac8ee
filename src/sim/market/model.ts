/**
 * The market model: fair prices shared by all venues, and each venue's market quoting around
 * them. Scenarios steer it through price offsets (per venue, optionally per symbol) and funding
 * biases; it never knows which scenario is running.
 *
 * Determinism: with the same seed, the same venues and the same sequence of `step(dtMs)` calls,
 * every book, price and funding rate is identical (each component has its own PRNG stream).
 */
import type { SimClock } from '../clock.js';
import { Prng } from '../prng.js';
import type { InstrumentSpec, VenueSpec } from '../types.js';
import { DEFAULT_ASSETS, FairPrices, isStable, type AssetSpec } from './fair-price.js';
import { VenueMarket } from './venue-market.js';

export interface MarketModelOptions {
  readonly seed: number;
  readonly venues: readonly VenueSpec[];
  readonly clock: SimClock;
  readonly assets?: readonly AssetSpec[];
  /** Weight of the market-wide shock in each asset's moves (0 … 1). Default 0.8. */
  readonly correlation?: number;
}

/** Key of a price offset: one symbol on a venue, or `*` for all of the venue's symbols. */
function offsetKey(venueId: string, symbol: string): string {
  return `${venueId}|${symbol}`;
}

export class MarketModel {
  readonly fair: FairPrices;
  readonly venues = new Map<string, VenueMarket>();
  private readonly offsets = new Map<string, number>();

  constructor(options: MarketModelOptions) {
    const assets = options.assets ?? DEFAULT_ASSETS;
    this.fair = new FairPrices(assets, options.correlation ?? 0.8, Prng.derive(options.seed, 'fair-prices'));
    for (const venue of options.venues) this.venues.set(venue.id, new VenueMarket(venue, this.fair, options.clock, options.seed));
  }

  venue(venueId: string): VenueMarket | undefined {
    return this.venues.get(venueId);
  }

  /** Sets (0 clears) a scenario price offset in bps; `symbol` `*` applies to the whole venue. */
  setPriceOffset(venueId: string, symbol: string, bps: number): void {
    if (bps === 0) this.offsets.delete(offsetKey(venueId, symbol));
    else this.offsets.set(offsetKey(venueId, symbol), bps);
  }

  /**
   * The scenario offset of one instrument. A venue-wide offset moves the venue's prices in USD
   * terms, so it applies to pairs quoted in a stable asset only: moving both legs of ETH/BTC
   * by the same factor leaves the cross rate where it was, and so must the cross pair itself.
   */
  priceOffsetBps(venueId: string, spec: Pick<InstrumentSpec, 'symbol' | 'quote'>): number {
    const wide = isStable(spec.quote) ? (this.offsets.get(offsetKey(venueId, '*')) ?? 0) : 0;
    return wide + (this.offsets.get(offsetKey(venueId, spec.symbol)) ?? 0);
  }

  /** Biases the mean funding rate of a venue's perps (one symbol, or `*` for all). */
  setFundingBias(venueId: string, symbol: string, bias: number): void {
    const venue = this.venues.get(venueId);
    if (!venue) return;
    for (const market of venue.instruments.values()) {
      if (market.funding && (symbol === '*' || symbol === market.spec.symbol)) market.funding.meanBias = bias;
    }
  }

  /** Advances prices, noise and funding by `dtMs` of real time and re-quotes every book. */
  step(dtMs: number): void {
    this.fair.step(dtMs);
    for (const [venueId, venue] of this.venues) venue.step(dtMs, (spec) => this.priceOffsetBps(venueId, spec));
  }
}
