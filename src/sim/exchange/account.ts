/**
 * One API key's account on one venue: asset balances (free / locked) and perp positions.
 *
 * Spot fills move assets: a buy pays quote and receives base less the fee (venues charge the
 * fee in the asset received), a sell the other way round. Perp fills change a one-way (net)
 * position: increasing averages the entry price, reducing realizes PnL against it, crossing
 * zero closes and reopens at the fill price. Realized PnL, fees and funding all settle in the
 * perp's settle asset (its wallet balance).
 */
import type { InstrumentSpec } from '../types.js';
import type { OrderSide } from './types.js';

export interface Balance {
  free: number;
  locked: number;
}

export interface Position {
  readonly symbol: string;
  /** Signed base quantity: negative is short. */
  quantity: number;
  entryPrice: number;
  realizedPnl: number;
  /** Σ funding received (negative when paid). */
  fundingPnl: number;
  updatedMs: number;
}

/** Result of applying a perp fill. */
export interface PerpFillEffect {
  readonly realizedPnl: number;
}

/** Floating dust below this is zero (quantities are multiples of steps ≥ 1e-8). */
const EPSILON = 1e-12;

/** One funding payment on this account (venues list them as income history). */
export interface AccountFunding {
  readonly symbol: string;
  readonly rate: number;
  readonly amount: number;
  readonly timeMs: number;
}

const FUNDING_HISTORY_LIMIT = 10_000;

export class Account {
  readonly balances = new Map<string, Balance>();
  readonly positions = new Map<string, Position>();
  readonly leverage = new Map<string, number>();
  readonly fundingHistory: AccountFunding[] = [];

  constructor(
    startingBalances: Readonly<Record<string, number>>,
    readonly defaultLeverage: number,
  ) {
    for (const [asset, amount] of Object.entries(startingBalances)) this.balances.set(asset, { free: amount, locked: 0 });
  }

  balance(asset: string): Balance {
    let balance = this.balances.get(asset);
    if (!balance) {
      balance = { free: 0, locked: 0 };
      this.balances.set(asset, balance);
    }
    return balance;
  }

  leverageOf(symbol: string): number {
    return this.leverage.get(symbol) ?? this.defaultLeverage;
  }

  /** Moves `amount` from free to locked. */
  lock(asset: string, amount: number): void {
    const balance = this.balance(asset);
    balance.free -= amount;
    balance.locked += amount;
  }

  /** Moves `amount` from locked back to free. */
  unlock(asset: string, amount: number): void {
    const balance = this.balance(asset);
    balance.locked = clean(balance.locked - amount);
    balance.free += amount;
  }

  /** Applies a spot fill. `fromLocked` is how much of the paid asset comes out of locked funds. */
  applySpotFill(instrument: InstrumentSpec, side: OrderSide, price: number, quantity: number, fee: number, fromLocked: number): void {
    const quote = this.balance(instrument.quote);
    const base = this.balance(instrument.base);
    const paid = side === 'buy' ? quote : base;
    const paidAmount = side === 'buy' ? price * quantity : quantity;
    paid.locked = clean(paid.locked - fromLocked);
    paid.free = clean(paid.free - (paidAmount - fromLocked));
    if (side === 'buy') base.free = clean(base.free + quantity - fee);
    else quote.free = clean(quote.free + price * quantity - fee);
  }

  position(symbol: string): Position {
    let position = this.positions.get(symbol);
    if (!position) {
      position = { symbol, quantity: 0, entryPrice: 0, realizedPnl: 0, fundingPnl: 0, updatedMs: 0 };
      this.positions.set(symbol, position);
    }
    return position;
  }

  /** Applies a perp fill to the net position and the settle asset's balance. */
  applyPerpFill(instrument: InstrumentSpec, side: OrderSide, price: number, quantity: number, fee: number, timeMs: number): PerpFillEffect {
    const position = this.position(instrument.symbol);
    const signed = side === 'buy' ? quantity : -quantity;
    let realized = 0;
    if (position.quantity !== 0 && Math.sign(position.quantity) !== Math.sign(signed)) {
      const closing = Math.min(Math.abs(position.quantity), quantity);
      realized = (price - position.entryPrice) * closing * Math.sign(position.quantity);
    }
    const next = roundQuantity(position.quantity + signed);
    if (next === 0) position.entryPrice = 0;
    else if (Math.sign(next) !== Math.sign(position.quantity)) position.entryPrice = price; // opened or flipped
    else if (Math.abs(next) > Math.abs(position.quantity)) {
      position.entryPrice = (Math.abs(position.quantity) * position.entryPrice + quantity * price) / Math.abs(next);
    }
    position.quantity = next;
    position.realizedPnl += realized;
    position.updatedMs = timeMs;
    const wallet = this.balance(instrument.settle ?? instrument.quote);
    wallet.free = clean(wallet.free + realized - fee);
    return { realizedPnl: realized };
  }

  /** Pays (positive) or charges (negative) funding on a position. */
  applyFunding(instrument: InstrumentSpec, rate: number, amount: number, timeMs: number): void {
    this.fundingHistory.push({ symbol: instrument.symbol, rate, amount, timeMs });
    if (this.fundingHistory.length > FUNDING_HISTORY_LIMIT) this.fundingHistory.shift();
    const position = this.position(instrument.symbol);
    position.fundingPnl += amount;
    position.updatedMs = timeMs;
    const wallet = this.balance(instrument.settle ?? instrument.quote);
    wallet.free = clean(wallet.free + amount);
  }
}

/** Positions are sums of step multiples: rounding to 1e-10 removes float dust exactly. */
function roundQuantity(value: number): number {
  return Math.round(value * 1e10) / 1e10;
}

function clean(value: number): number {
  return Math.abs(value) < EPSILON ? 0 : value;
}
