/** What every part of the execution core shares (each part's deps extend it). */
import type { RiskEngine } from '../../../trading/risk/engine.js';
import type { TradeVenue } from '../types.js';
import type { LedgerCounters, OrderLedger } from './ledger.js';

export interface CoreParts {
  readonly ledger: OrderLedger;
  readonly venues: ReadonlyMap<string, TradeVenue>;
  readonly risk: RiskEngine;
  readonly nowMs: () => number;
  readonly counters: LedgerCounters;
  /** Resolves after `delayMs` on the actor's timers (virtual time in replay, not setTimeout). */
  readonly delay: (delayMs: number) => Promise<void>;
}
