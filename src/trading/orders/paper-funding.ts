/**
 * Perp funding settlement for the local fill model (paper and replay), so perps can be
 * paper-traded with their real cost of carry.
 *
 * Two sources, one ledger: a `FundingRate` with `settled: true` settles at once; a predicted rate
 * schedules a settlement at its `nextFundingTimeMs` (public feeds mostly publish predictions, so this
 * is what paper mode relies on). Both name the same settlement by the funding boundary nearest
 * to their time (`round(ts / interval)`), and each market settles each boundary at most once, so
 * a venue's settled message and our own scheduled settlement never double-count.
 */
import type { MessageOf } from '../../protocol/index.js';
import { MS_PER_HOUR } from '../market/funding.js';
import { marketKey } from '../market/symbols.js';

export interface FundingSettlement {
  readonly venue: string;
  readonly symbol: string;
  readonly rate: number;
  /** The boundary this settlement belongs to (ms). */
  readonly settlementMs: number;
}

interface Pending {
  readonly venue: string;
  readonly symbol: string;
  readonly rate: number;
  readonly intervalMs: number;
  readonly dueMs: number;
}

/**
 * @example
 * const ledger = new FundingLedger();
 * ledger.onFundingRate(predicted);   // schedules
 * ledger.due(nextFundingTimeMs);         // → [{ venue, symbol, rate, settlementMs }]
 */
export class FundingLedger {
  readonly #pending = new Map<string, Pending>();
  readonly #lastBoundary = new Map<string, number>();

  /** Returns the settlement a settled message causes now (or none); schedules a predicted one. */
  onFundingRate(message: MessageOf<'FundingRate'>): FundingSettlement[] {
    const intervalMs = message.intervalHours * MS_PER_HOUR;
    if (!(intervalMs > 0)) return [];
    const key = marketKey(message.venue, message.symbol);
    if (message.settled) return this.#settle(key, message.venue, message.symbol, message.rate, message.exchangeTimeMs, intervalMs);
    this.#pending.set(key, { venue: message.venue, symbol: message.symbol, rate: message.rate, intervalMs, dueMs: message.nextFundingTimeMs });
    return [];
  }

  /** Settlements whose time has come. */
  due(nowMs: number): FundingSettlement[] {
    const out: FundingSettlement[] = [];
    for (const [key, p] of this.#pending) {
      if (nowMs < p.dueMs) continue;
      this.#pending.delete(key);
      out.push(...this.#settle(key, p.venue, p.symbol, p.rate, p.dueMs, p.intervalMs));
    }
    return out;
  }

  #settle(key: string, venue: string, symbol: string, rate: number, atMs: number, intervalMs: number): FundingSettlement[] {
    // In ms, not in interval counts, so boundaries stay comparable when a venue changes the interval.
    const settlementMs = Math.round(atMs / intervalMs) * intervalMs;
    if (settlementMs <= (this.#lastBoundary.get(key) ?? -Infinity)) return [];
    this.#lastBoundary.set(key, settlementMs);
    return [{ venue, symbol, rate, settlementMs }];
  }
}
