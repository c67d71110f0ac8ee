/**
 * Tells strategies what execution's journal says they hold, so a restarted or reloaded strategy
 * rebuilds its carries instead of re-entering them (or closing one leg of one it no longer knows).
 *
 * A strategy asks with `SyncPositions` when it starts; until execution's start-up reconciliation
 * is done the request waits (positions may still move). Once it is done, every waiting strategy
 * and every strategy with a journaled position gets one `PositionsSynced` (the latter covers an
 * execution that restarted under strategies that did not). Afterwards a request is answered at once.
 */
import { message, type SyncedIntent, type SyncedPosition } from '../protocol/index.js';
import { monoNowNs } from '../base/clock.js';
import type { EventSink } from './events.js';
import type { OrderStore } from './order-store.js';

export class PositionSync {
  private ready = false;
  private readonly waiting = new Set<string>();

  constructor(
    private readonly ledger: OrderStore,
    private readonly sink: EventSink,
  ) {}

  /** A strategy's `SyncPositions`: answered now, or when reconciliation is done. */
  request(strategyId: string): void {
    if (this.ready) this.send(strategyId);
    else this.waiting.add(strategyId);
  }

  /** Reconciliation is done: answers the waiting strategies and pushes to every strategy holding a position. */
  reconciled(): void {
    this.ready = true;
    const targets = new Set(this.waiting);
    this.waiting.clear();
    for (const entry of this.ledger.positions.entries()) if (entry.position.qty !== 0) targets.add(entry.strategyId);
    for (const order of this.ledger.open()) targets.add(order.spec.strategyId);
    for (const strategyId of targets) this.send(strategyId);
  }

  private send(strategyId: string): void {
    const positions: SyncedPosition[] = [];
    for (const { strategyId: owner, venue, symbol, position } of this.ledger.positions.entries()) {
      if (owner !== strategyId || position.qty === 0) continue;
      const { qty, avgEntryPx, realizedPnl, fees, fundingPnl } = position;
      positions.push({ venue, symbol, qty, avgEntryPx, realizedPnl, fees, fundingPnl });
    }
    const intents = new Map<number, SyncedIntent>();
    for (const order of this.ledger.open()) {
      if (order.spec.strategyId !== strategyId) continue;
      const known = intents.get(order.spec.intentSeq);
      if (known) intents.set(order.spec.intentSeq, { ...known, openLegs: known.openLegs + 1 });
      else intents.set(order.spec.intentSeq, { intentSeq: order.spec.intentSeq, openLegs: 1, state: order.record.status });
    }
    this.sink.toStrategy(strategyId, message('PositionsSynced', { ts: monoNowNs(), strategyId, positions, intents: [...intents.values()] }));
  }
}
