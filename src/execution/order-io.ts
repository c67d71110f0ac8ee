/**
 * The requests execution makes about one order: send, cancel, look up. Each request is paced by
 * the venue's rate budget (shared with every other request on that account), marks the order
 * busy while outstanding (so a poll never races it), and turns the venue's answer into state
 * through the ledger.
 *
 * The crash-safety rule lives in `send`: the `sent` mark is journaled before the request leaves,
 * and a failure that may have reached the venue (`ambiguous`) moves the order to `unknown`, to be
 * resolved by lookup. Nothing here ever sends an order a second time. Every request waits for
 * the open commit group (commit-group.ts) to commit, and each venue answer is applied as a group
 * of its own: one commit per response, however many state changes it brings.
 */
import { monoNowNs } from '../base/clock.js';
import { isOpen, type OrderEvent } from '../trading/orders/order-state.js';
import { lookupEvents } from '../trading/orders/reconcile.js';
import type { FeeConverter } from '../trading/orders/venue-view.js';
import { VenueFailure, type OrderRef, type TradeVenue, type VenueOrderRequest } from './venue-port.js';
import type { CommitGroup } from './commit-group.js';
import type { OrderLatency } from './latency.js';
import type { LiveOrder } from './order-store.js';
import type { CoreParts } from './parts.js';
import type { CommandTiming, SendTiming } from './send-timing.js';

export interface OrderIoDeps extends CoreParts {
  readonly latency: OrderLatency;
  readonly group: CommitGroup;
  readonly convertFee: FeeConverter;
  readonly track: (work: Promise<unknown>, what: string) => void;
  readonly pollIntervalMs: number;
  readonly unknownGraceMs: number;
  /** A request on `venue` may or may not have taken effect (reconciliation looks at that venue next). */
  readonly onAmbiguous: (venue: string) => void;
}

function asFailure(error: unknown): VenueFailure {
  return error instanceof VenueFailure ? error : new VenueFailure('ambiguous', 'internal', error instanceof Error ? error.message : String(error), { cause: error });
}

export function orderRef(order: LiveOrder): OrderRef {
  return { clientOrderId: order.spec.clientOrderId, venueOrderId: order.record.venueOrderId, symbol: order.spec.symbol, bookedQty: order.record.cumQty };
}

function requestOf(order: LiveOrder): VenueOrderRequest {
  const { clientOrderId, venue, symbol, side, orderType, timeInForce, qty, limitPx, reduceOnly } = order.spec;
  return { clientOrderId, venue, symbol, side, orderType, timeInForce, qty, limitPx, reduceOnly };
}

export class OrderIo {
  /** Cancels asked for while another request was outstanding, issued once it completes. */
  private readonly deferredCancels = new Set<LiveOrder>();
  /** The command timing of orders a strategy's command created (corrections and restored orders have none). */
  private readonly timings = new WeakMap<LiveOrder, CommandTiming>();

  constructor(private readonly deps: OrderIoDeps) {}

  /**
   * Inside the journal transaction that creates `order`: an order that goes out at once
   * (`waitMs` 0) gets its `sent` mark in that same write, so the hot path pays one transaction.
   * Then, once the transaction has committed, `send(order, waitMs)`.
   */
  markSentIfImmediate(order: LiveOrder, waitMs: number, nowMs: number): void {
    if (waitMs === 0) this.deps.ledger.markSent(order, nowMs);
  }

  /** Measures `order`'s way to the wire as part of the command `timing` (call before `send`). */
  timeOrder(order: LiveOrder, timing: CommandTiming): void {
    this.timings.set(order, timing);
    timing.legs++;
    timing.legsOut++;
  }

  /** Sends a new order once its journal write has committed, or after the rate budget's wait (see `markSentIfImmediate`). */
  send(order: LiveOrder, waitMs: number): void {
    if (waitMs === 0) this.deps.group.afterCommit(() => this.submit(order));
    else this.submitAfter(order, waitMs);
  }

  /** Sends an order whose `sent` mark is already journaled. */
  private submit(order: LiveOrder): void {
    const { deps } = this;
    const submitNs = monoNowNs();
    const timing = this.timings.get(order);
    if (timing === undefined) deps.latency.tickToOrder.recordSince(order.intentTs, submitNs);
    order.busy = true;
    deps.track(this.finish(order, this.doSubmit(order, timing?.sendTiming() ?? null, submitNs)), 'submit');
  }

  /** Sends after the rate budget's wait; the order stays `new` (and cancelable) until then. */
  private submitAfter(order: LiveOrder, waitMs: number): void {
    order.busy = true;
    void this.deps.delay(waitMs).then(() =>
      this.deps.group.run(() => {
        order.busy = false;
        if (order.record.status !== 'new') return;
        if (order.cancelRequested) return void this.deps.ledger.apply(order, { type: 'canceled', reason: 'canceled before send' }, this.deps.nowMs());
        this.deps.ledger.markSent(order, this.deps.nowMs());
        this.send(order, 0);
      }),
    );
  }

  /** Cancels: locally while unsent, at the venue otherwise (after an outstanding request). */
  cancel(order: LiveOrder, reason: string): void {
    order.cancelRequested = true;
    if (!isOpen(order.record.status)) return;
    if (order.record.status === 'new') {
      if (!order.busy) this.deps.ledger.apply(order, { type: 'canceled', reason }, this.deps.nowMs());
      return;
    }
    if (order.busy) {
      this.deferredCancels.add(order);
      return;
    }
    this.paced(order, 'cancel', () => this.doCancel(order));
  }

  /**
   * Looks the order up now (after the rate budget's wait). Resolves once the answer is applied:
   * true when the venue answered (or another request already has the order), false when it failed.
   */
  lookup(order: LiveOrder): Promise<boolean> {
    if (order.busy) return Promise.resolve(true);
    let answered = false;
    return this.paced(order, 'lookup', async () => {
      answered = await this.doLookup(order);
    }).then(() => answered);
  }

  private paced(order: LiveOrder, what: string, request: () => Promise<void>): Promise<void> {
    order.busy = true;
    const waitMs = this.deps.risk.rateBudgets.reserve(order.spec.venue, this.deps.nowMs(), 1);
    const committed = new Promise<void>((resolve) => this.deps.group.afterCommit(resolve));
    const work = committed.then(() => (waitMs > 0 ? this.deps.delay(waitMs) : undefined)).then(request);
    const done = this.finish(order, work);
    this.deps.track(done, what);
    return done.catch(() => undefined);
  }

  private async finish(order: LiveOrder, work: Promise<void>): Promise<void> {
    try {
      await work;
    } finally {
      order.busy = false;
      if (this.deferredCancels.delete(order)) this.cancel(order, 'canceled');
    }
  }

  private venue(order: LiveOrder): TradeVenue {
    const venue = this.deps.venues.get(order.spec.venue);
    if (!venue) throw new Error(`no trade venue ${order.spec.venue}`);
    return venue;
  }

  private async doSubmit(order: LiveOrder, send: SendTiming | null, submitNs: number): Promise<void> {
    const { deps } = this;
    const { venue, strategyId } = order.spec;
    let failed = true;
    try {
      const view = await this.venue(order).submit(requestOf(order), send ?? undefined);
      failed = false;
      deps.risk.recordSuccess(venue, strategyId);
      order.nextLookupMs = deps.nowMs() + deps.pollIntervalMs;
      deps.group.run(() => deps.ledger.applyView(order, view, deps.nowMs()));
    } catch (error) {
      const failure = asFailure(error);
      deps.risk.recordFailure(venue, strategyId, deps.nowMs());
      deps.counters.count(`submit_${failure.kind}`);
      if (failure.kind === 'rejected' || failure.kind === 'rate_limited') {
        deps.group.run(() => deps.ledger.apply(order, { type: 'rejected', reason: failure.message }, deps.nowMs(), failure.code));
      } else {
        // It may have reached the venue: find out by lookup, never by sending again.
        deps.group.run(() => deps.ledger.apply(order, { type: 'lost' }, deps.nowMs()));
        order.nextLookupMs = deps.nowMs();
        deps.onAmbiguous(venue);
      }
    } finally {
      if (send !== null) this.recordSend(order, send, submitNs, failed);
    }
  }

  /**
   * The order's wire stages: build/sign and write where the adapter has a socket, tick-to-wire
   * (to its write; to the hand-over for an adapter without one, unless it failed), and, when the
   * command's last leg completes, how far apart its legs were written.
   */
  private recordSend(order: LiveOrder, send: SendTiming, submitNs: number, failed: boolean): void {
    if (!send.barrierDone) send.barrier?.withdraw();
    const timing = this.timings.get(order);
    if (timing === undefined) return;
    this.timings.delete(order);
    const { stages, tickToOrder } = this.deps.latency;
    const { path } = timing;
    const wireNs = send.wroteNs > 0 ? send.wroteNs : failed ? 0 : submitNs;
    if (wireNs > 0) {
      tickToOrder.recordSince(timing.ts, wireNs);
      if (timing.ts > 0) stages.record('tick_to_wire', path, wireNs - timing.ts);
    }
    if (send.wroteNs > 0) {
      stages.record('build_sign', path, send.builtNs - submitNs);
      stages.record('write', path, send.wroteNs - send.builtNs);
      timing.firstWriteNs = timing.firstWriteNs === 0 ? send.wroteNs : Math.min(timing.firstWriteNs, send.wroteNs);
      timing.lastWriteNs = Math.max(timing.lastWriteNs, send.wroteNs);
    }
    if (--timing.legsOut === 0 && timing.legs > 1 && timing.lastWriteNs > 0) stages.record('leg_spread', path, timing.lastWriteNs - timing.firstWriteNs);
  }

  private async doCancel(order: LiveOrder): Promise<void> {
    const { deps } = this;
    try {
      const view = await this.venue(order).cancel(orderRef(order));
      deps.group.run(() => deps.ledger.applyView(order, view, deps.nowMs()));
      // Some venues acknowledge a cancel without saying what became of the order (bybit): ask, do not cancel again.
      order.needsLookup = isOpen(order.record.status);
      order.nextLookupMs = deps.nowMs() + (isOpen(order.record.status) ? Math.min(deps.pollIntervalMs, 250) : deps.pollIntervalMs);
    } catch (error) {
      const failure = asFailure(error);
      deps.counters.count(`cancel_${failure.kind}`);
      // Not found (already done, or never arrived) or unclear: a lookup tells, not another cancel.
      if (failure.kind === 'ambiguous') deps.onAmbiguous(order.spec.venue);
      order.needsLookup = true;
      order.nextLookupMs = failure.kind === 'not_found' ? 0 : deps.nowMs() + deps.pollIntervalMs;
    }
  }

  private async doLookup(order: LiveOrder): Promise<boolean> {
    const { deps } = this;
    const venue = this.venue(order);
    try {
      const view = await venue.lookup(orderRef(order));
      const nowMs = deps.nowMs();
      order.needsLookup = false;
      deps.group.run(() => {
        if (view) deps.ledger.applyView(order, view, nowMs);
        else this.applyAll(order, lookupEvents(order.record, null, nowMs - (order.sentMs ?? order.spec.createdMs), venue.remembersOrders ? deps.unknownGraceMs : 0, deps.convertFee), nowMs);
      });
      order.nextLookupMs = nowMs + (order.record.status === 'unknown' ? Math.min(deps.pollIntervalMs, 1_000) : deps.pollIntervalMs);
      return true;
    } catch (error) {
      deps.counters.count(`lookup_${asFailure(error).kind}`);
      order.nextLookupMs = deps.nowMs() + deps.pollIntervalMs;
      return false;
    }
  }

  private applyAll(order: LiveOrder, events: readonly OrderEvent[], nowMs: number): void {
    for (const event of events) this.deps.ledger.apply(order, event, nowMs, event.type === 'not_found' ? 'not_found' : '');
  }
}
