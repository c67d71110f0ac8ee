/**
 * Re-quotes a venue's book around a target mid: the "other market participants".
 *
 * The best bid/ask sit a half-spread from the mid; deeper levels sit on an absolute grid (every
 * multiple of a spacing fixed per book), so when the mid moves only the top levels and the
 * few grid levels entering or leaving the range change. Existing levels keep their size (including any depletion by fills) unless redrawn
 * with `refreshProbability`: books churn a little every tick instead of being rebuilt, which
 * keeps diff events small, as on a real venue. The book can never cross: bids are floored and
 * asks ceiled to the tick, with at least one tick between them.
 */
import type { Prng } from '../prng.js';
import type { InstrumentSpec, QuotingSpec } from '../types.js';
import type { OrderBookState, Side } from './book.js';

/** Rounds a size down to the step, never below one step. */
function roundToStep(quantity: number, stepSize: number): number {
  const steps = Math.max(1, Math.floor(quantity / stepSize + 1e-9));
  return Number((steps * stepSize).toFixed(12));
}

function drawSize(instrument: InstrumentSpec, depthIndex: number, prng: Prng): number {
  // Deeper levels hold more, with noise: roughly what real books look like near the top.
  const size = instrument.levelQty * (0.3 + 1.4 * prng.next()) * (1 + depthIndex * 0.15);
  return roundToStep(size, instrument.stepSize);
}

interface Grid {
  readonly bestBid: number;
  readonly bestAsk: number;
  readonly spacing: number;
}

/**
 * Level spacing in ticks, computed once per book from a reference price: if it followed the
 * live price, a small move across a rounding threshold would shift every level at once.
 */
export function spacingTicks(referencePrice: number, quoting: QuotingSpec, instrument: InstrumentSpec): number {
  return Math.max(1, Math.round((referencePrice * quoting.levelSpacingBps) / 1e4 / instrument.tickSize));
}

function gridFor(midPrice: number, quoting: QuotingSpec, instrument: InstrumentSpec, spacing: number): Grid {
  const tick = instrument.tickSize;
  const halfSpread = (midPrice * quoting.spreadBps) / 2 / 1e4;
  const bestBid = Math.floor((midPrice - halfSpread) / tick + 1e-9);
  const bestAsk = Math.max(bestBid + 1, Math.ceil((midPrice + halfSpread) / tick - 1e-9));
  return { bestBid, bestAsk, spacing };
}

/** Tick of the level at `depth`: the best price, then grid multiples beyond it. */
function levelTicks(side: Side, grid: Grid, depth: number): number {
  if (depth === 0) return side === 'bid' ? grid.bestBid : grid.bestAsk;
  if (side === 'bid') return (Math.ceil(grid.bestBid / grid.spacing) - depth) * grid.spacing;
  return (Math.floor(grid.bestAsk / grid.spacing) + depth) * grid.spacing;
}

function requoteSide(book: OrderBookState, side: Side, grid: Grid, quoting: QuotingSpec, instrument: InstrumentSpec, prng: Prng): void {
  const wanted = new Set<number>();
  for (let depth = 0; depth < quoting.levels; depth++) {
    const ticks = levelTicks(side, grid, depth);
    if (ticks <= 0) break;
    wanted.add(ticks);
    const current = book.quantityAt(side, ticks);
    if (current === 0 || prng.chance(quoting.refreshProbability)) book.setLevel(side, ticks, drawSize(instrument, depth, prng));
  }
  const levels = side === 'bid' ? book.bids : book.asks;
  // Collect first: setLevel splices the array we would be iterating.
  const stale = levels.filter(([ticks]) => !wanted.has(ticks)).map(([ticks]) => ticks);
  for (const ticks of stale) book.setLevel(side, ticks, 0);
}

/** Moves `book` to quote around `midPrice`. */
export function requote(
  book: OrderBookState,
  midPrice: number,
  quoting: QuotingSpec,
  instrument: InstrumentSpec,
  spacing: number,
  prng: Prng,
): void {
  if (!Number.isFinite(midPrice) || midPrice <= 0) return;
  const grid = gridFor(midPrice, quoting, instrument, spacing);
  // Remove what would cross first, so that no intermediate state is crossed either.
  while (book.bids[0] && book.bids[0][0] >= grid.bestAsk) book.setLevel('bid', book.bids[0][0], 0);
  while (book.asks[0] && book.asks[0][0] <= grid.bestBid) book.setLevel('ask', book.asks[0][0], 0);
  requoteSide(book, 'bid', grid, quoting, instrument, prng);
  requoteSide(book, 'ask', grid, quoting, instrument, prng);
}
