/**
 * Replay's market rules: what the recording carries. A recording made with `--record` holds each
 * market's `MarketRules` as execution published them in the recorded run (version 2 recordings);
 * they reach the paper venue with the market data (`learn`), so the replay rounds, enforces
 * minimums and charges fees as that run did. A market the recording has no rules for (a version 1
 * recording, or frames before its rules arrived) trades on a fine grid with no minimums at the fee
 * table's rates, as replays did before rules were recorded.
 */
import type { MessageOf } from '../../protocol/index.js';
import type { FeeRates } from '../../trading/market/fees.js';
import type { MarketRules } from '../../trading/market/lot-size.js';
import type { MarketRulesSource } from './paper-venue.js';

const FINE_GRID: MarketRules = Object.freeze({ amountStep: 1e-8, priceTick: 1e-8, minQty: 0, minNotional: 0, contractSize: 1 });

export class RecordedMarketRules implements MarketRulesSource {
  private readonly recorded = new Map<string, MessageOf<'MarketRules'>>();

  constructor(private readonly venue: string) {}

  async connect(): Promise<void> {}

  rules(symbol: string): MarketRules {
    const r = this.recorded.get(symbol);
    return r ? { amountStep: r.amountStep, priceTick: r.priceTick, minQty: r.minQty, minNotional: r.minNotional, contractSize: r.contractSize } : FINE_GRID;
  }

  /** The recorded run's rates where that run had them from the venue; the rest is the table's. */
  feeRates(symbols: readonly string[]): ReadonlyMap<string, FeeRates> {
    const rates = new Map<string, FeeRates>();
    for (const symbol of symbols) {
      const r = this.recorded.get(symbol);
      if (r?.feeSource === 'venue') rates.set(symbol, { makerRateBps: r.makerRateBps, takerRateBps: r.takerRateBps });
    }
    return rates;
  }

  learn(message: MessageOf<'MarketRules'>): void {
    if (message.venue === this.venue) this.recorded.set(message.symbol, message);
  }
}
