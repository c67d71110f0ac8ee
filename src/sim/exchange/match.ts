/**
 * Taking liquidity from a simulated book. Fills deplete the book's levels through `setLevel`,
 * so the next diff event tells every client the liquidity is gone, exactly as a real trade
 * would.
 */
import type { OrderBookState } from '../market/book.js';
import type { OrderSide } from './types.js';

export interface Execution {
  readonly priceTicks: number;
  readonly quantity: number;
}

/** Levels a taker on `side` trades against, best first. */
function opposite(book: OrderBookState, side: OrderSide): OrderBookState['asks'] {
  return side === 'buy' ? book.asks : book.bids;
}

/** True when a level at `levelTicks` is within a `side` order's limit. */
function withinLimit(side: OrderSide, levelTicks: number, limitTicks: number | undefined): boolean {
  if (limitTicks === undefined) return true;
  return side === 'buy' ? levelTicks <= limitTicks : levelTicks >= limitTicks;
}

/** Would a `side` order at `limitTicks` trade immediately? */
export function crosses(book: OrderBookState, side: OrderSide, limitTicks: number): boolean {
  const best = opposite(book, side)[0];
  return best !== undefined && withinLimit(side, best[0], limitTicks);
}

/** Base quantity available to a `side` taker up to its limit. */
export function availableQuantity(book: OrderBookState, side: OrderSide, limitTicks: number | undefined): number {
  let total = 0;
  for (const [ticks, quantity] of opposite(book, side)) {
    if (!withinLimit(side, ticks, limitTicks)) break;
    total += quantity;
  }
  return total;
}

/** Quote cost of taking `quantity` (undefined when the book cannot fill it). */
export function costOf(book: OrderBookState, side: OrderSide, quantity: number, tickSize: number): number | undefined {
  let left = quantity;
  let cost = 0;
  for (const [ticks, available] of opposite(book, side)) {
    const take = Math.min(left, available);
    cost += take * ticks * tickSize;
    left -= take;
    if (left <= 1e-12) return cost;
  }
  return undefined;
}

/** Base quantity a seller must deliver to raise `quote` from the bids (undefined when the book cannot). */
export function baseForQuote(book: OrderBookState, quote: number, tickSize: number): number | undefined {
  let left = quote;
  let base = 0;
  for (const [ticks, available] of book.bids) {
    const price = ticks * tickSize;
    const take = Math.min(available, left / price);
    base += take;
    left -= take * price;
    if (left <= 1e-9) return base;
  }
  return undefined;
}

export interface TakeLimits {
  readonly side: OrderSide;
  readonly limitTicks: number | undefined;
  /** Base quantity wanted (or undefined when sized by quote). */
  readonly quantity: number | undefined;
  /** Quote amount to spend (spot market orders sized in quote). */
  readonly quoteBudget: number | undefined;
  readonly tickSize: number;
  readonly stepSize: number;
}

function quantityForLevel(limits: TakeLimits, left: number, budget: number, ticks: number, available: number): number {
  if (limits.quantity !== undefined) return Math.min(left, available);
  // Quote-sized: as many whole steps as the budget buys at this level.
  const affordable = Math.floor(budget / (ticks * limits.tickSize) / limits.stepSize + 1e-9) * limits.stepSize;
  return Math.min(available, Number(affordable.toFixed(12)));
}

/** Takes liquidity level by level, depleting the book. Returns the executions, best price first. */
export function takeLiquidity(book: OrderBookState, limits: TakeLimits): Execution[] {
  const executions: Execution[] = [];
  const levels = opposite(book, limits.side);
  const bookSide = limits.side === 'buy' ? 'ask' : 'bid';
  let left = limits.quantity ?? Number.POSITIVE_INFINITY;
  let budget = limits.quoteBudget ?? Number.POSITIVE_INFINITY;
  while (left > 1e-12 && levels.length > 0) {
    const [ticks, available] = levels[0] as [number, number];
    if (!withinLimit(limits.side, ticks, limits.limitTicks)) break;
    const quantity = quantityForLevel(limits, left, budget, ticks, available);
    if (quantity <= 0) break;
    executions.push({ priceTicks: ticks, quantity });
    book.setLevel(bookSide, ticks, Number((available - quantity).toFixed(12)));
    left -= quantity;
    budget -= quantity * ticks * limits.tickSize;
  }
  return executions;
}
