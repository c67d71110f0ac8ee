/**
 * Market state of one venue: per instrument its book, its noise, its ticker statistics and (for
 * perps) its funding. The market model moves it; the matching engine and the venue protocol
 * read it.
 */
import type { SimClock } from '../clock.js';
import { Prng } from '../prng.js';
import type { InstrumentSpec, VenueSpec } from '../types.js';
import { OrderBookState } from './book.js';
import { requote, spacingTicks } from './book-maker.js';
import type { FairPrices } from './fair-price.js';
import { FundingState } from './funding.js';
import { TickerStats } from './ticker.js';

/** Perps trade at a premium that follows funding: basis (bps) per unit of funding rate (bps). */
const BASIS_PER_FUNDING = 3;
/** Mean reversion of a venue's price noise, per second. */
const NOISE_REVERSION_PER_SEC = 0.2;
/** Chance per tick of a background trade printing on the ticker. */
const BACKGROUND_TRADE_CHANCE = 0.3;

export interface InstrumentMarket {
  readonly spec: InstrumentSpec;
  readonly book: OrderBookState;
  readonly ticker: TickerStats;
  readonly funding: FundingState | undefined;
  readonly spacingTicks: number;
  /** Current noise of this venue's price for this instrument, in bps. */
  noiseBps: number;
  readonly prng: Prng;
}

export class VenueMarket {
  readonly instruments = new Map<string, InstrumentMarket>();

  constructor(
    readonly venue: VenueSpec,
    private readonly fair: FairPrices,
    clock: SimClock,
    seed: number,
  ) {
    for (const spec of venue.instruments) {
      const prng = Prng.derive(seed, `${venue.id}/${spec.symbol}`);
      const price = fair.pair(spec.base, spec.quote);
      if (price === undefined) throw new Error(`${venue.id} ${spec.symbol}: no fair price for ${spec.base}/${spec.quote}`);
      const funding =
        spec.kind === 'perp' && venue.funding
          ? new FundingState(spec.fundingIntervalHours ?? venue.funding.intervalHours, venue.funding, clock, prng.fork('funding'), price)
          : undefined;
      const book = new OrderBookState(1_000_000 + prng.int(9_000_000));
      const market: InstrumentMarket = {
        spec,
        book,
        ticker: new TickerStats(price, clock.nowMs(), 1 + prng.int(1_000_000)),
        funding,
        spacingTicks: spacingTicks(price, venue.quoting, spec),
        noiseBps: 0,
        prng,
      };
      this.instruments.set(spec.symbol, market);
      requote(book, price, venue.quoting, spec, market.spacingTicks, prng);
      book.flush(clock.nowMs()); // the initial book is the snapshot state, not an update
    }
  }

  get(symbol: string): InstrumentMarket | undefined {
    return this.instruments.get(symbol);
  }

  /** Index price: the fair spot price of the pair (what venues compute from spot markets). */
  indexPrice(symbol: string): number {
    const market = this.instruments.get(symbol);
    return market ? (this.fair.pair(market.spec.base, market.spec.quote) ?? 0) : 0;
  }

  /** Mark price: the venue's own mid, falling back to the index for an empty book. */
  markPrice(symbol: string): number {
    const market = this.instruments.get(symbol);
    if (!market) return 0;
    const mid = market.book.midTicks();
    return mid === undefined ? this.indexPrice(symbol) : mid * market.spec.tickSize;
  }

  /** Moves every instrument one step: noise, funding drift, re-quote around the new target. */
  step(dtMs: number, offsetBps: (spec: InstrumentSpec) => number): void {
    const dtSec = dtMs / 1000;
    for (const market of this.instruments.values()) {
      const { spec, prng } = market;
      const sigma = this.venue.quoting.noiseBps;
      market.noiseBps +=
        -NOISE_REVERSION_PER_SEC * market.noiseBps * dtSec + sigma * Math.sqrt(2 * NOISE_REVERSION_PER_SEC * dtSec) * prng.normal();
      market.funding?.step(dtMs);
      const basisBps = market.funding ? market.funding.rate * 1e4 * BASIS_PER_FUNDING : 0;
      const totalBps = this.venue.quoting.offsetBps + market.noiseBps + basisBps + offsetBps(spec);
      const fair = this.fair.pair(spec.base, spec.quote) ?? 0;
      requote(market.book, fair * (1 + totalBps / 1e4), this.venue.quoting, spec, market.spacingTicks, prng);
      if (prng.chance(BACKGROUND_TRADE_CHANCE)) this.backgroundTrade(market);
    }
  }

  private backgroundTrade(market: InstrumentMarket): void {
    const level = market.prng.chance(0.5) ? market.book.bestBid() : market.book.bestAsk();
    if (!level) return;
    const quantity = Math.max(market.spec.stepSize, market.spec.levelQty * 0.1 * market.prng.next());
    market.ticker.trade(level[0] * market.spec.tickSize, quantity);
  }
}
