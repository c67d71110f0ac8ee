/**
 * Position and PnL accounting per (strategy, venue, symbol).
 *
 * A position is a signed quantity (short < 0) with the average entry price of what is open.
 * Fills that reduce it realize `closedQty × (px − avgEntry)` in the position's direction; a fill
 * larger than the position closes it and opens the rest on the other side at the fill price.
 * Fees and funding are kept apart from trading PnL (`PositionChanged` reports them separately), so:
 *
 *   realizedPnl + unrealizedPnl(mark) = −Σ signedQty·px over fills + qty·mark     (trading)
 *   net PnL = realizedPnl + unrealizedPnl − fees + fundingPnl                      (cash)
 *
 * which is the invariant the end-to-end test checks against the journal.
 */
import type { MessageOf, Side } from '../../protocol/index.js';
import { fundingPaymentUsd } from './funding.js';
import { sideSign } from './symbols.js';

export interface Position {
  /** Signed quantity in base units; < 0 is short. */
  readonly qty: number;
  /** Average entry price of the open quantity (0 when flat). */
  readonly avgEntryPx: number;
  /** Trading PnL locked in by reducing fills, excluding fees and funding. */
  readonly realizedPnl: number;
  /** Fees paid (negative = rebates received). */
  readonly fees: number;
  /** Funding received (negative = paid). */
  readonly fundingPnl: number;
}

export const FLAT: Position = Object.freeze({ qty: 0, avgEntryPx: 0, realizedPnl: 0, fees: 0, fundingPnl: 0 });

export interface FillInput {
  readonly side: Side;
  readonly qty: number;
  readonly px: number;
  /** Fee in quote currency (positive = paid). Convert fees charged in another asset before this. */
  readonly fee: number;
}

/** Float residue below this fraction of the traded size is treated as flat (0.1 + 0.2 − 0.3 ≠ 0). */
const FLAT_EPSILON = 1e-9;

/**
 * The position after one fill.
 *
 * @example applyFill(FLAT, { side: 'buy', qty: 2, px: 100, fee: 0.1 }) // { qty: 2, avgEntryPx: 100, realizedPnl: 0, fees: 0.1, fundingPnl: 0 }
 */
export function applyFill(position: Position, fill: FillInput): Position {
  const fees = position.fees + fill.fee;
  if (!(fill.qty > 0)) return { ...position, fees };
  const delta = sideSign(fill.side) * fill.qty;
  const { qty, avgEntryPx } = position;
  if (qty === 0 || Math.sign(qty) === Math.sign(delta)) {
    const newQty = qty + delta;
    const avg = (Math.abs(qty) * avgEntryPx + fill.qty * fill.px) / Math.abs(newQty);
    return { ...position, qty: newQty, avgEntryPx: avg, fees };
  }
  const closedQty = Math.min(Math.abs(delta), Math.abs(qty));
  const realizedPnl = position.realizedPnl + closedQty * (fill.px - avgEntryPx) * Math.sign(qty);
  let newQty = qty + delta;
  if (Math.abs(newQty) <= FLAT_EPSILON * Math.max(Math.abs(qty), fill.qty)) newQty = 0;
  // Still on the same side: the remaining quantity keeps its entry price. Flipped: the excess opened at px.
  const newAvg = newQty === 0 ? 0 : Math.sign(newQty) === Math.sign(qty) ? avgEntryPx : fill.px;
  return { ...position, qty: newQty, avgEntryPx: newAvg, realizedPnl, fees };
}

/** The position after a funding payment (`amountUsd` > 0 received). */
export function applyFunding(position: Position, amountUsd: number): Position {
  return { ...position, fundingPnl: position.fundingPnl + amountUsd };
}

/** Trading PnL of the open quantity against a mark. @example unrealizedPnl({ ...FLAT, qty: -2, avgEntryPx: 100 }, 90) // 20 */
export function unrealizedPnl(position: Position, markPx: number): number {
  return position.qty === 0 ? 0 : position.qty * (markPx - position.avgEntryPx);
}

/** Everything the position made, in cash: trading PnL − fees + funding. */
export function netPnl(position: Position, markPx: number): number {
  return position.realizedPnl + unrealizedPnl(position, markPx) - position.fees + position.fundingPnl;
}

export type PositionUpdateFields = Omit<MessageOf<'PositionChanged'>, 'type' | 'ts'>;
export type FundingSettledFields = Omit<MessageOf<'FundingSettled'>, 'type' | 'ts'>;

export interface PositionEntry {
  readonly strategyId: string;
  readonly venue: string;
  readonly symbol: string;
  readonly position: Position;
}

const keyOf = (strategyId: string, venue: string, symbol: string): string => `${strategyId}\u0000${venue}\u0000${symbol}`;

/**
 * All positions, keyed by (strategy, venue, symbol). Snapshot-able for restarts and replay.
 *
 * @example
 * const book = new PositionBook();
 * book.applyFill('carry', 'bybit', 'BTC/USDT:USDT', { side: 'sell', qty: 0.1, px: 60_000, fee: 3.3 });
 * book.update('carry', 'bybit', 'BTC/USDT:USDT', 59_000).unrealizedPnl; // 100
 */
export class PositionBook {
  readonly #entries = new Map<string, PositionEntry>();

  get(strategyId: string, venue: string, symbol: string): Position {
    return this.#entries.get(keyOf(strategyId, venue, symbol))?.position ?? FLAT;
  }

  applyFill(strategyId: string, venue: string, symbol: string, fill: FillInput): Position {
    return this.#set(strategyId, venue, symbol, applyFill(this.get(strategyId, venue, symbol), fill));
  }

  /**
   * Applies a `Filled`/`PartiallyFilled` event. `feeUsd` overrides the message's fee when it was
   * charged in another currency (BNB, the base asset) and the caller has converted it.
   */
  applyFillMessage(message: MessageOf<'Filled'> | MessageOf<'PartiallyFilled'>, feeUsd: number = message.fee): Position {
    return this.applyFill(message.strategyId, message.venue, message.symbol, {
      side: message.side,
      qty: message.fillQty,
      px: message.fillPx,
      fee: feeUsd,
    });
  }

  applyFunding(strategyId: string, venue: string, symbol: string, amountUsd: number): Position {
    return this.#set(strategyId, venue, symbol, applyFunding(this.get(strategyId, venue, symbol), amountUsd));
  }

  /**
   * Settles one funding rate on every strategy's open position in the market and returns the
   * `FundingSettled` fields to publish (one per strategy holding a position).
   *
   * @example book.settleFunding('okx', 'ETH/USDT:USDT', 0.0001, 3_000) // [{ strategyId, amount, … }]
   */
  settleFunding(venue: string, symbol: string, rate: number, markPx: number): FundingSettledFields[] {
    const settled: FundingSettledFields[] = [];
    for (const entry of [...this.#entries.values()]) {
      if (entry.venue !== venue || entry.symbol !== symbol || entry.position.qty === 0) continue;
      const amount = fundingPaymentUsd(entry.position.qty, markPx, rate);
      this.applyFunding(entry.strategyId, venue, symbol, amount);
      settled.push({ strategyId: entry.strategyId, venue, symbol, rate, positionQty: entry.position.qty, markPx, amount });
    }
    return settled;
  }

  /** The `PositionChanged` fields for a market; `markPx` null reports unrealized PnL as 0. */
  update(strategyId: string, venue: string, symbol: string, markPx: number | null): PositionUpdateFields {
    const position = this.get(strategyId, venue, symbol);
    return {
      strategyId,
      venue,
      symbol,
      qty: position.qty,
      avgEntryPx: position.avgEntryPx,
      markPx,
      realizedPnl: position.realizedPnl,
      unrealizedPnl: markPx === null ? 0 : unrealizedPnl(position, markPx),
      fees: position.fees,
      fundingPnl: position.fundingPnl,
    };
  }

  /** Every tracked position (including flat ones that still carry realized PnL). */
  entries(): PositionEntry[] {
    return [...this.#entries.values()];
  }

  /** Plain data for a snapshot (hot reload, restart). */
  snapshot(): PositionEntry[] {
    return this.entries();
  }

  /** A book rebuilt from `snapshot()` output. */
  static restore(entries: readonly PositionEntry[]): PositionBook {
    const book = new PositionBook();
    for (const e of entries) book.#set(e.strategyId, e.venue, e.symbol, e.position);
    return book;
  }

  #set(strategyId: string, venue: string, symbol: string, position: Position): Position {
    this.#entries.set(keyOf(strategyId, venue, symbol), { strategyId, venue, symbol, position });
    return position;
  }
}
