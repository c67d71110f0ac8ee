/**
 * What reconciliation found about positions, kept between passes: the current mismatches per
 * venue and symbol (both sides' figures), the positions adopted as external, and what a mismatch
 * past the tolerance does to the strategies that hold the position.
 *
 * A mismatch is never silent: a new one (or one whose figures changed) is counted per venue and
 * logged once; it stays listed in status until a pass finds both sides equal again (logged once
 * more). The difference (venue − journal) is adopted as an external position: it counts toward
 * every exposure cap under the strategy id `external`, which no strategy may use, so no strategy
 * trades it. Past `toleranceUsd` each strategy with a journaled position there moves to REDUCING
 * and is told so (a `TradingStateChanged` to that strategy only).
 */
import { message, type ExternalPositionStatus, type PositionMismatchStatus } from '../protocol/index.js';
import { monoNowNs } from '../base/clock.js';
import type { Logger } from '../base/log.js';
import { FLAT, type PositionEntry } from '../trading/market/positions.js';
import type { PositionDifference } from '../trading/orders/reconcile.js';
import type { PriceOf } from '../trading/risk/exposure.js';
import type { RiskEngine } from '../trading/risk/engine.js';
import type { EventSink } from './events.js';
import type { OrderStore } from './order-store.js';

/** The strategy id external positions are held under (reserved: no configured strategy may use it). */
export const EXTERNAL_STRATEGY_ID = 'external';

export interface PositionWatchDeps {
  readonly ledger: OrderStore;
  readonly risk: RiskEngine;
  readonly sink: EventSink;
  readonly priceOf: PriceOf;
  readonly toleranceUsd: number;
  readonly log: Logger;
  readonly nowMs: () => number;
}

type Mismatch = Omit<PositionMismatchStatus, 'differenceUsd'> & {
  /** The tolerance was checked (at a known price): once per change of figures, so an operator's resume sticks. */
  assessed: boolean;
};

const keyOf = (venue: string, symbol: string): string => `${venue}\u0000${symbol}`;

export class PositionWatch {
  private readonly current = new Map<string, Mismatch>();
  /** Mismatch events per venue since start (a new mismatch, or changed figures). */
  readonly events: Record<string, number> = {};

  constructor(private readonly deps: PositionWatchDeps) {}

  /** The journal's perp positions on `venue`, per symbol, summed over strategies. */
  journalQty(venue: string): Map<string, number> {
    const qty = new Map<string, number>();
    for (const entry of this.deps.ledger.positions.entries()) {
      if (entry.venue === venue && entry.symbol.includes(':') && entry.position.qty !== 0) qty.set(entry.symbol, (qty.get(entry.symbol) ?? 0) + entry.position.qty);
    }
    return qty;
  }

  /** One venue's comparison: `differences` replace the venue's mismatches on every symbol not in `skipped`. */
  update(venue: string, differences: readonly PositionDifference[], skipped: ReadonlySet<string>): void {
    const found = new Set(differences.map((d) => d.symbol));
    for (const [key, old] of this.current) {
      if (old.venue !== venue || found.has(old.symbol) || skipped.has(old.symbol)) continue;
      this.current.delete(key);
      this.deps.log.info({ venue, symbol: old.symbol }, 'venue position agrees with the journal again');
    }
    for (const difference of differences) this.record(venue, difference);
  }

  private record(venue: string, { symbol, journalQty, venueQty }: PositionDifference): void {
    const key = keyOf(venue, symbol);
    const old = this.current.get(key);
    if (old && old.journalQty === journalQty && old.venueQty === venueQty) return this.assess(old);
    const strategies = this.deps.ledger.positions
      .entries()
      .filter((e) => e.venue === venue && e.symbol === symbol && e.position.qty !== 0)
      .map((e) => e.strategyId);
    const mismatch: Mismatch = { venue, symbol, journalQty, venueQty, differenceQty: venueQty - journalQty, strategies, sinceMs: this.deps.nowMs(), assessed: false };
    this.current.set(key, mismatch);
    this.events[venue] = (this.events[venue] ?? 0) + 1;
    this.deps.log.warn({ venue, symbol, journalQty, venueQty, differenceUsd: this.differenceUsd(mismatch), strategies }, 'venue position differs from the journal; the difference is held as external');
    this.assess(mismatch);
  }

  /** Checks the tolerance once a price is known (a mismatch found without one is checked on a later pass). */
  private assess(mismatch: Mismatch): void {
    if (mismatch.assessed) return;
    const differenceUsd = this.differenceUsd(mismatch);
    if (differenceUsd === null) return;
    mismatch.assessed = true;
    if (differenceUsd > this.deps.toleranceUsd) this.reduce(mismatch, differenceUsd);
  }

  private reduce(mismatch: Mismatch, differenceUsd: number): void {
    const reason = `position mismatch on ${mismatch.venue} ${mismatch.symbol}: journal ${mismatch.journalQty}, venue ${mismatch.venueQty} (${differenceUsd.toFixed(2)} USD > mismatchToleranceUsd ${this.deps.toleranceUsd})`;
    for (const strategyId of mismatch.strategies) {
      if (!this.deps.risk.strategyStates.reduce(strategyId, reason)) continue;
      this.deps.log.warn({ strategyId, reason }, 'strategy moved to REDUCING');
      this.deps.sink.toStrategy(strategyId, message('TradingStateChanged', { ts: monoNowNs(), state: 'REDUCING', reason }));
    }
  }

  private differenceUsd(m: Pick<Mismatch, 'venue' | 'symbol' | 'differenceQty'>): number | null {
    const px = this.deps.priceOf(m.venue, m.symbol);
    return px === null ? null : Math.abs(m.differenceQty) * px;
  }

  /** The external positions as exposure sees them. */
  externalEntries(): PositionEntry[] {
    return [...this.current.values()].map((m) => ({ strategyId: EXTERNAL_STRATEGY_ID, venue: m.venue, symbol: m.symbol, position: { ...FLAT, qty: m.differenceQty } }));
  }

  mismatches(): PositionMismatchStatus[] {
    return [...this.current.values()].map(({ assessed: _assessed, ...m }) => ({ ...m, differenceUsd: this.differenceUsd(m) }));
  }

  external(): ExternalPositionStatus[] {
    return [...this.current.values()].map((m) => ({ venue: m.venue, symbol: m.symbol, qty: m.differenceQty, notionalUsd: this.differenceUsd(m) }));
  }
}
