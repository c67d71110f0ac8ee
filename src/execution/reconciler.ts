/**
 * Reconciliation after a start: the journal says what we believed, each venue says what happened.
 * Until every venue has answered, new orders are denied with `reconciling`.
 *
 * Per venue, in order:
 * 1. every journaled order that may be live was moved to `unknown` (or, never sent, canceled) by
 *    `prepare`; each is looked up by client order id and takes the venue's state and trades;
 * 2. open orders: one of ours (our id format) the journal does not know is an orphan, canceled;
 * 3. recent trades since the oldest order in memory: any trade of a known order that is not in
 *    the journal is booked (a fill the crash hid, on an order already marked done);
 * 4. positions (perps): the venue's net per symbol against the journal's; differences are
 *    reported in status and logged, not "fixed" (the journal cannot know whose they are).
 * A venue that fails is retried with backoff; the others proceed.
 */
import type { VenueReconcileStatus } from '../protocol/index.js';
import { describeError } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import { parseClientOrderId } from '../trading/orders/client-order-id.js';
import { restartEvent } from '../trading/orders/reconcile.js';
import type { FeeConverter } from '../trading/orders/venue-view.js';
import type { TradeVenue } from './venue-port.js';
import type { OrderIo } from './order-io.js';
import type { CoreParts } from './parts.js';

export interface ReconcilerDeps extends CoreParts {
  readonly io: OrderIo;
  readonly lookbackMs: number;
  readonly configuredSymbols: (venue: string) => readonly string[];
  readonly convertFee: FeeConverter;
  readonly log: Logger;
}

const EPSILON = 1e-9;

export class Reconciler {
  state: 'reconciling' | 'done' = 'reconciling';
  startedMs = 0;
  finishedMs: number | null = null;
  readonly venues: Record<string, VenueReconcileStatus> = {};
  private stopped = false;

  constructor(private readonly deps: ReconcilerDeps) {
    for (const venue of deps.venues.values()) {
      this.venues[venue.id] = { state: 'pending', attempts: 0, lookedUp: 0, orphansCanceled: 0, fillsRecovered: 0, positionMismatches: [], lastError: null };
    }
  }

  get reconciling(): boolean {
    return this.state === 'reconciling';
  }

  /** The restart rule for every journaled open order, before any venue is asked (see trading/reconcile.ts). */
  prepare(): void {
    const nowMs = this.deps.nowMs();
    this.startedMs = nowMs;
    for (const order of this.deps.ledger.open()) {
      const event = restartEvent(order.record);
      if (event) this.deps.ledger.apply(order, event, nowMs);
    }
  }

  async run(): Promise<void> {
    await Promise.all([...this.deps.venues.values()].map((venue) => this.retrying(venue)));
    if (this.stopped) return;
    this.state = 'done';
    this.finishedMs = this.deps.nowMs();
  }

  stop(): void {
    this.stopped = true;
  }

  private async retrying(venue: TradeVenue): Promise<void> {
    const status = this.venues[venue.id]!;
    while (!this.stopped) {
      status.attempts++;
      try {
        await this.reconcileVenue(venue, status);
        status.state = 'done';
        status.lastError = null;
        return;
      } catch (error) {
        status.state = 'retrying';
        status.lastError = describeError(error);
        this.deps.log.warn({ venue: venue.id, attempt: status.attempts, error: status.lastError }, 'reconciliation failed; retrying');
        await this.deps.delay(Math.min(30_000, 100 * 2 ** Math.min(status.attempts, 9)));
      }
    }
  }

  private async reconcileVenue(venue: TradeVenue, status: VenueReconcileStatus): Promise<void> {
    await venue.connect();
    for (const order of this.deps.ledger.open().filter((o) => o.spec.venue === venue.id && o.record.status !== 'new')) {
      if (!(await this.deps.io.lookup(order))) throw new Error(`lookup of ${order.spec.clientOrderId} failed`);
      status.lookedUp++;
    }
    const symbols = this.symbolsOf(venue.id);
    await this.pace(venue.id, symbols.length);
    await this.cancelOrphans(venue, symbols, status);
    await this.recoverFills(venue, symbols, status);
    await this.comparePositions(venue, symbols, status);
  }

  /** Reconciliation's requests draw on the account's rate budget like every other request. */
  private async pace(venue: string, requests: number): Promise<void> {
    if (requests === 0) return;
    const waitMs = this.deps.risk.rateBudgets.reserve(venue, this.deps.nowMs(), requests);
    if (waitMs > 0) await this.deps.delay(waitMs);
  }

  private symbolsOf(venue: string): string[] {
    const symbols = new Set(this.deps.configuredSymbols(venue));
    for (const order of this.deps.ledger.orders.values()) if (order.spec.venue === venue) symbols.add(order.spec.symbol);
    for (const entry of this.deps.ledger.positions.entries()) if (entry.venue === venue && entry.position.qty !== 0) symbols.add(entry.symbol);
    return [...symbols];
  }

  private async cancelOrphans(venue: TradeVenue, symbols: readonly string[], status: VenueReconcileStatus): Promise<void> {
    for (const open of await venue.openOrders(symbols)) {
      if (this.deps.ledger.get(open.clientOrderId) || parseClientOrderId(open.clientOrderId) === null) continue;
      // Ours by its id, unknown to the journal: nobody tracks it, so nobody may leave it working.
      await venue.cancel({ ...open, bookedQty: 0 }).catch((error: unknown) => this.deps.counters.reportError('orphan_cancel', error));
      status.orphansCanceled++;
      this.deps.log.warn({ venue: venue.id, clientOrderId: open.clientOrderId, symbol: open.symbol }, 'canceled an orphan order the journal does not know');
    }
  }

  private async recoverFills(venue: TradeVenue, symbols: readonly string[], status: VenueReconcileStatus): Promise<void> {
    const { ledger, convertFee } = this.deps;
    let sinceMs = this.deps.nowMs() - this.deps.lookbackMs;
    const mine = [...ledger.orders.values()].filter((o) => o.spec.venue === venue.id);
    if (mine.length > 0) sinceMs = Math.max(sinceMs, Math.min(...mine.map((o) => o.spec.createdMs)) - 60_000);
    await this.pace(venue.id, symbols.length);
    for (const symbol of symbols) {
      for (const trade of await venue.recentTrades(symbol, sinceMs)) {
        const order = ledger.byVenueOrder(venue.id, trade.venueOrderId);
        if (!order || order.record.tradeIds.includes(trade.tradeId)) continue;
        const fee = convertFee(trade.fee, trade.feeCurrency, symbol, trade.px) ?? 0;
        if (ledger.apply(order, { type: 'fill', tradeId: trade.tradeId, qty: trade.qty, px: trade.px, fee }, this.deps.nowMs(), '', trade)) status.fillsRecovered++;
      }
    }
  }

  private async comparePositions(venue: TradeVenue, symbols: readonly string[], status: VenueReconcileStatus): Promise<void> {
    const journalQty = new Map<string, number>();
    for (const entry of this.deps.ledger.positions.entries()) {
      if (entry.venue === venue.id) journalQty.set(entry.symbol, (journalQty.get(entry.symbol) ?? 0) + entry.position.qty);
    }
    status.positionMismatches = [];
    await this.pace(venue.id, symbols.some((s) => s.includes(':')) ? 1 : 0);
    for (const position of await venue.positions(symbols)) {
      const ours = journalQty.get(position.symbol) ?? 0;
      if (Math.abs(ours - position.qty) <= EPSILON * Math.max(1, Math.abs(ours))) continue;
      status.positionMismatches.push({ symbol: position.symbol, journalQty: ours, venueQty: position.qty });
      this.deps.log.warn({ venue: venue.id, symbol: position.symbol, journalQty: ours, venueQty: position.qty }, 'venue position differs from the journal');
    }
  }
}
