/**
 * What each account can still pay for: the venue's last balances, less what orders approved since
 * then will spend. Pre-trade risk asks it (`check`) and reserves on approval (`reserve`), so two
 * commands in a row cannot both spend the same balance while the venue has not caught up.
 *
 * A reservation lives from approval until a balance snapshot that already shows its effect: once
 * its order is final (or resting at the venue, which then holds the funds as `used`), the first
 * snapshot *fetched after that moment* releases it. A snapshot fetched earlier does not, because
 * the venue may have answered before the fill. A reservation whose order never appears (the
 * command failed before any order was created) expires after `orphanMs`.
 *
 * What an order needs, per account and asset:
 * - spot sell: the base quantity;
 * - spot buy: quantity × price in quote (venues take the buy's fee from the base received);
 * - perp: initial margin of the exposure it adds, notional / `assumedLeverage`, in the settle
 *   currency; a perp order that only reduces the account's net position needs none.
 *
 * @example
 * const book = new BalanceBook({ assumedLeverage: 5 });
 * book.setSnapshot('okx', new Map([['USDT', { free: 1000, used: 0, total: 1000 }]]), 0);
 * book.check([{ venue: 'okx', symbol: 'BTC/USDT', side: 'buy', qty: 1, limitPx: 50_000, … }], [50_000], netQtyOf); // Denial: insufficient_balance
 */
import type { Leg } from '../../protocol/index.js';
import { settleAssetOf, symbolParts } from '../market/symbols.js';
import { deny, legLabel, type Denial } from './order-checks.js';

export interface AssetAmounts {
  readonly free: number;
  readonly used: number;
  readonly total: number;
}

export interface BalanceBookOptions {
  /** Leverage the perp margin estimate assumes (notional / leverage). */
  readonly assumedLeverage: number;
  /** A reservation no order ever claimed is dropped after this long. Default 60 s. */
  readonly orphanMs?: number;
}

/** The account's net perp position on a market (every strategy together), signed. */
export type NetQtyOf = (venue: string, symbol: string) => number;

interface Snapshot {
  readonly assets: ReadonlyMap<string, AssetAmounts>;
  readonly fetchStartedMs: number;
}

interface Reservation {
  readonly venue: string;
  readonly needs: ReadonlyMap<string, number>;
  readonly createdMs: number;
  claimed: boolean;
  /** When the order became final or rested at the venue; null while in flight. */
  settledMs: number | null;
}

const TOLERANCE = 1e-9;
const DEFAULT_ORPHAN_MS = 60_000;

/** The reservation key of one leg of an intent (shared by every attempt at that leg). */
export const reservationKey = (strategyId: string, intentSeq: number, leg: number): string => `${strategyId}#${intentSeq}#${leg}`;

export class BalanceBook {
  readonly #snapshots = new Map<string, Snapshot>();
  readonly #reservations = new Map<string, Reservation>();
  readonly #options: Required<BalanceBookOptions>;

  constructor(options: BalanceBookOptions) {
    if (!(options.assumedLeverage > 0)) throw new RangeError(`assumedLeverage must be > 0, got ${options.assumedLeverage}`);
    this.#options = { orphanMs: DEFAULT_ORPHAN_MS, ...options };
  }

  get assumedLeverage(): number {
    return this.#options.assumedLeverage;
  }

  /** A new snapshot of `venue`'s balances, fetched from `fetchStartedMs` on; releases what it shows. */
  setSnapshot(venue: string, assets: ReadonlyMap<string, AssetAmounts>, fetchStartedMs: number): void {
    this.#snapshots.set(venue, { assets, fetchStartedMs });
    for (const [key, reservation] of this.#reservations) {
      const shown = reservation.settledMs !== null && reservation.settledMs <= fetchStartedMs;
      const orphan = !reservation.claimed && fetchStartedMs - reservation.createdMs > this.#options.orphanMs;
      if (reservation.venue === venue && (shown || orphan)) this.#reservations.delete(key);
    }
  }

  hasSnapshot(venue: string): boolean {
    return this.#snapshots.has(venue);
  }

  /** Free balance less open reservations; null before the venue's first snapshot. */
  available(venue: string, asset: string): number | null {
    const snapshot = this.#snapshots.get(venue);
    if (!snapshot) return null;
    let amount = snapshot.assets.get(asset)?.free ?? 0;
    for (const reservation of this.#reservations.values()) if (reservation.venue === venue) amount -= reservation.needs.get(asset) ?? 0;
    return amount;
  }

  /** The legs' needs per venue and asset (`refs`: each leg's reference price, used for market orders). */
  needsOf(legs: readonly Leg[], refs: readonly number[], netQtyOf: NetQtyOf): Map<string, Map<string, number>> {
    const byVenue = new Map<string, Map<string, number>>();
    for (const [i, leg] of legs.entries()) {
      const need = this.#legNeed(leg, refs[i] as number, netQtyOf);
      if (need === null) continue;
      let assets = byVenue.get(leg.venue);
      if (!assets) byVenue.set(leg.venue, (assets = new Map()));
      assets.set(need.asset, (assets.get(need.asset) ?? 0) + need.amount);
    }
    return byVenue;
  }

  /** `insufficient_balance` when an account cannot pay for the legs together, else null. */
  check(legs: readonly Leg[], refs: readonly number[], netQtyOf: NetQtyOf): Denial | null {
    for (const [venue, assets] of this.needsOf(legs, refs, netQtyOf)) {
      for (const [asset, amount] of assets) {
        const available = this.available(venue, asset);
        if (available === null) return deny('insufficient_balance', 'balances', `${legsOn(legs, venue)}: no balances from ${venue} yet (execution fetches them at start)`);
        if (amount > available + TOLERANCE) {
          const perp = legs.some((leg) => leg.venue === venue && symbolParts(leg.symbol).kind === 'perp');
          const margin = perp ? ` (perp margin at assumed leverage ${this.#options.assumedLeverage})` : '';
          return deny('insufficient_balance', 'balances', `${legsOn(legs, venue)}: needs ${fmt(amount)} ${asset}${margin} on ${venue}, ${fmt(available)} available (free less orders in flight)`);
        }
      }
    }
    return null;
  }

  /** Holds the legs' needs under `keyOf(leg index)` until a snapshot shows their orders' effect. */
  reserve(legs: readonly Leg[], refs: readonly number[], netQtyOf: NetQtyOf, keyOf: (leg: number) => string, nowMs: number): void {
    for (const [i, leg] of legs.entries()) {
      const need = this.#legNeed(leg, refs[i] as number, netQtyOf);
      if (need !== null) this.#reservations.set(keyOf(i), { venue: leg.venue, needs: new Map([[need.asset, need.amount]]), createdMs: nowMs, claimed: false, settledMs: null });
    }
  }

  /** An order of the reservation `key` exists (so it is no orphan); `settled`: it is final or resting at the venue. */
  orderChanged(key: string, settled: boolean, nowMs: number): void {
    const reservation = this.#reservations.get(key);
    if (!reservation) return;
    reservation.claimed = true;
    reservation.settledMs = settled ? nowMs : null;
  }

  /** Reserved amounts per venue and asset (status). */
  reserved(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const r of this.#reservations.values()) for (const [asset, amount] of r.needs) (out[r.venue] ??= {})[asset] = ((out[r.venue] ??= {})[asset] ?? 0) + amount;
    return out;
  }

  #legNeed(leg: Leg, referencePx: number, netQtyOf: NetQtyOf): { asset: string; amount: number } | null {
    const { base, quote, kind } = symbolParts(leg.symbol);
    const px = leg.limitPx ?? referencePx;
    if (kind === 'spot') return leg.side === 'sell' ? { asset: base, amount: leg.qty } : { asset: quote, amount: leg.qty * px };
    if (leg.reduceOnly) return null;
    const net = netQtyOf(leg.venue, leg.symbol);
    const signed = leg.side === 'buy' ? leg.qty : -leg.qty;
    const added = Math.max(0, Math.abs(net + signed) - Math.abs(net));
    if (added <= TOLERANCE) return null;
    return { asset: settleAssetOf(leg.symbol), amount: (added * px) / this.#options.assumedLeverage };
  }
}

/** `BTC/USDT:USDT` → `USDT` (a dated future's `USDT-250628` → `USDT`). */
/** The labels of the legs on `venue`, for a denial. */
function legsOn(legs: readonly Leg[], venue: string): string {
  return legs.flatMap((leg, i) => (leg.venue === venue ? [legLabel(leg, i)] : [])).join(', ');
}

const fmt = (value: number): string => Number(value.toPrecision(8)).toString();
