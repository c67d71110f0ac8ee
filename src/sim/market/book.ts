/**
 * One venue's order book for one symbol, with the venue-style update-id sequence.
 *
 * Every level change increments `updateId`; changes accumulate as pending until `flush()`
 * turns them into one diff event carrying the first and last update id it covers and the
 * last id of the previous event. That is exactly what the venues publish (binance `U`/`u`/`pu`,
 * bybit `u`/`seq`, okx `seqId`/`prevSeqId`), so a client that applies a REST snapshot with
 * `lastUpdateId = N` and then every event after N reproduces this book precisely. Anything that
 * changes the book (market model, fills) must go through `setLevel`, or a snapshot and the diff
 * stream would disagree.
 *
 * Sides are sorted arrays (bids descending, asks ascending) of at most a few dozen levels, so
 * binary search + splice is cheaper than a tree.
 */
import type { Level } from '../types.js';

export type Side = 'bid' | 'ask';

/** A diff event: the final quantity of each level changed since the previous event (0 = removed). */
export interface DepthUpdate {
  readonly firstUpdateId: number;
  readonly lastUpdateId: number;
  /** `lastUpdateId` of the previous event (what continuity checks compare against). */
  readonly previousUpdateId: number;
  /**
   * Event number, consecutive per book (bybit's per-message `u`): a swallowed event leaves a
   * gap here even though update ids never promise consecutiveness across events.
   */
  readonly sequence: number;
  readonly bids: readonly Level[];
  readonly asks: readonly Level[];
  readonly timeMs: number;
}

export interface BookSnapshot {
  readonly lastUpdateId: number;
  readonly bids: readonly Level[];
  readonly asks: readonly Level[];
}

/** Index of `ticks` in a sorted side, or the insertion point encoded as -(index + 1). */
function search(levels: Level[], ticks: number, descending: boolean): number {
  let low = 0;
  let high = levels.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const current = (levels[mid] as Level)[0];
    if (current === ticks) return mid;
    if (descending ? current > ticks : current < ticks) low = mid + 1;
    else high = mid - 1;
  }
  return -(low + 1);
}

export class OrderBookState {
  readonly bids: Level[] = [];
  readonly asks: Level[] = [];
  private pendingBids = new Map<number, number>();
  private pendingAsks = new Map<number, number>();
  private publishedId: number;
  /** Number of the last event `flush()` produced (0 before the first). */
  private flushedSequence = 0;

  constructor(
    /** The update id of the empty book (venues start anywhere; clients must not assume 0). */
    public updateId: number,
  ) {
    this.publishedId = updateId;
  }

  /** Sets (or with quantity 0 removes) one level. Returns false when nothing changed. */
  setLevel(side: Side, ticks: number, quantity: number): boolean {
    const levels = side === 'bid' ? this.bids : this.asks;
    const index = search(levels, ticks, side === 'bid');
    if (index >= 0) {
      const level = levels[index] as Level;
      if (quantity > 0 && level[1] === quantity) return false;
      if (quantity > 0) level[1] = quantity;
      else levels.splice(index, 1);
    } else {
      if (quantity <= 0) return false;
      levels.splice(-index - 1, 0, [ticks, quantity]);
    }
    this.updateId++;
    (side === 'bid' ? this.pendingBids : this.pendingAsks).set(ticks, quantity > 0 ? quantity : 0);
    return true;
  }

  quantityAt(side: Side, ticks: number): number {
    const levels = side === 'bid' ? this.bids : this.asks;
    const index = search(levels, ticks, side === 'bid');
    return index >= 0 ? (levels[index] as Level)[1] : 0;
  }

  bestBid(): Level | undefined {
    return this.bids[0];
  }

  bestAsk(): Level | undefined {
    return this.asks[0];
  }

  /** Mid in ticks, or undefined for a one-sided book. */
  midTicks(): number | undefined {
    const bid = this.bids[0];
    const ask = this.asks[0];
    return bid && ask ? (bid[0] + ask[0]) / 2 : undefined;
  }

  /** Copy of the top `limit` levels per side at the current update id. */
  snapshot(limit = Number.POSITIVE_INFINITY): BookSnapshot {
    const copy = (levels: Level[]): Level[] => levels.slice(0, limit).map(([ticks, quantity]) => [ticks, quantity]);
    return { lastUpdateId: this.updateId, bids: copy(this.bids), asks: copy(this.asks) };
  }

  /** Number of the last event flushed: a snapshot taken right after a flush continues from here. */
  get eventSequence(): number {
    return this.flushedSequence;
  }

  /** True when changes are waiting to be published. */
  hasPending(): boolean {
    return this.updateId !== this.publishedId;
  }

  /** Turns pending changes into one diff event (undefined when nothing changed). */
  flush(timeMs: number): DepthUpdate | undefined {
    if (!this.hasPending()) return undefined;
    const toLevels = (pending: Map<number, number>): Level[] => Array.from(pending, ([ticks, quantity]) => [ticks, quantity]);
    const update: DepthUpdate = {
      firstUpdateId: this.publishedId + 1,
      lastUpdateId: this.updateId,
      previousUpdateId: this.publishedId,
      sequence: ++this.flushedSequence,
      bids: toLevels(this.pendingBids),
      asks: toLevels(this.pendingAsks),
      timeMs,
    };
    this.publishedId = this.updateId;
    this.pendingBids = new Map();
    this.pendingAsks = new Map();
    return update;
  }
}
