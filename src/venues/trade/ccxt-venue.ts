/**
 * A venue's trade side through the real ccxt client: create, cancel and look up orders by client
 * order id, list open orders and trades, read positions and funding payments. Used in `sim` (ccxt
 * redirected to the embedded simulator) and `live`.
 *
 * Venue quirks kept here, one place:
 * - ccxt's rate limiter is off: the risk engine's per-venue budget paces every request (orders,
 *   cancels and lookups share it), and ccxt's limiter is per instance anyway.
 * - binance spot answers a create with the fills (`newOrderRespType: FULL`, ccxt's default); the
 *   USDⓈ-M API answers without them and ccxt has no `fetchOrderTrades` there, so the order's trades
 *   are read with `fetchMyTrades(symbol, { orderId })`.
 * - binance spot answers a cancel with a *new* clientOrderId (the cancel's own); the view keeps ours.
 * - `reduceOnly` exists only for derivatives; spot venues refuse or ignore it, so it is not sent.
 * - Time in force is sent for limit orders only (binance refuses it on MARKET); post-only goes as
 *   ccxt's `postOnly` (LIMIT_MAKER on spot, GTX on futures).
 * - bybit: ccxt does not map `clientOrderId` in lookups and cancels, so ours goes as `orderLinkId`,
 *   and its fetchOrder wants `acknowledged: true` (it only sees the last 500 orders, which is
 *   what a lookup after a crash needs).
 * - bybit funding history: ccxt returns bybit's `execFee` as the amount, which is what the position
 *   *paid* (negative when it received), while binance's and okx's amounts are what it received; the
 *   sign is flipped here so every venue reports received-positive (found by an end-to-end run in
 *   which a short on the high-funding venue showed a funding loss).
 * - Balances: ccxt's unified `fetchBalance` (binance spot `/api/v3/account`, USDⓈ-M
 *   `/fapi/v3/account`, bybit `/v5/account/wallet-balance`, okx `/api/v5/account/balance`); an
 *   asset ccxt lists with nothing in it is left out.
 * - Contract venues (okx swaps: 0.01 BTC per contract) trade in contracts; execution thinks in
 *   base units, so amounts are divided by `contractSize` going out and multiplied coming back.
 */
import type { Exchange, Order, Trade } from 'ccxt';
import type { MarketDataMessage, MessageOf } from '../../protocol/index.js';
import type { CcxtErrorClasses } from '../ccxt-loader.js';
import type { FeeRates } from '../../trading/market/fees.js';
import type { MarketRules } from '../../trading/market/lot-size.js';
import { BPS } from '../../trading/market/symbols.js';
import type { VenueOrderState, VenueOrderView, VenueTradeView } from '../../trading/orders/venue-view.js';
import type { AssetAmounts } from '../../trading/risk/balance-book.js';
import { classifyCcxtError } from './ccxt-errors.js';
import type { OrderRef, TradeVenue, VenueFundingPayment, VenueListener, VenueOrderRequest, VenuePosition, VenueTrade } from '../../execution/venue-port.js';
import type { SendTiming } from '../../execution/send-timing.js';
import { buildWithoutSending, stampRequests, withSendTiming } from './wire-stamps.js';

/** ccxt's precision modes (base/functions/number.js). */
const DECIMAL_PLACES = 2;
const EPSILON = 1e-9;

/** Venues whose API has no per-order trade endpoint in ccxt, and what to use instead. */
const TRADES_BY_ORDER_ID_PARAM: ReadonlySet<string> = new Set(['binanceusdm', 'binancecoinm']);
/** The parameter that carries our client order id in lookups and cancels where ccxt does not map `clientOrderId`. */
const CLIENT_ID_PARAM: Readonly<Record<string, string>> = { bybit: 'orderLinkId' };
/** Extra parameters a venue's fetchOrder needs. */
const FETCH_ORDER_PARAMS: Readonly<Record<string, Record<string, unknown>>> = { bybit: { acknowledged: true } };
/** Venues whose ccxt funding history reports what was paid rather than received. */
const FUNDING_AMOUNT_IS_PAID: ReadonlySet<string> = new Set(['bybit']);

const STATE: Readonly<Record<string, VenueOrderState>> = { open: 'open', closed: 'filled', canceled: 'canceled', expired: 'canceled', rejected: 'rejected' };

function tradeView(trade: Trade, fallbackMs: number, contractSize: number): VenueTradeView {
  return {
    tradeId: String(trade.id),
    qty: (trade.amount ?? 0) * contractSize,
    px: trade.price ?? 0,
    fee: trade.fee?.cost ?? 0,
    feeCurrency: trade.fee?.currency ?? '',
    timestampMs: trade.timestamp ?? fallbackMs,
  };
}

function isPerp(symbol: string): boolean {
  return symbol.includes(':');
}

export class CcxtTradeVenue implements TradeVenue {
  readonly remembersOrders = true;

  constructor(
    readonly id: string,
    private readonly exchange: Exchange,
    private readonly errors: CcxtErrorClasses,
    private readonly now: () => number = Date.now,
  ) {
    stampRequests(exchange);
  }

  async connect(): Promise<void> {
    await this.call('loadMarkets', () => this.exchange.loadMarkets());
  }

  rules(symbol: string): MarketRules | null {
    const market = this.exchange.markets?.[symbol];
    if (!market) return null;
    const step = (value: number | undefined): number => {
      if (value === undefined) return 0;
      return this.exchange.precisionMode === DECIMAL_PLACES ? 10 ** -value : value;
    };
    const size = this.contractSize(symbol);
    const amountStep = step(market.precision.amount) * size;
    return { amountStep, priceTick: step(market.precision.price), minQty: (market.limits.amount?.min ?? amountStep / size) * size, minNotional: market.limits.cost?.min ?? 0, contractSize: size };
  }

  /** One fetchTradingFee per symbol (binance, binanceusdm, bybit and okx all have it; okx has no fetchTradingFees). */
  async tradingFees(symbols: readonly string[]): Promise<ReadonlyMap<string, FeeRates>> {
    const rates = new Map<string, FeeRates>();
    if (!this.exchange.has.fetchTradingFee) return rates;
    for (const symbol of symbols) {
      if (!this.exchange.markets?.[symbol]) continue;
      const fee = await this.call('fetchTradingFee', () => this.exchange.fetchTradingFee(symbol));
      // ccxt gives fractions (0.0005); 1e-6 bps keeps float noise out of the published figures.
      const bps = (rate: number): number => Number((rate / BPS).toFixed(6));
      if (Number.isFinite(fee.maker) && Number.isFinite(fee.taker)) rates.set(symbol, { makerRateBps: bps(fee.maker as number), takerRateBps: bps(fee.taker as number) });
    }
    return rates;
  }

  async submit(order: VenueOrderRequest, timing?: SendTiming): Promise<VenueOrderView> {
    const params: Record<string, unknown> = { clientOrderId: order.clientOrderId };
    if (order.orderType === 'limit') {
      if (order.timeInForce === 'PO') params.postOnly = true;
      else params.timeInForce = order.timeInForce;
    }
    if (order.reduceOnly && isPerp(order.symbol)) params.reduceOnly = true;
    const price = order.orderType === 'limit' ? (order.limitPx ?? undefined) : undefined;
    const amount = Number((order.qty / this.contractSize(order.symbol)).toPrecision(12));
    const placed = await withSendTiming(timing, () => this.call('createOrder', () => this.exchange.createOrder(order.symbol, order.orderType, order.side, amount, price, params)));
    return this.complete(placed, { clientOrderId: order.clientOrderId, venueOrderId: null, symbol: order.symbol, bookedQty: 0 });
  }

  /**
   * Opens `connections` keep-alive connections (that many concurrent public requests: ccxt's
   * HTTP client opens a socket per concurrent request and keeps idle ones), then builds and signs
   * an order request for `symbol` without sending it, so the first real order pays neither a TCP
   * connect nor ccxt's cold code. Returns what it did.
   */
  async warmUp(connections: number, symbol: string | undefined): Promise<{ connections: number; signed: boolean }> {
    let opened = 0;
    if (connections > 0 && this.exchange.has.fetchTime) {
      const answers = await Promise.allSettled(Array.from({ length: connections }, () => this.exchange.fetchTime()));
      opened = answers.filter((a) => a.status === 'fulfilled').length;
    }
    const market = symbol === undefined ? undefined : this.exchange.markets?.[symbol];
    if (market === undefined) return { connections: opened, signed: false };
    const amount = market.limits.amount?.min ?? 1;
    const price = market.limits.price?.min ?? 1;
    const signed = await buildWithoutSending(() => this.exchange.createOrder(market.symbol, 'limit', 'buy', amount, price, { clientOrderId: 'warmup', timeInForce: 'IOC' }));
    return { connections: opened, signed };
  }

  async cancel(ref: OrderRef): Promise<VenueOrderView> {
    const canceled = await this.call('cancelOrder', () => this.exchange.cancelOrder(ref.venueOrderId ?? '', ref.symbol, this.refParams(ref, {})));
    return this.complete(canceled, ref);
  }

  async lookup(ref: OrderRef): Promise<VenueOrderView | null> {
    let order: Order;
    try {
      order = await this.call('fetchOrder', () => this.exchange.fetchOrder(ref.venueOrderId ?? '', ref.symbol, this.refParams(ref, FETCH_ORDER_PARAMS[this.id] ?? {})));
    } catch (error) {
      if ((error as { kind?: string }).kind === 'not_found') return null;
      throw error;
    }
    return this.complete(order, ref);
  }

  async openOrders(symbols: readonly string[]): Promise<{ clientOrderId: string; symbol: string; venueOrderId: string }[]> {
    const out: { clientOrderId: string; symbol: string; venueOrderId: string }[] = [];
    for (const symbol of symbols) {
      const orders = await this.call('fetchOpenOrders', () => this.exchange.fetchOpenOrders(symbol));
      for (const o of orders) if (o.clientOrderId) out.push({ clientOrderId: o.clientOrderId, symbol, venueOrderId: String(o.id) });
    }
    return out;
  }

  async recentTrades(symbol: string, sinceMs: number): Promise<VenueTrade[]> {
    const trades = await this.call('fetchMyTrades', () => this.exchange.fetchMyTrades(symbol, sinceMs, 1000));
    const size = this.contractSize(symbol);
    return trades.map((t) => ({ ...tradeView(t, this.now(), size), symbol, venueOrderId: String(t.order ?? '') }));
  }

  async positions(symbols: readonly string[]): Promise<VenuePosition[]> {
    const perps = symbols.filter(isPerp);
    if (perps.length === 0 || !this.exchange.has.fetchPositions) return [];
    // Ask for every position and filter here: bybit refuses a list of more than one symbol,
    // and one request per symbol would spend the rate budget for nothing.
    const wanted = new Set(perps);
    const positions = (await this.call('fetchPositions', () => this.exchange.fetchPositions())).filter((p) => p.symbol !== undefined && wanted.has(p.symbol));
    return positions.map((p) => ({
      symbol: p.symbol ?? '',
      qty: (p.contracts ?? 0) * (p.contractSize ?? 1) * (p.side === 'short' ? -1 : 1),
    }));
  }

  async balances(): Promise<ReadonlyMap<string, AssetAmounts>> {
    const balance = await this.call('fetchBalance', () => this.exchange.fetchBalance());
    const free = balance.free as unknown as Record<string, number | undefined>;
    const used = balance.used as unknown as Record<string, number | undefined>;
    const total = balance.total as unknown as Record<string, number | undefined>;
    const out = new Map<string, AssetAmounts>();
    for (const asset of Object.keys(total ?? {})) {
      const amounts = { free: free?.[asset] ?? 0, used: used?.[asset] ?? 0, total: total[asset] ?? 0 };
      if (amounts.total !== 0 || amounts.free !== 0) out.set(asset, amounts);
    }
    return out;
  }

  async fundingPayments(sinceMs: number): Promise<VenueFundingPayment[]> {
    if (!this.exchange.has.fetchFundingHistory || !Object.values(this.exchange.markets ?? {}).some((m) => m?.swap)) return [];
    const history = await this.call('fetchFundingHistory', () => this.exchange.fetchFundingHistory(undefined, sinceMs));
    const sign = FUNDING_AMOUNT_IS_PAID.has(this.id) ? -1 : 1;
    return history.map((h) => ({ id: String(h.id ?? `${h.symbol}:${h.timestamp}`), symbol: h.symbol ?? '', amount: sign * (h.amount ?? 0), timestampMs: h.timestamp ?? 0 }));
  }

  setListener(_listener: VenueListener): void {
    // A ccxt venue pushes nothing: the core polls it.
  }

  onRecordedRules(_message: MessageOf<'MarketRules'>): void {
    // A live venue's rules come from its own markets, never from a recording.
  }

  onMarketData(_message: MarketDataMessage): void {}

  advance(_nowMs: number): void {}

  async close(): Promise<void> {
    await this.exchange.close?.().catch(() => undefined);
    (this.exchange.httpAgent as { destroy?: () => void } | undefined)?.destroy?.();
  }

  private refParams(ref: OrderRef, extra: Record<string, unknown>): Record<string, unknown> {
    return ref.venueOrderId ? extra : { ...extra, [CLIENT_ID_PARAM[this.id] ?? 'clientOrderId']: ref.clientOrderId };
  }

  /** Base units per contract (1 for spot and for venues that size perps in base units). */
  private contractSize(symbol: string): number {
    const market = this.exchange.markets?.[symbol];
    return market?.contract ? (market.contractSize ?? 1) : 1;
  }

  /** The view of `order`, with its trades fetched when the venue reported fills it did not list. */
  private async complete(order: Order, ref: OrderRef): Promise<VenueOrderView> {
    const fallbackMs = order.timestamp ?? this.now();
    const size = this.contractSize(ref.symbol);
    let trades = (order.trades ?? []).filter((t) => t.id !== undefined).map((t) => tradeView(t, fallbackMs, size));
    const filledQty = (order.filled ?? 0) * size;
    const listed = trades.reduce((sum, t) => sum + t.qty, 0);
    if (filledQty > listed + EPSILON && filledQty > ref.bookedQty + EPSILON) trades = await this.orderTrades(String(order.id), ref.symbol, fallbackMs, size);
    const covered = trades.reduce((sum, t) => sum + t.qty, 0) >= filledQty - EPSILON || filledQty <= ref.bookedQty + EPSILON;
    const state = STATE[order.status ?? 'open'] ?? 'open';
    const reason = order.status === 'expired' ? 'expired' : state === 'canceled' ? 'canceled' : state === 'rejected' ? 'rejected' : null;
    return { venueOrderId: String(order.id), state, filledQty, trades, tradesComplete: covered, reason };
  }

  private async orderTrades(venueOrderId: string, symbol: string, fallbackMs: number, size: number): Promise<VenueTradeView[]> {
    const trades = TRADES_BY_ORDER_ID_PARAM.has(this.id)
      ? await this.call('fetchMyTrades', () => this.exchange.fetchMyTrades(symbol, undefined, undefined, { orderId: venueOrderId }))
      : await this.call('fetchOrderTrades', () => this.exchange.fetchOrderTrades(venueOrderId, symbol));
    return trades.filter((t) => String(t.order ?? venueOrderId) === venueOrderId).map((t) => tradeView(t, fallbackMs, size));
  }

  private async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw classifyCcxtError(error, this.errors, `${this.id} ${what}`);
    }
  }
}
