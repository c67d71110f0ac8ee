/**
 * The matching engine of one venue: order entry, cancel, queries, resting-order fills when the
 * book moves through them, and funding settlements. Accounts are per API key.
 *
 * Order entry, in the order venues apply it: injected rejection, filters (tick, step, range,
 * notional), duplicate clientOrderId, post-only and FOK pre-checks, funds (spot balance or perp
 * margin), then execution: the marketable part takes liquidity at once (taker), the rest rests
 * (GTC / post-only) or expires (IOC, market). A resting order fills as maker at its own price
 * once the simulated book trades through it.
 */
import type { SimClock } from '../clock.js';
import type { FaultInjector } from '../faults.js';
import type { FundingSettlement } from '../market/funding.js';
import type { InstrumentMarket, VenueMarket } from '../market/venue-market.js';
import type { Truth } from '../truth.js';
import { instrumentOf, type AccountFeeTier, type FeeSpec, type InstrumentSpec, type VenueSpec } from '../types.js';
import { Account } from './account.js';
import { accountState, restoreAccount, type AccountState } from './account-state.js';
import { checkFunds, lockFor } from './funds.js';
import { availableQuantity, crosses, takeLiquidity, type Execution } from './match.js';
import { isOpen, remaining, type OrderRequest, type OrderResult, type PlaceResult, type Rejection, type SimFill, type SimOrder } from './types.js';
import { validateOrder } from './validate.js';

/** How a venue answers orders that cannot execute as asked. */
export interface MatchingRules {
  /** binance spot expires an unfillable FOK; binance futures rejects it (-5021). */
  readonly fokUnfillable: 'reject' | 'expire';
  /**
   * A post-only order that would take: binance refuses it (-2010, -5022); bybit and okx accept
   * it and cancel it at once (default `reject`).
   */
  readonly postOnlyWouldTake?: 'reject' | 'cancel';
}

/** What a venue's accounts and ids are, as plain data (saved in the world file, see ../world-state.ts). */
export interface ExchangeState {
  readonly nextOrderId: number;
  readonly nextTradeId: number;
  readonly accounts: readonly (readonly [apiKey: string, state: AccountState])[];
  readonly orders: readonly (readonly [owner: string, order: SimOrder])[];
}

const KEPT_CLOSED_ORDERS = 2_000;

/** An order reference: the venue's id or the client's id. */
export type OrderRef = { readonly orderId: number } | { readonly clientOrderId: string };

export class VenueExchange {
  private readonly accounts = new Map<string, Account>();
  private readonly orders = new Map<number, SimOrder>();
  private readonly owners = new Map<number, string>();
  private readonly resting = new Map<string, Set<SimOrder>>();
  private nextOrderId: number;
  private nextTradeId: number;
  /** Called after every change to accounts or orders (the world file is saved from it). */
  onChange: () => void = () => {};

  constructor(
    readonly venue: VenueSpec,
    private readonly market: VenueMarket,
    private readonly clock: SimClock,
    private readonly truth: Truth,
    private readonly faults: FaultInjector,
    private readonly rules: MatchingRules,
    seedOffset: number,
    private readonly feeTierOf: (apiKey: string) => AccountFeeTier | undefined = () => undefined,
  ) {
    this.nextOrderId = 1_000_000 + seedOffset;
    this.nextTradeId = 5_000_000 + seedOffset;
  }

  /** The account of `apiKey`, created with the venue's starting balances on first use. */
  account(apiKey: string): Account {
    let account = this.accounts.get(apiKey);
    if (!account) {
      account = new Account(this.venue.startingBalances, this.venue.defaultLeverage);
      this.accounts.set(apiKey, account);
    }
    return account;
  }

  accountIds(): string[] {
    return [...this.accounts.keys()];
  }

  /** What `apiKey` pays on `spec`: its own tier when the options give one, else the market's, else the venue's rates. */
  feeRates(apiKey: string, spec: InstrumentSpec): FeeSpec {
    return this.feeTierOf(apiKey)?.[spec.kind] ?? spec.fees ?? this.venue.fees;
  }

  instrument(symbol: string): InstrumentSpec | undefined {
    return instrumentOf(this.venue, symbol);
  }

  place(apiKey: string, request: OrderRequest): PlaceResult {
    const result = this.tryPlace(apiKey, request);
    this.truth.orders.push({
      venue: this.venue.id,
      accountId: apiKey,
      clientOrderId: request.clientOrderId,
      symbol: request.symbol,
      side: request.side,
      type: request.type,
      timeInForce: request.timeInForce,
      quantity: request.quantity,
      price: request.price,
      receivedMs: this.clock.nowMs(),
      ...(result.ok
        ? { outcome: 'accepted', orderId: result.order.orderId }
        : { outcome: 'rejected', reason: result.rejection.reason, detail: result.rejection.detail }),
    });
    if (result.ok) this.onChange();
    return result;
  }

  private tryPlace(apiKey: string, request: OrderRequest): PlaceResult {
    const market = this.market.get(request.symbol);
    if (!market) return fail('unknown_symbol', `unknown symbol ${request.symbol}`);
    const account = this.account(apiKey);
    const rejection = this.faults.takeOrderRejection(this.venue.id, request.clientOrderId) ?? this.preCheck(account, request, market);
    if (rejection) return { ok: false, rejection };
    const order = this.newOrder(request);
    this.orders.set(order.orderId, order);
    this.owners.set(order.orderId, apiKey);
    if (order.type === 'limit') order.locked = lockFor(account, market.spec, order);
    this.execute(account, market, order);
    return { ok: true, order };
  }

  private preCheck(account: Account, request: OrderRequest, market: InstrumentMarket): Rejection | undefined {
    const reference = this.market.markPrice(request.symbol);
    const invalid = validateOrder(request, market.spec, reference);
    if (invalid) return invalid;
    // An empty clientOrderId means "none" (bybit, okx): only real ids must be unique among open orders.
    if (request.clientOrderId !== '' && this.openByClientId(account, request.clientOrderId)) {
      return { reason: 'duplicate_client_order_id', detail: `an open order already has clientOrderId ${request.clientOrderId}` };
    }
    const limitTicks = request.price === undefined ? undefined : Math.round(request.price / market.spec.tickSize);
    const refusesTakingPostOnly = (this.rules.postOnlyWouldTake ?? 'reject') === 'reject';
    if (refusesTakingPostOnly && request.timeInForce === 'PO' && limitTicks !== undefined && crosses(market.book, request.side, limitTicks)) {
      return { reason: 'would_take', detail: 'post-only order would trade immediately' };
    }
    if (request.timeInForce === 'FOK' && this.rules.fokUnfillable === 'reject') {
      const available = availableQuantity(market.book, request.side, request.type === 'limit' ? limitTicks : undefined);
      if (available + 1e-12 < (request.quantity ?? 0)) return { reason: 'fok_unfillable', detail: 'FOK order cannot be filled in full' };
    }
    return checkFunds(account, market, request, this.openOrdersOf(account), this.market);
  }

  private newOrder(request: OrderRequest): SimOrder {
    const now = this.clock.nowMs();
    return {
      venue: this.venue.id,
      orderId: this.nextOrderId++,
      clientOrderId: request.clientOrderId,
      symbol: request.symbol,
      side: request.side,
      type: request.type,
      timeInForce: request.type === 'market' ? 'IOC' : request.timeInForce,
      price: request.type === 'limit' ? request.price : undefined,
      quantity: request.quantity ?? 0,
      quoteQuantity: request.quoteQuantity,
      reduceOnly: request.reduceOnly ?? false,
      filledQuantity: 0,
      filledQuote: 0,
      status: 'new',
      createdMs: now,
      updatedMs: now,
      fills: [],
      locked: 0,
    };
  }

  /** Runs the marketable part of a new order, then rests or expires the rest. */
  private execute(account: Account, market: InstrumentMarket, order: SimOrder): void {
    const { spec, book } = market;
    const limitTicks = order.price === undefined ? undefined : Math.round(order.price / spec.tickSize);
    const fokShort = order.timeInForce === 'FOK' && availableQuantity(book, order.side, limitTicks) + 1e-12 < order.quantity;
    if (order.timeInForce === 'PO' && limitTicks !== undefined && crosses(book, order.side, limitTicks)) {
      order.status = 'canceled'; // only reached under postOnlyWouldTake 'cancel'
      this.release(account, spec, order);
      return;
    }
    if (!fokShort && order.timeInForce !== 'PO') {
      const quoteSized = order.type === 'market' && order.quantity === 0;
      const executions = takeLiquidity(book, {
        side: order.side,
        limitTicks,
        quantity: quoteSized ? undefined : order.quantity,
        quoteBudget: quoteSized ? order.quoteQuantity : undefined,
        tickSize: spec.tickSize,
        stepSize: spec.stepSize,
      });
      if (quoteSized) order.quantity = executions.reduce((sum, e) => sum + e.quantity, 0);
      for (const execution of executions) this.fill(account, market, order, execution.priceTicks * spec.tickSize, execution.quantity, 'taker');
    }
    this.settleStatus(account, market, order);
  }

  private settleStatus(account: Account, market: InstrumentMarket, order: SimOrder): void {
    if (remaining(order) <= 1e-12 && order.quantity > 0) {
      order.status = 'filled';
      this.release(account, market.spec, order); // float leftovers of a limit buy's lock
      return;
    }
    if (order.type === 'limit' && (order.timeInForce === 'GTC' || order.timeInForce === 'PO')) {
      order.status = order.filledQuantity > 0 ? 'partially_filled' : 'new';
      let set = this.resting.get(order.symbol);
      if (!set) this.resting.set(order.symbol, (set = new Set()));
      set.add(order);
      return;
    }
    order.status = 'expired';
    this.release(account, market.spec, order);
  }

  private fill(account: Account, market: InstrumentMarket, order: SimOrder, price: number, quantity: number, liquidity: SimFill['liquidity']): void {
    const { spec } = market;
    const fees = this.feeRates(this.owners.get(order.orderId) as string, spec);
    const rate = liquidity === 'maker' ? fees.makerRate : fees.takerRate;
    const now = this.clock.nowMs();
    let fee: number;
    let feeAsset: string;
    let realizedPnl = 0;
    if (spec.kind === 'spot') {
      fee = order.side === 'buy' ? quantity * rate : price * quantity * rate;
      feeAsset = order.side === 'buy' ? spec.base : spec.quote;
      const fromLocked = order.locked > 0 ? Math.min(order.locked, order.side === 'buy' ? (order.price ?? price) * quantity : quantity) : 0;
      order.locked -= fromLocked;
      account.applySpotFill(spec, order.side, price, quantity, fee, fromLocked);
    } else {
      fee = price * quantity * rate;
      feeAsset = spec.settle ?? spec.quote;
      realizedPnl = account.applyPerpFill(spec, order.side, price, quantity, fee, now).realizedPnl;
    }
    const fill: SimFill = {
      venue: this.venue.id,
      tradeId: this.nextTradeId++,
      orderId: order.orderId,
      clientOrderId: order.clientOrderId,
      symbol: order.symbol,
      side: order.side,
      price,
      quantity,
      fee,
      feeAsset,
      liquidity,
      realizedPnl,
      timeMs: now,
    };
    order.fills.push(fill);
    order.filledQuantity = Number((order.filledQuantity + quantity).toFixed(12));
    order.filledQuote += price * quantity;
    order.updatedMs = now;
    market.ticker.trade(price, quantity);
    this.truth.fills.push(fill);
  }

  /** Returns what a finished order still had locked. */
  private release(account: Account, spec: InstrumentSpec, order: SimOrder): void {
    if (order.locked > 0) account.unlock(order.side === 'buy' ? spec.quote : spec.base, order.locked);
    order.locked = 0;
    this.resting.get(order.symbol)?.delete(order);
  }

  cancel(apiKey: string, symbol: string, ref: OrderRef): OrderResult {
    const order = this.find(apiKey, symbol, ref);
    if (!order || !isOpen(order)) return fail('unknown_order', 'order does not exist or is not open');
    const market = this.market.get(symbol) as InstrumentMarket;
    order.status = 'canceled';
    order.updatedMs = this.clock.nowMs();
    this.release(this.account(apiKey), market.spec, order);
    this.onChange();
    return { ok: true, order };
  }

  /** Finds an order of `apiKey` on `symbol`; by clientOrderId the most recent one wins. */
  find(apiKey: string, symbol: string, ref: OrderRef): SimOrder | undefined {
    if ('orderId' in ref) {
      const order = this.orders.get(ref.orderId);
      return order && order.symbol === symbol && this.owners.get(order.orderId) === apiKey ? order : undefined;
    }
    let found: SimOrder | undefined;
    for (const order of this.orders.values()) {
      if (order.clientOrderId === ref.clientOrderId && order.symbol === symbol && this.owners.get(order.orderId) === apiKey) found = order;
    }
    return found;
  }

  openOrders(apiKey: string, symbol?: string): SimOrder[] {
    const result: SimOrder[] = [];
    for (const [key, set] of this.resting) {
      if (symbol !== undefined && key !== symbol) continue;
      for (const order of set) if (this.owners.get(order.orderId) === apiKey) result.push(order);
    }
    return result.sort((a, b) => a.orderId - b.orderId);
  }

  private openOrdersOf(account: Account): SimOrder[] {
    const apiKey = [...this.accounts].find(([, value]) => value === account)?.[0];
    return apiKey === undefined ? [] : this.openOrders(apiKey);
  }

  private openByClientId(account: Account, clientOrderId: string): boolean {
    return this.openOrdersOf(account).some((order) => order.clientOrderId === clientOrderId);
  }

  /** Fills resting orders the book has moved through (maker fills at the order's price). */
  matchResting(symbol: string): void {
    const set = this.resting.get(symbol);
    const market = this.market.get(symbol);
    if (!set || set.size === 0 || !market) return;
    for (const order of [...set]) {
      const limitTicks = Math.round((order.price as number) / market.spec.tickSize);
      if (!crosses(market.book, order.side, limitTicks)) continue;
      const executions: Execution[] = takeLiquidity(market.book, {
        side: order.side,
        limitTicks,
        quantity: remaining(order),
        quoteBudget: undefined,
        tickSize: market.spec.tickSize,
        stepSize: market.spec.stepSize,
      });
      const account = this.account(this.owners.get(order.orderId) as string);
      for (const execution of executions) this.fill(account, market, order, order.price as number, execution.quantity, 'maker');
      if (remaining(order) <= 1e-12) {
        order.status = 'filled';
        this.release(account, market.spec, order);
      } else if (order.filledQuantity > 0) order.status = 'partially_filled';
      if (executions.length > 0) this.onChange();
    }
  }

  /** Pays or charges every open position on `symbol`: amount = −quantity × mark × rate. */
  settleFunding(symbol: string, settlement: FundingSettlement): void {
    const spec = this.instrument(symbol);
    if (!spec || spec.kind !== 'perp') return;
    for (const [apiKey, account] of this.accounts) {
      const position = account.positions.get(symbol);
      if (!position || position.quantity === 0) continue;
      const amount = -position.quantity * settlement.markPrice * settlement.rate;
      account.applyFunding(spec, settlement.rate, amount, settlement.fundingTimeMs);
      this.truth.funding.push({
        venue: this.venue.id,
        accountId: apiKey,
        symbol,
        rate: settlement.rate,
        markPrice: settlement.markPrice,
        positionQuantity: position.quantity,
        amount,
        fundingTimeMs: settlement.fundingTimeMs,
      });
      this.onChange();
    }
  }

  setLeverage(apiKey: string, symbol: string, leverage: number): void {
    this.account(apiKey).leverage.set(symbol, leverage);
    this.onChange();
  }

  /**
   * Every open order and the latest `KEPT_CLOSED_ORDERS` closed ones (lookups and trade history
   * reach back that far; the file stays bounded however long the world lives).
   */
  exportState(): ExchangeState {
    const all = [...this.orders.values()];
    let closed = all.filter((order) => !isOpen(order)).length;
    const kept = all.filter((order) => isOpen(order) || closed-- <= KEPT_CLOSED_ORDERS);
    return {
      nextOrderId: this.nextOrderId,
      nextTradeId: this.nextTradeId,
      accounts: [...this.accounts].map(([apiKey, account]) => [apiKey, accountState(account)] as const),
      orders: kept.map((order) => [this.owners.get(order.orderId) as string, order] as const),
    };
  }

  /** Replaces accounts, orders and id counters with a saved state (before any request is served). */
  importState(state: ExchangeState): void {
    this.nextOrderId = state.nextOrderId;
    this.nextTradeId = state.nextTradeId;
    this.accounts.clear();
    for (const [apiKey, saved] of state.accounts) restoreAccount(this.account(apiKey), saved);
    this.orders.clear();
    this.owners.clear();
    this.resting.clear();
    for (const [owner, order] of state.orders) {
      this.orders.set(order.orderId, order);
      this.owners.set(order.orderId, owner);
      if (isOpen(order) && order.type === 'limit' && (order.timeInForce === 'GTC' || order.timeInForce === 'PO')) {
        let set = this.resting.get(order.symbol);
        if (!set) this.resting.set(order.symbol, (set = new Set()));
        set.add(order);
      }
    }
  }

  /** Every order (for truth queries). */
  allOrders(): SimOrder[] {
    return [...this.orders.values()];
  }

  /** Orders of one account, oldest first, optionally for one symbol. */
  ordersOf(apiKey: string, symbol?: string): SimOrder[] {
    const result: SimOrder[] = [];
    for (const order of this.orders.values()) {
      if (this.owners.get(order.orderId) === apiKey && (symbol === undefined || order.symbol === symbol)) result.push(order);
    }
    return result;
  }
}

function fail(reason: Rejection['reason'], detail: string): { ok: false; rejection: Rejection } {
  return { ok: false, rejection: { reason, detail } };
}
