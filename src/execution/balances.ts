/**
 * Account balances, fetched from every venue at start, after each fill and every `refreshMs`, fed
 * into the risk engine's `BalanceBook` and published as `BalanceChanged` to the strategies that
 * trade the venue.
 *
 * One fetch in flight per venue: a fill while one is in flight marks the venue dirty, and a
 * single new fetch follows when it returns (it may predate the fill, so strategies are sent only
 * the one that follows). A failed fetch is counted
 * and logged once per error text, and retried at the next refresh; the last good snapshot stays.
 */
import { message, type AssetBalance, type VenueBalanceStatus } from '../protocol/index.js';
import { monoNowNs } from '../base/clock.js';
import type { Logger } from '../base/log.js';
import { reservationKey, type AssetAmounts, type BalanceBook } from '../trading/risk/balance-book.js';
import { isOpen } from '../trading/orders/order-state.js';
import type { EventSink } from './events.js';
import type { LiveOrder, OrderStoreCounters } from './order-store.js';
import type { TradeVenue } from './venue-port.js';

export interface BalanceTrackerDeps {
  readonly venues: ReadonlyMap<string, TradeVenue>;
  readonly book: BalanceBook;
  readonly sink: EventSink;
  readonly nowMs: () => number;
  readonly track: (work: Promise<unknown>, what: string) => void;
  readonly counters: OrderStoreCounters;
  readonly log: Logger;
  readonly refreshMs: number;
  /** paper and replay: balances are the fill model's, not a venue's. */
  readonly simulated: boolean;
  /** The credential set (account) of a venue, for the message. */
  readonly accountOf: (venue: string) => string;
}

interface VenueState {
  inFlight: boolean;
  again: boolean;
  dueMs: number;
  fetchedMs: number | null;
  balances: AssetBalance[];
  fetches: number;
  failures: number;
  lastError: string | null;
}

const TERMINAL_OR_RESTING = (order: LiveOrder): boolean =>
  !isOpen(order.record.status) || ((order.spec.timeInForce === 'GTC' || order.spec.timeInForce === 'PO') && order.record.venueOrderId !== null);

export class BalanceTracker {
  private readonly states = new Map<string, VenueState>();
  /** Booked quantity per open order, to see a new fill. */
  private readonly cumQty = new Map<string, number>();

  constructor(private readonly deps: BalanceTrackerDeps) {
    for (const venue of deps.venues.keys()) {
      this.states.set(venue, { inFlight: false, again: false, dueMs: 0, fetchedMs: null, balances: [], fetches: 0, failures: 0, lastError: null });
    }
  }

  /** Every venue has answered its first fetch (or failed it): until then orders wait with `reconciling`. */
  ready(): boolean {
    for (const state of this.states.values()) if (state.fetches + state.failures === 0) return false;
    return true;
  }

  /** Fetches every venue whose refresh is due (all of them on the first call). */
  tick(nowMs: number): void {
    for (const [venue, state] of this.states) if (nowMs >= state.dueMs) this.refresh(venue);
  }

  /** Every order change: a new fill refreshes its venue; a final or resting order may release its reservation. */
  onOrderChanged(order: LiveOrder): void {
    const { clientOrderId, venue, strategyId, intentSeq, leg } = order.spec;
    const cumQty = order.record.cumQty;
    if (cumQty > (this.cumQty.get(clientOrderId) ?? 0)) this.refresh(venue);
    if (isOpen(order.record.status)) this.cumQty.set(clientOrderId, cumQty);
    else this.cumQty.delete(clientOrderId);
    this.deps.book.orderChanged(reservationKey(strategyId, intentSeq, leg), TERMINAL_OR_RESTING(order), this.deps.nowMs());
  }

  /** Fetches `venue`'s balances now, or right after the fetch in flight. */
  refresh(venue: string): void {
    const state = this.states.get(venue);
    const tradeVenue = this.deps.venues.get(venue);
    if (!state || !tradeVenue) return;
    if (state.inFlight) {
      state.again = true;
      return;
    }
    state.inFlight = true;
    state.again = false;
    const startedMs = this.deps.nowMs();
    state.dueMs = startedMs + this.deps.refreshMs;
    const work = tradeVenue
      .balances()
      .then((assets) => this.received(venue, state, assets, startedMs))
      .catch((error: unknown) => this.failed(venue, state, error))
      .finally(() => {
        state.inFlight = false;
        if (state.again) this.refresh(venue);
      });
    this.deps.track(work, 'balances');
  }

  status(): Record<string, VenueBalanceStatus> {
    const nowMs = this.deps.nowMs();
    const reserved = this.deps.book.reserved();
    const out: Record<string, VenueBalanceStatus> = {};
    for (const [venue, s] of this.states) {
      out[venue] = {
        account: this.deps.accountOf(venue),
        simulated: this.deps.simulated,
        fetchedMs: s.fetchedMs,
        ageMs: s.fetchedMs === null ? null : nowMs - s.fetchedMs,
        balances: s.balances,
        reserved: reserved[venue] ?? {},
        fetches: s.fetches,
        failures: s.failures,
        lastError: s.lastError,
      };
    }
    return out;
  }

  private received(venue: string, state: VenueState, assets: ReadonlyMap<string, AssetAmounts>, startedMs: number): void {
    this.deps.book.setSnapshot(venue, assets, startedMs);
    const balances = [...assets].map(([asset, a]): AssetBalance => ({ asset, free: a.free, used: a.used, total: a.total }));
    state.balances = balances;
    state.fetchedMs = this.deps.nowMs();
    state.fetches++;
    state.lastError = null;
    // A fill arrived while this was in flight: the snapshot may predate it. Risk takes it (its
    // reservations still cover the fill); strategies get the fetch that follows.
    if (state.again) return;
    this.deps.sink.toVenue(venue, message('BalanceChanged', { ts: monoNowNs(), venue, account: this.deps.accountOf(venue), balances, fetchedMs: state.fetchedMs, simulated: this.deps.simulated }));
  }

  private failed(venue: string, state: VenueState, error: unknown): void {
    state.failures++;
    this.deps.counters.count('balance_fetch_failed');
    const text = (error instanceof Error ? error.message : String(error)).slice(0, 300);
    if (text !== state.lastError) this.deps.log.warn({ venue, err: text }, 'balance fetch failed; keeping the last snapshot');
    state.lastError = text;
  }
}
