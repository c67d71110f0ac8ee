/**
 * The local fill model for `paper` and `replay` modes: orders fill against the latest book from
 * the feeds (levels when known, else the top), with the venue's fees and a latency setting, and
 * perp funding settles from the funding feed. Deterministic: the same submissions, book updates
 * and `advance(nowMs)` calls give the same events, ids included.
 *
 * Semantics (as the venues behave, simplified where no quote can tell us more):
 * - An order reaches the venue `latencyMs` after `submit`, and meets the book as of the first
 *   `advance()` at or after that time. Cancels travel with the same latency.
 * - market: takes the opposite side level by level; depth beyond what the feed shows is filled
 *   `beyondDepthPenaltyBps` past the last known level (the slippage estimate's rule), so a
 *   market order always completes. No fresh book: rejected.
 * - limit IOC: takes what is at or better than the limit, cancels the rest.
 * - limit FOK: fills completely from what is at or better than the limit, or cancels untouched.
 * - limit PO (post-only): rejected if it would take liquidity, else rests.
 * - limit GTC: takes what crosses, rests the remainder. A resting order fills, as maker at its own
 *   price, when a *new* quote crosses it, up to the size shown at or through its price.
 * - Paper fills do not deplete the displayed book: each order (and each new quote for a resting
 *   one) sees the full quote. With quotes only, queue position and hidden depth are unknowable.
 * - The venue's market rules apply as the venue applies them: an order off the lot step or under
 *   the minimum quantity or notional is rejected on arrival (execution denies these before sending,
 *   so this only catches what slipped past it), and every fill is a whole number of lot steps (a
 *   partial fill rounds down; what is left of an IOC is canceled, of a GTC stays resting).
 * - reduceOnly is not enforced here (the risk engine's REDUCING check uses positions).
 */
import type { Leg, MessageOf } from '../../protocol/index.js';
import type { QuoteBook } from '../market/book.js';
import { fillFee, type FeeRates, type Liquidity } from '../market/fees.js';
import { beyondDepthPx, walkLevels } from '../market/levels.js';
import { roundToStep, type MarketRules } from '../market/lot-size.js';
import { FundingLedger, type FundingSettlement } from './paper-funding.js';
import { symbolParts } from '../market/symbols.js';

export interface FillModelOptions {
  /** The account's rates on a market (the fee table in paper, the recorded rates in replay). */
  readonly fees: (symbol: string) => FeeRates;
  /** One-way latency to the simulated venue, for orders and cancels. */
  readonly latencyMs: number;
  /** See the module comment; default 25. */
  readonly beyondDepthPenaltyBps?: number;
  /** The market's rules at this venue (null: not listed, orders are rejected). */
  readonly rules: (symbol: string) => MarketRules | null;
}

export type PaperOrderRequest = Leg & { readonly clientOrderId: string };

export interface PaperOrder extends PaperOrderRequest {
  readonly venueOrderId: string;
  filledQty: number;
  status: 'pending' | 'resting' | 'done';
  readonly arriveMs: number;
  cancelAtMs: number | null;
  /** The book version a resting order last matched against. */
  seenVersion: number;
}

export type FillModelEvent =
  | { readonly type: 'accepted'; readonly clientOrderId: string; readonly venueOrderId: string }
  | {
      readonly type: 'fill';
      readonly clientOrderId: string;
      readonly venue: string;
      readonly symbol: string;
      readonly side: Leg['side'];
      readonly qty: number;
      readonly px: number;
      readonly fee: number;
      readonly feeCurrency: string;
      readonly liquidity: Liquidity;
      readonly tradeId: string;
      readonly cumQty: number;
      readonly remainingQty: number;
    }
  | { readonly type: 'canceled'; readonly clientOrderId: string; readonly reason: string; readonly cumQty: number }
  | { readonly type: 'rejected'; readonly clientOrderId: string; readonly code: string; readonly error: string }
  | { readonly type: 'funding'; readonly venue: string; readonly symbol: string; readonly rate: number; readonly markPx: number; readonly settlementMs: number };

const DONE = 1 - 1e-9;

/**
 * @example
 * const model = new FillModel(book, { fees: (symbol) => feeRates(DEFAULT_FEE_SCHEDULE, 'okx', symbol), latencyMs: 50, rules: () => ({ amountStep: 0.001, priceTick: 0.1, minQty: 0.001, minNotional: 5, contractSize: 1 }) });
 * model.submit({ clientOrderId, venue: 'okx', symbol: 'BTC/USDT', side: 'buy', orderType: 'market', timeInForce: 'IOC', qty: 1, limitPx: null, reduceOnly: false }, now);
 * model.advance(now + 50); // [{ type: 'accepted' … }, { type: 'fill' … }]
 */
export class FillModel {
  readonly #book: QuoteBook;
  readonly #options: FillModelOptions;
  readonly #penaltyBps: number;
  readonly #orders = new Map<string, PaperOrder>();
  readonly #funding = new FundingLedger();
  #unpricedFunding: FundingSettlement[] = [];
  #seq = 0;

  constructor(book: QuoteBook, options: FillModelOptions) {
    this.#book = book;
    this.#options = options;
    this.#penaltyBps = options.beyondDepthPenaltyBps ?? 25;
  }

  /** Queues an order; it reaches the venue after the latency. */
  submit(request: PaperOrderRequest, nowMs: number): void {
    this.#orders.set(request.clientOrderId, {
      ...request,
      venueOrderId: `paper-o-${++this.#seq}`,
      filledQty: 0,
      status: 'pending',
      arriveMs: nowMs + this.#options.latencyMs,
      cancelAtMs: null,
      seenVersion: 0,
    });
  }

  /** Requests a cancel; false when the order is unknown or already done. */
  cancel(clientOrderId: string, nowMs: number): boolean {
    const order = this.#orders.get(clientOrderId);
    if (!order || order.status === 'done') return false;
    order.cancelAtMs ??= nowMs + this.#options.latencyMs;
    return true;
  }

  /** Orders that are pending or resting, in submission order. */
  openOrders(): readonly PaperOrder[] {
    return [...this.#orders.values()];
  }

  /** Feeds a funding message: a settled rate settles now; a predicted one is scheduled. */
  onFundingRate(message: MessageOf<'FundingRate'>): FillModelEvent[] {
    return this.#priceFunding(this.#funding.onFundingRate(message));
  }

  /** Moves simulated time to `nowMs`: arrivals, cancels, resting orders against new quotes, due funding. */
  advance(nowMs: number): FillModelEvent[] {
    const events: FillModelEvent[] = [];
    for (const order of this.#orders.values()) {
      if (order.status === 'pending' && nowMs >= order.arriveMs) this.#arrive(order, events);
      if (order.status !== 'done' && order.cancelAtMs !== null && nowMs >= order.cancelAtMs) this.#finish(order, events, 'canceled');
      else if (order.status === 'resting') this.#matchResting(order, events);
      if (order.status === 'done') this.#orders.delete(order.clientOrderId);
    }
    events.push(...this.#priceFunding([...this.#unpricedFunding.splice(0), ...this.#funding.due(nowMs)]));
    return events;
  }

  #arrive(order: PaperOrder, events: FillModelEvent[]): void {
    const depth = this.#book.depth(order.venue, order.symbol, order.side);
    const touch = depth?.levels[0];
    const limitPx = order.orderType === 'market' ? null : order.limitPx;
    const crosses = touch !== undefined && (limitPx === null || (order.side === 'buy' ? touch <= limitPx : touch >= limitPx));
    if (order.orderType === 'market' && !depth) return this.#reject(order, events, 'no_book', `no fresh book for ${order.symbol} on ${order.venue}`);
    const broken = this.#brokenRule(order, limitPx ?? touch ?? null);
    if (broken) return this.#reject(order, events, broken.code, broken.error);
    if (order.timeInForce === 'PO' && crosses) return this.#reject(order, events, 'post_only_would_take', `post-only ${order.side} at ${limitPx} crosses ${touch}`);
    events.push({ type: 'accepted', clientOrderId: order.clientOrderId, venueOrderId: order.venueOrderId });
    const levels = depth?.levels ?? [];
    if (order.timeInForce === 'FOK' && walkLevels(levels, order.side, { qty: order.qty, limitPx }).filledQty < order.qty * DONE) {
      return this.#finish(order, events, 'fok_not_filled');
    }
    if (crosses) this.#take(order, levels, limitPx, events);
    if (order.filledQty >= order.qty * DONE) return this.#finish(order, events, null);
    if (order.orderType === 'market' || order.timeInForce === 'IOC' || order.timeInForce === 'FOK') return this.#finish(order, events, 'ioc_remainder');
    order.status = 'resting';
    order.seenVersion = this.#book.version(order.venue, order.symbol);
  }

  /** What the venue would reject the order for (`px`: its limit, or the touch for a market order), or null. */
  #brokenRule(order: PaperOrder, px: number | null): { code: string; error: string } | null {
    const rules = this.#options.rules(order.symbol);
    if (!rules) return { code: 'unknown_symbol', error: `${order.symbol} is not listed on ${order.venue}` };
    if (roundToStep(order.qty, rules.amountStep, 'down') !== order.qty) return { code: 'lot_size', error: `qty ${order.qty} is not a multiple of the lot step ${rules.amountStep}` };
    if (order.qty < rules.minQty) return { code: 'min_qty', error: `qty ${order.qty} is below the minimum ${rules.minQty}` };
    if (px !== null && order.qty * px < rules.minNotional) return { code: 'min_notional', error: `notional ${order.qty * px} is below the minimum ${rules.minNotional}` };
    return null;
  }

  /** `qty` as the venue fills it: whole lot steps, never more than asked. */
  #onStep(order: PaperOrder, qty: number): number {
    const step = this.#options.rules(order.symbol)?.amountStep ?? 0;
    return Math.min(roundToStep(qty, step, 'down'), order.qty - order.filledQty);
  }

  /** Taker fill against the levels; a market order also takes depth beyond them at the penalty. */
  #take(order: PaperOrder, levels: readonly number[], limitPx: number | null, events: FillModelEvent[]): void {
    const remaining = order.qty - order.filledQty;
    const walk = walkLevels(levels, order.side, { qty: remaining, limitPx });
    let walked = walk.filledQty;
    let costUsd = walk.costUsd;
    if (limitPx === null && walk.remaining > 0) {
      walked += walk.remaining;
      costUsd += walk.remaining * beyondDepthPx(walk, levels, order.side, this.#penaltyBps);
    }
    const qty = walked >= remaining * DONE ? remaining : this.#onStep(order, walked);
    if (qty > 0) this.#fill(order, qty, costUsd / walked, 'taker', events);
  }

  #matchResting(order: PaperOrder, events: FillModelEvent[]): void {
    const version = this.#book.version(order.venue, order.symbol);
    if (version === order.seenVersion) return;
    order.seenVersion = version;
    const depth = this.#book.depth(order.venue, order.symbol, order.side);
    if (!depth || order.limitPx === null) return;
    const remaining = order.qty - order.filledQty;
    const walk = walkLevels(depth.levels, order.side, { qty: remaining, limitPx: order.limitPx });
    const qty = walk.filledQty >= remaining * DONE ? remaining : this.#onStep(order, walk.filledQty);
    if (qty <= 0) return;
    this.#fill(order, qty, order.limitPx, 'maker', events);
    if (order.filledQty >= order.qty * DONE) this.#finish(order, events, null);
  }

  #fill(order: PaperOrder, qty: number, px: number, liquidity: Liquidity, events: FillModelEvent[]): void {
    order.filledQty += qty;
    const rates = this.#options.fees(order.symbol);
    const fee = fillFee(qty, px, liquidity === 'maker' ? rates.makerRateBps : rates.takerRateBps);
    events.push({
      type: 'fill',
      clientOrderId: order.clientOrderId,
      venue: order.venue,
      symbol: order.symbol,
      side: order.side,
      qty,
      px,
      fee,
      feeCurrency: symbolParts(order.symbol).quote,
      liquidity,
      tradeId: `paper-t-${++this.#seq}`,
      cumQty: order.filledQty,
      remainingQty: Math.max(0, order.qty - order.filledQty),
    });
  }

  /** Ends an order: filled (reason null) or canceled with a reason. */
  #finish(order: PaperOrder, events: FillModelEvent[], reason: string | null): void {
    order.status = 'done';
    if (reason !== null) events.push({ type: 'canceled', clientOrderId: order.clientOrderId, reason, cumQty: order.filledQty });
  }

  #reject(order: PaperOrder, events: FillModelEvent[], code: string, error: string): void {
    order.status = 'done';
    events.push({ type: 'rejected', clientOrderId: order.clientOrderId, code, error });
  }

  /** Attaches the venue's mark to settlements; those without any mark yet wait for one. */
  #priceFunding(settlements: readonly FundingSettlement[]): FillModelEvent[] {
    const events: FillModelEvent[] = [];
    for (const s of settlements) {
      const markPx = this.#book.lastMarkPx(s.venue, s.symbol);
      if (markPx === null) this.#unpricedFunding.push(s);
      else events.push({ type: 'funding', venue: s.venue, symbol: s.symbol, rate: s.rate, markPx, settlementMs: s.settlementMs });
    }
    return events;
  }
}
