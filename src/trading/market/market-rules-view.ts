/**
 * A strategy's one view of the markets' rules and fee rates, as execution publishes them
 * (`MarketRules` messages: once the venues are connected, and on every change). Strategies size
 * legs and price opportunities from it, never from config: until a market's rules have arrived,
 * `get` returns undefined and the strategy does not trade that market.
 *
 * @example
 * const view = new MarketRulesView();
 * view.apply(rulesMessage);                       // from execution
 * view.takerRateBps('okx', 'BTC/USDT:USDT');      // 5, or undefined before the rules arrived
 */
import type { FeeSource, MessageOf } from '../../protocol/index.js';
import type { MarketRules } from './lot-size.js';
import { marketKey } from './symbols.js';

/** One market's rules and the account's fee rates on it. */
export interface MarketRulesEntry extends MarketRules {
  readonly venue: string;
  readonly symbol: string;
  readonly makerRateBps: number;
  readonly takerRateBps: number;
  readonly feeSource: FeeSource;
}

export class MarketRulesView {
  private readonly entries = new Map<string, MarketRulesEntry>();

  constructor(entries: readonly MarketRulesEntry[] = []) {
    for (const entry of entries) this.entries.set(marketKey(entry.venue, entry.symbol), entry);
  }

  /** Takes a published message; the latest one for a market replaces the previous. */
  apply(message: MessageOf<'MarketRules'>): void {
    const { type: _type, ts: _ts, ...entry } = message;
    this.entries.set(marketKey(entry.venue, entry.symbol), Object.freeze(entry));
  }

  get(venue: string, symbol: string): MarketRulesEntry | undefined {
    return this.entries.get(marketKey(venue, symbol));
  }

  takerRateBps(venue: string, symbol: string): number | undefined {
    return this.get(venue, symbol)?.takerRateBps;
  }

  /** Plain data for a hot-reload snapshot. */
  snapshot(): MarketRulesEntry[] {
    return [...this.entries.values()].map((entry) => ({ ...entry }));
  }
}
