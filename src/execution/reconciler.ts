/**
 * Reconciliation: the journal says what we believed, each venue says what happened. It runs at
 * start (until every venue has answered, new orders are denied with `reconciling`), then every
 * `intervalMs`, and on the next tick after an ambiguous request (a timeout or 5xx that may or may
 * not have taken effect) for that venue.
 *
 * Per venue, in order:
 * 1. every journaled order that may be live was moved to `unknown` (or, never sent, canceled) by
 *    `prepare`; each is looked up by client order id and takes the venue's state and trades;
 * 2. open orders: one of ours (our id format) the journal does not know is an orphan, canceled;
 * 3. recent trades since the oldest order in memory: any trade of a known order that is not in
 *    the journal is booked (a fill the crash hid, on an order already marked done);
 * 4. positions (perps): the venue's net per symbol against the journal's, over every symbol
 *    either side holds (venues omit flat positions); differences go to the PositionWatch
 *    (reported, counted, adopted as external, REDUCING past the tolerance), never "fixed" (the
 *    journal cannot know whose they are). Symbols with an order in flight wait for the next pass.
 * At start a venue that fails is retried with backoff; the others proceed. Later passes skip
 * step 1 (polling resolves orders in `unknown`) and a failure waits for the next pass.
 */
import type { VenueReconcileStatus } from '../protocol/index.js';
import { describeError } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import { parseClientOrderId } from '../trading/orders/client-order-id.js';
import { positionDifferences, restartEvent } from '../trading/orders/reconcile.js';
import type { FeeConverter } from '../trading/orders/venue-view.js';
import type { TradeVenue } from './venue-port.js';
import type { OrderIo } from './order-io.js';
import type { CoreParts } from './parts.js';
import type { PositionWatch } from './position-watch.js';

export interface ReconcilerDeps extends CoreParts {
  readonly io: OrderIo;
  readonly lookbackMs: number;
  readonly configuredSymbols: (venue: string) => readonly string[];
  readonly convertFee: FeeConverter;
  readonly log: Logger;
  readonly watch: PositionWatch;
  /** Between passes after the start-up one. */
  readonly intervalMs: number;
  readonly track: (work: Promise<unknown>, what: string) => void;
}

/** Trades are read from a little before the previous pass began (venue and local clocks differ). */
const TRADE_OVERLAP_MS = 60_000;

export class Reconciler {
  state: 'reconciling' | 'done' = 'reconciling';
  startedMs = 0;
  finishedMs: number | null = null;
  readonly venues: Record<string, VenueReconcileStatus> = {};
  passes = 0;
  lastPassMs: number | null = null;
  private stopped = false;
  private passing = false;
  private nextPassMs = Infinity;
  /** Venues with an ambiguous request since their last pass. */
  private readonly soon = new Set<string>();
  private readonly tradesSinceMs = new Map<string, number>();

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
    this.passDone(this.finishedMs);
  }

  /** After an ambiguous request on `venue`: reconcile it on the next tick. */
  requestSoon(venue: string): void {
    this.soon.add(venue);
  }

  /** Called on the core's tick: starts a pass when one is due (or a venue asked for one). */
  tick(nowMs: number): void {
    if (this.reconciling || this.passing || this.stopped) return;
    const due = nowMs >= this.nextPassMs;
    const venues = [...this.deps.venues.values()].filter((venue) => due || this.soon.has(venue.id));
    if (venues.length === 0) return;
    this.soon.clear();
    this.passing = true;
    const pass = Promise.all(venues.map((venue) => this.periodic(venue, nowMs))).finally(() => {
      this.passing = false;
      this.passDone(this.deps.nowMs());
    });
    this.deps.track(pass, 'reconcile');
  }

  private passDone(nowMs: number): void {
    this.passes++;
    this.lastPassMs = nowMs;
    this.nextPassMs = nowMs + this.deps.intervalMs;
  }

  private async periodic(venue: TradeVenue, startedMs: number): Promise<void> {
    const status = this.venues[venue.id]!;
    try {
      const symbols = this.symbolsOf(venue.id);
      await this.pace(venue.id, symbols.length);
      await this.cancelOrphans(venue, symbols, status);
      await this.recoverFills(venue, symbols, status, this.tradesSinceMs.get(venue.id) ?? startedMs - this.deps.lookbackMs);
      await this.comparePositions(venue, symbols, status);
      this.tradesSinceMs.set(venue.id, startedMs - TRADE_OVERLAP_MS);
      status.lastError = null;
    } catch (error) {
      const described = describeError(error);
      if (status.lastError !== described) this.deps.log.warn({ venue: venue.id, error: described }, 'periodic reconciliation failed; next pass retries');
      status.lastError = described;
      this.deps.counters.reportError('reconcile', error);
    }
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
    const startedMs = this.deps.nowMs();
    const symbols = this.symbolsOf(venue.id);
    await this.pace(venue.id, symbols.length);
    await this.cancelOrphans(venue, symbols, status);
    await this.recoverFills(venue, symbols, status, this.startSinceMs(venue.id));
    await this.comparePositions(venue, symbols, status);
    this.tradesSinceMs.set(venue.id, startedMs - TRADE_OVERLAP_MS);
  }

  /** At start: the lookback, or from just before the oldest order in memory if that is later. */
  private startSinceMs(venue: string): number {
    const sinceMs = this.deps.nowMs() - this.deps.lookbackMs;
    const mine = [...this.deps.ledger.orders.values()].filter((o) => o.spec.venue === venue);
    return mine.length > 0 ? Math.max(sinceMs, Math.min(...mine.map((o) => o.spec.createdMs)) - TRADE_OVERLAP_MS) : sinceMs;
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

  private async recoverFills(venue: TradeVenue, symbols: readonly string[], status: VenueReconcileStatus, sinceMs: number): Promise<void> {
    const { ledger, convertFee } = this.deps;
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
    const perps = symbols.filter((s) => s.includes(':'));
    if (perps.length === 0) return;
    await this.pace(venue.id, 1);
    // Orders in flight: a fill the venue has and our answer has not brought yet is no mismatch.
    const inFlight = new Set(this.deps.ledger.open().filter((o) => o.spec.venue === venue.id && (o.busy || o.record.status === 'new' || o.record.status === 'sent' || o.record.status === 'unknown')).map((o) => o.spec.symbol));
    const venuePositions = (await venue.positions(perps)).filter((p) => p.symbol.includes(':'));
    const differences = positionDifferences(this.deps.watch.journalQty(venue.id), venuePositions, inFlight);
    this.deps.watch.update(venue.id, differences, inFlight);
    status.positionMismatches = this.deps.watch.mismatches().filter((m) => m.venue === venue.id).map(({ symbol, journalQty, venueQty }) => ({ symbol, journalQty, venueQty }));
  }
}
