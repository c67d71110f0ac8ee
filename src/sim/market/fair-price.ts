/**
 * Fair prices per asset: correlated geometric Brownian motion. Each step mixes one market-wide
 * shock with an asset-specific one (`correlation` is the weight of the common shock), so BTC,
 * ETH and SOL move together the way they do, and every venue quoting the same pair agrees up
 * to its own offset and noise. A pair's fair price is the ratio of its assets' prices (the
 * quote asset USDT is 1), so ETH/BTC, ETH/USDT and BTC/USDT are consistent by construction:
 * triangular mispricing exists only when a scenario puts it there.
 */
import type { Prng } from '../prng.js';

export interface AssetSpec {
  readonly asset: string;
  readonly startPrice: number;
  /** Log-price standard deviation per √second. */
  readonly volatilityPerSqrtSec: number;
}

export const DEFAULT_ASSETS: readonly AssetSpec[] = [
  { asset: 'BTC', startPrice: 65_000, volatilityPerSqrtSec: 1.5e-4 },
  { asset: 'ETH', startPrice: 3_200, volatilityPerSqrtSec: 2e-4 },
  { asset: 'SOL', startPrice: 150, volatilityPerSqrtSec: 3e-4 },
];

/** Assets priced at 1 (the quote currencies). */
const STABLE = new Set(['USDT', 'USDC', 'USD']);

/** True for USD-like assets (USDT, USDC, USD). */
export function isStable(asset: string): boolean {
  return STABLE.has(asset);
}

export class FairPrices {
  private readonly prices = new Map<string, number>();

  constructor(
    private readonly assets: readonly AssetSpec[],
    private readonly correlation: number,
    private readonly prng: Prng,
  ) {
    for (const spec of assets) this.prices.set(spec.asset, spec.startPrice);
  }

  /** Advances every asset by `dtMs` of real time. */
  step(dtMs: number): void {
    const sqrtDt = Math.sqrt(dtMs / 1000);
    const common = this.prng.normal();
    const own = Math.sqrt(1 - this.correlation * this.correlation);
    for (const spec of this.assets) {
      const shock = this.correlation * common + own * this.prng.normal();
      const sigma = spec.volatilityPerSqrtSec * sqrtDt;
      const price = this.prices.get(spec.asset) as number;
      // Itô correction keeps the expected price flat rather than drifting up.
      this.prices.set(spec.asset, price * Math.exp(sigma * shock - (sigma * sigma) / 2));
    }
  }

  /** Fair price of one asset in USDT, or undefined for an unknown asset. */
  asset(asset: string): number | undefined {
    return STABLE.has(asset) ? 1 : this.prices.get(asset);
  }

  /** Fair price of base in quote units. */
  pair(base: string, quote: string): number | undefined {
    const basePrice = this.asset(base);
    const quotePrice = this.asset(quote);
    return basePrice === undefined || quotePrice === undefined ? undefined : basePrice / quotePrice;
  }

  knows(asset: string): boolean {
    return STABLE.has(asset) || this.prices.has(asset);
  }
}
