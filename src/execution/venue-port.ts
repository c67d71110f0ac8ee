/**
 * The trade side of a venue, as the execution core sees it. Two implementations: `CcxtTradeVenue`
 * (sim and live: the real ccxt client against the simulator or the exchange) and
 * `PaperTradeVenue` (paper and replay: the local fill model against the feeds' books).
 *
 * Every answer about an order is a `VenueOrderView` (see trading/venue-view.ts). Failures are
 * `VenueFailure`s that say whether the order may have reached the venue (`ambiguous`) or certainly
 * did not (`rejected`): the core resolves the first by lookup and never resends.
 */
import type { Leg, MarketDataMessage, MessageOf } from '../protocol/index.js';
import type { FeeRates } from '../trading/market/fees.js';
import type { MarketRules } from '../trading/market/lot-size.js';
import type { AssetAmounts } from '../trading/risk/balance-book.js';
import type { VenueOrderView, VenueTradeView } from '../trading/orders/venue-view.js';
import type { SendTiming } from './send-timing.js';

/** An order as it goes to the venue: quantity and price already on the venue's steps. */
export interface VenueOrderRequest extends Leg {
  readonly clientOrderId: string;
}

export interface OrderRef {
  readonly clientOrderId: string;
  readonly venueOrderId: string | null;
  readonly symbol: string;
  /** Quantity already booked from this order's trades (lets an adapter skip a trade fetch). */
  readonly bookedQty: number;
}

export interface VenueTrade extends VenueTradeView {
  readonly symbol: string;
  readonly venueOrderId: string;
}

export interface VenuePosition {
  readonly symbol: string;
  /** Signed quantity (short < 0). */
  readonly qty: number;
}

/** A funding payment the venue made to or took from the account. */
export interface VenueFundingPayment {
  readonly id: string;
  readonly symbol: string;
  readonly amount: number;
  readonly timestampMs: number;
}

/** Pushed by venues that move on their own (the paper fill model); ccxt venues are polled. */
export interface VenueListener {
  onOrder(clientOrderId: string, view: VenueOrderView): void;
  onFunding(venue: string, symbol: string, rate: number, markPx: number, settlementMs: number): void;
}

export interface TradeVenue {
  readonly id: string;
  /** True when the venue may know orders we lost track of and must be looked up after a restart. */
  readonly remembersOrders: boolean;
  /** Loads markets (and anything else the first order needs). */
  connect(): Promise<void>;
  /** The market's steps and minimums (from the venue's loaded markets); null when the venue does not list the symbol. */
  rules(symbol: string): MarketRules | null;
  /**
   * The account's maker/taker rates per symbol as the venue reports them; symbols the venue gives
   * no rate for are absent (the caller falls back to the fee table). Rejects when the venue fails.
   */
  tradingFees(symbols: readonly string[]): Promise<ReadonlyMap<string, FeeRates>>;
  /**
   * Sends a new order. `timing`, when given, is stamped with when the request was built and
   * signed and when it was written, and carries the barrier of a multi-leg command's legs: an
   * adapter with a socket waits there between signing and writing (see send-timing.ts) and
   * withdraws from it if it fails before its request exists.
   */
  submit(order: VenueOrderRequest, timing?: SendTiming): Promise<VenueOrderView>;
  /**
   * Optional, for venues behind a network: opens `connections` idle keep-alive connections and
   * builds and signs a request for `symbol` without sending anything, so the first real order
   * is as fast as later ones.
   */
  warmUp?(connections: number, symbol: string | undefined): Promise<{ connections: number; signed: boolean }>;
  /** Cancels; a `not_found` failure means the venue does not know the order. */
  cancel(ref: OrderRef): Promise<VenueOrderView>;
  /** The venue's view of an order by client order id, or null when it does not know it. */
  lookup(ref: OrderRef): Promise<VenueOrderView | null>;
  /** Client order ids of every open order on the listed symbols. */
  openOrders(symbols: readonly string[]): Promise<{ clientOrderId: string; symbol: string; venueOrderId: string }[]>;
  /** The account's trades on `symbol` since `sinceMs`. */
  recentTrades(symbol: string, sinceMs: number): Promise<VenueTrade[]>;
  /** Perp positions (empty for spot-only venues). */
  positions(symbols: readonly string[]): Promise<VenuePosition[]>;
  /** The account's balances per asset (assets it holds none of may be absent). */
  balances(): Promise<ReadonlyMap<string, AssetAmounts>>;
  /** Funding payments since `sinceMs` (empty where the venue pays none or the fill model settles). */
  fundingPayments(sinceMs: number): Promise<VenueFundingPayment[]>;
  setListener(listener: VenueListener): void;
  /** A market's rules that came with recorded market data (replay); a no-op for real venues. */
  onRecordedRules(message: MessageOf<'MarketRules'>): void;
  /** Market data for this venue (the paper fill model settles funding from it). */
  onMarketData(message: MarketDataMessage): void;
  /** Moves simulated time (paper); a no-op for real venues. */
  advance(nowMs: number): void;
  close(): Promise<void>;
}

export type VenueFailureKind = 'rejected' | 'ambiguous' | 'not_found' | 'rate_limited';

/**
 * A venue request that failed. `rejected` and `rate_limited`: the venue refused it (nothing
 * happened). `ambiguous`: a timeout, a dropped connection or a 5xx, after which the request may or
 * may not have taken effect. `not_found`: the venue does not know the order.
 */
export class VenueFailure extends Error {
  constructor(
    readonly kind: VenueFailureKind,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'VenueFailure';
  }
}
