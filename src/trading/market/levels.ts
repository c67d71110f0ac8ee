/**
 * Walking flattened book levels ([px0, sz0, px1, sz1, …], best first, as `BookLevels` carries
 * them). Shared by the slippage estimate (budget in notional) and the paper fill model (budget in
 * quantity, optionally bounded by a limit price), so both price depth the same way.
 */

export type Side = 'buy' | 'sell';

export interface LevelWalk {
  readonly filledQty: number;
  /** Σ px × qty over what was taken. */
  readonly costUsd: number;
  /** Price of the last level touched (NaN when nothing was taken). */
  readonly lastPx: number;
  /** Budget left over, in the budget's unit (qty or notional). */
  readonly remaining: number;
}

export type WalkBudget = { readonly qty: number; readonly limitPx?: number | null } | { readonly notional: number; readonly limitPx?: number | null };

/**
 * Consumes levels on behalf of a taker on `side` (a buy walks the asks) until the budget is spent,
 * the levels run out, or the next level is beyond `limitPx`.
 *
 * @example walkLevels([100, 1, 101, 2], 'buy', { qty: 2 }) // { filledQty: 2, costUsd: 201, lastPx: 101, remaining: 0 }
 */
export function walkLevels(levels: readonly number[], side: Side, budget: WalkBudget): LevelWalk {
  const byNotional = 'notional' in budget;
  let remaining = byNotional ? budget.notional : budget.qty;
  const limitPx = budget.limitPx ?? null;
  let filledQty = 0;
  let costUsd = 0;
  let lastPx = NaN;
  for (let i = 0; i + 1 < levels.length && remaining > 0; i += 2) {
    const px = levels[i] as number;
    const sz = levels[i + 1] as number;
    if (limitPx !== null && (side === 'buy' ? px > limitPx : px < limitPx)) break;
    if (!(px > 0 && sz > 0)) continue;
    const take = Math.min(sz, byNotional ? remaining / px : remaining);
    filledQty += take;
    costUsd += take * px;
    remaining = take === sz ? remaining - (byNotional ? take * px : take) : 0;
    lastPx = px;
  }
  return { filledQty, costUsd, lastPx, remaining };
}

/**
 * The price a taker pays for liquidity beyond the known depth: the last level it reached (or the
 * touch) moved `penaltyBps` against it. Depth past what the feed shows exists on a real venue,
 * but at a worse price than anything shown.
 *
 * @example beyondDepthPx({ filledQty: 1, costUsd: 100, lastPx: 100, remaining: 1 }, [100, 1], 'buy', 50) // 100.5
 */
export function beyondDepthPx(walk: LevelWalk, levels: readonly number[], side: Side, penaltyBps: number): number {
  const fromPx = walk.filledQty > 0 ? walk.lastPx : (levels[0] as number);
  return fromPx * (1 + (side === 'buy' ? 1 : -1) * penaltyBps * 1e-4);
}
