/**
 * Trading costs in bps of notional, for edge estimates.
 *
 * A taker order pays, relative to the mid: the fee, half the spread (mid → touch), and the
 * slippage beyond the touch that its size walks into. A round trip (enter, then exit later)
 * pays that twice per leg. The exit is priced with today's spread and depth: the only estimate
 * there is, and arbitrage exits usually happen in similar markets.
 */
import type { QuoteBook } from './book.js';
import type { Side } from './levels.js';

/** What one leg costs to cross once. */
export interface LegCost {
  readonly takerRateBps: number;
  /** Full bid-ask spread in bps of mid; a crossing pays half of it. */
  readonly spreadBps: number;
  /** Expected slippage beyond the touch for the leg's size. */
  readonly slippageBps: number;
}

/**
 * Cost of crossing once (entry or exit) on one leg.
 *
 * @example oneWayCostBps({ takerRateBps: 5, spreadBps: 2, slippageBps: 1.5 }) // 7.5
 */
export function oneWayCostBps(leg: LegCost): number {
  return leg.takerRateBps + leg.spreadBps / 2 + leg.slippageBps;
}

/**
 * Cost of entering and later exiting every leg with taker orders, in bps of one leg's notional
 * (legs are matched in notional, so per-leg bps add up).
 *
 * @example roundTripCostBps([{ takerRateBps: 5, spreadBps: 2, slippageBps: 1 }, { takerRateBps: 5.5, spreadBps: 1, slippageBps: 0 }]) // 26
 */
export function roundTripCostBps(legs: readonly LegCost[]): number {
  let total = 0;
  for (const leg of legs) total += 2 * oneWayCostBps(leg);
  return total;
}

/**
 * A leg's cost read from the live book: the account's taker fee on the market (as execution
 * published it), the current spread, and the slippage for `notionalUsd` walking the book on
 * `side`. Null when the quote is absent or stale, so no edge is ever computed from a dead market.
 *
 * @example legCostFromBook(book, 5, 'okx', 'BTC/USDT:USDT', 'sell', 20_000)
 */
export function legCostFromBook(
  book: QuoteBook,
  takerRateBps: number,
  venue: string,
  symbol: string,
  side: Side,
  notionalUsd: number,
): LegCost | null {
  const spreadBps = book.spreadBps(venue, symbol);
  const slippage = book.estimateSlippage(venue, symbol, side, notionalUsd);
  if (spreadBps === null || slippage === null) return null;
  return { takerRateBps, spreadBps, slippageBps: slippage.slippageBps };
}
