/**
 * The simulated account of one paper/replay venue: a wallet per asset that starts from the
 * configured simulated balances and is moved by the fill model's fills, fees and funding, so the
 * balances execution checks and publishes in paper mode behave like a venue's.
 *
 * Spot fills move base and quote and charge the fee in its currency. Perp fills move no wallet
 * but the fee; they change a net position per symbol whose realized PnL (on reducing) and funding
 * settle in the settle currency. `used` is the perp positions' initial margin at entry price and
 * the leverage given (the paper model has no leverage of its own); `free` = total − used.
 *
 * @example
 * const account = new PaperAccount({ USDT: 1000 }, 5);
 * account.applyFill('BTC/USDT', 'buy', 0.01, 50_000, 0.5, 'USDT');
 * account.balances().get('BTC') // { free: 0.01, used: 0, total: 0.01 }
 */
import type { Side } from '../../protocol/index.js';
import type { AssetAmounts } from '../risk/balance-book.js';
import { settleAssetOf, symbolParts } from '../market/symbols.js';

interface PerpPosition {
  qty: number;
  entryPx: number;
}

export class PaperAccount {
  readonly #wallet = new Map<string, number>();
  readonly #perps = new Map<string, PerpPosition>();

  constructor(
    starting: Readonly<Record<string, number>>,
    private readonly leverage: number,
  ) {
    for (const [asset, amount] of Object.entries(starting)) this.#wallet.set(asset, amount);
  }

  applyFill(symbol: string, side: Side, qty: number, px: number, fee: number, feeCurrency: string): void {
    const { base, quote, kind } = symbolParts(symbol);
    const sign = side === 'buy' ? 1 : -1;
    this.#add(feeCurrency, -fee);
    if (kind === 'spot') {
      this.#add(base, sign * qty);
      this.#add(quote, -sign * qty * px);
      return;
    }
    const position = this.#perps.get(symbol) ?? { qty: 0, entryPx: 0 };
    const signed = sign * qty;
    if (position.qty !== 0 && Math.sign(position.qty) !== Math.sign(signed)) {
      const closing = Math.min(Math.abs(position.qty), qty);
      this.#add(settleAssetOf(symbol), (px - position.entryPx) * closing * Math.sign(position.qty));
    }
    const next = Math.round((position.qty + signed) * 1e10) / 1e10;
    if (next === 0) position.entryPx = 0;
    else if (Math.sign(next) !== Math.sign(position.qty)) position.entryPx = px;
    else if (Math.abs(next) > Math.abs(position.qty)) position.entryPx = (Math.abs(position.qty) * position.entryPx + qty * px) / Math.abs(next);
    position.qty = next;
    this.#perps.set(symbol, position);
  }

  /** A funding settlement on `symbol`: the position receives −qty × mark × rate. */
  applyFunding(symbol: string, rate: number, markPx: number): void {
    const qty = this.#perps.get(symbol)?.qty ?? 0;
    if (qty !== 0) this.#add(settleAssetOf(symbol), -qty * markPx * rate);
  }

  balances(): Map<string, AssetAmounts> {
    const used = new Map<string, number>();
    for (const [symbol, p] of this.#perps) {
      if (p.qty !== 0) used.set(settleAssetOf(symbol), (used.get(settleAssetOf(symbol)) ?? 0) + (Math.abs(p.qty) * p.entryPx) / this.leverage);
    }
    const out = new Map<string, AssetAmounts>();
    for (const [asset, total] of this.#wallet) {
      const held = used.get(asset) ?? 0;
      out.set(asset, { free: total - held, used: held, total });
    }
    return out;
  }

  #add(asset: string, amount: number): void {
    this.#wallet.set(asset, (this.#wallet.get(asset) ?? 0) + amount);
  }
}
