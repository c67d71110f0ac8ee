/** What every part of the execution core shares (each part's deps extend it). */
import type { RiskEngine } from '../trading/risk/engine.js';
import type { TradeVenue } from './venue-port.js';
import type { OrderStoreCounters, OrderStore } from './order-store.js';

export interface CoreParts {
  readonly ledger: OrderStore;
  readonly venues: ReadonlyMap<string, TradeVenue>;
  readonly risk: RiskEngine;
  readonly nowMs: () => number;
  readonly counters: OrderStoreCounters;
  /** Resolves after `delayMs` on the actor's timers (virtual time in replay, not setTimeout). */
  readonly delay: (delayMs: number) => Promise<void>;
}
