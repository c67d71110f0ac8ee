/**
 * A venue simulated locally for `paper` and `replay` modes: the trading layer's `FillModel` fills
 * orders against the latest book from the feeds (with the venue's fees and a latency setting) and
 * settles perp funding from the funding feed. It answers through the same `TradeVenue` interface
 * as ccxt, so the execution core cannot tell the modes apart, except that this venue forgets its
 * orders when the process dies (`remembersOrders: false`): after a restart the journal is the
 * only truth, and orders that were in flight are resolved as never executed.
 *
 * Its account (`PaperAccount`) starts from the configured simulated balances and moves with its
 * own fills, fees and funding; `balances()` reports it like a venue would.
 *
 * Market rules come from a `MarketRulesSource`: in paper mode the ccxt markets loaded from the
 * public venue (or the simulator standing in for it), so execution rounds and enforces minimums
 * exactly as it would live, at the fee table's rates (a paper account has no tier at any venue);
 * in replay the rules and rates the recording carries (RecordedMarketRules). The fill model fills
 * by the same rules and rates.
 */
import type { MarketDataMessage, MessageOf } from '../../protocol/index.js';
import type { QuoteBook } from '../../trading/market/book.js';
import { FillModel, type FillModelEvent, type FillModelOptions } from '../../trading/orders/fill-model.js';
import { PaperAccount } from '../../trading/orders/paper-account.js';
import type { AssetAmounts } from '../../trading/risk/balance-book.js';
import { feeRates, type FeeRates, type FeeSchedule } from '../../trading/market/fees.js';
import type { MarketRules } from '../../trading/market/lot-size.js';
import type { VenueOrderView } from '../../trading/orders/venue-view.js';
import { VenueFailure, type OrderRef, type TradeVenue, type VenueFundingPayment, type VenueListener, type VenueOrderRequest, type VenuePosition, type VenueTrade } from '../../execution/venue-port.js';

/** Where a paper venue's market rules (and, in replay, the account's rates) come from. */
export interface MarketRulesSource {
  /** Loads the markets (paper: ccxt's loadMarkets against the public venue). */
  connect(): Promise<void>;
  rules(symbol: string): MarketRules | null;
  /** Rates the source knows for the account (a recording's); a symbol left out pays the fee table. */
  feeRates?(symbols: readonly string[]): ReadonlyMap<string, FeeRates>;
  /** A market's rules that came with the market data (replay). */
  learn?(message: MessageOf<'MarketRules'>): void;
}

/** Terminal views kept for lookups before the oldest are dropped. */
const MAX_VIEWS = 10_000;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface PaperView extends Mutable<Omit<VenueOrderView, 'trades'>> {
  symbol: string;
  trades: VenueTrade[];
}

export class PaperTradeVenue implements TradeVenue {
  readonly remembersOrders = false;
  private readonly model: FillModel;
  private readonly views = new Map<string, PaperView>();
  private readonly account: PaperAccount;
  private listener: VenueListener | undefined;

  /** `account`: the simulated starting balances (asset → amount) and the leverage its perp margin assumes. */
  constructor(
    readonly id: string,
    book: QuoteBook,
    options: Omit<FillModelOptions, 'rules' | 'fees'> & { readonly feeTable: FeeSchedule },
    private readonly now: () => number,
    private readonly markets: MarketRulesSource,
    account: { readonly startingBalances: Readonly<Record<string, number>>; readonly leverage: number },
  ) {
    // The fill model is this venue: it fills by the same market rules and rates execution publishes.
    const fees = (symbol: string): FeeRates => this.markets.feeRates?.([symbol]).get(symbol) ?? feeRates(options.feeTable, id, symbol);
    this.model = new FillModel(book, { latencyMs: options.latencyMs, beyondDepthPenaltyBps: options.beyondDepthPenaltyBps, fees, rules: (symbol) => this.markets.rules(symbol) });
    this.account = new PaperAccount(account.startingBalances, account.leverage);
  }

  async connect(): Promise<void> {
    await this.markets.connect();
  }

  rules(symbol: string): MarketRules | null {
    return this.markets.rules(symbol);
  }

  async tradingFees(symbols: readonly string[]): Promise<ReadonlyMap<string, FeeRates>> {
    return this.markets.feeRates?.(symbols) ?? new Map();
  }

  async submit(order: VenueOrderRequest): Promise<VenueOrderView> {
    this.model.submit(order, this.now());
    const view: PaperView = { venueOrderId: '', state: 'pending', filledQty: 0, trades: [], tradesComplete: true, reason: null, symbol: order.symbol };
    this.views.set(order.clientOrderId, view);
    this.prune();
    return { ...view, trades: [] };
  }

  async cancel(ref: OrderRef): Promise<VenueOrderView> {
    const view = this.views.get(ref.clientOrderId);
    if (!view) throw new VenueFailure('not_found', 'OrderNotFound', `${this.id}: no paper order ${ref.clientOrderId}`);
    this.model.cancel(ref.clientOrderId, this.now());
    return snapshot(view);
  }

  async lookup(ref: OrderRef): Promise<VenueOrderView | null> {
    const view = this.views.get(ref.clientOrderId);
    return view ? snapshot(view) : null;
  }

  async openOrders(_symbols: readonly string[]): Promise<{ clientOrderId: string; symbol: string; venueOrderId: string }[]> {
    return [...this.views].filter(([, v]) => v.state === 'open' || v.state === 'pending').map(([clientOrderId, v]) => ({ clientOrderId, symbol: v.symbol, venueOrderId: v.venueOrderId }));
  }

  async recentTrades(symbol: string, sinceMs: number): Promise<VenueTrade[]> {
    return [...this.views.values()].flatMap((v) => v.trades).filter((t) => t.symbol === symbol && t.timestampMs >= sinceMs);
  }

  async positions(_symbols: readonly string[]): Promise<VenuePosition[]> {
    return [];
  }

  async balances(): Promise<ReadonlyMap<string, AssetAmounts>> {
    return this.account.balances();
  }

  async fundingPayments(_sinceMs: number): Promise<VenueFundingPayment[]> {
    // Funding is settled by the fill model and pushed through the listener.
    return [];
  }

  setListener(listener: VenueListener): void {
    this.listener = listener;
  }

  onRecordedRules(message: MessageOf<'MarketRules'>): void {
    this.markets.learn?.(message);
  }

  onMarketData(message: MarketDataMessage): void {
    if (message.type === 'FundingRate' && message.venue === this.id) this.dispatch(this.model.onFundingRate(message));
  }

  advance(nowMs: number): void {
    this.dispatch(this.model.advance(nowMs));
  }

  async close(): Promise<void> {}

  private dispatch(events: readonly FillModelEvent[]): void {
    const changed = new Set<string>();
    for (const event of events) {
      if (event.type === 'funding') {
        this.account.applyFunding(event.symbol, event.rate, event.markPx);
        this.listener?.onFunding(event.venue, event.symbol, event.rate, event.markPx, event.settlementMs);
        continue;
      }
      const view = this.views.get(event.clientOrderId);
      if (!view) continue;
      apply(view, event, this.now());
      if (event.type === 'fill') this.account.applyFill(event.symbol, event.side, event.qty, event.px, event.fee, event.feeCurrency);
      changed.add(event.clientOrderId);
    }
    for (const clientOrderId of changed) this.listener?.onOrder(clientOrderId, snapshot(this.views.get(clientOrderId)!));
  }

  private prune(): void {
    if (this.views.size <= MAX_VIEWS) return;
    for (const [id, view] of this.views) {
      if (this.views.size <= MAX_VIEWS / 2) break;
      if (view.state !== 'open' && view.state !== 'pending') this.views.delete(id);
    }
  }
}

function apply(view: PaperView, event: Exclude<FillModelEvent, { type: 'funding' }>, nowMs: number): void {
  switch (event.type) {
    case 'accepted':
      view.venueOrderId = event.venueOrderId;
      if (view.state === 'pending') view.state = 'open';
      return;
    case 'fill':
      view.filledQty = event.cumQty;
      view.trades.push({ tradeId: event.tradeId, qty: event.qty, px: event.px, fee: event.fee, feeCurrency: event.feeCurrency, timestampMs: nowMs, symbol: event.symbol, venueOrderId: view.venueOrderId });
      if (event.remainingQty <= 0) view.state = 'filled';
      return;
    case 'canceled':
      view.state = 'canceled';
      view.reason = event.reason;
      return;
    case 'rejected':
      view.state = 'rejected';
      view.reason = `${event.code}: ${event.error}`;
      return;
  }
}

function snapshot(view: PaperView): VenueOrderView {
  return { venueOrderId: view.venueOrderId, state: view.state, filledQty: view.filledQty, trades: [...view.trades], tradesComplete: true, reason: view.reason };
}
